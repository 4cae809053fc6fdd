"""Residents' orders for apps (群众点单、中心派单、志愿者接单、群众评单).

Residents, without an account, read the menu and the receiving centers, ask for a code on
their phone, order with it, and rate the service with the token from the link they were sent;
what they are answered carries no personal data. Staff list and follow the orders in their
scope, verify, dispatch, open, take for a member and cancel them, and keep the menu and the
register of people served regularly. Volunteers see the orders open to them nearby, take them,
serve and finish them.

Every rule lives in services.py (the same services the pages call); these routes parse, fetch
through `access`, call one service and answer. The resident's phone is answered only as
services.contact_for allows (the taker while serving, the receiving center's staff), masked
everywhere else; the sealed number and the rating token never leave the server.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from leifeng.activities.api import Id, In, ReasonIn
from leifeng.activities.codes import ServedGroup
from leifeng.core.api import ERRORS, Pagination
from leifeng.core.errors import DomainError
from leifeng.demands import services
from leifeng.demands.models import Beneficiary, Category, MenuItem, Order, OrderEvent
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.selectors import my_volunteer

router = Router()

S = Order.Status
CategoryCode = Literal[tuple(Category.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(S.values)]  # type: ignore[valid-type]
GroupCode = Literal[tuple(ServedGroup.values)]  # type: ignore[valid-type]
# An order number as services._number writes it (D + date + six digits); a pattern keeps
# stray characters (a NUL) out of the look-up.
Number = Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,20}$")]
CANDIDATES_SHOWN = 20
# An order waits for staff (verify, dispatch, take) until it is taken; past its step's
# deadline it is overdue. The same steps as services.board and services.orders_escalate.


def _invalid(field: str) -> DomainError:
    return DomainError(
        _("Please correct the marked fields."),
        code="invalid",
        fields={field: _("Choose one of the allowed values.")},
    )


def _township(township_id: int) -> Region:
    township = Region.objects.filter(pk=township_id, level=Region.Level.TOWNSHIP).first()
    if township is None:
        raise _invalid("township_id")
    return township


def _offered() -> QuerySet[MenuItem]:
    """The menu residents see: services on offer from active organisations."""
    return MenuItem.objects.filter(is_active=True, organisation__is_active=True).select_related(
        "organisation"
    )


def _menu_item(item_id: int | None) -> MenuItem | None:
    if item_id is None:
        return None
    item = _offered().filter(pk=item_id).first()
    if item is None:
        raise _invalid("menu_item_id")
    return item


RELATED = ("receiver", "organisation", "township", "taker", "taker_team", "menu_item")


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related(*RELATED)


def _mine(request: HttpRequest) -> Volunteer:
    """The logged-in user's own open volunteer record, else 404 (as the page)."""
    volunteer = my_volunteer(request.auth)
    if volunteer is None:
        raise Http404
    return volunteer


def _seen(request: HttpRequest, order_id: int) -> Order:
    """An order the user may see, else 404: in their scope, or, as a volunteer, the one they
    took or one open to them nearby (as the order's page). What they may do with it, the
    services decide (403, or 404 where the order's organisations are out of their sight)."""
    order = get_object_or_404(_orders(), pk=order_id)
    if not services.order_visible(request.auth, order):
        raise Http404
    return order


# --- answers -------------------------------------------------------------------------------


class MenuItemOut(Schema):
    """A service on offer, as residents see it."""

    id: int
    organisation_id: int
    organisation_name: str
    category: str
    title: str
    description: str
    area: str = Field(description="The places it serves")
    times: str = Field(description="When it is offered")

    @staticmethod
    def resolve_organisation_name(obj: MenuItem) -> str:
        return obj.organisation.name


class MenuItemManageOut(MenuItemOut):
    is_active: bool = Field(description="Offered now (shown on the public menu)")
    created_at: datetime
    updated_at: datetime


class CenterOut(Schema):
    """A practice center, institute or station that receives residents' orders."""

    id: int
    name: str
    kind: str
    region_id: int
    region_name: str

    @staticmethod
    def resolve_region_name(obj: Organisation) -> str:
        return obj.region.name


class PlacedOut(Schema):
    """What a resident is told: the number to quote, and where the order stands."""

    number: str
    status: str


class OrderOut(Schema):
    """An order in a list: the resident's phone masked."""

    id: int
    number: str
    status: str
    channel: str = Field(description="online (ordered on a phone) or staff (recorded)")
    category: str
    menu_item_id: int | None
    description: str
    township_id: int
    township_name: str
    address: str
    preferred_time: str
    contact_name: str
    contact: str = Field(description="The resident's phone")
    receiver_id: int
    receiver_name: str
    organisation_id: int = Field(description="Who holds the order now")
    organisation_name: str
    escalated_to_id: int | None = Field(description="Overdue: the organisation told")
    step_due_at: datetime | None = Field(description="When the step it waits for is due")
    overdue: bool
    taker_id: int | None
    taker_name: str = Field(description="The volunteer serving it, masked")
    taker_team_id: int | None
    beneficiary_id: int | None
    reason: str = Field(description="Why it was not accepted or was cancelled")
    rating: int | None = Field(description="5 very satisfied … 1 very dissatisfied")
    follow_up: bool = Field(description="A low rating waits for the center's follow-up")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_township_name(obj: Order) -> str:
        return obj.township.name

    @staticmethod
    def resolve_contact(obj: Order) -> str:
        return obj.contact_masked

    @staticmethod
    def resolve_receiver_name(obj: Order) -> str:
        return obj.receiver.name

    @staticmethod
    def resolve_organisation_name(obj: Order) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_overdue(obj: Order) -> bool:
        return obj.is_overdue(timezone.now())

    @staticmethod
    def resolve_taker_name(obj: Order) -> str:
        return obj.taker.public_name if obj.taker else ""


class EventOut(Schema):
    """One move of an order: from and to which state, by whom, when and why."""

    from_status: str
    to_status: str
    organisation_id: int | None
    organisation_name: str
    actor_name: str
    note: str
    at: datetime

    @staticmethod
    def resolve_organisation_name(obj: OrderEvent) -> str:
        return obj.organisation.name if obj.organisation else ""

    @staticmethod
    def resolve_actor_name(obj: OrderEvent) -> str:
        return str(obj.actor) if obj.actor else ""


class OrderDetailOut(OrderOut):
    """One order and its history. `contact` is the resident's phone in full for the volunteer
    serving it and for the receiving center's staff, masked for everyone else."""

    menu_item_title: str
    done_note: str
    rating_comment: str
    rated_at: datetime | None
    follow_up_note: str
    accepted_at: datetime | None
    done_at: datetime | None
    events: list[EventOut]

    @staticmethod
    def resolve_contact(obj: Order, context: Any) -> str:
        return services.contact_for(context["request"].auth, obj)

    @staticmethod
    def resolve_menu_item_title(obj: Order) -> str:
        return obj.menu_item.title if obj.menu_item else ""

    @staticmethod
    def resolve_events(obj: Order) -> list[OrderEvent]:
        return list(obj.events.select_related("actor", "organisation"))


class CandidateOut(Schema):
    """Where the order could be dispatched; the platform suggests, staff decide."""

    id: int
    name: str
    kind: str
    score: int
    why: list[str]


class BoardOut(Schema):
    """Figures for an organisation's subtree."""

    by_state: dict[str, int] = Field(description="Orders per status")
    total: int
    overdue: int
    escalated: int
    hours_to_take: float | None = Field(description="Average hours from order to taken")
    hours_to_serve: float | None = Field(description="Average hours from order to served")
    rated: int
    satisfied: int = Field(description="Rated satisfied or very satisfied")
    unrated: int = Field(description="Closed without a rating")
    follow_ups: int = Field(description="Low ratings waiting for a follow-up")


class BeneficiaryOut(Schema):
    """A resident served regularly, kept with their consent; the mobile masked."""

    id: int
    organisation_id: int
    name: str
    group: str
    mobile: str
    township_id: int
    township_name: str
    address: str
    needs: str
    consent_note: str
    consented_at: datetime
    is_active: bool

    @staticmethod
    def resolve_mobile(obj: Beneficiary) -> str:
        return obj.mobile_masked

    @staticmethod
    def resolve_township_name(obj: Beneficiary) -> str:
        return obj.township.name


# --- requests ------------------------------------------------------------------------------


class CodeIn(In):
    mobile: str = Field(max_length=20, description="The resident's mobile number")


class OrderIn(In):
    """What is needed, where and whom to call."""

    category: CategoryCode | None = Field(
        None, description="Absent when ordering a menu item: the item's category"
    )
    menu_item_id: Id | None = Field(None, description="A service from the menu")
    description: str = Field(max_length=1000, description="What help is needed")
    township_id: Id = Field(description="The township or street")
    address: str = Field(max_length=200)
    preferred_time: str = Field("", max_length=100)
    contact_name: str = Field(max_length=50, description="The person to call")


class PlaceIn(OrderIn):
    receiver_id: Id = Field(description="A receiving center, institute or station (/centers)")
    mobile: str = Field(max_length=20)
    code: str = Field(max_length=6, description="The code sent to the mobile (/code)")


class RecordIn(OrderIn):
    receiver_id: Id = Field(description="The center, institute or station that received it")
    mobile: str = Field("", max_length=20, description="Empty: the register's number")
    beneficiary_id: Id | None = Field(None, description="A resident from the register")


class RateIn(In):
    token: str = Field(min_length=1, max_length=64, description="From the link sent by SMS")
    rating: int = Field(ge=1, le=5, description="5 very satisfied … 1 very dissatisfied")
    comment: str = Field("", max_length=500)


class NoteIn(In):
    note: str = Field("", max_length=500)


class DispatchIn(In):
    to_id: Id = Field(description="An institute, station or team below the order's holder")
    note: str = Field("", max_length=500)


class TakeIn(In):
    volunteer_id: Id | None = Field(
        None, description="The member who will serve; absent: yourself (your volunteer record)"
    )
    team_id: Id | None = Field(
        None,
        description="The team or unit below the order's holder that takes it; absent: the holder",
    )


class FinishIn(In):
    note: str = Field(max_length=1000, description="What was done")


class FollowUpIn(In):
    note: str = Field(max_length=500, description="What the follow-up found")


class MenuItemIn(In):
    category: CategoryCode
    title: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)
    area: str = Field(min_length=1, max_length=200, description="The places it serves")
    times: str = Field(min_length=1, max_length=100, description="When it is offered")
    is_active: bool = True


class MenuItemCreateIn(MenuItemIn):
    organisation_id: Id = Field(description="A center, institute, station or team")


class BeneficiaryIn(In):
    organisation_id: Id = Field(description="The organisation that keeps the record")
    name: str = Field(max_length=50)
    group: GroupCode
    mobile: str = Field("", max_length=20)
    township_id: Id
    address: str = Field(max_length=200)
    needs: str = Field("", max_length=200, description="Regular needs")
    consent_note: str = Field(
        max_length=200, description="How and when they (or their guardian) agreed"
    )


def _order_data(payload: OrderIn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": payload.description,
        "township": _township(payload.township_id),
        "address": payload.address,
        "preferred_time": payload.preferred_time,
        "contact_name": payload.contact_name,
    }
    if payload.category is not None:
        data["category"] = payload.category
    return data


# --- residents (no account) ----------------------------------------------------------------


@router.get(
    "/menu",
    auth=None,
    response={200: list[MenuItemOut], **ERRORS},
    summary="The services on offer, to order from",
)
@paginate(Pagination)
def menu(request: HttpRequest, category: CategoryCode | None = None):
    items = _offered()
    if category:
        items = items.filter(category=category)
    return items.order_by("organisation__path", "category", "pk")


@router.get(
    "/centers",
    auth=None,
    response={200: list[CenterOut], **ERRORS},
    summary="Where residents can send an order: centers, institutes and stations",
)
@paginate(Pagination)
def centers(
    request: HttpRequest,
    region_id: Annotated[Id | None, Field(description="In a county or township")] = None,
):
    qs = services.receiving_centers().select_related("region")
    if region_id is not None:
        region = get_object_or_404(Region, pk=region_id)
        qs = qs.filter(region__path__startswith=region.path)
    return qs.order_by("path")


@router.post(
    "/code",
    auth=None,
    response={204: None, **ERRORS},
    summary="Send a code to the resident's phone, to order with (a few per hour)",
)
def code_send(request: HttpRequest, payload: CodeIn):
    services.phone_code_send(mobile=payload.mobile)
    return Status(204, None)


@router.post(
    "/orders",
    auth=None,
    response={201: PlacedOut, **ERRORS},
    summary="Order help with the code sent to the phone; the center verifies it",
)
def order_place(request: HttpRequest, payload: PlaceIn):
    receiver = services.receiving_centers().filter(pk=payload.receiver_id).first()
    if receiver is None:
        raise _invalid("receiver_id")
    order = services.order_submit(
        receiver=receiver,
        mobile=payload.mobile,
        code=payload.code,
        data=_order_data(payload),
        menu_item=_menu_item(payload.menu_item_id),
    )
    return Status(201, {"number": order.number, "status": order.status})


@router.post(
    "/orders/{number}/rate",
    auth=None,
    response={200: PlacedOut, **ERRORS},
    summary="Rate the service with the token from the link sent by SMS",
)
def order_rate(request: HttpRequest, number: Number, payload: RateIn):
    # Number and token together, as the rating page: a wrong one tells nothing about the other.
    order = get_object_or_404(Order, number=number, rating_token=payload.token)
    order = services.order_rate(
        order=order, token=payload.token, rating=payload.rating, comment=payload.comment
    )
    return {"number": order.number, "status": order.status}


# --- staff: orders -------------------------------------------------------------------------


def _detail(order: Order) -> Order:
    """The order as it is now, for the answer."""
    return _orders().get(pk=order.pk)


@router.get(
    "/orders",
    response={200: list[OrderOut], **ERRORS},
    summary="Orders in my scope: newest first, or the most urgent first",
)
@paginate(Pagination)
def order_list(
    request: HttpRequest,
    status: StatusCode | None = None,
    overdue: Annotated[bool, Field(description="Only those past their step's deadline")] = False,
    follow_up: Annotated[bool, Field(description="Only low ratings to follow up")] = False,
    sort: Annotated[
        Literal["newest", "urgent"],
        Field(description="newest: by order time; urgent: the nearest deadline first"),
    ] = "newest",
):
    qs = access.scoped(_orders(), request.auth)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.overdue(timezone.now())
    if follow_up:
        qs = qs.filter(follow_up=True)
    if sort == "urgent":
        return qs.order_by(F("step_due_at").asc(nulls_last=True), "pk")
    return qs.order_by("-created_at", "-pk")


@router.post(
    "/orders/record",
    response={201: OrderDetailOut, **ERRORS},
    summary="Record an order for someone who called or walked in, or from the register",
)
def order_record(request: HttpRequest, payload: RecordIn):
    receiver = access.get_for(
        request.auth, services.receiving_centers(), access.MANAGE, pk=payload.receiver_id
    )
    beneficiary = None
    if payload.beneficiary_id is not None:
        beneficiary = access.get_for(
            request.auth, Beneficiary.objects.filter(is_active=True), pk=payload.beneficiary_id
        )
    order = services.order_record(
        actor=request.auth,
        receiver=receiver,
        mobile=payload.mobile,
        data=_order_data(payload),
        menu_item=_menu_item(payload.menu_item_id),
        beneficiary=beneficiary,
    )
    return Status(201, _detail(order))


@router.get(
    "/orders/{int:order_id}",
    response={200: OrderDetailOut, **ERRORS},
    summary="One order and its history (staff in scope, its volunteer, or one who may take it)",
)
def order_detail(request: HttpRequest, order_id: int):
    return _seen(request, order_id)


@router.get(
    "/orders/{int:order_id}/candidates",
    response={200: list[CandidateOut], **ERRORS},
    summary="Where to dispatch it: units below its holder, best placed first",
)
def order_candidates(request: HttpRequest, order_id: int):
    order = access.get_for(request.auth, _orders(), access.MANAGE, pk=order_id)
    ranked = services.dispatch_candidates(order, request.auth)[:CANDIDATES_SHOWN]
    return [
        {"id": unit.pk, "name": unit.name, "kind": unit.kind, "score": score, "why": why}
        for unit, score, why in ranked
    ]


@router.post(
    "/orders/{int:order_id}/verify",
    response={200: OrderDetailOut, **ERRORS},
    summary="The receiving center verifies the need is real and fit for volunteers",
)
def order_verify(request: HttpRequest, order_id: int, payload: NoteIn):
    order = _seen(request, order_id)
    return _detail(services.order_verify(actor=request.auth, order=order, note=payload.note))


@router.post(
    "/orders/{int:order_id}/reject",
    response={200: OrderDetailOut, **ERRORS},
    summary="Do not accept an order, with a reason the resident is told",
)
def order_reject(request: HttpRequest, order_id: int, payload: ReasonIn):
    order = _seen(request, order_id)
    return _detail(services.order_reject(actor=request.auth, order=order, reason=payload.reason))


@router.post(
    "/orders/{int:order_id}/dispatch",
    response={200: OrderDetailOut, **ERRORS},
    summary="Dispatch a verified order to a unit below its holder",
)
def order_dispatch(request: HttpRequest, order_id: int, payload: DispatchIn):
    order = _seen(request, order_id)
    to = access.get_for(request.auth, Organisation.objects.filter(is_active=True), pk=payload.to_id)
    moved = services.order_dispatch(actor=request.auth, order=order, to=to, note=payload.note)
    return _detail(moved)


@router.post(
    "/orders/{int:order_id}/open",
    response={200: OrderDetailOut, **ERRORS},
    summary="Open a verified order for the teams and volunteers nearby to take",
)
def order_open(request: HttpRequest, order_id: int, payload: NoteIn):
    order = _seen(request, order_id)
    return _detail(services.order_open(actor=request.auth, order=order, note=payload.note))


@router.post(
    "/orders/{int:order_id}/take",
    response={200: OrderDetailOut, **ERRORS},
    summary="Take the order: for yourself, or as a team's leader or staff for a member",
)
def order_take(request: HttpRequest, order_id: int, payload: TakeIn):
    order = _seen(request, order_id)
    mine = my_volunteer(request.auth)
    volunteer: Volunteer | None = mine
    if payload.volunteer_id is not None and (mine is None or mine.pk != payload.volunteer_id):
        # An active volunteer in the user's sight, as the page offers; the service checks
        # they belong to the team.
        volunteer = access.get_for(
            request.auth,
            Volunteer.objects.filter(status=Volunteer.Status.ACTIVE),
            pk=payload.volunteer_id,
        )
    team = None
    if payload.team_id is not None:
        team = access.get_for(
            request.auth, Organisation.objects.filter(is_active=True), pk=payload.team_id
        )
    taken = services.order_take(actor=request.auth, order=order, volunteer=volunteer, team=team)
    return _detail(taken)


@router.post(
    "/orders/{int:order_id}/decline",
    response={200: OrderDetailOut, **ERRORS},
    summary="Give the order back to the receiving center, with a reason (never forced)",
)
def order_decline(request: HttpRequest, order_id: int, payload: ReasonIn):
    order = _seen(request, order_id)
    return _detail(services.order_decline(actor=request.auth, order=order, reason=payload.reason))


@router.post(
    "/orders/{int:order_id}/start",
    response={200: OrderDetailOut, **ERRORS},
    summary="The volunteer arrives and checks in: the service counts as hours",
)
def order_start(request: HttpRequest, order_id: int):
    order = _seen(request, order_id)
    return _detail(services.order_start(actor=request.auth, order=order))


@router.post(
    "/orders/{int:order_id}/finish",
    response={200: OrderDetailOut, **ERRORS},
    summary="The volunteer checks out and says what was done; the resident is asked to rate",
)
def order_finish(request: HttpRequest, order_id: int, payload: FinishIn):
    order = _seen(request, order_id)
    return _detail(services.order_finish(actor=request.auth, order=order, note=payload.note))


@router.post(
    "/orders/{int:order_id}/cancel",
    response={200: OrderDetailOut, **ERRORS},
    summary="Cancel an order before the service starts, with a reason the resident is told",
)
def order_cancel(request: HttpRequest, order_id: int, payload: ReasonIn):
    order = _seen(request, order_id)
    return _detail(services.order_cancel(actor=request.auth, order=order, reason=payload.reason))


@router.post(
    "/orders/{int:order_id}/follow-up",
    response={200: OrderDetailOut, **ERRORS},
    summary="Record the receiving center's follow-up of a low rating",
)
def order_follow_up(request: HttpRequest, order_id: int, payload: FollowUpIn):
    order = _seen(request, order_id)
    return _detail(services.follow_up_record(actor=request.auth, order=order, note=payload.note))


@router.get(
    "/board",
    response={200: BoardOut, **ERRORS},
    summary="Figures for an organisation's subtree: states, overdue, times, satisfaction",
)
def board(request: HttpRequest, organisation_id: Id):
    organisation = access.get_for(
        request.auth, Organisation.objects.filter(is_active=True), pk=organisation_id
    )
    return services.board(request.auth, organisation)


# --- the volunteer -------------------------------------------------------------------------


@router.get(
    "/me/open",
    response={200: list[OrderOut], **ERRORS},
    summary="Orders open for me to take nearby, the most urgent first",
)
@paginate(Pagination)
def my_open(request: HttpRequest):
    volunteer = _mine(request)
    return (
        services.takeable(volunteer)
        .select_related(*RELATED)
        .order_by(F("step_due_at").asc(nulls_last=True), "pk")
    )


@router.get(
    "/me/taken",
    response={200: list[OrderOut], **ERRORS},
    summary="Orders I took, newest first",
)
@paginate(Pagination)
def my_taken(request: HttpRequest):
    _mine(request)
    return access.owned(_orders(), request.auth, "taker__user").order_by("-created_at", "-pk")


# --- the menu and the register --------------------------------------------------------------


@router.get(
    "/menu-items",
    response={200: list[MenuItemManageOut], **ERRORS},
    summary="Menu items in my scope, offered now or not",
)
@paginate(Pagination)
def menu_item_list(
    request: HttpRequest,
    organisation_id: Annotated[Id | None, Field(description="Offered by this one")] = None,
):
    qs = access.scoped(MenuItem.objects.select_related("organisation"), request.auth)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("organisation__path", "category", "pk")


def _menu_data(payload: MenuItemIn, organisation: Organisation) -> dict[str, Any]:
    return {"organisation": organisation, **payload.dict(exclude={"organisation_id"})}


@router.post(
    "/menu-items",
    response={201: MenuItemManageOut, **ERRORS},
    summary="Publish a service on an organisation's menu",
)
def menu_item_create(request: HttpRequest, payload: MenuItemCreateIn):
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=payload.organisation_id,
    )
    item = services.menu_item_save(actor=request.auth, data=_menu_data(payload, organisation))
    return Status(201, item)


@router.put(
    "/menu-items/{int:item_id}",
    response={200: MenuItemManageOut, **ERRORS},
    summary="Change a menu item (send every field), or stop offering it",
)
def menu_item_update(request: HttpRequest, item_id: int, payload: MenuItemIn):
    item = access.get_for(
        request.auth, MenuItem.objects.select_related("organisation"), access.MANAGE, pk=item_id
    )
    return services.menu_item_save(
        actor=request.auth, data=_menu_data(payload, item.organisation), item=item
    )


def _beneficiaries() -> QuerySet[Beneficiary]:
    return Beneficiary.objects.select_related("township")


@router.get(
    "/beneficiaries",
    response={200: list[BeneficiaryOut], **ERRORS},
    summary="People served regularly in my scope (mobiles masked)",
)
@paginate(Pagination)
def beneficiary_list(request: HttpRequest):
    qs = access.scoped(_beneficiaries().filter(is_active=True), request.auth)
    return qs.order_by("name", "pk")


@router.post(
    "/beneficiaries",
    response={201: BeneficiaryOut, **ERRORS},
    summary="Keep a resident in the register, with their consent",
)
def beneficiary_create(request: HttpRequest, payload: BeneficiaryIn):
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=payload.organisation_id,
    )
    data = payload.dict(exclude={"organisation_id", "township_id", "mobile"})
    data.update(organisation=organisation, township=_township(payload.township_id))
    kept = services.beneficiary_add(actor=request.auth, data=data, mobile=payload.mobile)
    return Status(201, _beneficiaries().get(pk=kept.pk))
