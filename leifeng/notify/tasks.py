from datetime import timedelta

from django_tasks import task

from leifeng.jobs.registry import periodic_job
from leifeng.notify import services


@task()
def send_delivery(delivery_id: int) -> str:
    return services.delivery_send(delivery_id)


@periodic_job("notify.deliver_due", every=timedelta(minutes=1))
def deliver_due() -> str:
    return f"sent {services.deliveries_send_due()}"
