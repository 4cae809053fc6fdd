"""Demo reports: the city's periods of this campaign year (and the next one's first period
once November 19 has passed), with reports in every state: accepted, returned, resubmitted,
late, waiting for review, missing, and drafts of the current period.

Organisations with a demo log-in write their own reports; the others' are entered by the
city office's clerk (city_reporter), as when a county sends its report by e-mail."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont

from leifeng.accounts.models import User
from leifeng.activities import services as activity_services
from leifeng.activities.models import Activity
from leifeng.orgs.models import Organisation
from leifeng.reports import rollups, services
from leifeng.reports.models import Period, Report

LANGUAGE = "zh-hans"
FONT = Path(__file__).resolve().parent.parent / "hours" / "fonts" / "wqy-microhei.ttc"
# Who writes each organisation's report in the demo (others: the city's clerk).
WRITERS = {"泽州县文明办": "zezhou_reporter", "城区文明办": "chengqu_admin"}
CLERK = "city_reporter"
REVIEWER = "city_admin"

NARRATIVES = [
    (
        "<h3>一、总体情况</h3><p>本期，{org}紧扣“文明实践我行动”主题，组织各新时代文明实践所、站和"
        "志愿服务队伍深入开展学雷锋志愿服务活动，做到活动常态化、服务项目化。</p>"
        "<h3>二、主要做法</h3><ul><li><strong>文明实践宣讲：</strong>围绕党的创新理论开展理论宣讲进村入户。</li>"
        "<li><strong>情暖基层：</strong>关爱空巢老人、留守儿童，开展生活照料、心理疏导等服务。</li>"
        "<li><strong>关爱自然环境：</strong>结合植树节开展义务植树、垃圾分类宣传和环境整治。</li></ul>"
        "<h3>三、下一步打算</h3><p>持续完善“群众点单、中心派单、志愿者接单、群众评单”机制，"
        "推动志愿服务向专业化、品牌化发展。</p>"
    ),
    (
        "<h3>一、活动开展情况</h3><p>{org}结合文明城市建设，在政务大厅、车站、广场等公共场所设立"
        "学雷锋志愿服务站点，开展文明交通劝导、秩序维护和文明旅游引导。</p>"
        "<h3>二、特色亮点</h3><ol><li>“周末文明实践日”常态开展。</li><li>志愿者按需接单，"
        "服务群众“急难愁盼”。</li></ol><p><em>存在问题：</em>部分村级站点活动频次不高，"
        "志愿者年龄结构偏大。</p>"
    ),
]


# Activities photographed in the demo, per organisation with a demo log-in: its latest
# finished ones, so that its reports have activity photos to pick.
PHOTOGRAPHED = {"泽州县文明办": 2, "城区文明办": 1}
SCENES = [
    ("志愿者集合出发", (40, 110, 70)),
    ("服务现场", (35, 90, 150)),
]
DUTY_SCENE = ("站点值守服务", (150, 95, 40))


SUPPLEMENT = (
    "<h3>补充：典型案例</h3><p>各实践所组织志愿者开展“敬老助残”上门服务，受到群众好评。</p>"
)


@dataclass
class Loaded:
    periods: int = 0
    activity_photos: int = 0
    states: dict[str, int] = field(default_factory=dict)


def _photo(text: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A made-up activity photo: a coloured scene with a caption (no real people's faces)."""
    image = Image.new("RGB", (1200, 800), colour)
    draw = ImageDraw.Draw(image)
    for index in range(6):
        x = 80 + index * 180
        draw.rectangle((x, 420, x + 120, 700), fill=(250, 250, 245))
        draw.ellipse((x + 20, 330, x + 100, 410), fill=(240, 200, 160))
    draw.rectangle((0, 0, 1200, 140), fill=(190, 30, 45))
    font = ImageFont.truetype(str(FONT), 64)
    draw.text((60, 35), text, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("活动照片.jpg", out.getvalue(), content_type="image/jpeg")


def _activity_photos(actor: User, current: Period | None, moment: datetime) -> int:
    """Made-up photos of the latest finished activities of the organisations with a demo
    log-in (PHOTOGRAPHED), added by `actor` through the activities' service. Early in a period
    none of them may have finished yet: then a station's duty under way is photographed too,
    so that the reports being written now have a photo to pick."""
    added = 0
    for name, count in PHOTOGRAPHED.items():
        office = Organisation.objects.filter(name=name).first()
        if office is None:
            continue
        under = Activity.objects.filter(
            organisation__path__startswith=office.path, is_assignment=False, photos__isnull=True
        )
        chosen = [
            (activity, SCENES)
            for activity in under.filter(
                status=Activity.Status.FINISHED, station__isnull=True
            ).order_by("-ends_at", "pk")[:count]
        ]
        if current is not None:
            start = rollups._bounds(current.starts_on, current.ends_on)[0]
            if not any(activity.ends_at and activity.ends_at >= start for activity, _s in chosen):
                duty = (
                    under.filter(
                        station__isnull=False,
                        status__in=[Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS],
                        starts_at__lte=moment,
                        ends_at__gte=start,
                    )
                    .order_by("pk")
                    .first()
                )
                if duty is not None:
                    chosen.append((duty, [DUTY_SCENE]))
        for activity, scenes in chosen:
            for index, (scene, colour) in enumerate(scenes):
                photo = _photo(activity.title[:16], colour)
                photo.name = f"活动照片{index + 1}.jpg"
                added += len(
                    activity_services.activity_photos_add(
                        actor=actor, activity=activity, photos=[photo], caption=scene
                    )
                )
    return added


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _writer(report: Report) -> User:
    return User.objects.get(username=WRITERS.get(report.organisation.name, CLERK))


def _fill(report: Report, index: int) -> None:
    writer = _writer(report)
    services.report_save(
        actor=writer,
        report=report,
        narrative=NARRATIVES[index % len(NARRATIVES)].format(org=report.organisation.name),
        contact_name=report.contact_name or writer.name,
        contact_phone=report.contact_phone or "0356-2566216",
    )
    if index % 3 == 0:
        services.attachment_add(
            actor=writer,
            report=report,
            upload=_photo(f"{report.organisation.name} 学雷锋志愿服务", (40, 110, 70)),
            title=f"{report.organisation.name}志愿者开展环境整治",
        )


def reports_load(*, now: datetime | None = None) -> Loaded:
    """Load the periods and reports that are missing. Call inside a transaction, after the
    other demo data (the figures are read from their rollups)."""
    loaded = Loaded()
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    rollups.refresh()  # the figures of everything the other demo loaders added
    root = services.city_root()
    if root is None or Period.objects.filter(organisation=root).exists():
        return loaded
    reviewer = User.objects.get(username=REVIEWER)
    with translation.override(LANGUAGE):
        years = [today.year] + ([today.year + 1] if today > date(today.year, 11, 19) else [])
        for year in years:
            loaded.periods += len(
                services.year_create(actor=reviewer, organisation=root, year=year)
            )
        current = Period.objects.filter(organisation=root, due_on__gte=today).order_by("due_on")
        # The city office's administrator manages every activity under the city.
        loaded.activity_photos = _activity_photos(reviewer, current.first(), moment)
        past = list(Period.objects.filter(organisation=root, due_on__lt=today).order_by("due_on"))
        for number, period in enumerate(past):
            latest = number == len(past) - 1
            reports = list(period.reports.select_related("organisation").order_by("pk"))
            for index, report in enumerate(reports):
                _past_report(report, index, latest, reviewer)
        if first := current.first():
            for index, report in enumerate(first.reports.select_related("organisation")):
                if report.organisation.name in WRITERS and index % 2 == 0:
                    _fill(report, index)  # a draft under way
    for status in Report.Status.values:
        loaded.states[status] = Report.objects.filter(status=status).count()
    return loaded


def _past_report(report: Report, index: int, latest: bool, reviewer: User) -> None:
    """A report of a period already due: most on time and accepted; in the latest period
    some missing, late, returned, resubmitted or still waiting for review."""
    due = report.period.due_on
    kind = index % 7
    if latest and kind == 6:
        return  # never submitted: missing
    _fill(report, index)
    writer = _writer(report)
    late = kind == 5
    submitted = due + timedelta(days=3) if late else due - timedelta(days=1 + index % 4)
    report = services.report_submit(actor=writer, report=report, now=_at(submitted))
    if latest and kind == 4:
        return  # waiting for review
    if kind == 3:
        services.report_return(
            actor=reviewer,
            report=report,
            comment="请补充各乡镇（街道）新时代文明实践所活动开展情况和典型案例，并附活动照片。",
            now=_at(submitted + timedelta(days=2), 15),
        )
        if latest and index % 2:
            return  # returned, not yet resubmitted
        services.report_save(
            actor=writer,
            report=report,
            narrative=report.narrative + SUPPLEMENT,
            contact_name=report.contact_name,
            contact_phone=report.contact_phone,
        )
        report = services.report_submit(
            actor=writer, report=report, now=_at(submitted + timedelta(days=4))
        )
        if latest:
            return  # resubmitted, waiting for review
    services.report_accept(
        actor=reviewer, report=report, now=_at(submitted + timedelta(days=6), 16)
    )
