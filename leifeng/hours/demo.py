"""Demo service hours, after the activities: attendance becomes claims, the claims of
activities over a week ago are confirmed by their organisers (the last week's stay waiting),
and a few volunteers carry historical hours recorded by the city center, so that every star
standard is reached by someone. Everything goes through the services; loading again adds
nothing (claims are collected once, and a historical year already credited is skipped)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from leifeng.accounts.models import User
from leifeng.core.errors import DomainError
from leifeng.hours import services
from leifeng.hours.models import HoursClaim, HoursEntry
from leifeng.orgs.models import Organisation
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers.models import Volunteer

CENTER = "晋城市新时代文明实践中心"
HISTORY_CONTENT = "%(year)s年度志愿服务（历史记录补录）"
# (total historical hours, years they are spread over): one volunteer per star standard.
HISTORY = [
    (Decimal(120), 2),
    (Decimal(320), 3),
    (Decimal(640), 4),
    (Decimal(1040), 5),
    (Decimal(1560), 6),
]


@dataclass
class Loaded:
    claims: int = 0
    confirmed: int = 0
    historical: int = 0


def hours_load(*, actor: User, now: datetime | None = None) -> Loaded:
    now = now or timezone.now()
    loaded = Loaded(claims=services.claims_collect(now))
    week_ago = now - timedelta(days=7)
    old = HoursClaim.objects.filter(
        status=HoursClaim.Status.PENDING, ended_at__lt=week_ago
    ).select_related("volunteer", "organisation")
    for claim in old.order_by("pk"):
        try:
            services.claim_confirm(actor=actor, claim=claim)
            loaded.confirmed += 1
        except DomainError:
            continue  # e.g. rounded to zero hours: left for the organiser to reject
    center = Organisation.objects.filter(name=CENTER).first()
    # 王小雷 (born 1990) reaches one star; four adults registered by their centers the rest.
    adults = Volunteer.objects.filter(
        status=Volunteer.Status.ACTIVE, birth_date__year__lt=1985
    ).exclude(name=volunteer_demo.DEMO_NAME)
    volunteers = list(
        Volunteer.objects.filter(name=volunteer_demo.DEMO_NAME, user__isnull=False)[:1]
    ) + list(adults.order_by("number")[: len(HISTORY) - 1])
    if center is None:
        return loaded
    zone = timezone.get_default_timezone()
    for volunteer, (total, years) in zip(volunteers, HISTORY, strict=False):
        per_year = (total / years).quantize(Decimal("0.01"))
        for offset in range(years):
            year = 2020 - offset
            content = HISTORY_CONTENT % {"year": year}
            if HoursEntry.objects.filter(volunteer=volunteer, content=content).exists():
                continue
            services.manual_credit(
                actor=actor,
                organisation=center,
                volunteer=volunteer,
                content=content,
                started_at=datetime(year, 1, 1, tzinfo=zone),
                ended_at=datetime(year, 12, 31, 23, 59, tzinfo=zone),
                hours=per_year,
                reason="2021年前的纸质记录，经核实后补录",
            )
            loaded.historical += 1
    return loaded
