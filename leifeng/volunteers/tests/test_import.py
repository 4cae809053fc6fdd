"""Bulk registration from Excel, as an organisation's staff meet it: the template, a preview of
every bad row, an import of all rows or none, re-imports that create nobody twice, broken files.

Uploads and confirmations run their background jobs at once (the immediate task backend) when
the surrounding transaction commits, as they would on the site.
"""

import os
import re
import zipfile
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from conftest import grant, make_org, make_user
from leifeng.audit.models import AuditEntry
from leifeng.core.campaign import CampaignLine
from leifeng.core.crypto import unseal
from leifeng.core.errors import DomainError
from leifeng.jobs.models import Job
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import importer, imports, services, tasks
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType, upgrade_15
from leifeng.volunteers.models import (
    ConsentRecord,
    GuardianConsent,
    ImportBatch,
    Skill,
    TeamEvent,
    TeamMembership,
    Volunteer,
)
from leifeng.volunteers.tests.conftest import id_number, register

pytestmark = pytest.mark.django_db

LEGACY_15 = "140525800101123"  # a 1989-style number: born 1980-01-01, odd sequence (male)
CHILD = id_number("20150601", seq="112")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- building workbooks ---------------------------------------------------------------------------


def header(key: str) -> str:
    """The Chinese header of a column, as the preview names it."""
    return dict(zip([c.key for c in importer.COLUMNS], importer.headers(), strict=True))[key]


def column_letter(key: str) -> str:
    return "ABCDEFGHIJKLMNOPQ"[[c.key for c in importer.COLUMNS].index(key)]


def residence(code: str = "140525100") -> str:
    """A township as the drop-down list offers it, e.g. 泽州县南村镇（140525100）."""
    region = Region.objects.get(code=code)
    county = Region.objects.get(pk__in=region.path_ids(), level=Region.Level.COUNTY)
    return importer.region_label(region, county.name)


def person(seq: int, **values: Any) -> dict[str, Any]:
    """One good row: an adult with an 18-digit ID card living in 泽州县南村镇."""
    row = {
        "name": f"赵志{'一二三四五六七八九十'[seq % 10]}",
        "document_type": str(DocumentType.RESIDENT_ID.label),
        "document_number": id_number("19900101", seq=f"{seq:03d}"),
        "mobile": f"139{seq:08d}",
        "residence": residence(),
        "kinds": str(VolunteerKind.COMMUNITY.label),
    }
    row.update(values)
    return row


def template_book() -> Workbook:
    return load_workbook(BytesIO(importer.template_xlsx(example_number=id_number(seq="999"))))


def xlsx(*rows: dict[str, Any], book: Workbook | None = None) -> bytes:
    """The downloaded template with `rows` filled in from row 3 (row 2 is the example)."""
    book = book or template_book()
    sheet = book.worksheets[0]
    for number, values in enumerate(rows, start=3):
        for index, column in enumerate(importer.COLUMNS, start=1):
            if values.get(column.key) is not None:
                sheet.cell(row=number, column=index, value=values[column.key])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plain_xlsx(header_row: list[Any], *rows: list[Any]) -> bytes:
    """A workbook made from scratch, not from the template."""
    book = Workbook()
    sheet = book.active
    sheet.append(header_row)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_row(values: dict[str, Any]) -> list[Any]:
    return [values.get(column.key) for column in importer.COLUMNS]


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a file as `actor` and let the check job run; returns the checked batch."""

    def do(
        actor,
        organisation,
        content: bytes,
        *,
        name: str = "志愿者名单.xlsx",
        team: Organisation | None = None,
        consent_confirmed: bool = True,
    ) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = imports.import_upload(
                actor=actor,
                organisation=organisation,
                upload=SimpleUploadedFile(name, content),
                team=team,
                consent_confirmed=consent_confirmed,
            )
        batch.refresh_from_db()
        return batch

    return do


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Confirm a checked batch and let the import job run; returns the batch afterwards."""

    def do(actor, batch: ImportBatch) -> ImportBatch:
        with django_capture_on_commit_callbacks(execute=True):
            imports.import_confirm(actor=actor, batch=batch)
        batch.refresh_from_db()
        return batch

    return do


@pytest.fixture
def imported(org_tree, upload, confirm):
    """Upload and import in one go, as 泽州's practice center (a1_staff)."""

    def do(*rows: dict[str, Any], team: Organisation | None = None) -> ImportBatch:
        batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows), team=team)
        assert batch.status == ImportBatch.Status.CHECKED, batch.errors or batch.message
        return confirm(org_tree.a1_staff, batch)

    return do


# --- the template ---------------------------------------------------------------------------------


def test_the_template_has_the_headers_an_example_row_and_drop_down_lists(org_tree):
    book = template_book()
    sheet, codes, notes = book.worksheets
    assert [cell.value for cell in sheet[1]] == importer.headers()
    assert "手机号" in importer.headers()
    assert sheet["A2"].value.startswith(importer.EXAMPLE_MARK)
    assert sheet["C2"].value == id_number(seq="999")
    assert sheet[f"{column_letter('document_number')}3"].number_format == "@"  # stays text
    assert sheet[f"{column_letter('mobile')}3"].number_format == "@"
    assert sheet.freeze_panes == "A2"

    lists = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    for key in ["document_type", "residence", "sex", "political_status", "education"]:
        letter = column_letter(key)
        validation = lists[f"{letter}2:{letter}5001"]
        assert validation.type == "list"
        assert validation.formula1.startswith(f"'{codes.title}'!")
    assert f"{column_letter('guardian_relation')}2:{column_letter('guardian_relation')}5001" in (
        lists
    )

    assert codes.sheet_state == "hidden"
    listed = [row[0] for row in codes.iter_rows(min_row=2, values_only=True) if row[0]]
    assert residence("140525100") in listed  # 泽州县南村镇（140525100）
    assert residence("140502001") in listed  # 城区东街街道（140502001）
    assert "泽州县南村镇（140525100）" in listed
    document_types = [row[1] for row in codes.iter_rows(min_row=2, values_only=True) if row[1]]
    assert document_types == [str(label) for label in DocumentType.labels]

    instructions = "\n".join(str(row[0]) for row in notes.iter_rows(values_only=True))
    assert importer.EXAMPLE_MARK in instructions
    assert "急救" in instructions  # the skills people may write


def test_every_header_and_sheet_name_is_in_chinese(org_tree):
    book = template_book()
    assert all(CJK.search(name) for name in book.sheetnames)
    assert all(CJK.search(text) for text in importer.headers())
    assert header("name") in {"姓名", "真实姓名"}


def test_the_example_row_alone_is_not_a_volunteer(org_tree, upload):
    content = importer.template_xlsx(example_number=id_number(seq="999"))
    batch = upload(org_tree.a1_staff, org_tree.org_a1, content)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.message == _("The file has no volunteers in it: fill in rows from row 3.")
    assert Volunteer.objects.count() == 0


# --- a good file ----------------------------------------------------------------------------------


def good_rows() -> list[dict[str, Any]]:
    return [
        person(
            1,
            name="王芳",
            kinds="、".join(
                str(label) for label in (VolunteerKind.COMMUNITY.label, VolunteerKind.YOUTH.label)
            ),
            campaign_lines=f"{CampaignLine.CIVILIZED_CITY.label}、{CampaignLine.NATURE.label}",
            availability=f"{Availability.WEEKEND.label}、{Availability.HOLIDAY.label}",
            skills="急救、心理疏导",
            political_status=str(PoliticalStatus.CPC_MEMBER.label),
            education=str(Education.BACHELOR.label),
            national_number="SX2020123",
        ),
        person(2, name="李国强", document_number=LEGACY_15, mobile=13900000002),  # a number cell
        person(
            3,
            name="Anna Schmidt",
            document_type=str(DocumentType.PASSPORT.label),
            document_number="c12345678",
            birth_date=date(1985, 3, 2),  # a date cell
            sex=str(Sex.FEMALE.label),
            residence="巴公镇",  # the township's bare name is understood too
        ),
        person(
            4,
            name="张小明",
            document_number=CHILD,
            guardian_name="张建国",
            guardian_relation=str(GuardianRelation.FATHER.label),
            guardian_phone="13700000004",
        ),
    ]


def test_a_good_file_is_previewed_then_imported_with_sealed_numbers(org_tree, upload, confirm):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*good_rows()))
    assert batch.status == ImportBatch.Status.CHECKED, (batch.message, batch.errors)
    assert (batch.total_rows, batch.to_create, batch.to_update, batch.to_skip) == (4, 4, 0, 0)
    assert batch.errors == []
    assert batch.job.name == "volunteers.import_check"
    assert batch.job.status == Job.Status.SUCCEEDED
    assert Volunteer.objects.count() == 0  # a preview only

    batch = confirm(org_tree.a1_staff, batch)
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert (batch.created, batch.updated, batch.skipped) == (4, 0, 0)
    assert batch.job.name == "volunteers.import_apply"
    assert batch.job.status == Job.Status.SUCCEEDED

    volunteers = {v.name: v for v in Volunteer.objects.all()}
    assert set(volunteers) == {"王芳", "李国强", "Anna Schmidt", "张小明"}
    for volunteer in volunteers.values():
        assert volunteer.organisation == org_tree.org_a1
        assert re.fullmatch(r"JC140525\d{7}", volunteer.number)
        assert volunteer.user is None  # no account until the person takes it over
        consent = volunteer.consents.get(purpose=ConsentRecord.Purpose.ENTERED_BY_ORGANISATION)
        assert consent.recorded_by == org_tree.a1_staff
        assert "志愿者名单.xlsx" in consent.note
    assert len({v.number for v in volunteers.values()}) == 4

    wang = volunteers["王芳"]
    assert unseal(wang.document_sealed) == id_number("19900101", seq="001")
    assert wang.document_masked == "1405**********" + id_number(seq="001")[-4:]
    assert unseal(wang.mobile_sealed) == "13900000001"
    assert wang.mobile_masked == "139****0001"
    raw = str(Volunteer.objects.filter(pk=wang.pk).values().get())
    assert id_number(seq="001") not in raw and "13900000001" not in raw
    assert sorted(wang.kinds) == ["community", "youth"]
    assert sorted(wang.campaign_lines) == ["city", "nature"]
    assert sorted(wang.availability) == ["holiday", "weekend"]
    assert sorted(wang.skills.values_list("name", flat=True)) == ["心理疏导", "急救"]
    assert (wang.political_status, wang.education) == ("01", "21")
    assert wang.national_number == "SX2020123"
    assert wang.birth_date == date(1990, 1, 1)  # from the number
    assert wang.residence.code == "140525100"

    li = volunteers["李国强"]
    assert unseal(li.document_sealed) == upgrade_15(LEGACY_15)  # upgraded to 18 digits
    assert len(unseal(li.document_sealed)) == 18
    assert (li.birth_date, li.sex) == (date(1980, 1, 1), "1")
    assert unseal(li.mobile_sealed) == "13900000002"

    anna = volunteers["Anna Schmidt"]
    assert anna.document_type == DocumentType.PASSPORT
    assert unseal(anna.document_sealed) == "C12345678"  # upper-cased
    assert (anna.birth_date, anna.sex) == (date(1985, 3, 2), "2")
    assert anna.residence.code == "140525108"

    child = volunteers["张小明"]
    assert child.is_minor()
    guardian = GuardianConsent.objects.get(volunteer=child)
    assert (guardian.guardian_name, guardian.relation) == ("张建国", "father")
    assert unseal(guardian.phone_sealed) == "13700000004"
    assert guardian.phone_masked == "137****0004"
    assert guardian.recorded_by == org_tree.a1_staff
    assert child.consents.filter(purpose=ConsentRecord.Purpose.GUARDIAN).exists()
    assert GuardianConsent.objects.count() == 1  # adults have none

    entry = AuditEntry.objects.get(object_type="volunteers.importbatch")
    assert entry.organisation == org_tree.org_a1
    assert entry.actor == org_tree.a1_staff
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.after == {"created": 4, "updated": 0, "skipped": 0, "team": ""}
    assert "13900000001" not in str(entry.after) and "13900000001" not in entry.object_repr


def test_text_dates_and_codes_are_understood(org_tree, imported):
    batch = imported(
        person(
            5,
            document_type=str(DocumentType.PASSPORT.label),
            document_number="E7654321",
            birth_date="1979年6月30日",
            sex=Sex.MALE.value,  # the code itself
            residence="140525101",  # the township code
            kinds=f"{VolunteerKind.YOUTH.label}，{VolunteerKind.WOMEN.label}",  # a Chinese comma
        ),
        person(6, birth_date="2000/01/31"),  # ignored for ID cards: the number carries it
    )
    assert batch.created == 2
    passport = Volunteer.objects.get(document_type=DocumentType.PASSPORT)
    assert (passport.birth_date, passport.sex) == (date(1979, 6, 30), "1")
    assert passport.residence.code == "140525101"
    assert sorted(passport.kinds) == ["women", "youth"]
    assert Volunteer.objects.exclude(pk=passport.pk).get().birth_date == date(1990, 1, 1)


def test_several_entries_may_be_separated_by_spaces_unless_they_hold_spaces(org_tree, imported):
    imported(
        person(8, kinds="community youth"),  # codes, separated by a space
        person(9, kinds="Community volunteer、Youth volunteer"),  # labels that hold a space
    )
    assert [sorted(v.kinds) for v in Volunteer.objects.all()] == [["community", "youth"]] * 2


def test_residents_of_another_county_get_its_number_prefix(org_tree, imported):
    imported(
        person(
            7, document_number=id_number(area="140502", seq="007"), residence=residence("140502001")
        )
    )
    volunteer = Volunteer.objects.get()
    assert volunteer.number.startswith("JC140502")
    assert volunteer.organisation == org_tree.org_a1  # registered by whoever imported them


# --- the preview of bad rows ----------------------------------------------------------------------


def test_the_preview_lists_every_bad_row_and_nothing_is_imported(org_tree, upload, confirm):
    bad_check = id_number(seq="020")[:-1] + ("0" if id_number(seq="020")[-1] != "0" else "1")
    rows = [
        person(20, document_number=bad_check),  # row 3
        person(21, document_number=id_number("20990101", seq="021")),  # row 4
        person(
            22,
            document_type=str(DocumentType.PASSPORT.label),
            document_number="E22222222",
            birth_date=date(2099, 1, 1),
            sex=str(Sex.MALE.label),
        ),  # row 5
        person(23, residence="火星镇"),  # row 6
        person(24, kinds=f"{VolunteerKind.YOUTH.label}、超级志愿者"),  # row 7
        person(25, document_number=id_number("20150601", seq="025")),  # row 8: minor, no guardian
        person(26, document_number=upgrade_15("140525800101126")),  # row 9
        person(27, document_number="140525800101126"),  # row 10: the same person, 15 digits
        person(28, document_number=float(id_number(seq="028")[:17] + "0")),  # row 11
        person(29),  # row 12: a good row
        person(30, mobile="1390000"),  # row 13
    ]
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.total_rows == 11
    found = {(e["row"], e["column"]): e["message"] for e in batch.errors}

    assert found[(3, header("document_number"))] == "校验码（最后一位）不正确，请核对号码。"
    assert found[(4, header("document_number"))] == "号码中的出生日期晚于今天。"
    assert found[(5, header("birth_date"))] == _("The birth date is in the future.")
    assert "火星镇" in found[(6, header("residence"))]
    assert "超级志愿者" in found[(7, header("kinds"))]
    assert {column for row, column in found if row == 8} == {
        header("guardian_name"),
        header("guardian_relation"),
        header("guardian_phone"),
    }
    assert "9" in found[(10, header("document_number"))]  # already in row 9
    assert found[(11, header("document_number"))] == _(
        "The number was stored as a number and Excel has rounded it; enter it as text."
    )
    assert (13, header("mobile")) in found
    assert {row for row, _column in found} == {3, 4, 5, 6, 7, 8, 10, 11, 13}  # not 9, not 12
    assert all(e["column"] in importer.headers() for e in batch.errors)
    assert all("skipped" not in e for e in batch.errors)
    assert str(9) in batch.message  # nine rows have errors

    assert Volunteer.objects.count() == 0
    with pytest.raises(DomainError) as exc:
        confirm(org_tree.a1_staff, batch)
    assert exc.value.code == "conflict"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.INVALID
    assert Volunteer.objects.count() == 0


def test_every_problem_of_a_row_is_reported_at_once(org_tree, upload):
    row = person(
        31,
        name="",
        mobile="",
        residence="",
        sex="不详细",
        education="幼儿园",
        skills="飞行",
        birth_date="去年",
    )
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(row))
    columns = {e["column"] for e in batch.errors if e["row"] == 3}
    assert columns == {
        header(key)
        for key in ["name", "mobile", "residence", "sex", "education", "skills", "birth_date"]
    }
    assert len(batch.errors) == len(columns)  # one message per cell


def test_row_numbers_are_the_sheets_own_with_blank_rows_counted(org_tree, upload):
    content = xlsx(person(33), {}, {}, person(34, mobile="12345"))
    batch = upload(org_tree.a1_staff, org_tree.org_a1, content)
    assert batch.total_rows == 2
    assert [(e["row"], e["column"]) for e in batch.errors] == [(6, header("mobile"))]


def test_an_unknown_guardian_relation_is_reported_on_its_column(org_tree, upload):
    row = person(
        32,
        document_number=id_number("20150601", seq="032"),
        guardian_name="张建国",
        guardian_relation="舅舅",
        guardian_phone="13700000004",
    )
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(row))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, header("guardian_relation"))]


def test_a_file_that_went_bad_after_its_preview_imports_nothing(org_tree, upload, confirm):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(40), person(41, skills="手语")))
    assert batch.status == ImportBatch.Status.CHECKED
    Skill.objects.filter(name="手语").delete()  # the city office edited the list meanwhile
    batch = confirm(org_tree.a1_staff, batch)
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(4, header("skills"))]
    assert Volunteer.objects.count() == 0


def test_a_failure_while_writing_leaves_nothing_behind(org_tree, upload, confirm, monkeypatch):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(42), person(43)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "audit_record", broken)
    batch = confirm(org_tree.a1_staff, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == _("The import failed; nothing was imported.")
    assert batch.job.status == Job.Status.FAILED
    assert Volunteer.objects.count() == 0
    assert ConsentRecord.objects.count() == 0


# --- re-imports -----------------------------------------------------------------------------------


def test_importing_the_same_file_again_creates_nobody_twice(org_tree, upload, confirm, imported):
    rows = good_rows()
    imported(*rows)
    numbers = set(Volunteer.objects.values_list("number", flat=True))

    again = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert again.status == ImportBatch.Status.CHECKED
    assert (again.to_create, again.to_update, again.to_skip) == (0, 0, 4)
    again = confirm(org_tree.a1_staff, again)
    assert (again.created, again.updated, again.skipped) == (0, 0, 4)
    assert set(Volunteer.objects.values_list("number", flat=True)) == numbers
    assert ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.GUARDIAN).count() == 1
    assert GuardianConsent.objects.count() == 1


def test_a_changed_row_updates_that_volunteer_only(org_tree, upload, confirm, imported):
    rows = good_rows()
    imported(*rows)
    before = {v.pk: v.updated_at for v in Volunteer.objects.all()}
    rows[0]["mobile"] = "13811112222"
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert (batch.to_create, batch.to_update, batch.to_skip) == (0, 1, 3)
    batch = confirm(org_tree.a1_staff, batch)
    assert (batch.created, batch.updated, batch.skipped) == (0, 1, 3)
    wang = Volunteer.objects.get(name="王芳")
    assert unseal(wang.mobile_sealed) == "13811112222"
    assert wang.mobile_masked == "138****2222"
    assert sorted(wang.skills.values_list("name", flat=True)) == ["心理疏导", "急救"]  # kept
    changed = [v.pk for v in Volunteer.objects.all() if v.updated_at != before[v.pk]]
    assert changed == [wang.pk]
    assert Volunteer.objects.count() == 4


def test_changed_skills_are_an_update(org_tree, upload, imported):
    rows = good_rows()
    imported(*rows)
    rows[0]["skills"] = "急救"
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert (batch.to_create, batch.to_update, batch.to_skip) == (0, 1, 3)


def test_a_changed_guardian_is_an_update(org_tree, upload, confirm, imported):
    rows = good_rows()
    imported(*rows)
    rows[3]["guardian_phone"] = "13799998888"
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert (batch.to_create, batch.to_update, batch.to_skip) == (0, 1, 3)
    confirm(org_tree.a1_staff, batch)
    guardian = GuardianConsent.objects.get()
    assert unseal(guardian.phone_sealed) == "13799998888"


def test_a_volunteer_registered_elsewhere_is_skipped_with_a_note(org_tree, upload, confirm):
    elsewhere = register(
        name="陈东",
        document_number=id_number(area="140502", seq="051"),
        mobile="13600000051",
        residence=Region.objects.get(code="140502001"),
    )
    assert elsewhere.organisation == org_tree.org_b1  # 城区
    rows = [
        person(50),
        person(51, name="陈东东", document_number=id_number(area="140502", seq="051")),
    ]
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows))
    assert batch.status == ImportBatch.Status.CHECKED  # a note, not an error
    assert (batch.to_create, batch.to_update, batch.to_skip) == (1, 0, 1)
    assert batch.errors == [
        {
            "row": 4,
            "column": "",
            "skipped": True,
            "message": _("Already registered with another organisation; skipped."),
        }
    ]
    batch = confirm(org_tree.a1_staff, batch)
    assert (batch.created, batch.updated, batch.skipped) == (1, 0, 1)
    assert batch.errors[0]["row"] == 4
    elsewhere.refresh_from_db()
    assert (elsewhere.name, elsewhere.organisation) == ("陈东", org_tree.org_b1)
    assert unseal(elsewhere.mobile_sealed) == "13600000051"
    assert "陈东" not in str(batch.errors)  # nothing about the other organisation's volunteer


def test_a_member_of_our_team_registered_elsewhere_is_not_overwritten(
    org_tree, team, upload, confirm
):
    """Being in one of our teams lets staff see a volunteer, not rewrite their record."""
    elsewhere = register(
        name="陈东",
        document_number=id_number(area="140502", seq="052"),
        mobile="13600000052",
        residence=Region.objects.get(code="140502001"),
    )
    services.team_add(actor=org_tree.root, team=team, volunteer=elsewhere, consent_note="同意")
    rows = [person(52, name="陈东东", document_number=id_number(area="140502", seq="052"))]
    batch = confirm(org_tree.a1_staff, upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows)))
    assert (batch.created, batch.updated, batch.skipped) == (0, 0, 1)
    elsewhere.refresh_from_db()
    assert elsewhere.name == "陈东"


def test_a_self_registered_volunteer_of_the_organisation_is_updated_not_doubled(org_tree, imported):
    own = register()  # lives in 泽州县南村镇: registered with 泽州's practice center
    assert own.organisation == org_tree.org_a1
    batch = imported(person(60, name="李明", document_number=id_number(), mobile="13912345678"))
    assert (batch.created, batch.updated, batch.skipped) == (0, 1, 0)
    own.refresh_from_db()
    assert own.kinds == ["community"]
    assert own.user is not None  # the person's own account is kept
    assert Volunteer.objects.count() == 1


def test_two_previews_of_one_file_import_it_once(org_tree, upload, confirm):
    content = xlsx(person(70), person(71))
    first = upload(org_tree.a1_staff, org_tree.org_a1, content)
    second = upload(org_tree.a1_staff, org_tree.org_a1, content)
    assert first.to_create == second.to_create == 2
    confirm(org_tree.a1_staff, first)
    second = confirm(org_tree.a1_staff, second)  # checked again at import time
    assert second.status == ImportBatch.Status.DONE
    assert (second.created, second.skipped) == (0, 2)
    assert Volunteer.objects.count() == 2


def test_a_batch_is_imported_once(org_tree, upload, confirm):
    batch = confirm(org_tree.a1_staff, upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(72))))
    with pytest.raises(DomainError) as exc:
        confirm(org_tree.a1_staff, batch)
    assert exc.value.code == "conflict"
    assert Volunteer.objects.count() == 1


# --- broken files ---------------------------------------------------------------------------------


def zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(2048), id="random bytes"),
        pytest.param(zip_without_workbook(), id="a zip of something else"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, id="an old .xls renamed"),
        pytest.param("姓名,手机号\n张三,13900000000\n".encode(), id="a csv renamed"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(org_tree, upload, content):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, content, name="名单.xlsx")
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.message == _("This is not a valid Excel (.xlsx) file.")
    assert batch.job.status == Job.Status.SUCCEEDED  # the job did its work: it found out
    assert Volunteer.objects.count() == 0


@pytest.mark.parametrize("name", ["名单.csv", "名单.xls", "名单", "名单.xlsx.csv"])
def test_only_xlsx_files_are_accepted(org_tree, upload, name):
    with pytest.raises(DomainError) as exc:
        upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(80)), name=name)
    assert exc.value.fields["file"] == exc.value.message
    assert ".xlsx" in exc.value.message
    assert ImportBatch.objects.count() == 0
    assert Job.objects.count() == 0


def test_upper_case_extension_is_fine(org_tree, upload):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(81)), name="名单.XLSX")
    assert batch.status == ImportBatch.Status.CHECKED


def test_an_empty_file_is_refused(org_tree, upload):
    with pytest.raises(DomainError) as exc:
        upload(org_tree.a1_staff, org_tree.org_a1, b"")
    assert exc.value.message == _("The file is empty.")
    assert ImportBatch.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(org_tree, upload, settings):
    settings.VOLUNTEER_IMPORT_MAX_MB = 1
    with pytest.raises(DomainError) as exc:
        upload(org_tree.a1_staff, org_tree.org_a1, b"PK" + b"\0" * (1024 * 1024))
    assert "1" in exc.value.message
    assert exc.value.fields["file"]
    assert ImportBatch.objects.count() == 0
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(82)))  # a small one is fine
    assert batch.status == ImportBatch.Status.CHECKED


def test_too_many_rows_are_refused(org_tree, upload, settings):
    settings.VOLUNTEER_IMPORT_MAX_ROWS = 2
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(83), person(84), person(85)))
    assert batch.status == ImportBatch.Status.INVALID
    assert "2" in batch.message
    assert batch.errors == []


def headers_without(key: str) -> list[str]:
    return [h for h in importer.headers() if h != header(key)]


@pytest.mark.parametrize(
    ("header_row", "expected"),
    [
        pytest.param(lambda: headers_without("mobile"), "手机号", id="a missing column"),
        pytest.param(lambda: [*importer.headers(), "备注"], "备注", id="an unknown column"),
        pytest.param(
            lambda: [header("mobile"), *headers_without("mobile")], None, id="reordered columns"
        ),
        pytest.param(lambda: [None], None, id="no header row"),
    ],
)
def test_headers_that_do_not_match_the_template_are_refused(org_tree, upload, header_row, expected):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, plain_xlsx(header_row(), as_row(person(86))))
    assert batch.status == ImportBatch.Status.INVALID
    intro = _("The headers do not match the template (%(detail)s). Download the template again.")
    assert batch.message.startswith(re.split(r"[(（]", intro)[0])
    if expected:
        assert expected in batch.message
    assert Volunteer.objects.count() == 0


def test_reordered_columns_are_named_as_such(org_tree, upload):
    headers = [header("mobile"), *headers_without("mobile")]
    batch = upload(org_tree.a1_staff, org_tree.org_a1, plain_xlsx(headers))
    assert _("the columns are in the wrong order") in batch.message


def test_a_workbook_made_without_the_template_is_read_by_its_headers(org_tree, upload):
    """Headers marked required with * and extra empty columns are fine."""
    headers = [*importer.headers(), None, None]
    headers[0] = f"{headers[0]}*"
    content = plain_xlsx(headers, as_row(person(87)), [None] * 17, as_row(person(88)))
    batch = upload(org_tree.a1_staff, org_tree.org_a1, content)
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert (batch.total_rows, batch.to_create) == (2, 2)


def test_a_long_file_name_is_kept(org_tree, upload, confirm):
    name = "泽州县新时代文明实践中心" * 12 + ".xlsx"
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(89)), name=name)
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.filename.endswith(".xlsx")
    assert confirm(org_tree.a1_staff, batch).created == 1


# --- teams, permissions, consent ------------------------------------------------------------------


def test_importing_into_a_team_adds_members_and_history(org_tree, team, upload, confirm, imported):
    rows = [person(90), person(91), person(92)]
    batch = imported(*rows, team=team)
    assert batch.created == 3
    members = TeamMembership.objects.filter(team=team)
    assert members.count() == 3
    assert {m.source for m in members} == {TeamMembership.Source.IMPORTED}
    events = TeamEvent.objects.filter(team=team, kind=TeamEvent.Kind.ADDED)
    assert events.count() == 3
    assert {e.actor for e in events} == {org_tree.a1_staff}
    assert AuditEntry.objects.get(object_type="volunteers.importbatch").after["team"] == team.name

    rows.append(person(93))
    again = confirm(
        org_tree.a1_staff, upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*rows), team=team)
    )
    assert (again.created, again.skipped) == (1, 3)
    assert TeamMembership.objects.filter(team=team).count() == 4  # nobody twice
    assert TeamEvent.objects.filter(team=team).count() == 4


def test_people_registered_elsewhere_do_not_join_the_team(org_tree, team, imported):
    register(
        document_number=id_number(area="140502", seq="094"),
        residence=Region.objects.get(code="140502001"),
    )
    batch = imported(
        person(94, document_number=id_number(area="140502", seq="094")), person(95), team=team
    )
    assert (batch.created, batch.skipped) == (1, 1)
    assert TeamMembership.objects.get(team=team).volunteer.name == person(95)["name"]


def test_the_team_must_be_a_team_of_the_organisation(org_tree, team, upload):
    other_team = make_org(
        org_tree.root, org_tree.org_b1, "城区东街志愿服务队", Organisation.Kind.TEAM, "140502"
    )
    with pytest.raises(DomainError) as exc:
        upload(org_tree.city_admin, org_tree.org_a1, xlsx(person(96)), team=other_team)
    assert "team" in exc.value.fields
    with pytest.raises(DomainError) as exc:  # an organisation that is not a team
        upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(96)), team=org_tree.org_a1)
    assert "team" in exc.value.fields
    assert ImportBatch.objects.count() == 0


def test_staff_of_another_organisation_cannot_import_here(org_tree, upload):
    with pytest.raises(Http404):  # 城区's staff do not even see 泽州's center
        upload(org_tree.b1_staff, org_tree.org_a1, xlsx(person(97)))
    with pytest.raises(Http404):
        upload(org_tree.outsider, org_tree.org_a1, xlsx(person(97)))
    assert ImportBatch.objects.count() == 0


def test_a_role_that_only_views_cannot_import(org_tree, upload):
    judge = make_user("judge")
    grant(org_tree.root, judge, org_tree.org_a1, Membership.Role.JUDGE)
    with pytest.raises(PermissionDenied):
        upload(judge, org_tree.org_a1, xlsx(person(98)))
    assert ImportBatch.objects.count() == 0


def test_a_team_leader_cannot_import_for_the_organisation(org_tree, team, team_leader, upload):
    with pytest.raises(Http404):
        upload(team_leader, org_tree.org_a1, xlsx(person(98)), team=team)
    assert ImportBatch.objects.count() == 0


def test_only_those_who_manage_the_organisation_confirm(org_tree, upload, confirm):
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(99)))
    with pytest.raises(Http404):
        confirm(org_tree.b1_staff, batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    batch = confirm(org_tree.county_a_admin, batch)  # an administrator above may
    assert batch.status == ImportBatch.Status.DONE
    assert Volunteer.objects.get().organisation == org_tree.org_a1


def test_the_uploader_must_confirm_consent(org_tree, upload):
    with pytest.raises(DomainError) as exc:
        upload(org_tree.a1_staff, org_tree.org_a1, xlsx(person(100)), consent_confirmed=False)
    assert "consent_confirmed" in exc.value.fields
    assert ImportBatch.objects.count() == 0


# --- progress -------------------------------------------------------------------------------------


def test_the_import_job_records_its_progress(org_tree, upload, confirm, monkeypatch):
    reports = []
    real = tasks.job_progress

    def spy(job, *, done, total=None, message=""):
        reports.append((done, total, message))
        real(job, done=done, total=total, message=message)

    monkeypatch.setattr(tasks, "job_progress", spy)
    monkeypatch.setattr(imports, "CHUNK", 2)
    imported_rows = [person(n) for n in range(101, 106)]
    batch = upload(org_tree.a1_staff, org_tree.org_a1, xlsx(*imported_rows))
    assert batch.status == ImportBatch.Status.CHECKED, (batch.message, batch.errors)
    reports.clear()
    batch = confirm(org_tree.a1_staff, batch)
    assert batch.created == 5
    assert [(done, total) for done, total, _message in reports] == [(2, 5), (4, 5), (5, 5)]
    assert {message for _d, _t, message in reports} == {_("Importing volunteers")}
    job = batch.job
    assert job.name == "volunteers.import_apply"
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (
        Job.Status.SUCCEEDED,
        5,
        5,
        100,
    )
    assert job.owner == org_tree.a1_staff


def test_imported_volunteers_count_as_registrations_in_the_reports(org_tree, imported):
    from django.utils import timezone

    from leifeng.reports import rollups
    from leifeng.reports import services as report_services

    imported(*good_rows())
    rollups.refresh()
    assert rollups.differences() == []
    today = timezone.localdate()
    figures = report_services.organisation_figures(org_tree.county_a, today, today)
    assert figures[("registrations", "")] == 4
