"""Demo service hours, after the activities: attendance becomes claims, the claims of
activities over a week ago are confirmed by their organisers in time (the last week's stay
waiting), and a few volunteers carry historical hours recorded late by the city center and
approved by a second person, so that every star standard is reached by someone; one more late
entry waits for approval, and 王小雷 has printed a certificate. Everything goes through the
services; loading again adds nothing (claims are collected once, and a historical year, the
waiting late entry or a certificate already there is skipped)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from leifeng.accounts.models import User
from leifeng.core.errors import DomainError
from leifeng.hours import services
from leifeng.hours.certificates import certificate_issue
from leifeng.hours.models import Certificate, HoursClaim, HoursEntry, LateEntry
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


WAITING_CONTENT = "2021年学雷锋月社区环境整治（纸质签到表补录）"


@dataclass
class Loaded:
    claims: int = 0
    confirmed: int = 0
    historical: int = 0
    waiting: int = 0
    certificates: int = 0


def hours_load(*, actor: User, approver: User, now: datetime | None = None) -> Loaded:
    """`approver` is the second person who approves the historical late entries."""
    now = now or timezone.now()
    loaded = Loaded(claims=services.claims_collect(now))
    week_ago = now - timedelta(days=7)
    old = HoursClaim.objects.filter(
        status=HoursClaim.Status.PENDING, ended_at__lt=week_ago
    ).select_related("volunteer", "organisation")
    for claim in old.order_by("pk"):
        try:
            # Confirmed by the organiser two days after the activity, in time.
            decided_on = timezone.localdate(claim.ended_at) + timedelta(days=2)
            services.claim_confirm(actor=actor, claim=claim, today=decided_on)
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
            late = services.late_entry_request(
                actor=actor,
                organisation=center,
                volunteer=volunteer,
                content=content,
                started_at=datetime(year, 1, 1, tzinfo=zone),
                ended_at=datetime(year, 12, 31, 23, 59, tzinfo=zone),
                hours=per_year,
                reason="2021年前的纸质记录，经核实后补录",
            )
            services.late_entry_approve(actor=approver, late=late)
            loaded.historical += 1
    if volunteers and not LateEntry.objects.filter(content=WAITING_CONTENT).exists():
        volunteer = volunteers[-1]
        # A March 2021 afternoon the volunteer has no other hours for.
        for day in range(6, 32):
            start = datetime(2021, 3, day, 14, tzinfo=zone)
            end = start + timedelta(hours=3)
            if not services.active_overlaps(volunteer, start, end):
                break
        services.late_entry_request(
            actor=actor,
            organisation=center,
            volunteer=volunteer,
            content=WAITING_CONTENT,
            place="城区西街街道凤台社区",
            started_at=start,
            ended_at=end,
            hours=Decimal(3),
            reason="活动签到表近日整理出来，经社区核实",
        )
        loaded.waiting += 1
    demo_volunteer = volunteers[0] if volunteers else None
    if (
        demo_volunteer is not None
        and demo_volunteer.user is not None
        and not Certificate.objects.filter(volunteer=demo_volunteer).exists()
    ):
        certificate_issue(actor=demo_volunteer.user, volunteer=demo_volunteer)
        loaded.certificates += 1
    return loaded
