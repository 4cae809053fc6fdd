"""Service record certificates (志愿服务记录证明, 办法 arts. 14–17; 民发〔2015〕149号).

A volunteer prints one for all or chosen records from the system; an organisation issues one for
the records it (or a unit below it) keeps: 谁记录谁证明. Each has a number with a check character
(a mistyped or altered number is caught before any look-up) and a digest of its content, so the
public verification page tells a genuine certificate from an unknown number or an altered record.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.errors import DomainError
from leifeng.core.masking import mask_name
from leifeng.hours import pdf
from leifeng.hours.models import Certificate, HoursEntry, RecordItem, StarCertification
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.services import own_record

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NUMBER_PREFIX = "ZA"
MAX_RECORDS = 2000


def _check_character(body: str) -> str:
    """ISO 7064 MOD 37,36: catches any single changed character and most swaps."""
    product = 36
    for char in body:
        total = (product + ALPHABET.index(char)) % 36 or 36
        product = (total * 2) % 37
    return ALPHABET[(37 - product) % 36]


def normalise_number(text: str) -> str:
    return "".join(char for char in text.upper() if char in ALPHABET)


def number_is_well_formed(text: str) -> bool:
    plain = normalise_number(text)
    return (
        len(plain) == 17
        and plain.startswith(NUMBER_PREFIX)
        and _check_character(plain[:-1]) == plain[-1]
    )


def _new_number(today: date) -> str:
    """ZA-20261129-K3M9Q2X-7: prefix, date of issue, random part, check character."""
    random_part = "".join(secrets.choice(ALPHABET) for _n in range(6))
    body = f"{NUMBER_PREFIX}{today:%Y%m%d}{random_part}"
    return f"{NUMBER_PREFIX}-{today:%Y%m%d}-{random_part}-{_check_character(body)}"


def _digest(certificate: Certificate, entry_ids: list[int]) -> str:
    """A fingerprint of what the certificate states (its figures and the entries behind them)."""
    entries = HoursEntry.objects.filter(pk__in=entry_ids).order_by("pk")
    content = {
        "number": certificate.number,
        "volunteer": certificate.volunteer_id,
        "organisation": certificate.organisation_id,
        "hours": str(certificate.hours),
        "records": certificate.records,
        "issuer": certificate.issuer_name,
        "person_in_charge": certificate.person_in_charge,
        "handled_by": certificate.handled_by,
        "contact": certificate.contact,
        "entries": [
            [e.pk, str(e.hours), e.started_at.isoformat(), e.ended_at.isoformat(), e.content]
            for e in entries
        ],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def certifiable(
    volunteer: Volunteer, organisation: Organisation | None = None
) -> QuerySet[HoursEntry]:
    """The volunteer's credits still standing (not reversed), those an organisation keeps if
    one is given (its own and its units')."""
    qs = HoursEntry.objects.filter(
        volunteer=volunteer, kind=HoursEntry.Kind.CREDIT, reversal__isnull=True
    )
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    return qs.select_related("organisation").order_by("started_at", "pk")


@transaction.atomic
def certificate_issue(
    *,
    actor: User,
    volunteer: Volunteer,
    organisation: Organisation | None = None,
    entry_ids: list[int] | None = None,
    person_in_charge: str = "",
    contact: str = "",
) -> Certificate:
    """Issue a certificate for all or the chosen standing records: the volunteer's own (no
    organisation), or an organisation's for the records it keeps."""
    if organisation is None:
        own_record(actor, volunteer)
        issuer_name = _("%(brand)s volunteer service information system") % {
            "brand": settings.LEIFENG_BRAND
        }
        handled_by = _("Printed by the volunteer")
    else:
        access.require(actor, access.MANAGE, organisation)
        access.require(actor, access.VIEW, volunteer)
        issuer_name = organisation.name
        handled_by = actor.get_full_name() or actor.get_username()
        person_in_charge = person_in_charge.strip() or organisation.contact_name
        contact = contact.strip() or organisation.contact_phone
    records = certifiable(volunteer, organisation)
    if entry_ids is not None:
        records = records.filter(pk__in=entry_ids)
    ids = list(records.values_list("pk", flat=True)[: MAX_RECORDS + 1])
    if not ids:
        raise DomainError(_("There are no standing service records to certify."), code="invalid")
    if len(ids) > MAX_RECORDS:
        raise DomainError(
            _("Choose at most %(max)d records for one certificate.") % {"max": MAX_RECORDS},
            code="invalid",
        )
    figures = HoursEntry.objects.filter(pk__in=ids).aggregate(
        first=Min("started_at"), last=Max("ended_at")
    )
    total = sum((hours for hours in records.values_list("hours", flat=True)), Decimal("0"))
    today = timezone.localdate()
    certificate = Certificate(
        number=_new_number(today),
        volunteer=volunteer,
        organisation=organisation,
        hours=total,
        records=len(ids),
        first_on=timezone.localdate(figures["first"]),
        last_on=timezone.localdate(figures["last"]),
        issuer_name=issuer_name[:100],
        person_in_charge=person_in_charge.strip()[:50],
        handled_by=handled_by[:50],
        contact=contact.strip()[:50],
        issued_by=actor,
    )
    certificate.digest = _digest(certificate, ids)
    certificate.save()
    certificate.entries.set(ids)
    audit_record(
        actor=actor,
        organisation=organisation or volunteer.organisation,
        action=AuditEntry.Action.CREATE,
        obj=certificate,
        after={"number": certificate.number, "hours": str(total), "records": len(ids)},
    )
    return certificate


def certificate_document(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as a PDF, from what was issued."""
    return pdf.render_certificate(certificate_data(certificate, verify_url))


def certificate_data(certificate: Certificate, verify_url: str) -> pdf.CertificateData:
    """What the PDF prints: the issued figures and records, training and awards kept by the
    issuer (all of them when printed by the volunteer), and the star level certified then."""
    volunteer = certificate.volunteer
    entries = certificate.entries.select_related("organisation").order_by("started_at", "pk")
    items = RecordItem.objects.filter(volunteer=volunteer).order_by("on", "pk")
    if certificate.organisation is not None:
        items = items.filter(organisation__path__startswith=certificate.organisation.path)
    stars = (
        StarCertification.objects.filter(
            volunteer=volunteer, certified_at__lte=certificate.issued_at
        )
        .order_by("-level")
        .values_list("level", flat=True)
        .first()
    )
    return pdf.CertificateData(
        number=certificate.number,
        issued_on=timezone.localdate(certificate.issued_at),
        volunteer_name=volunteer.name,
        document_type=volunteer.get_document_type_display(),
        document_masked=volunteer.document_masked,
        volunteer_number=volunteer.number,
        total_hours=certificate.hours,
        records=[
            pdf.CertificateRecord(
                started_at=e.started_at,
                ended_at=e.ended_at,
                content=e.content,
                place=e.place,
                hours=e.hours,
                recorded_by=e.organisation.name,
            )
            for e in entries
        ],
        issuer=certificate.issuer_name,
        person_in_charge=certificate.person_in_charge,
        handled_by=certificate.handled_by,
        contact=certificate.contact,
        verify_url=verify_url,
        stars=stars or 0,
        trainings=[
            (i.on, i.title, i.issuer, i.hours) for i in items if i.kind == RecordItem.Kind.TRAINING
        ],
        awards=[(i.on, i.title, i.issuer) for i in items if i.kind == RecordItem.Kind.AWARD],
    )


@dataclass(frozen=True)
class Verification:
    """What the public page may say about a number: no personal data beyond a masked name."""

    status: str  # "genuine", "altered", "unknown", "malformed"
    certificate: Certificate | None = None
    masked_name: str = ""
    corrected_since: int = 0


GENUINE, ALTERED, UNKNOWN, MALFORMED = "genuine", "altered", "unknown", "malformed"


def certificate_verify(number: str) -> Verification:
    """Check a certificate number: its check character, that it was issued, and that what it
    states is unchanged since; count the records corrected after it was issued."""
    if not number_is_well_formed(number):
        return Verification(MALFORMED)
    plain = normalise_number(number)
    formatted = f"{plain[:2]}-{plain[2:10]}-{plain[10:16]}-{plain[16]}"
    certificate = Certificate.objects.select_related("volunteer").filter(number=formatted).first()
    if certificate is None:
        return Verification(UNKNOWN)
    ids = list(certificate.entries.values_list("pk", flat=True))
    status = GENUINE if _digest(certificate, ids) == certificate.digest else ALTERED
    corrected = HoursEntry.objects.filter(pk__in=ids, reversal__isnull=False).count()
    return Verification(status, certificate, mask_name(certificate.volunteer.name), corrected)
