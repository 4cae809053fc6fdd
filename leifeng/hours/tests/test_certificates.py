import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from leifeng.core.errors import DomainError
from leifeng.hours import certificates, services
from leifeng.hours.models import Certificate
from leifeng.hours.tests.test_ledger import BASE, make_volunteer


@pytest.fixture
def volunteer(org_tree):
    return make_volunteer(1, name="王小雷")


def credit(org_tree, volunteer, organisation, day: int, hours: str, content: str):
    start = BASE + timedelta(hours=day * 24 - 48)
    return services.manual_credit(
        actor=org_tree.root,
        organisation=organisation,
        volunteer=volunteer,
        content=content,
        started_at=start,
        ended_at=start + timedelta(hours=4),
        hours=Decimal(hours),
    )


@pytest.fixture
def entries(org_tree, volunteer):
    return [
        credit(org_tree, volunteer, org_tree.org_a1, 0, "3", "敬老院陪护"),
        credit(org_tree, volunteer, org_tree.org_a1, 1, "2.5", "文明交通劝导"),
        credit(org_tree, volunteer, org_tree.org_b1, 2, "4", "图书馆整理"),
    ]


def test_the_volunteer_certifies_all_or_chosen_records(volunteer, entries):
    everything = certificates.certificate_issue(actor=volunteer.user, volunteer=volunteer)
    assert (everything.hours, everything.records) == (Decimal("9.5"), 3)
    assert certificates.number_is_well_formed(everything.number)
    chosen = certificates.certificate_issue(
        actor=volunteer.user, volunteer=volunteer, entry_ids=[entries[1].pk]
    )
    assert (chosen.hours, chosen.records, chosen.organisation) == (Decimal("2.5"), 1, None)
    other = make_volunteer(2)
    with pytest.raises(DomainError):
        certificates.certificate_issue(actor=other.user, volunteer=volunteer)
    with pytest.raises(DomainError):  # records of someone else are not "chosen" ones
        certificates.certificate_issue(actor=other.user, volunteer=other, entry_ids=[entries[0].pk])


def test_an_organisation_certifies_the_records_it_keeps(org_tree, volunteer, entries):
    issued = certificates.certificate_issue(
        actor=org_tree.a1_staff,
        volunteer=volunteer,
        organisation=org_tree.org_a1,
        person_in_charge="张主任",
        contact="0356-1234567",
    )
    assert (issued.hours, issued.records, issued.issuer_name) == (
        Decimal("5.5"),
        2,
        org_tree.org_a1.name,
    )
    assert issued.handled_by and issued.person_in_charge == "张主任"
    with pytest.raises(Http404):
        certificates.certificate_issue(
            actor=org_tree.b1_staff, volunteer=volunteer, organisation=org_tree.org_a1
        )
    # A reversed record is no longer certified.
    services.entry_reverse(actor=org_tree.root, entry=entries[0], reason="重复记录")
    again = certificates.certificate_issue(
        actor=org_tree.a1_staff, volunteer=volunteer, organisation=org_tree.org_a1
    )
    assert again.hours == Decimal("2.5")


def test_verification_tells_genuine_altered_unknown_and_malformed(org_tree, volunteer, entries):
    issued = certificates.certificate_issue(actor=volunteer.user, volunteer=volunteer)
    result = certificates.certificate_verify(issued.number.lower().replace("-", " "))
    assert (result.status, result.certificate, result.masked_name) == ("genuine", issued, "王**")

    plain = certificates.normalise_number(issued.number)
    changed = plain[:12] + ("A" if plain[12] != "A" else "B") + plain[13:]
    assert certificates.certificate_verify(changed).status == "malformed"
    assert certificates.certificate_verify("not a number").status == "malformed"
    body = plain[:10] + ("000000" if plain[10:16] != "000000" else "111111")
    unknown = body + certificates._check_character(body)
    assert certificates.certificate_verify(unknown).status == "unknown"

    services.entry_reverse(actor=org_tree.root, entry=entries[2], reason="重复记录")
    assert certificates.certificate_verify(issued.number).corrected_since == 1

    Certificate.objects.filter(pk=issued.pk).update(hours=Decimal("99"))
    assert certificates.certificate_verify(issued.number).status == "altered"


def test_the_certificate_pdf_states_the_issued_figures(tmp_path, volunteer, entries):
    issued = certificates.certificate_issue(actor=volunteer.user, volunteer=volunteer)
    document = certificates.certificate_document(issued, "https://example.org/hours/verify/x/")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(document)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "王小雷" in text and issued.number in text and "9.5" in text
    assert "图书馆整理" in text and volunteer.document_masked in text
