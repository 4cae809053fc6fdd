from datetime import timedelta

from leifeng.activities import services
from leifeng.jobs.registry import periodic_job


@periodic_job("activities.advance", every=timedelta(minutes=5))
def advance() -> str:
    """Activities start and finish with their shifts; forgotten check-outs are closed."""
    moved = services.activities_advance()
    closed = services.attendances_close_forgotten()
    return f"moved {moved}, closed {closed}"
