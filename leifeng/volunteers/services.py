"""Every change to the volunteer registry: checked, atomic, audited where staff act.

Personal numbers arrive here in plain text and leave sealed (core.crypto); nothing below
writes a full document or mobile number to a log, an audit entry or an error message.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.campaign import CampaignLine
from leifeng.core.crypto import code_digest, lookup_hash, seal, unseal
from leifeng.core.errors import DomainError
from leifeng.core.masking import mask_document, mask_mobile
from leifeng.core.validators import validate_mobile
from leifeng.notify.kinds import VERIFICATION_CODE
from leifeng.notify.services import sms_send
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.reports.rollups import mark_dirty
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType, IdentityError, parse_document
from leifeng.volunteers.models import (
    ADULT_AGE,
    ConsentRecord,
    GuardianConsent,
    NumberSequence,
    RecoveryCode,
    Skill,
    TeamApplication,
    TeamEvent,
    TeamMembership,
    Volunteer,
)
from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION

NUMBER_PREFIX = "JC"
NUMBER_DIGITS = 7
RECOVERY_CODE_MINUTES = 10
RECOVERY_MAX_ATTEMPTS = 5
RECOVERY_CODES_PER_HOUR = 3
# Fields a volunteer may correct (PIPL art. 46); the document is checked again when changed.
PROFILE_FIELDS = [
    "name",
    "document_type",
    "document_number",
    "mobile",
    "birth_date",
    "sex",
    "residence",
    "skills",
    "availability",
    "campaign_lines",
    "kinds",
    "political_status",
    "education",
    "national_number",
]
INVALID = "invalid"


# --- masking and keys -------------------------------------------------------------------


def document_key(document_type: str, number: str) -> str:
    """The keyed hash that finds a document without its number being readable."""
    return lookup_hash(f"{document_type}:{number}")


def mobile_key(mobile: str) -> str:
    return lookup_hash(f"mobile:{mobile}")


# --- the profile check, shared by the form, the API and the Excel import ------------------


@dataclass
class Guardian:
    name: str
    relation: str
    phone: str
    consented: bool


@dataclass(slots=True)
class Profile:
    """A checked volunteer record, ready to store."""

    name: str
    document_type: str
    document_number: str
    mobile: str
    residence: Region
    birth_date: date | None
    sex: str
    skills: list[Skill] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    campaign_lines: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    political_status: str = ""
    education: str = ""
    national_number: str = ""
    guardian: Guardian | None = None
    document_hash: str = ""  # the keyed hash, computed once (an HMAC per use adds up)

    def __post_init__(self) -> None:
        if self.document_number and not self.document_hash:
            self.document_hash = document_key(self.document_type, self.document_number)

    def is_minor(self, today: date) -> bool:
        if self.birth_date is None:
            return False
        from leifeng.volunteers.identity import age_on

        return age_on(self.birth_date, today) < ADULT_AGE


# Choices' .values builds a new list on each call; an import checks 100,000 rows.
AVAILABILITY_CODES = frozenset(Availability.values)
CAMPAIGN_LINE_CODES = frozenset(CampaignLine.values)
KIND_CODES = frozenset(VolunteerKind.values)
POLITICAL_CODES = frozenset(PoliticalStatus.values)
EDUCATION_CODES = frozenset(Education.values)


def _codes(value: Iterable[str] | None, allowed: frozenset[str]) -> tuple[list[str], bool]:
    codes = [str(code) for code in (value or [])]
    return sorted(set(codes)), all(code in allowed for code in codes)


def profile_check(
    data: dict[str, Any],
    *,
    today: date,
    allow_15: bool = False,
    guardian: Guardian | None = None,
) -> Profile:
    """Check a whole record and report every wrong field at once, in Chinese.

    `data` holds plain values: codes for coded fields, a Region for the residence, Skill rows.
    Minors (by the document's birth date) need a guardian's consent before anything is kept.
    """
    errors: dict[str, str] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        errors["name"] = _("Enter your real name as on your document.")
    elif len(name) > 50:
        errors["name"] = _("A name has at most 50 characters.")

    document_type = str(data.get("document_type") or "")
    birth_date: date | None = data.get("birth_date") or None
    sex = str(data.get("sex") or "")
    number = ""
    try:
        identity = parse_document(
            document_type, str(data.get("document_number") or ""), today=today, allow_15=allow_15
        )
    except IdentityError as exc:
        key = "document_type" if exc.code == "document_type" else "document_number"
        errors[key] = exc.message
    else:
        number = identity.number
        if identity.birth_date:  # the document says it: never asked twice
            birth_date, sex = identity.birth_date, identity.sex
        else:
            if birth_date is None:
                errors["birth_date"] = _("Enter your birth date: this document does not carry it.")
            elif birth_date > today:
                errors["birth_date"] = _("The birth date is in the future.")
            if sex not in (Sex.MALE, Sex.FEMALE, Sex.UNSTATED):
                errors["sex"] = _("Choose your sex: this document does not carry it.")

    mobile = str(data.get("mobile") or "").strip().replace(" ", "").replace("-", "")
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages[0]

    residence = data.get("residence")
    if not isinstance(residence, Region):
        errors["residence"] = _("Choose where you live, down to the township or street.")
    elif residence.level not in (Region.Level.TOWNSHIP, Region.Level.VILLAGE):
        errors["residence"] = _("Choose where you live down to the township or street.")

    coded: dict[str, list[str]] = {}
    for key, choices in (
        ("availability", AVAILABILITY_CODES),
        ("campaign_lines", CAMPAIGN_LINE_CODES),
        ("kinds", KIND_CODES),
    ):
        coded[key], ok = _codes(data.get(key), choices)
        if not ok:
            errors[key] = _("Choose from the list.")
    political_status = str(data.get("political_status") or "")
    if political_status and political_status not in POLITICAL_CODES:
        errors["political_status"] = _("Choose a political status from the list.")
    education = str(data.get("education") or "")
    if education and education not in EDUCATION_CODES:
        errors["education"] = _("Choose an education level from the list.")
    national_number = str(data.get("national_number") or "").strip()
    if len(national_number) > 40:
        errors["national_number"] = _("At most 40 characters.")

    profile = Profile(
        name=name,
        document_type=document_type,
        document_number=number,
        mobile=mobile,
        residence=residence,  # type: ignore[arg-type]
        birth_date=birth_date,
        sex=sex or Sex.UNSTATED,
        skills=list(data.get("skills") or []),
        availability=coded["availability"],
        campaign_lines=coded["campaign_lines"],
        kinds=coded["kinds"],
        political_status=political_status,
        education=education,
        national_number=national_number,
    )
    if "document_number" not in errors and "birth_date" not in errors and profile.is_minor(today):
        errors.update(_guardian_errors(guardian))
        profile.guardian = guardian
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    return profile


def _guardian_errors(guardian: Guardian | None) -> dict[str, str]:
    """Under 18: a guardian's name, relation, phone and consent (PIPL art. 31)."""
    errors: dict[str, str] = {}
    if guardian is None or not guardian.name.strip():
        errors["guardian_name"] = _("Under 18: enter the name of your parent or guardian.")
    if guardian is None or guardian.relation not in GuardianRelation.values:
        errors["guardian_relation"] = _("Under 18: choose how the guardian is related to you.")
    try:
        validate_mobile((guardian.phone if guardian else "").strip())
    except ValidationError as exc:
        errors["guardian_phone"] = exc.messages[0]
    if guardian is None or not guardian.consented:
        errors["guardian_consent"] = _(
            "Under 18: your parent or guardian must read the notice and agree."
        )
    return errors


# --- numbers and homes ----------------------------------------------------------------------


def number_prefix(residence: Region) -> str:
    """JC + the county code of the residence: opaque, printable, never the ID number."""
    county = (
        Region.objects.filter(pk__in=residence.path_ids(), level=Region.Level.COUNTY)
        .values_list("code", flat=True)
        .first()
    )
    return f"{NUMBER_PREFIX}{county or residence.code[:6]}"


def numbers_allocate(prefix: str, count: int = 1) -> list[str]:
    """`count` new volunteer numbers, e.g. JC1405250000042. Call inside a transaction: the
    sequence row stays locked until it ends, so two registrations never get the same one."""
    NumberSequence.objects.get_or_create(prefix=prefix)
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix)
    first = sequence.last + 1
    sequence.last = F("last") + count
    sequence.save(update_fields=["last"])
    return [f"{prefix}{n:0{NUMBER_DIGITS}d}" for n in range(first, first + count)]


def home_organisation(residence: Region) -> Organisation:
    """Who looks after a self-registered volunteer: the practice center, institute or station
    closest to the volunteer's residence; failing that, the closest office."""
    nearby = Organisation.objects.filter(
        region_id__in=residence.path_ids(), is_active=True
    ).order_by("-region__path", "-path")
    practice = [
        Organisation.Kind.CENTER,
        Organisation.Kind.INSTITUTE,
        Organisation.Kind.STATION,
        Organisation.Kind.POINT,
    ]
    home = (
        nearby.filter(kind__in=practice).first()
        or nearby.filter(kind=Organisation.Kind.OFFICE).first()
    )
    if home is None:
        raise DomainError(
            _("No organisation serves this place yet; please choose another residence."),
            code=INVALID,
            fields={"residence": _("No organisation serves this place yet.")},
        )
    return home


# --- registration -----------------------------------------------------------------------


def _taken_error() -> DomainError:
    message = _(
        "This document is already registered. If it is yours, recover your account with the "
        "mobile number you registered."
    )
    return DomainError(message, code="document_taken", fields={"document_number": message})


# The Volunteer columns _apply_profile writes (the Excel import updates exactly these).
PROFILE_COLUMNS = [
    "name",
    "document_type",
    "document_sealed",
    "document_hash",
    "document_masked",
    "mobile_sealed",
    "mobile_hash",
    "mobile_masked",
    "birth_date",
    "sex",
    "residence",
    "availability",
    "campaign_lines",
    "kinds",
    "political_status",
    "education",
    "national_number",
]


def _apply_profile(volunteer: Volunteer, profile: Profile) -> None:
    volunteer.name = profile.name
    volunteer.document_type = profile.document_type
    volunteer.document_sealed = seal(profile.document_number)
    volunteer.document_hash = profile.document_hash
    volunteer.document_masked = mask_document(profile.document_number)
    volunteer.mobile_sealed = seal(profile.mobile)
    volunteer.mobile_hash = mobile_key(profile.mobile)
    volunteer.mobile_masked = mask_mobile(profile.mobile)
    volunteer.birth_date = profile.birth_date
    volunteer.sex = profile.sex
    volunteer.residence = profile.residence
    volunteer.availability = profile.availability
    volunteer.campaign_lines = profile.campaign_lines
    volunteer.kinds = profile.kinds
    volunteer.political_status = profile.political_status
    volunteer.education = profile.education
    volunteer.national_number = profile.national_number


def guardian_rows(
    volunteer: Volunteer, guardian: Guardian, *, actor: User | None, at: Any, note: str = ""
) -> tuple[GuardianConsent, ConsentRecord]:
    """A guardian's consent and its line in the consent history, not yet saved (the Excel
    import saves thousands at once)."""
    phone = guardian.phone.strip()
    consent = GuardianConsent(
        volunteer=volunteer,
        guardian_name=guardian.name.strip(),
        relation=guardian.relation,
        phone_sealed=seal(phone),
        phone_masked=mask_mobile(phone),
        notice_version=PRIVACY_NOTICE_VERSION,
        consented_at=at,
        recorded_by=actor,
    )
    record = ConsentRecord(
        volunteer=volunteer,
        purpose=ConsentRecord.Purpose.GUARDIAN,
        notice_version=PRIVACY_NOTICE_VERSION,
        note=(
            note
            or _("Guardian: %(name)s (%(relation)s)")
            % {"name": consent.guardian_name, "relation": GuardianRelation(guardian.relation).label}
        )[:200],
        at=at,
        recorded_by=actor,
    )
    return consent, record


def _guardian_save(
    volunteer: Volunteer, guardian: Guardian, *, actor: User | None, at: Any
) -> None:
    consent, record = guardian_rows(volunteer, guardian, actor=actor, at=at)
    GuardianConsent.objects.filter(volunteer=volunteer).delete()
    consent.save()
    record.save()


@transaction.atomic
def volunteer_register(
    *,
    data: dict[str, Any],
    password: str,
    privacy_consent: bool,
    public_display: bool = False,
    guardian: Guardian | None = None,
    today: date | None = None,
) -> Volunteer:
    """A person registers themselves (web or app): a volunteer record and an account to log
    in with (the volunteer number or the mobile number, and the password)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not privacy_consent:
        errors["privacy_consent"] = _("Please read the privacy notice and agree to it.")
    try:
        profile = profile_check(data, today=today, guardian=guardian)
    except DomainError as exc:
        errors = {**exc.fields, **errors}
        raise DomainError(exc.message, code=INVALID, fields=errors) from None
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    _check_password(password)
    if Volunteer.objects.filter(document_hash=profile.document_hash).exists():
        raise _taken_error()
    volunteer = _create(
        profile,
        organisation=home_organisation(profile.residence),
        actor=None,
        public_display=public_display,
    )
    user = User(username=volunteer.number, name=volunteer.name)
    user.set_password(password)
    user.save()
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    return volunteer


def _check_password(password: str) -> None:
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password)
    except ValidationError as exc:
        raise DomainError(
            exc.messages[0], code=INVALID, fields={"password": " ".join(exc.messages)}
        ) from None


def _create(
    profile: Profile,
    *,
    organisation: Organisation,
    actor: User | None,
    public_display: bool = False,
    consent_note: str = "",
) -> Volunteer:
    now = timezone.now()
    volunteer = Volunteer(
        number=numbers_allocate(number_prefix(profile.residence))[0],
        organisation=organisation,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        consented_at=now,
        public_display=public_display,
    )
    _apply_profile(volunteer, profile)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:  # the same document, registered a moment ago by someone else
        raise _taken_error() from None
    mark_dirty(now)  # a new registration for the reports' figures
    volunteer.skills.set(profile.skills)
    if actor is None:
        ConsentRecord.objects.create(
            volunteer=volunteer,
            purpose=ConsentRecord.Purpose.PRIVACY_NOTICE,
            notice_version=PRIVACY_NOTICE_VERSION,
            at=now,
        )
    else:
        ConsentRecord.objects.create(
            volunteer=volunteer,
            purpose=ConsentRecord.Purpose.ENTERED_BY_ORGANISATION,
            notice_version=PRIVACY_NOTICE_VERSION,
            note=consent_note[:200],
            at=now,
            recorded_by=actor,
        )
    if public_display:
        ConsentRecord.objects.create(
            volunteer=volunteer, purpose=ConsentRecord.Purpose.PUBLIC_DISPLAY, at=now
        )
    if profile.guardian is not None:
        _guardian_save(volunteer, profile.guardian, actor=actor, at=now)
    return volunteer


# --- self-service (PIPL arts. 45–47) -------------------------------------------------------


def own_record(actor: User, volunteer: Volunteer) -> None:
    """Only the volunteer acts on their own record (sign-ups, applications, requests)."""
    if volunteer.user_id != actor.pk or volunteer.is_closed:
        raise DomainError(_("This is not your volunteer record."), code="forbidden")


def current_values(volunteer: Volunteer) -> dict[str, Any]:
    """The record as the form and the API take it, with the full numbers (for its owner)."""
    return {
        "name": volunteer.name,
        "document_type": volunteer.document_type,
        "document_number": unseal(volunteer.document_sealed) if volunteer.document_sealed else "",
        "mobile": unseal(volunteer.mobile_sealed) if volunteer.mobile_sealed else "",
        "birth_date": volunteer.birth_date,
        "sex": volunteer.sex,
        "residence": volunteer.residence,
        "skills": list(volunteer.skills.all()),
        "availability": volunteer.availability,
        "campaign_lines": volunteer.campaign_lines,
        "kinds": volunteer.kinds,
        "political_status": volunteer.political_status,
        "education": volunteer.education,
        "national_number": volunteer.national_number,
    }


def _guardian_of(volunteer: Volunteer) -> Guardian | None:
    consent = GuardianConsent.objects.filter(volunteer=volunteer).first()
    if consent is None:
        return None
    return Guardian(consent.guardian_name, consent.relation, unseal(consent.phone_sealed), True)


@transaction.atomic
def volunteer_update(
    *,
    actor: User,
    volunteer: Volunteer,
    changes: dict[str, Any],
    guardian: Guardian | None = None,
    today: date | None = None,
) -> Volunteer:
    """The volunteer corrects their own record. The whole record is checked again."""
    own_record(actor, volunteer)
    today = today or timezone.localdate()
    data = {
        **current_values(volunteer),
        **{k: v for k, v in changes.items() if k in PROFILE_FIELDS},
    }
    profile = profile_check(data, today=today, guardian=guardian or _guardian_of(volunteer))
    if (
        profile.document_hash != volunteer.document_hash
        and Volunteer.objects.filter(document_hash=profile.document_hash).exists()
    ):
        raise _taken_error()
    before = _audit_view(volunteer)
    _apply_profile(volunteer, profile)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise _taken_error() from None
    volunteer.skills.set(profile.skills)
    if guardian is not None and profile.guardian is not None:
        _guardian_save(volunteer, guardian, actor=actor, at=timezone.now())
    if actor.name != volunteer.name:
        User.objects.filter(pk=actor.pk).update(name=volunteer.name)
    audit_record(
        actor=actor,
        organisation=volunteer.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=volunteer,
        before=before,
        after=_audit_view(volunteer),
    )
    return volunteer


def _audit_view(volunteer: Volunteer) -> dict[str, Any]:
    """What the audit log keeps of a change: masked numbers only."""
    return {
        "name": volunteer.name,
        "document_type": volunteer.document_type,
        "document_masked": volunteer.document_masked,
        "mobile_masked": volunteer.mobile_masked,
        "birth_date": str(volunteer.birth_date) if volunteer.birth_date else None,
        "sex": volunteer.sex,
        "residence": str(volunteer.residence),
        "availability": ",".join(volunteer.availability),
        "campaign_lines": ",".join(volunteer.campaign_lines),
        "kinds": ",".join(volunteer.kinds),
        "political_status": volunteer.political_status,
        "education": volunteer.education,
        "national_number": volunteer.national_number,
        "public_display": volunteer.public_display,
    }


@transaction.atomic
def public_display_set(*, actor: User, volunteer: Volunteer, allowed: bool) -> None:
    """The separate opt-in for honour rolls and photos (PIPL art. 25), and its withdrawal."""
    own_record(actor, volunteer)
    if volunteer.public_display == allowed:
        return
    volunteer.public_display = allowed
    volunteer.save(update_fields=["public_display", "updated_at"])
    ConsentRecord.objects.create(
        volunteer=volunteer, purpose=ConsentRecord.Purpose.PUBLIC_DISPLAY, granted=allowed
    )


def volunteer_data(volunteer: Volunteer) -> dict[str, Any]:
    """Everything kept about a volunteer, for their own download (PIPL art. 45)."""
    values = current_values(volunteer)
    guardian = GuardianConsent.objects.filter(volunteer=volunteer).first()
    return {
        "volunteer_number": volunteer.number,
        "national_volunteer_number": volunteer.national_number,
        "name": volunteer.name,
        "document_type": str(volunteer.get_document_type_display()),
        "document_number": values["document_number"],
        "mobile": values["mobile"],
        "sex": str(volunteer.get_sex_display()),
        "birth_date": volunteer.birth_date.isoformat() if volunteer.birth_date else None,
        "residence": volunteer.residence.full_name(),
        "skills": [skill.name for skill in values["skills"]],
        "availability": [str(Availability(c).label) for c in volunteer.availability],
        "campaign_lines": [str(CampaignLine(c).label) for c in volunteer.campaign_lines],
        "kinds": [str(VolunteerKind(c).label) for c in volunteer.kinds],
        "political_status": str(volunteer.get_political_status_display()),
        "education": str(volunteer.get_education_display()),
        "registered_with": volunteer.organisation.name,
        "registered_at": volunteer.created_at.isoformat(),
        "public_display": volunteer.public_display,
        "guardian": (
            {
                "name": guardian.guardian_name,
                "relation": str(guardian.get_relation_display()),
                "phone": unseal(guardian.phone_sealed),
                "consented_at": guardian.consented_at.isoformat(),
                "notice_version": guardian.notice_version,
            }
            if guardian
            else None
        ),
        "teams": [
            {"team": m.team.name, "joined_at": m.joined_at.isoformat()}
            for m in volunteer.team_memberships.select_related("team")
        ],
        "team_history": [
            {"team": e.team.name, "event": str(e.get_kind_display()), "at": e.at.isoformat()}
            for e in volunteer.team_events.select_related("team")
        ],
        "consents": [
            {
                "purpose": str(c.get_purpose_display()),
                "granted": c.granted,
                "notice_version": c.notice_version,
                "at": c.at.isoformat(),
            }
            for c in volunteer.consents.all()
        ],
    }


@transaction.atomic
def volunteer_close(*, actor: User, volunteer: Volunteer) -> None:
    """Close the account (PIPL art. 47): personal data is deleted, the anonymous row stays so
    that totals (how many registered, where, of what kind) keep adding up."""
    own_record(actor, volunteer)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    for membership in volunteer.team_memberships.all():
        TeamEvent.objects.create(
            volunteer=volunteer, team=membership.team, kind=TeamEvent.Kind.LEFT, actor=actor
        )
    volunteer.team_memberships.all().delete()
    volunteer.applications.filter(status=TeamApplication.Status.PENDING).update(
        status=TeamApplication.Status.WITHDRAWN, decided_at=timezone.now()
    )
    GuardianConsent.objects.filter(volunteer=volunteer).delete()
    volunteer.consents.update(note="")
    volunteer.skills.clear()
    Volunteer.objects.filter(pk=volunteer.pk).update(
        name="",
        document_sealed="",
        document_hash=None,
        document_masked="",
        mobile_sealed="",
        mobile_hash="",
        mobile_masked="",
        birth_date=None,
        sex=Sex.UNKNOWN,
        national_number="",
        political_status="",
        education="",
        public_display=False,
        user=None,
        status=Volunteer.Status.CLOSED,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    user = User.objects.get(pk=actor.pk)
    user.username = f"closed-{volunteer.pk}-{secrets.token_hex(4)}"
    user.name = user.first_name = user.last_name = user.email = user.mobile = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.access_tokens.all().delete()


# --- key rotation ------------------------------------------------------------------------


SEALED_FIELDS: list[tuple[type[Any], list[str]]] = [
    (Volunteer, ["document_sealed", "mobile_sealed"]),
    (GuardianConsent, ["phone_sealed"]),
]


def personal_data_reseal(*, batch_size: int = 1000) -> int:
    """Re-encrypt every value sealed with an older key in LEIFENG_DATA_KEYS with the first
    one, so that the old key can then be removed. Returns how many rows changed."""
    from django.db.models import Q

    from leifeng.core.crypto import current_key_id

    prefix = f"{current_key_id()}$"
    changed = 0
    for model, fields in SEALED_FIELDS:
        stale = Q()
        for name in fields:
            stale |= ~Q(**{name: ""}) & ~Q(**{f"{name}__startswith": prefix})
        while True:
            with transaction.atomic():
                rows = list(model.objects.select_for_update().filter(stale)[:batch_size])
                if not rows:
                    break
                for row in rows:
                    for name in fields:
                        value = getattr(row, name)
                        if value and not value.startswith(prefix):
                            setattr(row, name, seal(unseal(value)))
                model.objects.bulk_update(rows, fields)
                changed += len(rows)
    return changed


# --- staff: look-up and reveal ---------------------------------------------------------------


def find_by_document(
    qs: QuerySet[Volunteer], document_type: str, number: str
) -> QuerySet[Volunteer]:
    """Exact look-up by document number through the keyed hash (the plain number is never
    stored). Accepts the number as people type it; 15-digit numbers are upgraded."""
    from leifeng.volunteers.identity import normalise, upgrade_15

    raw = normalise(number)
    if document_type in ("", DocumentType.RESIDENT_ID) and len(raw) == 15 and raw.isdigit():
        raw = upgrade_15(raw)
    types = [document_type] if document_type else DocumentType.values
    return qs.filter(document_hash__in=[document_key(t, raw) for t in types])


def find_by_mobile(qs: QuerySet[Volunteer], mobile: str) -> QuerySet[Volunteer]:
    return qs.filter(mobile_hash=mobile_key(mobile.strip()))


REVEALABLE = {"document_number": "document_sealed", "mobile": "mobile_sealed"}


@transaction.atomic
def volunteer_reveal(*, actor: User, volunteer: Volunteer, what: str, reason: str) -> str:
    """Show one full number to staff who may manage the volunteer; every reveal is audited."""
    access.require(actor, access.MANAGE, volunteer)
    if what not in REVEALABLE:
        raise DomainError(_("Choose what to show."), code=INVALID, fields={"what": _("Unknown.")})
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Say why you need the full number."),
            code=INVALID,
            fields={"reason": _("Enter a reason.")},
        )
    sealed = getattr(volunteer, REVEALABLE[what])
    if not sealed:
        raise DomainError(_("There is no number to show."), code="not_found")
    audit_record(
        actor=actor,
        organisation=volunteer.organisation,
        action=AuditEntry.Action.REVEAL,
        obj=volunteer,
        after={"revealed": what, "reason": reason[:200]},
    )
    return unseal(sealed)


# --- teams -------------------------------------------------------------------------------


def _check_team(team: Organisation) -> None:
    if not team.is_team or not team.is_active:
        raise DomainError(_("Volunteers join volunteer teams only."), code=INVALID)


@transaction.atomic
def team_apply(
    *, actor: User, volunteer: Volunteer, team: Organisation, message: str = ""
) -> TeamApplication:
    own_record(actor, volunteer)
    _check_team(team)
    if TeamMembership.objects.filter(volunteer=volunteer, team=team).exists():
        raise DomainError(_("You are already in this team."), code="conflict")
    try:
        with transaction.atomic():
            application = TeamApplication.objects.create(
                volunteer=volunteer, team=team, message=message.strip()[:200]
            )
    except IntegrityError:
        raise DomainError(
            _("You have already applied; please wait for the team's answer."), code="conflict"
        ) from None
    TeamEvent.objects.create(
        volunteer=volunteer, team=team, kind=TeamEvent.Kind.APPLIED, actor=actor
    )
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: TeamApplication) -> None:
    own_record(actor, application.volunteer)
    _decide(application, TeamApplication.Status.WITHDRAWN, actor=actor, reason="")


@transaction.atomic
def application_decide(
    *, actor: User, application: TeamApplication, approve: bool, reason: str = ""
) -> TeamApplication:
    """The team leader or staff approve, or decline with a reason the volunteer sees."""
    access.require(actor, access.MANAGE, application)
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError(
            _("Say why the application is declined."),
            code=INVALID,
            fields={"reason": _("Enter a reason.")},
        )
    status = TeamApplication.Status.APPROVED if approve else TeamApplication.Status.DECLINED
    _decide(application, status, actor=actor, reason=reason)
    if approve:
        _join(application.volunteer, application.team, TeamMembership.Source.APPLIED)
    return application


def _decide(application: TeamApplication, status: str, *, actor: User, reason: str) -> None:
    updated = TeamApplication.objects.filter(
        pk=application.pk, status=TeamApplication.Status.PENDING
    ).update(status=status, reason=reason[:200], decided_at=timezone.now(), decided_by=actor)
    if not updated:
        raise DomainError(_("This application has already been decided."), code="conflict")
    application.refresh_from_db()
    kind = {
        TeamApplication.Status.APPROVED.value: TeamEvent.Kind.APPROVED,
        TeamApplication.Status.DECLINED.value: TeamEvent.Kind.DECLINED,
        TeamApplication.Status.WITHDRAWN.value: TeamEvent.Kind.WITHDRAWN,
    }[str(status)]
    TeamEvent.objects.create(
        volunteer=application.volunteer,
        team=application.team,
        kind=kind,
        reason=reason[:200],
        actor=actor,
    )


def _join(volunteer: Volunteer, team: Organisation, source: str) -> TeamMembership:
    membership, _created = TeamMembership.objects.get_or_create(
        volunteer=volunteer, team=team, defaults={"source": source}
    )
    return membership


@transaction.atomic
def team_add(
    *, actor: User, team: Organisation, volunteer: Volunteer, consent_note: str
) -> TeamMembership:
    """Staff put a volunteer in their team directly, recording how the volunteer agreed
    (办法 art. 6: an organisation enters data with the volunteer's consent)."""
    access.require(actor, access.MANAGE, team)
    _check_team(team)
    if volunteer.is_closed:
        raise DomainError(_("This volunteer's account is closed."), code="conflict")
    consent_note = consent_note.strip()
    if not consent_note:
        raise DomainError(
            _("Record how the volunteer agreed to join (e.g. signed form, phone call)."),
            code=INVALID,
            fields={"consent_note": _("Enter how the volunteer agreed.")},
        )
    if TeamMembership.objects.filter(volunteer=volunteer, team=team).exists():
        raise DomainError(_("This volunteer is already in the team."), code="conflict")
    membership = _join(volunteer, team, TeamMembership.Source.ADDED)
    ConsentRecord.objects.create(
        volunteer=volunteer,
        purpose=ConsentRecord.Purpose.TEAM_ADDED,
        note=consent_note[:200],
        recorded_by=actor,
    )
    TeamEvent.objects.create(
        volunteer=volunteer,
        team=team,
        kind=TeamEvent.Kind.ADDED,
        reason=consent_note[:200],
        actor=actor,
    )
    # A pending application to the same team is answered by the addition.
    TeamApplication.objects.filter(
        volunteer=volunteer, team=team, status=TeamApplication.Status.PENDING
    ).update(status=TeamApplication.Status.APPROVED, decided_at=timezone.now(), decided_by=actor)
    return membership


@transaction.atomic
def team_leave(*, actor: User, membership: TeamMembership, reason: str = "") -> None:
    """The volunteer leaves, or staff remove them (with a reason); the history stays."""
    is_self = membership.volunteer.user_id == actor.pk
    if not is_self:
        access.require(actor, access.MANAGE, membership)
        if not reason.strip():
            raise DomainError(
                _("Say why the volunteer is removed."),
                code=INVALID,
                fields={"reason": _("Enter a reason.")},
            )
    deleted, _rows = TeamMembership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        raise DomainError(_("The volunteer is no longer in this team."), code="conflict")
    TeamEvent.objects.create(
        volunteer=membership.volunteer,
        team=membership.team,
        kind=TeamEvent.Kind.LEFT if is_self else TeamEvent.Kind.REMOVED,
        reason=reason.strip()[:200],
        actor=actor,
    )


# --- account recovery --------------------------------------------------------------------


@transaction.atomic
def recovery_start(*, document_type: str, document_number: str, mobile: str) -> None:
    """Send a code to the registered mobile if document and mobile match a record. The answer
    is the same either way, so nobody learns whether a document is registered."""
    from leifeng.volunteers.identity import normalise

    volunteer = (
        find_by_document(
            Volunteer.objects.filter(status=Volunteer.Status.ACTIVE), document_type, document_number
        )
        .filter(mobile_hash=mobile_key(mobile.strip()))
        .first()
    )
    if volunteer is None or not normalise(document_number):
        return
    now = timezone.now()
    recent = RecoveryCode.objects.filter(
        volunteer=volunteer, created_at__gte=now - timedelta(hours=1)
    )
    if recent.count() >= RECOVERY_CODES_PER_HOUR:
        return  # each code allows a few guesses; fresh codes must not multiply them
    code = f"{secrets.randbelow(10**6):06d}"
    RecoveryCode.objects.filter(volunteer=volunteer, used_at__isnull=True).update(used_at=now)
    recovery = RecoveryCode.objects.create(
        volunteer=volunteer,
        code_hash=code_digest(code),
        expires_at=now + timedelta(minutes=RECOVERY_CODE_MINUTES),
    )
    sms_send(
        mobile=unseal(volunteer.mobile_sealed),
        kind=VERIFICATION_CODE,
        context={"code": code, "minutes": RECOVERY_CODE_MINUTES, "brand": settings.LEIFENG_BRAND},
        event_key=f"volunteers.recovery:{recovery.pk}",
    )


def recovery_finish(*, document_type: str, document_number: str, code: str, password: str) -> User:
    """With the right code: set a new password, creating the account for a volunteer who was
    registered by an organisation and never had one. Log in with the volunteer number."""
    wrong = DomainError(
        _("The code is wrong or has expired. Ask for a new one."),
        code=INVALID,
        fields={"code": _("Wrong or expired code.")},
    )
    _check_password(password)  # first: its answer must not depend on the document existing
    volunteer = find_by_document(
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE), document_type, document_number
    ).first()
    if volunteer is None:
        raise wrong
    with transaction.atomic():  # committed on its own, so a wrong guess is counted
        recovery = (
            RecoveryCode.objects.select_for_update()
            .filter(volunteer=volunteer, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if recovery is None or recovery.attempts >= RECOVERY_MAX_ATTEMPTS:
            raise wrong
        right = secrets.compare_digest(recovery.code_hash, code_digest(code))
        if right:
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
        else:
            RecoveryCode.objects.filter(pk=recovery.pk).update(attempts=F("attempts") + 1)
    if not right:
        raise wrong
    with transaction.atomic():
        user = volunteer.user or User(username=volunteer.number, name=volunteer.name)
        user.password = make_password(password)
        user.is_active = True
        user.save()
        if volunteer.user_id != user.pk:
            volunteer.user = user
            volunteer.save(update_fields=["user"])
    return user
