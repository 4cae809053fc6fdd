from datetime import timedelta

from leifeng.hours import services
from leifeng.jobs.registry import periodic_job


@periodic_job("hours.collect_claims", every=timedelta(minutes=5))
def collect_claims() -> str:
    """Checked-out attendance waits for its organiser as an hours claim."""
    return f"claims {services.claims_collect()}"
