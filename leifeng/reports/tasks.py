from datetime import timedelta

from leifeng.jobs.registry import periodic_job
from leifeng.reports import rollups, services


@periodic_job("reports.rollups", every=timedelta(minutes=1))
def refresh_rollups() -> str:
    """Recompute the figures of the days that changed."""
    return f"days {rollups.refresh()}"


@periodic_job("reports.reminders", every=timedelta(hours=1))
def send_reminders() -> str:
    """Remind the people responsible for reports that are due soon or overdue (each once)."""
    return f"reminders {services.reminders_send()}"
