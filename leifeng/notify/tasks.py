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


@periodic_job("notify.forget_secrets", every=timedelta(hours=1))
def forget_secrets() -> str:
    return f"masked {services.deliveries_forget_secrets()}"
