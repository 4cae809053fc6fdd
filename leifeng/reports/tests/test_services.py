"""Reports to the city, at the level of the services: periods and who owes a report, the
report's moves (every legal one and every illegal one), lateness, figures kept by hand and
frozen at submission, who may do what, the narrative's cleaning, attachments, and reminders
with a frozen clock.

The clock stands at Saturday 25 July 2026, in the third period of 2026 (7/20–11/19, due 11/19).
"""

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image

from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.demands import services as demand_services
from leifeng.demands.models import Order, OrderPhoto
from leifeng.demands.tests.conftest import Orders
from leifeng.notify.models import Delivery, Notification
from leifeng.reports import rollups, services
from leifeng.reports.models import Attachment, Period, Report, ReportEvent
from leifeng.reports.tests.conftest import SHANGHAI, at, credit, volunteer_in

S = Report.Status
NOT_ALLOWED = (PermissionDenied, Http404)


def translated() -> bool:
    """Whether the reports' strings are in the compiled zh_Hans catalogue yet."""
    return gettext("Give the period a name.") != "Give the period a name."


def chinese(text: str) -> bool:
    """The message is in Chinese (once the reports' strings are translated: until then only
    that there is a message; test_the_reports_messages_are_translated says which it is)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text) or (bool(text) and not translated())


@pytest.fixture(autouse=True)
def _clock(clock):
    return clock


@pytest.fixture
def year(offices):
    """The city office's three periods of 2026, with the default obligations."""
    return services.year_create(
        actor=offices.tree.city_admin, organisation=offices.tree.city, year=2026
    )


@pytest.fixture
def third(year) -> Period:
    return year[2]


def report_of(period: Period, org) -> Report:
    return Report.objects.get(period=period, organisation=org)


def written(report: Report, actor) -> Report:
    return services.report_save(
        actor=actor,
        report=report,
        narrative="<p>本期开展文明交通劝导等志愿服务。</p>",
        contact_name="王芳",
        contact_phone="0356-1234567",
    )


def state(report: Report) -> tuple:
    row = Report.objects.values_list(
        "status", "late", "submitted_at", "decided_at", "comment", "updated_at"
    ).get(pk=report.pk)
    events = list(ReportEvent.objects.filter(report=report).values_list("pk", "action"))
    return row, events


def test_the_reports_messages_are_translated(offices):
    if not translated():
        pytest.xfail("the reports' strings are not in locale/zh_Hans yet (make messages)")
    with pytest.raises(DomainError) as exc:
        services.period_save(
            actor=offices.tree.city_admin,
            organisation=offices.tree.city,
            name="",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 2),
            due_on=date(2026, 1, 3),
        )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "starts_on", "ends_on", "due_on", "field", "code"),
    [
        ("  ", date(2026, 1, 1), date(2026, 3, 1), date(2026, 3, 5), "name", "invalid"),
        ("第一季度", date(2026, 3, 1), date(2026, 1, 1), date(2026, 3, 5), "ends_on", "invalid"),
        ("第一季度", date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), "due_on", "invalid"),
    ],
)
def test_a_period_with_wrong_fields_is_refused_in_chinese_and_not_saved(
    offices, name, starts_on, ends_on, due_on, field, code
):
    with pytest.raises(DomainError) as exc:
        services.period_save(
            actor=offices.tree.city_admin,
            organisation=offices.tree.city,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            due_on=due_on,
        )
    assert exc.value.code == code and field in exc.value.fields
    assert chinese(exc.value.message)
    assert not Period.objects.exists()


def test_a_second_period_of_the_same_name_is_refused_and_a_county_cannot_set_the_citys(offices):
    tree = offices.tree
    dates = {
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 3, 31),
        "due_on": date(2026, 4, 5),
    }
    period = services.period_save(
        actor=tree.city_admin, organisation=tree.city, name="一季度", **dates
    )
    with pytest.raises(DomainError) as exc:
        services.period_save(actor=tree.city_admin, organisation=tree.city, name="一季度", **dates)
    assert exc.value.code == "conflict" and chinese(exc.value.message)
    # Changing it keeps its name free for itself.
    services.period_save(
        actor=tree.city_admin, organisation=tree.city, name="一季度", period=period, **dates
    )
    with pytest.raises(NOT_ALLOWED):
        services.period_save(
            actor=tree.county_a_admin, organisation=tree.city, name="二季度", **dates
        )
    assert Period.objects.count() == 1


def test_a_year_makes_three_periods_due_on_march_july_and_november_19(offices, year):
    tree = offices.tree
    assert [(p.starts_on, p.ends_on, p.due_on) for p in year] == [
        (date(2025, 11, 20), date(2026, 3, 19), date(2026, 3, 19)),
        (date(2026, 3, 20), date(2026, 7, 19), date(2026, 7, 19)),
        (date(2026, 7, 20), date(2026, 11, 19), date(2026, 11, 19)),
    ]
    assert all(chinese(p.name) and "2026" in p.name for p in year)
    obliged = {tree.county_a.pk, tree.county_b.pk, offices.unit.pk, offices.federation.pk}
    for period in year:
        reports = period.reports.all()
        assert {r.organisation_id for r in reports} == obliged  # not the city's own center
        assert {r.status for r in reports} == {S.DRAFT}
        assert all(r.events.get().action == "created" for r in reports)
    # Again: the periods exist, nothing is added.
    assert services.year_create(actor=tree.city_admin, organisation=tree.city, year=2026) == []
    assert Period.objects.count() == 3 and Report.objects.count() == 12


def test_obligations_are_added_and_dropped_but_not_outside_the_office_nor_once_submitted(
    offices, third
):
    tree = offices.tree
    now_obliged = [tree.county_a, tree.county_b, offices.unit, offices.city_center]
    assert services.obligations_set(
        actor=tree.city_admin, period=third, organisations=now_obliged
    ) == (1, 1)  # the center added, the federation dropped
    assert {r.organisation_id for r in third.reports.all()} == {o.pk for o in now_obliged}

    county = services.period_save(
        actor=tree.county_a_admin,
        organisation=tree.county_a,
        name="泽州县月报",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 31),
        due_on=date(2026, 8, 5),
    )
    for outside in (tree.org_b1, tree.county_a):
        with pytest.raises(DomainError) as exc:
            services.obligations_set(
                actor=tree.county_a_admin, period=county, organisations=[tree.org_a1, outside]
            )
        assert exc.value.code == "invalid" and outside.name in exc.value.message
    assert not county.reports.exists()

    services.report_submit(
        actor=offices.a_reporter,
        report=written(report_of(third, tree.county_a), offices.a_reporter),
    )
    with pytest.raises(DomainError) as exc:
        services.obligations_set(actor=tree.city_admin, period=third, organisations=[tree.county_b])
    assert exc.value.code == "conflict" and tree.county_a.name in exc.value.message
    assert third.reports.count() == 4  # nothing dropped
    with pytest.raises(NOT_ALLOWED):
        services.obligations_set(actor=tree.county_a_admin, period=third, organisations=[])


# --- moves -----------------------------------------------------------------------------------

ACTIONS = ("submit", "return", "accept")


def act(action: str, report: Report, offices) -> Report:
    if action == "submit":
        return services.report_submit(actor=offices.a_reporter, report=report)
    if action == "return":
        return services.report_return(
            actor=offices.tree.city_admin, report=report, comment="请补充照片"
        )
    return services.report_accept(actor=offices.tree.city_admin, report=report)


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_move_of_the_table_is_made_and_every_other_is_refused(offices, third, status, action):
    report = written(report_of(third, offices.tree.county_a), offices.a_reporter)
    Report.objects.filter(pk=report.pk).update(status=status)  # set the scene
    report.refresh_from_db()
    before = state(report)
    if (status, action) in services.MOVES:
        moved = act(action, report, offices)
        assert moved.status == services.MOVES[(status, action)]
        assert Report.objects.get(pk=report.pk).status == moved.status
        assert ReportEvent.objects.filter(report=report).count() > len(before[1])
    else:
        with pytest.raises(DomainError) as exc:
            act(action, report, offices)
        assert exc.value.code == "conflict" and chinese(exc.value.message)
        assert state(report) == before


def test_the_table_covers_submit_return_accept_and_nothing_leaves_accepted():
    assert {action for _status, action in services.MOVES} == set(ACTIONS)
    assert not any(status == S.ACCEPTED for status, _action in services.MOVES)


def test_a_full_round_submit_return_resubmit_accept_leaves_its_trail(offices, third):
    tree, reporter = offices.tree, offices.a_reporter
    report = written(report_of(third, tree.county_a), reporter)
    report = services.report_submit(actor=reporter, report=report)
    assert report.status == S.SUBMITTED and report.submitted_at and not report.late
    report = services.report_return(actor=tree.city_admin, report=report, comment="请补充照片")
    assert report.status == S.RETURNED and report.comment == "请补充照片"
    assert report.decided_by == tree.city_admin
    report = written(report, reporter)
    report = services.report_submit(actor=reporter, report=report)
    assert report.status == S.RESUBMITTED
    report = services.report_accept(actor=tree.city_admin, report=report, comment="很好")
    assert report.status == S.ACCEPTED
    assert list(report.events.values_list("action", flat=True)) == [
        "created",
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]
    with pytest.raises(DomainError) as exc:
        written(report, reporter)
    assert exc.value.code == "conflict"
    # Each move is in the audit log, as one of the log's actions with the statuses.
    logged = AuditEntry.objects.filter(object_type="reports.report", object_id=str(report.pk))
    assert {entry.action for entry in logged} == {AuditEntry.Action.UPDATE}
    assert [entry.after["status"] for entry in logged.order_by("pk")] == [
        S.SUBMITTED,
        S.RETURNED,
        S.RESUBMITTED,
        S.ACCEPTED,
    ]
    assert all(
        entry.action in AuditEntry.Action.values for entry in AuditEntry.objects.all()
    )  # periods, obligations and figures too


def test_a_return_needs_a_comment(offices, third):
    report = written(report_of(third, offices.tree.county_a), offices.a_reporter)
    report = services.report_submit(actor=offices.a_reporter, report=report)
    with pytest.raises(DomainError) as exc:
        services.report_return(actor=offices.tree.city_admin, report=report, comment="  ")
    assert exc.value.code == "invalid" and "comment" in exc.value.fields
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


# --- lateness --------------------------------------------------------------------------------


def test_a_report_first_submitted_after_the_due_date_is_late_and_on_the_day_is_not(
    offices, third, time_machine
):
    tree = offices.tree
    on_time = written(report_of(third, offices.unit), offices.unit_staff)
    time_machine.move_to(datetime(2026, 11, 19, 23, 30, tzinfo=SHANGHAI), tick=False)
    on_time = services.report_submit(actor=offices.unit_staff, report=on_time)
    assert not on_time.late and services.submission_state(on_time) == "on_time"

    late = written(report_of(third, tree.county_a), offices.a_reporter)
    assert services.submission_state(late, date(2026, 11, 20)) == "missing"
    time_machine.move_to(datetime(2026, 11, 20, 0, 10, tzinfo=SHANGHAI), tick=False)
    late = services.report_submit(actor=offices.a_reporter, report=late)
    assert late.late and services.submission_state(late) == "late"
    assert late.events.get(action="submitted").comment  # "late", in Chinese
    assert chinese(late.events.get(action="submitted").comment)


def test_a_resubmission_after_the_due_date_keeps_late_as_it_was_at_first(
    offices, third, time_machine
):
    tree = offices.tree
    for org, actor in ((offices.unit, offices.unit_staff), (tree.county_a, offices.a_reporter)):
        report = written(report_of(third, org), actor)
        if org == tree.county_a:
            time_machine.move_to(datetime(2026, 11, 21, 10, tzinfo=SHANGHAI), tick=True)
        report = services.report_submit(actor=actor, report=report)
        services.report_return(actor=tree.city_admin, report=report, comment="数据有误")
    time_machine.move_to(datetime(2026, 12, 1, 10, tzinfo=SHANGHAI), tick=True)
    unit = services.report_submit(actor=offices.unit_staff, report=report_of(third, offices.unit))
    county = services.report_submit(
        actor=offices.a_reporter, report=report_of(third, tree.county_a)
    )
    assert unit.status == county.status == S.RESUBMITTED
    assert (unit.late, county.late) == (False, True)


def test_a_report_is_submitted_only_with_a_narrative_and_a_contact(offices, third):
    reporter = offices.a_reporter
    report = report_of(third, offices.tree.county_a)
    for empty in ("", "<p> </p>", "<p><br></p>", "<p>&nbsp;</p>", "<script>x</script>"):
        services.report_save(
            actor=reporter, report=report, narrative=empty, contact_name="王芳", contact_phone="1"
        )
        with pytest.raises(DomainError) as exc:
            services.report_submit(actor=reporter, report=report)
        assert exc.value.code == "invalid" and "narrative" in exc.value.fields
    services.report_save(
        actor=reporter,
        report=report,
        narrative="<p>内容</p>",
        contact_name="王芳",
        contact_phone=" ",
    )
    with pytest.raises(DomainError) as exc:
        services.report_submit(actor=reporter, report=report)
    assert "contact_name" in exc.value.fields and chinese(exc.value.message)
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.submitted_at is None


# --- figures ---------------------------------------------------------------------------------


def values(report: Report) -> dict[tuple[str, str], tuple[Decimal, Decimal, bool]]:
    return {(f.key, f.line): (f.computed, f.value, f.manual) for f in report.figures.all()}


def test_figures_changed_by_hand_keep_their_value_reset_returns_and_submit_freezes(offices, third):
    tree, reporter = offices.tree, offices.a_reporter
    v1, v2 = volunteer_in(1), volunteer_in(2)
    credit(tree.root, tree.org_a1, v1, at(date(2026, 7, 21), 8), at(date(2026, 7, 21), 10))
    rollups.refresh()
    report = report_of(third, tree.county_a)
    filled = services.figures_fill(report)
    assert [f.key for f in filled][:4] == ["activities"] * 4  # in FIGURES order, by line
    assert values(report)[("hours", "")] == (Decimal(2), Decimal(2), False)
    assert len(filled) == len(services.FIGURES) + len(services.LINES)

    services.figure_set(
        actor=reporter, report=report, key="hours", value=Decimal("5.555"), note="含线下台账"
    )
    with pytest.raises(DomainError) as exc:
        services.figure_set(actor=reporter, report=report, key="hours", value=Decimal(1), note="")
    assert "note" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.figure_set(actor=reporter, report=report, key="hours", value=Decimal(-1), note="x")
    assert "value" in exc.value.fields
    with pytest.raises(DomainError):
        services.figure_set(
            actor=reporter, report=report, key="nothing", value=Decimal(1), note="x"
        )
    assert values(report)[("hours", "")] == (Decimal(2), Decimal("5.56"), True)
    assert report.events.filter(action="figure_changed").count() == 1

    credit(tree.root, tree.org_a1, v2, at(date(2026, 7, 22), 8), at(date(2026, 7, 22), 9))
    rollups.refresh()
    services.figures_fill(report)
    assert values(report)[("hours", "")] == (Decimal(3), Decimal("5.56"), True)
    assert values(report)[("volunteers", "")] == (Decimal(2), Decimal(2), False)

    services.figure_reset(actor=reporter, report=report, key="hours")
    assert values(report)[("hours", "")] == (Decimal(3), Decimal(3), False)

    services.figure_set(actor=reporter, report=report, key="services", value=Decimal(9), note="x")
    report = services.report_submit(actor=reporter, report=written(report, reporter))
    frozen = values(report)
    assert frozen[("services", "")] == (Decimal(2), Decimal(9), True)
    credit(tree.root, tree.org_a1, v1, at(date(2026, 7, 23), 8), at(date(2026, 7, 23), 12))
    rollups.refresh()
    services.figures_fill(report)
    assert values(report) == frozen
    with pytest.raises(DomainError) as exc:
        services.figure_reset(actor=reporter, report=report, key="services")
    assert exc.value.code == "conflict"


# --- who may do what -------------------------------------------------------------------------


def test_another_county_cannot_touch_the_report_and_the_reporter_cannot_review_it(offices, third):
    tree, reporter = offices.tree, offices.a_reporter
    report = report_of(third, tree.county_a)
    for stranger in (tree.county_b_admin, tree.b1_staff, offices.unit_staff, tree.outsider):
        with pytest.raises(NOT_ALLOWED):
            written(report, stranger)
        with pytest.raises(NOT_ALLOWED):
            services.report_submit(actor=stranger, report=report)
    assert not services.may_write(tree.county_b_admin, report)
    assert services.may_write(reporter, report)
    assert report not in services.visible_reports(tree.county_b_admin)
    assert report in services.visible_reports(reporter)

    report = services.report_submit(actor=reporter, report=written(report, reporter))
    for not_the_office in (reporter, tree.county_a_admin, tree.a1_staff, tree.county_b_admin):
        assert not services.may_review(not_the_office, report)
        with pytest.raises(NOT_ALLOWED):
            services.report_accept(actor=not_the_office, report=report)
        with pytest.raises(NOT_ALLOWED):
            services.report_return(actor=not_the_office, report=report, comment="x")
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    assert services.may_review(tree.city_admin, report)
    assert services.report_accept(actor=tree.city_admin, report=report).status == S.ACCEPTED


def test_the_county_admin_reviews_its_own_periods(offices):
    tree = offices.tree
    period = services.period_save(
        actor=tree.county_a_admin,
        organisation=tree.county_a,
        name="泽州县月报",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 31),
        due_on=date(2026, 8, 5),
    )
    services.obligations_set(actor=tree.county_a_admin, period=period, organisations=[tree.org_a1])
    report = written(report_of(period, tree.org_a1), tree.a1_staff)
    report = services.report_submit(actor=tree.a1_staff, report=report)
    with pytest.raises(NOT_ALLOWED):
        services.report_accept(actor=tree.a1_staff, report=report)
    assert services.report_accept(actor=tree.county_a_admin, report=report).status == S.ACCEPTED
    assert period in services.reviewable_periods(tree.county_a_admin)
    assert period not in services.reviewable_periods(tree.county_b_admin)


def test_the_narrative_keeps_formatting_and_loses_scripts_handlers_and_links(offices, third):
    report = services.report_save(
        actor=offices.a_reporter,
        report=report_of(third, offices.tree.county_a),
        narrative=(
            '<h3 onclick="steal()">工作概况</h3><p style="color:red">开展<strong>文明交通</strong>'
            '劝导<script>alert("x")</script><a href="javascript:alert(1)">详见</a>'
            '<img src=x onerror="alert(1)"></p><ul><li>一</li></ul><iframe src="//evil"></iframe>'
        ),
        contact_name="  王芳  ",
        contact_phone="0356-1234567",
    )
    text = report.narrative
    assert "<h3>工作概况</h3>" in text and "<strong>文明交通</strong>" in text
    assert "<ul><li>一</li></ul>" in text and "详见" in text
    for bad in ("<script", "alert", "onclick", "onerror", "<a", "href", "<img", "style", "iframe"):
        assert bad not in text
    assert report.contact_name == "王芳"


# --- attachments -----------------------------------------------------------------------------


def image(kind: str = "PNG", name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue())


def docx(name: str = "总结.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("upload", "kind", "suffix"),
    [
        (lambda: image("PNG"), "photo", ".png"),
        (lambda: image("JPEG", "现场.jpg"), "photo", ".jpg"),
        (
            lambda: SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
            "video",
            ".mp4",
        ),
        (
            lambda: SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
            "document",
            ".pdf",
        ),
        (docx, "document", ".docx"),
    ],
)
def test_photos_videos_and_documents_are_attached_by_what_their_bytes_are(
    offices, third, media, upload, kind, suffix
):
    report = report_of(third, offices.tree.county_a)
    attachment = services.attachment_add(
        actor=offices.a_reporter, report=report, upload=upload(), title="  活动现场  "
    )
    assert attachment.kind == kind and attachment.file.name.endswith(suffix)
    assert attachment.title == "活动现场" and attachment.size > 0
    assert bool(attachment.thumbnail) == (kind == "photo") == attachment.in_document
    assert report.events.filter(action="attachment_added").count() == 1


@pytest.mark.parametrize(
    "upload",
    [
        lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 64),
        lambda: SimpleUploadedFile("photo.png", "这不是图片".encode()),
        lambda: SimpleUploadedFile("总结.txt", docx().read()),  # a zip not named as Office
        lambda: SimpleUploadedFile("empty.pdf", b""),
    ],
)
def test_other_files_are_refused_in_chinese_and_nothing_is_saved(offices, third, media, upload):
    report = report_of(third, offices.tree.county_a)
    with pytest.raises(DomainError) as exc:
        services.attachment_add(actor=offices.a_reporter, report=report, upload=upload())
    assert exc.value.code == "invalid" and "file" in exc.value.fields
    assert chinese(exc.value.message)
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_file_over_its_kinds_limit_is_refused(offices, third, media, settings):
    settings.REPORTS_ATTACHMENT_MB = {"photo": 10, "video": 200, "document": 1}
    big = SimpleUploadedFile("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    report = report_of(third, offices.tree.county_a)
    with pytest.raises(DomainError) as exc:
        services.attachment_add(actor=offices.a_reporter, report=report, upload=big)
    assert "1 MB" in exc.value.message and "大文件.pdf" in exc.value.message
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_submitted_report_takes_no_attachment_and_a_stranger_adds_none(offices, third, media):
    tree = offices.tree
    report = report_of(third, tree.county_a)
    with pytest.raises(NOT_ALLOWED):
        services.attachment_add(actor=tree.county_b_admin, report=report, upload=image())
    services.report_submit(actor=offices.a_reporter, report=written(report, offices.a_reporter))
    with pytest.raises(DomainError) as exc:
        services.attachment_add(actor=offices.a_reporter, report=report, upload=image())
    assert exc.value.code == "conflict"
    assert not Attachment.objects.exists()


def served_with_photo(tree) -> OrderPhoto:
    orders = Orders(tree)
    order = orders.order_in(Order.Status.IN_SERVICE)
    demand_services.order_finish(
        actor=orders.member.user, order=order, note="已送到", photos=[image(name="送米.png")]
    )
    return OrderPhoto.objects.get(order=order)


def test_a_service_photo_of_the_subtree_and_period_is_picked_and_no_other(offices, year, media):
    tree = offices.tree
    photo = served_with_photo(tree)  # org_a1 (泽州) served it today, in the third period
    third = year[2]
    report = report_of(third, tree.county_a)
    assert list(services.pickable_photos(report)) == [photo]
    attachment = services.attachment_pick(actor=offices.a_reporter, report=report, photo=photo)
    assert attachment.kind == "photo" and attachment.thumbnail and attachment.size > 0
    assert attachment.file.name != photo.image.name  # the report keeps its own copy

    for elsewhere, actor in (
        (report_of(third, tree.county_b), tree.county_b_admin),  # another county
        (report_of(year[1], tree.county_a), offices.a_reporter),  # another period
    ):
        assert not services.pickable_photos(elsewhere).exists()
        with pytest.raises(DomainError) as exc:
            services.attachment_pick(actor=actor, report=elsewhere, photo=photo)
        assert exc.value.code == "forbidden"
    assert Attachment.objects.count() == 1


# --- notifications and reminders -------------------------------------------------------------


def inbox(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind__startswith="reports.")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_submit_tells_the_office_and_return_and_accept_tell_the_unit(offices, third):
    tree, reporter = offices.tree, offices.a_reporter
    report = services.report_submit(
        actor=reporter, report=written(report_of(third, tree.county_a), reporter)
    )
    assert inbox(tree.city_admin) == ["reports.submitted"]
    url = reverse("reports:report", args=[report.pk])
    assert Notification.objects.get(recipient=tree.city_admin, kind="reports.submitted").url == url
    services.report_return(actor=tree.city_admin, report=report, comment="请补充照片")
    for person in (reporter, tree.county_a_admin):
        assert inbox(person) == ["reports.returned"]
    assert (
        "请补充照片" in Notification.objects.get(recipient=reporter, kind="reports.returned").body
    )
    assert Delivery.objects.filter(address=reporter.email, kind="reports.returned").exists()
    services.report_submit(actor=reporter, report=report)
    services.report_accept(actor=tree.city_admin, report=report)
    assert inbox(reporter) == ["reports.returned", "reports.accepted"]
    assert inbox(tree.city_admin) == ["reports.submitted", "reports.submitted"]
    assert inbox(tree.a1_staff) == [] and inbox(tree.county_b_admin) == []


DUE = date(2026, 11, 19)


@pytest.fixture
def reminder_days(settings):
    settings.REPORTS_REMIND_BEFORE = [7, 3, 1]
    settings.REPORTS_REMIND_AFTER = [1, 3, 7]


@pytest.mark.parametrize(
    ("days_before", "stage"),
    [
        (8, None),
        (7, "before-7"),
        (5, "before-7"),
        (3, "before-3"),
        (2, "before-3"),
        (1, "before-1"),
        (0, "before-1"),
        (-1, "after-1"),
        (-2, "after-1"),
        (-3, "after-3"),
        (-10, "after-7"),
    ],
)
def test_the_reminder_stage_by_days_to_the_due_date(third, reminder_days, days_before, stage):
    assert services.reminder_stage(third, DUE - timedelta(days=days_before)) == stage


def reminded(user) -> list[str]:
    return [k for k in inbox(user) if k in ("reports.due", "reports.overdue")]


def test_reminders_go_once_per_stage_to_the_obliged_organisations_own_people(
    offices, year, reminder_days, time_machine
):
    tree, reporter = offices.tree, offices.a_reporter
    third = year[2]
    for earlier in year[:2]:  # overdue since March and July: they would be reminded too
        services.obligations_set(actor=tree.city_admin, period=earlier, organisations=[])

    def on(day: date) -> int:
        time_machine.move_to(
            datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=9)
        )
        return services.reminders_send()

    assert on(DUE - timedelta(days=8)) == 0
    # county_a: its admin and reporter; county_b: its admin; the unit: its staff.
    assert on(DUE - timedelta(days=7)) == 4
    assert reminded(reporter) == reminded(tree.county_a_admin) == ["reports.due"]
    assert reminded(tree.county_b_admin) == reminded(offices.unit_staff) == ["reports.due"]
    for above_or_below in (tree.city_admin, tree.a1_staff, tree.b1_staff, tree.root):
        assert reminded(above_or_below) == []
    assert services.reminders_send() == 0  # the same day again
    assert on(DUE - timedelta(days=6)) == 0  # the same stage a day later
    note = Notification.objects.get(recipient=reporter, kind="reports.due")
    assert note.url == reverse("reports:report", args=[report_of(third, tree.county_a).pk])
    assert third.name in note.title and chinese(note.body)
    email = Delivery.objects.get(address=reporter.email, kind="reports.due")
    assert email.channel == "email" and email.status == Delivery.Status.PENDING
    # Those without an e-mail address get none.
    assert not Delivery.objects.filter(kind="reports.due").exclude(address=reporter.email).exists()

    # County B submits; the unit's report is submitted and accepted: they are not reminded.
    services.report_submit(
        actor=tree.county_b_admin,
        report=written(report_of(third, tree.county_b), tree.county_b_admin),
    )
    unit = services.report_submit(
        actor=offices.unit_staff, report=written(report_of(third, offices.unit), offices.unit_staff)
    )
    services.report_accept(actor=tree.city_admin, report=unit)
    assert on(DUE - timedelta(days=3)) == 2  # county_a's two people
    assert reminded(tree.county_b_admin) == reminded(offices.unit_staff) == ["reports.due"]
    assert on(DUE + timedelta(days=1)) == 2
    assert reminded(reporter) == ["reports.due", "reports.due", "reports.overdue"]
    assert on(DUE + timedelta(days=2)) == 0

    # County B's report is returned after the due date: reminded again, as overdue.
    county_b = report_of(third, tree.county_b)
    services.report_return(actor=tree.city_admin, report=county_b, comment="请补充")
    assert on(DUE + timedelta(days=3)) == 3  # county_a after-3, county_b after-3
    assert reminded(tree.county_b_admin) == ["reports.due", "reports.overdue"]
    assert on(DUE + timedelta(days=3)) == 0
