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
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator, Field, PlainSerializer

from leifeng.activities.api import Id, In, Moment
from leifeng.core.api import ERRORS, Pagination
from leifeng.core.masking import mask_name
from leifeng.hours import services
from leifeng.hours.models import HoursClaim, HoursEntry
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


class ReasonIn(In):
    reason: str = Field(max_length=200)


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
        _claims().filter(status=HoursClaim.Status.PENDING), request.auth, "volunteer__user"
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
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=payload.organisation_id,
    )
    volunteer = access.get_for(request.auth, Volunteer.objects.all(), pk=payload.volunteer_id)
    entry = services.manual_credit(
        actor=request.auth,
        organisation=organisation,
        volunteer=volunteer,
        content=payload.content,
        place=payload.place,
        started_at=payload.started_at,
        ended_at=payload.ended_at,
        hours=payload.hours,
        reason=payload.reason,
    )
    return Status(201, _entries().get(pk=entry.pk))


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
