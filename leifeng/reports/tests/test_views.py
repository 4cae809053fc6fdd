"""The reports pages, request by request: who sees what, and a report's whole round trip
(write, change a figure, attach, submit, return, resubmit, accept)."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image

from leifeng.reports import services
from leifeng.reports.models import Attachment, Period, Report

S = Report.Status


@pytest.fixture(autouse=True)
def early_march_2026(time_machine, settings, tmp_path):
    """Ten days before the first report of 2026 is due (March 19); files go to a temp dir."""
    time_machine.move_to(datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def periods(org_tree) -> list[Period]:
    """The city's three periods of 2026; both counties owe each a report."""
    return services.year_create(actor=org_tree.city_admin, organisation=org_tree.city, year=2026)


@pytest.fixture
def report_a(org_tree, periods) -> Report:
    """泽州's report for the first period of 2026."""
    return Report.objects.get(period=periods[0], organisation=org_tree.county_a)


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 40)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def fill_in(client, report: Report) -> None:
    response = client.post(
        url("report_save", report.pk),
        {
            "narrative": "<p>开展助老服务<script>alert(1)</script></p>",
            "contact_name": "吴报送",
            "contact_phone": "13800000015",
            "editor": "1",
        },
    )
    assert response.status_code == 302


# --- who sees what --------------------------------------------------------------------------


def test_county_sees_its_report_on_the_start_page_and_not_the_other_county(
    client, org_tree, report_a
):
    client.force_login(org_tree.county_a_admin)
    response = client.get(url("index"))
    assert response.status_code == 200
    assert url("report", report_a.pk) in response.text
    other = Report.objects.get(period=report_a.period, organisation=org_tree.county_b)
    assert url("report", other.pk) not in response.text


def test_the_period_under_way_comes_first_then_those_not_begun(client, org_tree, periods):
    """On March 9 the first period is under way; the second and third have not begun."""
    client.force_login(org_tree.county_a_admin)
    text = client.get(url("index")).text
    first, second, third = (
        text.index(url("report", Report.objects.get(period=p, organisation=org_tree.county_a).pk))
        for p in periods
    )
    assert first < third < second  # not begun: the latest due first


def test_city_sees_the_periods_it_runs_on_the_start_page(client, org_tree, periods):
    client.force_login(org_tree.city_admin)
    response = client.get(url("index"))
    assert response.status_code == 200
    for period in periods:
        assert url("period", period.pk) in response.text


def test_report_page_renders_for_its_county_and_the_city(client, org_tree, report_a):
    for user in (org_tree.county_a_admin, org_tree.city_admin):
        client.force_login(user)
        response = client.get(url("report", report_a.pk))
        assert response.status_code == 200
        assert "泽州县文明办" in response.text


def test_report_of_another_county_is_not_found(client, org_tree, report_a):
    for user in (org_tree.county_b_admin, org_tree.b1_staff, org_tree.outsider):
        client.force_login(user)
        assert client.get(url("report", report_a.pk)).status_code == 404
        assert client.post(url("report_save", report_a.pk), {}).status_code == 404


def test_report_page_needs_a_log_in(client, report_a):
    response = client.get(url("report", report_a.pk))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_city_runs_its_periods_and_a_county_cannot_see_them(client, org_tree, periods):
    client.force_login(org_tree.city_admin)
    assert client.get(url("periods")).status_code == 200
    response = client.get(url("period", periods[0].pk))
    assert response.status_code == 200
    assert "城区文明办" in response.text and "泽州县文明办" in response.text
    assert client.get(url("period_edit", periods[0].pk)).status_code == 200
    client.force_login(org_tree.county_a_admin)
    assert client.get(url("period", periods[0].pk)).status_code == 404
    assert client.get(url("period_edit", periods[0].pk)).status_code == 404
    client.force_login(org_tree.outsider)
    assert client.get(url("periods")).status_code == 404


def test_city_creates_a_campaign_year_of_three_periods(client, org_tree):
    client.force_login(org_tree.city_admin)
    response = client.post(url("year_new"), {"organisation": org_tree.city.pk, "year": 2027})
    assert response.status_code == 302
    made = Period.objects.filter(organisation=org_tree.city, due_on__year=2027)
    assert sorted((p.due_on.month, p.due_on.day) for p in made) == [(3, 19), (7, 19), (11, 19)]
    assert Report.objects.filter(period__in=made).count() == 6


def test_city_creates_a_period_and_names_who_owes_it(client, org_tree):
    client.force_login(org_tree.city_admin)
    response = client.post(
        url("period_new"),
        {
            "organisation": org_tree.city.pk,
            "name": "专项报告",
            "starts_on": "2026-01-01",
            "ends_on": "2026-02-28",
            "due_on": "2026-03-05",
        },
    )
    period = Period.objects.get(name="专项报告")
    assert response["Location"] == url("period", period.pk)
    response = client.post(url("obligations", period.pk), {"organisations": [org_tree.county_a.pk]})
    assert response.status_code == 302
    assert list(period.reports.values_list("organisation", flat=True)) == [org_tree.county_a.pk]


def test_a_period_ending_before_it_starts_is_refused_on_the_form(client, org_tree):
    client.force_login(org_tree.city_admin)
    response = client.post(
        url("period_new"),
        {
            "organisation": org_tree.city.pk,
            "name": "错误",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
            "due_on": "2026-03-05",
        },
    )
    assert response.status_code == 200
    assert _("The period must end on or after its first day.") in response.text
    assert not Period.objects.filter(name="错误").exists()


# --- filling a report in --------------------------------------------------------------------


def test_county_saves_its_narrative_without_scripts(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    fill_in(client, report_a)
    report_a.refresh_from_db()
    assert report_a.narrative == "<p>开展助老服务</p>"
    assert report_a.contact_name == "吴报送"


def test_plain_text_narrative_keeps_its_paragraphs(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.post(
        url("report_save", report_a.pk),
        {"narrative": "第一段\n\n第二段", "contact_name": "", "contact_phone": ""},
    )
    report_a.refresh_from_db()
    assert report_a.narrative == "<p>第一段</p>\n\n<p>第二段</p>"


def test_county_changes_a_figure_with_a_reason(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.get(url("report", report_a.pk))  # the figures are filled in
    response = client.post(
        url("figure_set", report_a.pk),
        {"key": "hours", "line": "", "value": "123.5", "note": "线下台账补录"},
    )
    assert response.status_code == 302
    figure = report_a.figures.get(key="hours", line="")
    assert (figure.value, figure.manual, figure.note) == (Decimal("123.50"), True, "线下台账补录")
    page = client.get(url("report", report_a.pk)).text
    assert _("changed by hand") in page and "线下台账补录" in page


def test_a_figure_changed_without_a_reason_is_refused(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.get(url("report", report_a.pk))
    response = client.post(
        url("figure_set", report_a.pk), {"key": "hours", "line": "", "value": "9", "note": ""}
    )
    assert response.status_code == 200
    assert not report_a.figures.get(key="hours", line="").manual


def test_a_figure_goes_back_to_the_platforms_count(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.get(url("report", report_a.pk))
    client.post(url("figure_set", report_a.pk), {"key": "hours", "value": "5", "note": "补录"})
    response = client.post(
        url("figure_reset", report_a.pk), {"key": "hours", "line": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="figures"' in response.text and "<html" not in response.text
    figure = report_a.figures.get(key="hours", line="")
    assert not figure.manual and figure.value == figure.computed


def test_county_uploads_a_photo_and_gets_a_thumbnail(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    response = client.post(
        url("attachment_add", report_a.pk), {"file": png(), "title": "助老服务现场"}
    )
    assert response.status_code == 302
    attachment = report_a.attachments.get()
    assert attachment.kind == Attachment.Kind.PHOTO and attachment.thumbnail
    page = client.get(url("report", report_a.pk)).text
    assert url("attachment_thumb", attachment.pk) in page
    assert "/media/" not in page
    thumb = client.get(url("attachment_thumb", attachment.pk))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    file = client.get(url("attachment_file", attachment.pk))
    assert file.status_code == 200 and file["Content-Type"] == "image/png"
    client.force_login(org_tree.county_b_admin)
    assert client.get(url("attachment_thumb", attachment.pk)).status_code == 404
    assert client.get(url("attachment_file", attachment.pk)).status_code == 404


def test_a_file_gone_from_storage_is_not_found_not_a_server_error(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.post(url("attachment_add", report_a.pk), {"file": png()})
    attachment = report_a.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    assert client.get(url("attachment_file", attachment.pk)).status_code == 404
    assert client.get(url("attachment_thumb", attachment.pk)).status_code == 200


def test_a_program_is_refused_with_a_message_and_nothing_saved(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post(url("attachment_add", report_a.pk), {"file": upload})
    assert response.status_code == 200
    message = _(
        "%(name)s is not a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a document "
        "(PDF, Word, Excel, PowerPoint, WPS)."
    ) % {"name": "virus.exe"}
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_county_changes_a_caption_and_removes_an_attachment(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    client.post(url("attachment_add", report_a.pk), {"file": png()})
    attachment = report_a.attachments.get()
    client.post(url("attachment_update", attachment.pk), {"title": "新标题"})
    attachment.refresh_from_db()
    assert (attachment.title, attachment.in_document) == ("新标题", False)
    client.post(url("attachment_remove", attachment.pk))
    assert not report_a.attachments.exists()


# --- submitting, returning, accepting -------------------------------------------------------


def test_submitting_without_a_narrative_says_why(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    response = client.post(url("act", report_a.pk, "submit"))
    assert response.status_code == 200
    assert _("Write what your volunteers did before submitting.") in response.text
    report_a.refresh_from_db()
    assert report_a.status == S.DRAFT


def test_a_report_goes_round_submit_return_resubmit_accept(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    fill_in(client, report_a)
    assert client.post(url("act", report_a.pk, "submit")).status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == S.SUBMITTED and not report_a.late

    client.force_login(org_tree.city_admin)
    response = client.post(url("act", report_a.pk, "return"), {"comment": ""})
    assert response.status_code == 200
    report_a.refresh_from_db()
    assert report_a.status == S.SUBMITTED
    client.post(url("act", report_a.pk, "return"), {"comment": "请补充照片"})
    report_a.refresh_from_db()
    assert (report_a.status, report_a.comment) == (S.RETURNED, "请补充照片")

    client.force_login(org_tree.county_a_admin)
    page = client.get(url("report", report_a.pk)).text
    assert "请补充照片" in page
    response = client.post(
        url("report_save", report_a.pk),
        {
            "narrative": "<p>已补充</p>",
            "contact_name": "吴报送",
            "contact_phone": "13800000015",
            "editor": "1",
            "then": "submit",
        },
    )
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == S.RESUBMITTED

    client.force_login(org_tree.city_admin)
    client.post(url("act", report_a.pk, "accept"), {"comment": ""})
    report_a.refresh_from_db()
    assert report_a.status == S.ACCEPTED
    page = client.get(url("report", report_a.pk)).text
    assert _("Accepted") in page


def test_a_county_cannot_accept_its_own_report(client, org_tree, report_a):
    client.force_login(org_tree.county_a_admin)
    fill_in(client, report_a)
    client.post(url("act", report_a.pk, "submit"))
    response = client.post(url("act", report_a.pk, "accept"), {})
    assert response.status_code in (403, 404)
    report_a.refresh_from_db()
    assert report_a.status == S.SUBMITTED


# --- the dashboard and the public figures ---------------------------------------------------


def test_city_dashboard_shows_the_matrix_and_drills_down(client, org_tree, report_a):
    client.force_login(org_tree.city_admin)
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    assert url("report", report_a.pk) in response.text
    assert f"?org={org_tree.county_a.pk}" in response.text
    response = client.get(url("dashboard"), {"org": org_tree.county_a.pk, "year": 2026})
    assert response.status_code == 200
    assert "晋城市文明办" in response.text  # the breadcrumbs
    response = client.get(url("dashboard"), {"period": report_a.period_id})
    assert response.status_code == 200


def test_a_satisfaction_nobody_rated_shows_as_a_dash_not_zero(client, org_tree, report_a):
    client.force_login(org_tree.city_admin)
    response = client.get(url("dashboard"), {"year": 2026})
    totals = {card["label"]: card["value"] for card in response.context["totals"]}
    assert totals[_("Ratings received")] == "0"
    assert totals[_("Satisfaction")] == "—"


def test_dashboard_of_another_subtree_is_not_found(client, org_tree, report_a):
    client.force_login(org_tree.county_b_admin)
    assert client.get(url("dashboard")).status_code == 200
    assert client.get(url("dashboard"), {"org": org_tree.county_a.pk}).status_code == 404
    assert client.get(url("dashboard"), {"org": org_tree.city.pk}).status_code == 404
    client.force_login(org_tree.outsider)
    assert client.get(url("dashboard")).status_code == 404


def test_public_figures_need_no_log_in(client, org_tree):
    response = client.get(url("figures"))
    assert response.status_code == 200
    assert _("Volunteers registered") in response.text
    assert _("Service stations") in response.text
    assert cache.get("reports:public-totals") is not None  # counted once per ten minutes


# --- documents and charts (written by another module) ---------------------------------------


def test_documents_are_downloaded_with_a_chinese_name(client, org_tree, report_a):
    pytest.importorskip("leifeng.reports.documents")
    client.force_login(org_tree.county_a_admin)
    response = client.get(url("report_docx", report_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "filename*=UTF-8''%E6%B3%BD%E5%B7%9E" in response["Content-Disposition"]
    response = client.get(url("report_xlsx", report_a.pk))
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    client.force_login(org_tree.county_b_admin)
    assert client.get(url("report_docx", report_a.pk)).status_code == 404


def test_period_summaries_for_the_city_only(client, org_tree, report_a):
    pytest.importorskip("leifeng.reports.documents")
    client.force_login(org_tree.city_admin)
    period = report_a.period
    assert client.get(url("period_docx", period.pk)).status_code == 200
    response = client.get(url("period_xlsx", period.pk), {"org": org_tree.county_a.pk})
    assert response.status_code == 200
    client.force_login(org_tree.county_a_admin)
    assert client.get(url("period_docx", period.pk)).status_code == 404


def test_dashboard_charts_are_pngs(client, org_tree, report_a):
    pytest.importorskip("leifeng.reports.charts")
    client.force_login(org_tree.city_admin)
    for name in ("children", "lines", "trend"):
        response = client.get(url("dashboard_chart", name), {"year": 2026})
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")
    client.force_login(org_tree.county_b_admin)
    response = client.get(url("dashboard_chart", "trend"), {"org": org_tree.county_a.pk})
    assert response.status_code == 404
