from datetime import datetime
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture(autouse=True)
def early_june_2026(time_machine):
    """The services these tests record happened around 1 June 2026; 'now' is a few days later,
    within the 10 working days to record them (办法 art. 11), unless a test moves on."""
    time_machine.move_to(datetime(2026, 6, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
