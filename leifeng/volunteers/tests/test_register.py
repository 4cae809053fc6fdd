"""Registration, one person one volunteer, minors and privacy: at the service level."""

import pytest
from django.http import Http404

from leifeng.core.crypto import unseal
from leifeng.core.errors import DomainError
from leifeng.volunteers import services
from leifeng.volunteers.models import ConsentRecord, GuardianConsent, Volunteer
from leifeng.volunteers.tests.conftest import TODAY, id_number, register

pytestmark = pytest.mark.django_db


def test_register_derives_birth_and_sex_and_seals_numbers(org_tree):
    volunteer = register(document_number=id_number("19900101", seq="124"))
    assert volunteer.birth_date.isoformat() == "1990-01-01"
    assert volunteer.sex == "2"  # 17th digit even: female
    assert volunteer.number.startswith("JC140525")
    assert volunteer.organisation == org_tree.org_a1  # closest organisation for the township
    assert volunteer.document_masked == "1405**********" + volunteer.document_masked[-4:]
    assert volunteer.mobile_masked == "139****5678"
    raw = Volunteer.objects.filter(pk=volunteer.pk).values().get()
    assert "13912345678" not in str(raw) and id_number("19900101", seq="124") not in str(raw)
    assert unseal(volunteer.mobile_sealed) == "13912345678"
    assert volunteer.user.username == volunteer.number
    assert volunteer.consents.get().purpose == ConsentRecord.Purpose.PRIVACY_NOTICE


def test_numbers_are_unique_and_sequential(org_tree):
    first = register(document_number=id_number(seq="001"))
    second = register(document_number=id_number(seq="003"), mobile="13912345679")
    assert int(second.number[-7:]) == int(first.number[-7:]) + 1


def test_same_document_registers_once_without_saying_who(org_tree):
    register()
    with pytest.raises(DomainError) as exc:
        register(name="王五", mobile="13700000000", document_number=id_number().lower())
    assert exc.value.code == "document_taken"
    assert "李明" not in exc.value.message
    assert Volunteer.objects.count() == 1


def test_every_wrong_field_is_reported_at_once(org_tree):
    with pytest.raises(DomainError) as exc:
        services.volunteer_register(
            data={"name": "", "document_type": "111", "document_number": "11010519491231002Y"},
            password="x",
            privacy_consent=False,
            today=TODAY,
        )
    assert set(exc.value.fields) >= {
        "name",
        "document_number",
        "mobile",
        "residence",
        "privacy_consent",
    }
    assert (
        "校验" in exc.value.fields["document_number"]
        or "最后" in exc.value.fields["document_number"]
    )
    assert Volunteer.objects.count() == 0


def test_passport_holder_gives_birth_date_and_sex(org_tree):
    with pytest.raises(DomainError) as exc:
        register(document_type="414", document_number="E12345678")
    assert set(exc.value.fields) == {"birth_date", "sex"}
    from datetime import date

    volunteer = register(
        document_type="414", document_number="E12345678", birth_date=date(1980, 5, 1), sex="1"
    )
    assert volunteer.sex == "1"


def test_minor_needs_guardian_before_anything_is_kept(org_tree):
    child = id_number("20150601", seq="112")
    with pytest.raises(DomainError) as exc:
        register(document_number=child)
    assert {"guardian_name", "guardian_relation", "guardian_phone", "guardian_consent"} <= set(
        exc.value.fields
    )
    assert Volunteer.objects.count() == 0
    volunteer = register(
        document_number=child,
        guardian=services.Guardian("李大明", "father", "13811112222", True),
    )
    assert volunteer.is_minor(TODAY) and volunteer.is_child(TODAY)
    consent = GuardianConsent.objects.get(volunteer=volunteer)
    assert consent.phone_masked == "138****2222"
    assert volunteer.consents.filter(purpose=ConsentRecord.Purpose.GUARDIAN).exists()


def test_teenager_needs_guardian_too(org_tree):
    with pytest.raises(DomainError):
        register(document_number=id_number("20100601"))
    assert register(
        document_number=id_number("20100601"),
        guardian=services.Guardian("李大明", "mother", "13811112222", True),
    ).is_minor(TODAY)


def test_volunteer_corrects_downloads_and_closes(org_tree):
    volunteer = register()
    user = volunteer.user
    services.volunteer_update(
        actor=user, volunteer=volunteer, changes={"mobile": "13700001111"}, today=TODAY
    )
    volunteer.refresh_from_db()
    assert volunteer.mobile_masked == "137****1111"
    data = services.volunteer_data(volunteer)
    assert data["mobile"] == "13700001111" and data["document_number"] == id_number()
    services.volunteer_close(actor=user, volunteer=volunteer)
    volunteer.refresh_from_db()
    user.refresh_from_db()
    assert volunteer.status == Volunteer.Status.CLOSED
    assert (
        volunteer.name == "" and volunteer.document_hash is None and volunteer.mobile_sealed == ""
    )
    assert not user.is_active and not user.has_usable_password()
    # The document may register again after closing.
    assert register().pk != volunteer.pk
    assert Volunteer.objects.count() == 2


def test_staff_reveal_is_audited(org_tree):
    volunteer = register()
    number = services.volunteer_reveal(
        actor=org_tree.a1_staff, volunteer=volunteer, what="document_number", reason="核对身份"
    )
    assert number == id_number()
    entry = org_tree.org_a1.audit_entries.get(action="reveal")
    assert entry.after == {"revealed": "document_number", "reason": "核对身份"}
    with pytest.raises(Http404):  # outside the subtree: not found
        services.volunteer_reveal(
            actor=org_tree.b1_staff, volunteer=volunteer, what="mobile", reason="x"
        )


def test_find_by_document_uses_the_hash(org_tree):
    volunteer = register()
    qs = Volunteer.objects.all()
    assert list(services.find_by_document(qs, "", id_number().lower())) == [volunteer]
    assert list(services.find_by_mobile(qs, "13912345678")) == [volunteer]


def test_reseal_moves_personal_data_to_the_new_key(org_tree, settings):
    import base64
    import os

    volunteer = register(
        document_number=id_number("20150601", seq="114"),
        guardian=services.Guardian("李大明", "father", "13811112222", True),
    )
    new_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.LEIFENG_DATA_KEYS = f"k2:{new_key},{settings.LEIFENG_DATA_KEYS}"
    assert services.personal_data_reseal() == 2  # the volunteer and the guardian's consent
    volunteer.refresh_from_db()
    assert volunteer.document_sealed.startswith("k2$") and volunteer.mobile_sealed.startswith("k2$")
    assert unseal(volunteer.mobile_sealed) == "13912345678"
    assert GuardianConsent.objects.get().phone_sealed.startswith("k2$")
    assert services.personal_data_reseal() == 0
    # The old key can now go.
    settings.LEIFENG_DATA_KEYS = f"k2:{new_key}"
    assert unseal(volunteer.document_sealed) == id_number("20150601", seq="114")
