from datetime import timedelta

from leifeng.demands import services
from leifeng.jobs.registry import periodic_job


@periodic_job("demands.time_limits", every=timedelta(minutes=10))
def time_limits() -> str:
    """Overdue orders go up a level; served orders past the rating window close unrated."""
    return f"escalated {services.orders_escalate()}, unrated {services.orders_close_unrated()}"
