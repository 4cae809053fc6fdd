"""Service hours for apps: a volunteer reads their own record; staff confirm or reject claims
from attendance, credit hours served outside the platform, and reverse or correct a credit.

Every rule lives in services.py (the same services the web pages call); these routes parse,
fetch through `access`, call one service and answer. Hours travel as decimal text ("2.50"),
never as floating-point numbers; a request may send them as text or as a number.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BeforeValidator, Field, PlainSerializer

from leifeng.activities.api import Id, In, Moment, ReasonIn
from leifeng.core.api import ERRORS, Pagination
from leifeng.core.masking import mask_name
from leifeng.hours import certificates, imports, services
from leifeng.hours.models import (
    Certificate,
    CorrectionRequest,
    HoursClaim,
    HoursEntry,
    LateEntry,
    RecordItem,
    StarCertification,
)
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer

router = Router()

BULK_MAX = 200  # claims confirmed in one request, as on the web page


def _exact(value: Any) -> Any:
    """A JSON number arrives as a float: read it as the decimal it was written as."""
    if isinstance(value, float):
        return str(value)
    return value


# Hours sent: text or a number, at least half an hour, two decimals (as the web forms).
HoursIn = Annotated[
    Decimal,
    BeforeValidator(_exact),
    Field(ge=Decimal("0.5"), max_digits=6, decimal_places=2, description='e.g. "2.5"'),
]
# Hours answered: always text, e.g. "2.50" or "-2.50" for a reversal.
HoursText = Annotated[Decimal, PlainSerializer(lambda value: str(value), return_type=str)]


# --- answers -------------------------------------------------------------------------------


class RecordOut(Schema):
    total: HoursText
    stars_reached: int = Field(description="The star standard the total reaches")
    stars_certified: int = Field(description="The highest star level certified by staff")


class EntryOut(Schema):
    """A ledger line. A credit is never changed: a reversal (negative hours) takes it back."""

    id: int
    volunteer_id: int
    organisation_id: int
    organisation_name: str
    kind: str
    source: str
    activity_id: int | None
    content: str
    place: str
    started_at: datetime
    ended_at: datetime
    hours: HoursText
    reverses_id: int | None
    reversed: bool = Field(description="A credit taken back by a later reversal")
    reason: str
    recorded_at: datetime

    @staticmethod
    def resolve_organisation_name(obj: HoursEntry) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_reversed(obj: HoursEntry) -> bool:
        try:
            return obj.reversal is not None
        except HoursEntry.DoesNotExist:
            return False


class ClaimOut(Schema):
    """Checked-out attendance waiting for the organiser to confirm its hours."""

    id: int
    volunteer_id: int
    organisation_id: int
    activity_id: int
    activity_title: str
    started_at: datetime
    ended_at: datetime
    break_minutes: int
    proposed_hours: HoursText
    due_on: date = Field(description="Record by this day (10 working days after the activity)")
    overdue: bool
    status: str
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_activity_id(obj: HoursClaim) -> int:
        return obj.attendance.shift.activity_id

    @staticmethod
    def resolve_activity_title(obj: HoursClaim) -> str:
        return obj.attendance.shift.activity.title

    @staticmethod
    def resolve_overdue(obj: HoursClaim) -> bool:
        return obj.status == HoursClaim.Status.PENDING and obj.due_on < timezone.localdate()


class ManagedClaimOut(ClaimOut):
    """A claim as staff see it: the name masked, as on a shift's roster."""

    volunteer_name: str

    @staticmethod
    def resolve_volunteer_name(obj: HoursClaim) -> str:
        return mask_name(obj.volunteer.name)


class RefusedOut(Schema):
    claim_id: int
    message: str


class BulkOut(Schema):
    confirmed: list[int] = Field(description="The ledger entries credited")
    refused: list[RefusedOut]


# --- requests ------------------------------------------------------------------------------


class ConfirmIn(In):
    hours: HoursIn | None = Field(None, description="Other than the proposed hours: say why")
    reason: str = Field("", max_length=200)


class BulkConfirmIn(In):
    claim_ids: list[Id] = Field(min_length=1, max_length=BULK_MAX)


class CorrectIn(In):
    hours: HoursIn
    started_at: Moment
    ended_at: Moment
    reason: str = Field(max_length=200)


class CreditIn(In):
    organisation_id: Id = Field(description="Who records the hours certifies them")
    volunteer_id: Id
    content: str = Field(max_length=200)
    place: str = Field("", max_length=200)
    started_at: Moment
    ended_at: Moment
    hours: HoursIn
    reason: str = Field("", max_length=200)


# --- the volunteer -------------------------------------------------------------------------


def _mine(request: HttpRequest) -> Volunteer:
    """The logged-in user's own volunteer record, else 404 (as the web page)."""
    volunteer = getattr(request.auth, "volunteer", None)
    if volunteer is None or volunteer.is_closed:
        raise Http404
    return volunteer


def _entries() -> QuerySet[HoursEntry]:
    return HoursEntry.objects.select_related("organisation", "reversal")


def _claims() -> QuerySet[HoursClaim]:
    return HoursClaim.objects.select_related("volunteer", "attendance__shift__activity")


@router.get("/me", response={200: RecordOut, **ERRORS}, summary="My hours and star level")
def me(request: HttpRequest):
    return services.record_of(_mine(request))


@router.get(
    "/me/entries",
    response={200: list[EntryOut], **ERRORS},
    summary="My ledger entries, newest first",
)
@paginate(Pagination)
def my_entries(request: HttpRequest):
    _mine(request)
    return access.owned(_entries(), request.auth, "volunteer__user").order_by("-started_at", "-pk")


@router.get(
    "/me/claims",
    response={200: list[ClaimOut], **ERRORS},
    summary="My hours waiting for the organiser's confirmation",
)
def my_claims(request: HttpRequest):
    _mine(request)
    return access.owned(
        _claims().filter(status__in=[HoursClaim.Status.PENDING, HoursClaim.Status.LATE]),
        request.auth,
        "volunteer__user",
    ).order_by("due_on", "pk")


# --- staff: claims -------------------------------------------------------------------------


@router.get(
    "/claims",
    response={200: list[ManagedClaimOut], **ERRORS},
    summary="Claims waiting in my scope, the most urgent first",
)
@paginate(Pagination)
def claim_list(
    request: HttpRequest,
    overdue: Annotated[bool, Field(description="Only those past their record-by day")] = False,
):
    qs = access.scoped(_claims().filter(status=HoursClaim.Status.PENDING), request.auth)
    if overdue:
        qs = qs.filter(due_on__lt=timezone.localdate())
    return qs.order_by("due_on", "pk")


def _managed_claim(request: HttpRequest, claim_id: int) -> HoursClaim:
    return access.get_for(request.auth, _claims(), access.MANAGE, pk=claim_id)


@router.post(
    "/claims/confirm",
    response={200: BulkOut, **ERRORS},
    summary="Confirm many claims as proposed; each refused one says why",
)
def claims_confirm(request: HttpRequest, payload: BulkConfirmIn):
    wanted = list(dict.fromkeys(payload.claim_ids))
    # Only claims the user may decide: the service would refuse the others with a 403 for the
    # whole batch (it catches DomainError only); here each is answered "not found".
    mine = access.scoped(_claims(), request.auth, access.MANAGE)
    found = {claim.pk: claim for claim in mine.filter(pk__in=wanted)}
    result = services.claims_confirm(
        actor=request.auth, claims=[found[pk] for pk in wanted if pk in found]
    )
    refused = [{"claim_id": claim.pk, "message": message} for claim, message in result.refused]
    refused += [{"claim_id": pk, "message": _("Not found.")} for pk in wanted if pk not in found]
    return {"confirmed": [entry.pk for entry in result.confirmed], "refused": refused}


@router.post(
    "/claims/{int:claim_id}/confirm",
    response={200: EntryOut, **ERRORS},
    summary="Confirm a claim: the proposed hours, or other hours with a reason",
)
def claim_confirm(request: HttpRequest, claim_id: int, payload: ConfirmIn):
    claim = _managed_claim(request, claim_id)
    entry = services.claim_confirm(
        actor=request.auth, claim=claim, hours=payload.hours, reason=payload.reason
    )
    return _entries().get(pk=entry.pk)


@router.post(
    "/claims/{int:claim_id}/reject",
    response={200: ManagedClaimOut, **ERRORS},
    summary="Reject a claim, with a reason",
)
def claim_reject(request: HttpRequest, claim_id: int, payload: ReasonIn):
    claim = _managed_claim(request, claim_id)
    services.claim_reject(actor=request.auth, claim=claim, reason=payload.reason)
    return _claims().get(pk=claim.pk)


# --- staff: the ledger ---------------------------------------------------------------------


@router.get(
    "/entries",
    response={200: list[EntryOut], **ERRORS},
    summary="Ledger entries recorded in my scope, newest first",
)
@paginate(Pagination)
def entry_list(request: HttpRequest, volunteer_id: Id | None = None):
    qs = access.scoped(_entries(), request.auth)
    if volunteer_id is not None:
        qs = qs.filter(volunteer_id=volunteer_id)
    return qs.order_by("-started_at", "-pk")


@router.post(
    "/entries",
    response={201: EntryOut, **ERRORS},
    summary="Credit hours served outside the platform (refused if the time is credited)",
)
def entry_create(request: HttpRequest, payload: CreditIn):
    entry = services.manual_credit(actor=request.auth, **_credit_arguments(request, payload))
    return Status(201, _entries().get(pk=entry.pk))


def _credit_arguments(request: HttpRequest, payload: CreditIn) -> dict[str, Any]:
    """A credit's organisation and volunteer fetched through access, and its figures."""
    organisation, volunteer = _organisation_and_volunteer(
        request, payload.organisation_id, payload.volunteer_id
    )
    figures = payload.model_dump(exclude={"organisation_id", "volunteer_id"})
    return {"organisation": organisation, "volunteer": volunteer, **figures}


def _managed_credit(request: HttpRequest, entry_id: int) -> HoursEntry:
    """A credit in the user's scope they may change; a reversal is not itself corrected."""
    entry = access.get_for(
        request.auth, _entries().select_related("volunteer"), access.MANAGE, pk=entry_id
    )
    if entry.kind != HoursEntry.Kind.CREDIT:
        raise Http404
    return entry


@router.post(
    "/entries/{int:entry_id}/reverse",
    response={200: EntryOut, **ERRORS},
    summary="Take back a credit with a reason: answers the reversing entry",
)
def entry_reverse(request: HttpRequest, entry_id: int, payload: ReasonIn):
    entry = _managed_credit(request, entry_id)
    reversal = services.entry_reverse(actor=request.auth, entry=entry, reason=payload.reason)
    return _entries().get(pk=reversal.pk)


@router.post(
    "/entries/{int:entry_id}/correct",
    response={200: EntryOut, **ERRORS},
    summary="Correct a credit: it is reversed and the right figures credited (answered)",
)
def entry_correct(request: HttpRequest, entry_id: int, payload: CorrectIn):
    entry = _managed_credit(request, entry_id)
    corrected = services.entry_correct(
        actor=request.auth,
        entry=entry,
        hours=payload.hours,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        reason=payload.reason,
    )
    return _entries().get(pk=corrected.pk)


# --- late entries (补录) and imports -------------------------------------------------------


class LateOut(Schema):
    """Hours past the deadline, or imported: waiting for a second person's approval."""

    id: int
    volunteer_id: int
    volunteer_name: str
    organisation_id: int
    source: str
    claim_id: int | None
    batch_id: int | None
    content: str
    place: str
    started_at: datetime
    ended_at: datetime
    hours: HoursText
    reason: str = Field(description="Why late, or where imported records come from")
    requested_by_id: int
    requested_at: datetime
    status: str
    answer: str
    entry_id: int | None

    @staticmethod
    def resolve_volunteer_name(obj: LateEntry) -> str:
        return mask_name(obj.volunteer.name)


class LateIn(CreditIn):
    reason: str = Field(max_length=200, description="Why the hours are recorded late")


class LateConfirmIn(In):
    hours: HoursIn | None = Field(None, description="Other than the proposed hours")
    reason: str = Field(max_length=200, description="Why the claim is confirmed late")


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    added: int = Field(description="Rows now waiting for a second person's approval")
    already: int = Field(description="Rows already recorded: not added again")
    batch_id: int | None
    errors: list[RowErrorOut] = Field(description="Nothing is saved while there are errors")


def _late() -> QuerySet[LateEntry]:
    return LateEntry.objects.select_related("volunteer")


@router.get(
    "/late",
    response={200: list[LateOut], **ERRORS},
    summary="Late entries waiting for approval in my scope (oldest first)",
)
@paginate(Pagination)
def late_list(request: HttpRequest, batch_id: Id | None = None):
    qs = access.scoped(_late().filter(status=LateEntry.Status.PENDING), request.auth, access.MANAGE)
    if batch_id is not None:
        qs = qs.filter(batch_id=batch_id)
    return qs.order_by("requested_at", "pk")


@router.post(
    "/late",
    response={201: LateOut, **ERRORS},
    summary="Record hours past the 10 working days: they wait for a second person",
)
def late_create(request: HttpRequest, payload: LateIn):
    late = services.late_entry_request(actor=request.auth, **_credit_arguments(request, payload))
    return Status(201, _late().get(pk=late.pk))


def _managed_late(request: HttpRequest, late_id: int) -> LateEntry:
    return access.get_for(request.auth, _late(), access.MANAGE, pk=late_id)


@router.post(
    "/late/{int:late_id}/approve",
    response={200: EntryOut, **ERRORS},
    summary="Approve a late entry (not one you asked for): answers the ledger entry",
)
def late_approve(request: HttpRequest, late_id: int):
    entry = services.late_entry_approve(actor=request.auth, late=_managed_late(request, late_id))
    return _entries().get(pk=entry.pk)


@router.post(
    "/late/{int:late_id}/reject",
    response={200: LateOut, **ERRORS},
    summary="Reject a late entry, with a reason",
)
def late_reject(request: HttpRequest, late_id: int, payload: ReasonIn):
    late = _managed_late(request, late_id)
    services.late_entry_reject(actor=request.auth, late=late, reason=payload.reason)
    return _late().get(pk=late.pk)


@router.post(
    "/claims/{int:claim_id}/confirm-late",
    response={201: LateOut, **ERRORS},
    summary="Confirm an overdue claim: it waits as a late entry for a second person",
)
def claim_confirm_late(request: HttpRequest, claim_id: int, payload: LateConfirmIn):
    late = services.claim_confirm_late(
        actor=request.auth,
        claim=_managed_claim(request, claim_id),
        hours=payload.hours,
        reason=payload.reason,
    )
    return Status(201, _late().get(pk=late.pk))


@router.post(
    "/imports",
    response={200: ImportOut, 201: ImportOut, **ERRORS},
    summary="Import historical hours from .xlsx (the web page's template): 201 when rows were "
    "added, 200 with the row errors (nothing saved) or when all were already recorded",
)
def import_create(
    request: HttpRequest,
    organisation_id: Form[Id],
    reason: Form[Annotated[str, Field(max_length=200)]],
    file: File[UploadedFile],
):
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=organisation_id,
    )
    outcome = imports.hours_import(
        actor=request.auth, organisation=organisation, upload=file, reason=reason
    )
    body = {
        "rows": outcome.rows,
        "added": outcome.added,
        "already": outcome.already,
        "batch_id": outcome.batch.pk if outcome.batch else None,
        "errors": [error.as_dict() for error in outcome.errors],
    }
    return Status(201 if outcome.batch else 200, body)


# --- certificates --------------------------------------------------------------------------


class CertificateOut(Schema):
    number: str
    volunteer_id: int
    organisation_id: int | None = Field(description="Empty: printed by the volunteer")
    issuer_name: str
    hours: HoursText
    records: int
    first_on: date | None
    last_on: date | None
    issued_at: datetime
    pdf_url: str
    verify_url: str

    @staticmethod
    def resolve_pdf_url(obj: Certificate, context: Any) -> str:
        return context["request"].build_absolute_uri(
            reverse("hours:certificate-pdf", args=[obj.number])
        )

    @staticmethod
    def resolve_verify_url(obj: Certificate, context: Any) -> str:
        return context["request"].build_absolute_uri(
            reverse("hours:verify-number", args=[obj.number])
        )


class MyCertificateIn(In):
    entry_ids: list[Id] | None = Field(
        None,
        min_length=1,
        max_length=certificates.MAX_RECORDS,
        description="Omitted or null: all standing records",
    )


class IssueIn(In):
    organisation_id: Id = Field(description="Certifies the records it and its units keep")
    person_in_charge: str = Field("", max_length=50)
    contact: str = Field("", max_length=50)


class VerifyOut(Schema):
    """What anyone may learn from a certificate number; no personal data but a masked name."""

    status: str = Field(description="genuine, altered, unknown or malformed")
    number: str
    volunteer: str = ""
    issuer_name: str = ""
    issued_on: date | None = None
    hours: HoursText | None = None
    records: int | None = None
    first_on: date | None = None
    last_on: date | None = None
    corrected_since: int = Field(0, description="Records corrected after the issue")


@router.get(
    "/me/certificates",
    response={200: list[CertificateOut], **ERRORS},
    summary="My certificates, newest first",
)
@paginate(Pagination)
def my_certificates(request: HttpRequest):
    _mine(request)
    return access.owned(Certificate.objects.all(), request.auth, "volunteer__user")


@router.post(
    "/me/certificates",
    response={201: CertificateOut, **ERRORS},
    summary="Print a certificate of all or chosen standing records",
)
def my_certificate_create(request: HttpRequest, payload: MyCertificateIn):
    issued = certificates.certificate_issue(
        actor=request.auth, volunteer=_mine(request), entry_ids=payload.entry_ids
    )
    return Status(201, issued)


@router.post(
    "/volunteers/{int:volunteer_id}/certificates",
    response={201: CertificateOut, **ERRORS},
    summary="Issue a certificate for the records an organisation I manage keeps",
)
def certificate_create(request: HttpRequest, volunteer_id: int, payload: IssueIn):
    organisation, volunteer = _organisation_and_volunteer(
        request, payload.organisation_id, volunteer_id
    )
    issued = certificates.certificate_issue(
        actor=request.auth,
        volunteer=volunteer,
        organisation=organisation,
        person_in_charge=payload.person_in_charge,
        contact=payload.contact,
    )
    return Status(201, issued)


@router.get(
    "/certificates/verify",
    response={200: VerifyOut, **ERRORS},
    auth=None,
    summary="Verify a certificate number (public)",
)
def certificate_verify(request: HttpRequest, number: Annotated[str, Field(max_length=40)]):
    result = certificates.certificate_verify(number)
    body: dict[str, Any] = {"status": result.status, "number": number}
    if result.certificate is not None and result.status == certificates.GENUINE:
        issued = result.certificate
        body.update(
            volunteer=result.masked_name,
            issuer_name=issued.issuer_name,
            issued_on=timezone.localdate(issued.issued_at),
            hours=issued.hours,
            records=issued.records,
            first_on=issued.first_on,
            last_on=issued.last_on,
            corrected_since=result.corrected_since,
        )
    return body


# --- corrections asked by the volunteer (办法 art. 13) -------------------------------------


class CorrectionOut(Schema):
    id: int
    volunteer_id: int
    organisation_id: int
    entry_id: int | None = Field(description="Empty: a record that is missing")
    message: str
    status: str = Field(description="open, done (corrected) or declined (not corrected)")
    answer: str
    answered_at: datetime | None
    created_at: datetime


class CorrectionIn(In):
    message: str = Field(max_length=1000)
    entry_id: Id | None = Field(None, description="The wrong entry; empty for a missing one")
    organisation_id: Id | None = Field(
        None, description="For a missing record: the organisation that ran the service"
    )


class AnswerIn(In):
    corrected: bool
    answer: str = Field(max_length=200)


def _corrections() -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.all()


@router.get(
    "/me/corrections",
    response={200: list[CorrectionOut], **ERRORS},
    summary="My correction requests and their progress",
)
@paginate(Pagination)
def my_corrections(request: HttpRequest):
    _mine(request)
    return access.owned(_corrections(), request.auth, "volunteer__user")


@router.post(
    "/me/corrections",
    response={201: CorrectionOut, **ERRORS},
    summary="Report a wrong entry (to its recorder) or a missing record",
)
def my_correction_create(request: HttpRequest, payload: CorrectionIn):
    volunteer = _mine(request)
    entry = None
    if payload.entry_id is not None:
        entry = access.get_owned(
            request.auth, HoursEntry.objects.all(), "volunteer__user", pk=payload.entry_id
        )
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(
            is_active=True, pk=payload.organisation_id
        ).first()
        if organisation is None:
            raise Http404
    asked = services.correction_ask(
        actor=request.auth,
        volunteer=volunteer,
        message=payload.message,
        entry=entry,
        organisation=organisation,
    )
    return Status(201, asked)


@router.get(
    "/corrections",
    response={200: list[CorrectionOut], **ERRORS},
    summary="Open correction requests in my scope, oldest first",
)
@paginate(Pagination)
def correction_list(request: HttpRequest):
    return access.scoped(
        _corrections().filter(status=CorrectionRequest.Status.OPEN), request.auth
    ).order_by("created_at", "pk")


@router.post(
    "/corrections/{int:correction_id}/answer",
    response={200: CorrectionOut, **ERRORS},
    summary="Answer a request: corrected (with the ledger's tools first) or not",
)
def correction_answer(request: HttpRequest, correction_id: int, payload: AnswerIn):
    item = access.get_for(request.auth, _corrections(), access.MANAGE, pk=correction_id)
    return services.correction_answer(
        actor=request.auth, request=item, corrected=payload.corrected, answer=payload.answer
    )


# --- training, awards, evaluations and stars ------------------------------------------------


class ItemOut(Schema):
    id: int
    volunteer_id: int
    organisation_id: int
    kind: str = Field(description="training, award or evaluation")
    title: str
    detail: str
    issuer: str
    on: date
    hours: HoursText | None = Field(description="Learning hours of a training")
    rating: str = Field(description="An evaluation's: excellent, good, pass or poor")
    recorded_at: datetime


class ItemIn(In):
    organisation_id: Id = Field(description="The organisation that records it")
    kind: RecordItem.Kind
    title: str = Field(max_length=100)
    issuer: str = Field(max_length=100, description="The unit that held or granted it")
    on: date
    detail: str = Field("", max_length=500)
    hours: HoursIn | None = None
    rating: str = Field("", max_length=10)


class StarOut(Schema):
    id: int
    volunteer_id: int
    organisation_id: int
    level: int
    hours_at: HoursText
    note: str
    certified_at: datetime


class StarIn(In):
    organisation_id: Id
    level: int = Field(ge=1, le=5)
    note: str = Field("", max_length=200)


@router.get(
    "/me/items",
    response={200: list[ItemOut], **ERRORS},
    summary="My training, awards and evaluations",
)
@paginate(Pagination)
def my_items(request: HttpRequest):
    _mine(request)
    return access.owned(RecordItem.objects.all(), request.auth, "volunteer__user")


@router.get(
    "/me/stars",
    response={200: list[StarOut], **ERRORS},
    summary="My certified star levels",
)
def my_stars(request: HttpRequest):
    _mine(request)
    return access.owned(StarCertification.objects.all(), request.auth, "volunteer__user")


def _organisation_and_volunteer(
    request: HttpRequest, organisation_id: int, volunteer_id: int
) -> tuple[Organisation, Volunteer]:
    volunteer = access.get_for(request.auth, Volunteer.objects.all(), pk=volunteer_id)
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=organisation_id,
    )
    return organisation, volunteer


@router.post(
    "/volunteers/{int:volunteer_id}/items",
    response={201: ItemOut, **ERRORS},
    summary="Record a training, award or evaluation for a volunteer",
)
def item_create(request: HttpRequest, volunteer_id: int, payload: ItemIn):
    organisation, volunteer = _organisation_and_volunteer(
        request, payload.organisation_id, volunteer_id
    )
    item = services.record_item_add(
        actor=request.auth,
        organisation=organisation,
        volunteer=volunteer,
        kind=payload.kind,
        title=payload.title,
        issuer=payload.issuer,
        on=payload.on,
        detail=payload.detail,
        hours=payload.hours,
        rating=payload.rating,
    )
    return Status(201, RecordItem.objects.get(pk=item.pk))  # hours as stored: "4.00"


@router.post(
    "/volunteers/{int:volunteer_id}/stars",
    response={201: StarOut, **ERRORS},
    summary="Certify a star level the volunteer's hours reach",
)
def star_create(request: HttpRequest, volunteer_id: int, payload: StarIn):
    organisation, volunteer = _organisation_and_volunteer(
        request, payload.organisation_id, volunteer_id
    )
    certified = services.stars_certify(
        actor=request.auth,
        organisation=organisation,
        volunteer=volunteer,
        level=payload.level,
        note=payload.note,
    )
    return Status(201, certified)
