"""Pages for residents' orders: residents order on a phone and rate the service; staff verify,
dispatch, follow the board and keep the menu and the register; volunteers take and serve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.files import stored_file
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.demands import services
from leifeng.demands.forms import (
    BeneficiaryForm,
    DispatchForm,
    MenuItemForm,
    NoteForm,
    PhoneOrderForm,
    RateForm,
    ReasonForm,
    StaffOrderForm,
    TakeForm,
)
from leifeng.demands.models import FINAL, MOVES, Beneficiary, MenuItem, Order, OrderPhoto
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import TeamMembership, Volunteer
from leifeng.volunteers.selectors import my_volunteer

S = Order.Status
ORDER_FIELDS = ["category", "description", "township", "address", "preferred_time", "contact_name"]


# --- residents ------------------------------------------------------------------------------


@login_not_required
def menu(request: HttpRequest) -> HttpResponse:
    """The services on offer, by organisation, to order from."""
    items = MenuItem.objects.filter(is_active=True, organisation__is_active=True).select_related(
        "organisation"
    )
    category = request.GET.get("category", "")
    if category:
        items = items.filter(category=category)
    return render(
        request,
        "demands/menu.html",
        {"page": paginate(request, items.order_by("organisation__path", "category", "pk"))},
    )


@login_not_required
def order_new(request: HttpRequest) -> HttpResponse:
    """A resident orders on a phone: fill in, get a code by SMS, send (no account needed)."""
    item = None
    if request.GET.get("item", "").isdigit():
        item = MenuItem.objects.filter(is_active=True, pk=request.GET["item"]).first()
    initial = {"category": item.category, "receiver": item.organisation} if item else {}
    receivers = services.receiving_centers().order_by("path")
    form = PhoneOrderForm(request.POST or None, initial=initial, receivers=receivers)
    code_sent = request.POST.get("code_sent") == "1"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "send_code" in request.POST:
                services.phone_code_send(mobile=data["mobile"])
                code_sent = True
                messages.success(request, _("A code was sent to your phone."))
            else:
                order = services.order_submit(
                    receiver=data["receiver"],
                    mobile=data["mobile"],
                    code=data.get("code") or "",
                    data={key: data[key] for key in ORDER_FIELDS},
                    menu_item=item,
                )
                return redirect("demands:sent", number=order.number)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request, "demands/order_new.html", {"form": form, "item": item, "code_sent": code_sent}
    )


@login_not_required
def order_sent(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.select_related("receiver"), number=number)
    if order.created_at < timezone.now() - timezone.timedelta(hours=1):
        raise Http404  # the confirmation page, not a way to look orders up
    return render(request, "demands/sent.html", {"order": order})


@login_not_required
def rate(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """The resident rates the service with the link sent to their phone (评单)."""
    order = get_object_or_404(Order, number=number, rating_token=token)
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_rate(order=order, token=token, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "demands/rated.html", {"order": order})
    return render(request, "demands/rate.html", {"order": order, "form": form})


# --- staff ----------------------------------------------------------------------------------


def _orders(request: HttpRequest):
    return access.scoped(
        Order.objects.select_related("organisation", "receiver", "township", "escalated_to"),
        request.user,
    )


def board(request: HttpRequest) -> HttpResponse:
    """Orders in the user's scope, most urgent first; figures for one organisation."""
    orders = _orders(request)
    status = request.GET.get("status", "")
    now = timezone.now()
    if status == "overdue":
        orders = orders.overdue(now)
    elif status == "follow_up":
        orders = orders.filter(follow_up=True)
    elif status in S.values:
        orders = orders.filter(status=status)
    else:
        orders = orders.exclude(status__in=FINAL)
    organisations = access.scoped(Organisation.objects.filter(is_active=True), request.user)
    chosen = organisations.filter(pk=request.GET.get("org") or 0).first() or next(
        iter(organisations.order_by("path")[:1]), None
    )
    figures = services.board(request.user, chosen) if chosen else None
    return render(
        request,
        "demands/board.html",
        {
            "page": paginate(request, orders.order_by("step_due_at", "pk")),
            "status": status,
            "statuses": S.choices,
            "now": now,
            "figures": figures,
            "chosen": chosen,
            "organisations": organisations.order_by("path")[:200],
        },
    )


def order_record(request: HttpRequest) -> HttpResponse:
    """Staff record an order for someone who called or walked in."""
    receivers = access.scoped(services.receiving_centers(), request.user, access.MANAGE)
    if not receivers.exists():
        raise Http404
    beneficiaries = access.scoped(Beneficiary.objects.filter(is_active=True), request.user)
    form = StaffOrderForm(request.POST or None, receivers=receivers, beneficiaries=beneficiaries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_record(
                actor=request.user,
                receiver=data["receiver"],
                mobile=data.get("mobile") or "",
                data={key: data[key] for key in ORDER_FIELDS},
                beneficiary=data.get("beneficiary"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Order %(number)s recorded.") % {"number": order.number})
            return redirect("demands:order", pk=order.pk)
    return render(request, "demands/record.html", {"form": form})


def _members(order: Order, user):
    """Volunteers a user may send to serve the order: members of the units below its holder
    that the user manages."""
    units = access.scoped(
        Organisation.objects.filter(path__startswith=order.organisation.path),
        user,
        access.MANAGE,
    )
    return Volunteer.objects.filter(
        Q(pk__in=TeamMembership.objects.filter(team__in=units).values("volunteer_id"))
        | Q(organisation__in=units),
        status=Volunteer.Status.ACTIVE,
    ).order_by("name")


def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An order, its history and the actions open to this user (staff, or its taker)."""
    volunteer = my_volunteer(request.user)
    order = (
        Order.objects.select_related(
            "organisation", "receiver", "township", "taker", "taker_team", "menu_item"
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    if not services.order_visible(request.user, order):
        raise Http404
    is_taker = volunteer is not None and order.taker_id == volunteer.pk
    may_take = volunteer is not None and services.may_take_as_volunteer(volunteer, order)
    manages = access.can(request.user, access.MANAGE, order.organisation)
    receives = access.can(request.user, access.MANAGE, order.receiver)
    candidates = services.dispatch_candidates(order, request.user) if manages else []
    return render(
        request,
        "demands/order.html",
        {
            "order": order,
            "events": order.events.select_related("actor", "organisation"),
            "contact": services.contact_for(request.user, order),
            "is_taker": is_taker,
            "may_take": may_take,
            "manages": manages,
            "receives": receives,
            "can_cancel": S.CANCELLED in MOVES.get(order.status, set()),
            "candidates": candidates[:8],
            "dispatch_form": DispatchForm(units=_units(candidates)) if manages else None,
            "take_form": TakeForm(members=_members(order, request.user)) if manages else None,
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
        },
    )


def _units(candidates):
    return Organisation.objects.filter(pk__in=[unit.pk for unit, _s, _w in candidates])


@require_POST
def order_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the order: verify, reject, dispatch, open, take, decline, start, finish,
    cancel, follow-up. The service checks who may do it; errors come back as messages."""
    order = get_object_or_404(
        Order.objects.select_related("organisation", "receiver", "taker", "township"), pk=pk
    )
    user = request.user
    reason = request.POST.get("reason", "")
    note = request.POST.get("note", "")
    try:
        if action == "verify":
            services.order_verify(actor=user, order=order, note=note)
        elif action == "reject":
            services.order_reject(actor=user, order=order, reason=reason)
        elif action == "dispatch":
            chosen = request.POST.get("to", "")
            if not chosen.isdigit():
                raise DomainError(_("Choose where to dispatch the order."), code="invalid")
            to = access.get_for(user, Organisation.objects.all(), pk=int(chosen))
            services.order_dispatch(actor=user, order=order, to=to, note=note)
        elif action == "open":
            services.order_open(actor=user, order=order, note=note)
        elif action == "take":
            volunteer = None
            if request.POST.get("volunteer", "").isdigit():
                volunteer = get_object_or_404(
                    _members(order, user), pk=int(request.POST["volunteer"])
                )
                services.order_take(actor=user, order=order, volunteer=volunteer, team=None)
            else:
                mine = my_volunteer(user)
                if mine is None:
                    raise Http404
                services.order_take(actor=user, order=order, volunteer=mine)
        elif action == "decline":
            services.order_decline(actor=user, order=order, reason=reason)
        elif action == "start":
            services.order_start(actor=user, order=order)
        elif action == "finish":
            services.order_finish(
                actor=user, order=order, note=note, photos=request.FILES.getlist("photos")
            )
        elif action == "cancel":
            services.order_cancel(actor=user, order=order, reason=reason)
        elif action == "follow-up":
            services.follow_up_record(actor=user, order=order, note=note)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("demands:order", pk=order.pk)


def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A service photo, for those who may see its order."""
    item = get_object_or_404(OrderPhoto.objects.select_related("order"), pk=pk)
    if not services.order_visible(request.user, item.order):
        raise Http404
    return stored_file(item.image, images_only=True)


# --- volunteers -----------------------------------------------------------------------------


def my_orders(request: HttpRequest) -> HttpResponse:
    """Orders open to the volunteer nearby, and the ones they took."""
    volunteer = my_volunteer(request.user)
    if volunteer is None:
        raise Http404
    taken = Order.objects.filter(taker=volunteer).select_related("township")
    open_orders = services.takeable(volunteer).select_related("township", "organisation")
    return render(
        request,
        "demands/mine.html",
        {
            "taken": taken.order_by("-created_at")[:50],
            "open_orders": open_orders.order_by("step_due_at", "pk")[:50],
        },
    )


# --- the menu and the register --------------------------------------------------------------


def menu_manage(request: HttpRequest) -> HttpResponse:
    organisations = access.scoped(
        Organisation.objects.filter(is_active=True), request.user, access.MANAGE
    )
    if not organisations.exists():
        raise Http404
    items = access.scoped(MenuItem.objects.select_related("organisation"), request.user)
    form = MenuItemForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.menu_item_save(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Published on the menu."))
            return redirect("demands:menu-manage")
    return render(
        request,
        "demands/menu_manage.html",
        {"form": form, "page": paginate(request, items.order_by("organisation__path", "pk"))},
    )


def menu_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_for(request.user, MenuItem.objects.all(), access.MANAGE, pk=pk)
    organisations = access.scoped(
        Organisation.objects.filter(is_active=True), request.user, access.MANAGE
    )
    form = MenuItemForm(request.POST or None, instance=item, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.menu_item_save(actor=request.user, data=form.cleaned_data, item=item)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("demands:menu-manage")
    return render(request, "demands/menu_edit.html", {"form": form, "item": item})


def register(request: HttpRequest) -> HttpResponse:
    """People served regularly, kept with their consent."""
    organisations = access.scoped(
        Organisation.objects.filter(is_active=True), request.user, access.MANAGE
    )
    people = access.scoped(
        Beneficiary.objects.filter(is_active=True).select_related("organisation", "township"),
        request.user,
    )
    form = BeneficiaryForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if not organisations.exists():
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            mobile = data.pop("mobile", "") or ""
            try:
                services.beneficiary_add(actor=request.user, data=data, mobile=mobile)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Added to the register."))
                return redirect("demands:register")
    return render(
        request,
        "demands/register.html",
        {
            "form": form if organisations.exists() else None,
            "page": paginate(request, people.order_by("name", "pk")),
        },
    )
