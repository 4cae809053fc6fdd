"""The rules of residents' orders. Every change of an order's state goes through `_move`,
which allows only the moves in models.MOVES, changes the row only if nobody moved it first
(so one taker wins however many press at once), records who and when, and sets the deadline
of the next step.

The services take an optional `now`: the moment of the decision when past decisions are
loaded (the demo), which dates the order, its events and deadlines; otherwise now. The pages
and the API never pass it.
"""

import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.activities import services as activity_services
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.campaign import CampaignLine
from leifeng.core.crypto import code_digest, seal, unseal
from leifeng.core.errors import DomainError
from leifeng.core.masking import mask_mobile
from leifeng.core.uploads import photo_suffix
from leifeng.core.validators import checked_mobile
from leifeng.demands.models import (
    FINAL,
    MOVES,
    Beneficiary,
    Category,
    MenuItem,
    Order,
    OrderEvent,
    OrderPhoto,
    PhoneCode,
)
from leifeng.hours.services import add_working_days
from leifeng.notify import kinds
from leifeng.notify.services import notify, sms_send
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region
from leifeng.reports.rollups import mark_dirty
from leifeng.volunteers.models import TeamMembership, Volunteer
from leifeng.volunteers.services import mobile_key

INVALID, CONFLICT, FORBIDDEN = "invalid", "conflict", "forbidden"
S = Order.Status
CODE_MINUTES = 10
CODE_ATTEMPTS = 5
CODES_PER_HOUR = 5
LOW_RATING = 2  # 不满意 or worse opens a follow-up (回访)
SERVICE_PLANNED = timedelta(hours=4)
PHOTOS_MAX = 6
PHOTO_MAX_MB = 8
# The volunteer skills (volunteers' register) that suit each kind of help.
CATEGORY_SKILLS: dict[str, list[str]] = {
    Category.CARE: ["养老照护", "医疗护理"],
    Category.COUNSELLING: ["心理疏导"],
    Category.REPAIRS: ["家电维修", "水电维修"],
    Category.POLICY: ["政策宣讲", "理论宣讲", "法律咨询"],
    Category.PERFORMANCE: ["文艺演出"],
    Category.ERRANDS: ["驾驶"],
}
RECEIVING_KINDS = {Organisation.Kind.CENTER, Organisation.Kind.INSTITUTE, Organisation.Kind.STATION}
# Orders that may be given back up to be dispatched again.
DECLINABLE: set[str] = {S.DISPATCHED, S.OPEN, S.ACCEPTED}


# --- the state machine ---------------------------------------------------------------------


def _end_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def step_deadline(status: str, now: datetime) -> datetime | None:
    """When the step the order now waits for is due (settings.DEMANDS_*)."""
    today = timezone.localdate(now)
    if status == S.SUBMITTED:
        return _end_of(add_working_days(today, settings.DEMANDS_VERIFY_WORKING_DAYS))
    if status == S.VERIFIED:
        return _end_of(add_working_days(today, settings.DEMANDS_DISPATCH_WORKING_DAYS))
    if status in (S.DISPATCHED, S.OPEN):
        return now + timedelta(hours=settings.DEMANDS_ACCEPT_HOURS)
    if status == S.DONE:
        return now + timedelta(days=settings.DEMANDS_RATING_DAYS)
    return None


def _refuse(order: Order, to: str) -> DomainError:
    return DomainError(
        _("The order is “%(status)s”: it cannot become “%(to)s”.")
        % {"status": order.get_status_display(), "to": S(to).label},
        code=CONFLICT,
    )


def _may_move(order: Order, to: str, sources: set[str] | None = None) -> None:
    """Refuse a move MOVES does not allow, or one this service makes only from `sources`
    (e.g. verifying is from SUBMITTED only, though a declined order also goes to VERIFIED).
    Services call it before their other checks, so a wrong step is always a conflict."""
    if to not in MOVES.get(order.status, set()) or (
        sources is not None and order.status not in sources
    ):
        raise _refuse(order, to)


def _move(
    order: Order,
    to: str,
    *,
    actor: User | None,
    note: str = "",
    now: datetime | None = None,
    sources: set[str] | None = None,
    **changes: Any,
) -> Order:
    """Move the order if MOVES allows it and nobody moved it first; record the event."""
    moment = now or timezone.now()
    _may_move(order, to, sources)
    fields = {"status": to, "step_due_at": step_deadline(to, moment), "updated_at": moment}
    fields.update(changes)
    if to != order.status:
        fields.setdefault("escalated_to", None)
        fields.setdefault("escalated_at", None)
    moved = Order.objects.filter(pk=order.pk, status=order.status).update(**fields)
    if not moved:
        order.refresh_from_db()
        raise DomainError(
            _("Someone else changed this order first; it is now “%(status)s”.")
            % {"status": order.get_status_display()},
            code=CONFLICT,
        )
    before = order.status
    order.refresh_from_db()
    OrderEvent.objects.create(
        order=order,
        from_status=before,
        to_status=to,
        organisation=order.organisation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
        at=moment,
    )
    mark_dirty(order.created_at, moment)  # taken, served and rated days for the reports
    return order


def _needs(text: str, field: str, message: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(message, code=INVALID, fields={field: message})
    return text


# --- ordering (点单) -------------------------------------------------------------------------


@transaction.atomic
def phone_code_send(*, mobile: str, now: datetime | None = None) -> None:
    """Send a code to the phone of a resident ordering without an account. `now`: the moment
    it is sent when past orders are loaded (the demo); otherwise now."""
    mobile = checked_mobile(mobile)
    moment = now or timezone.now()
    key = mobile_key(mobile)
    recent = PhoneCode.objects.filter(mobile_hash=key, created_at__gte=moment - timedelta(hours=1))
    if recent.count() >= CODES_PER_HOUR:
        raise DomainError(
            _("Too many codes for this number; try again in an hour."), code="throttled"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.filter(mobile_hash=key, used_at__isnull=True).update(used_at=moment)
    sent = PhoneCode.objects.create(
        mobile_hash=key,
        code_hash=code_digest(code),
        expires_at=moment + timedelta(minutes=CODE_MINUTES),
        created_at=moment,
    )
    sms_send(
        mobile=mobile,
        kind=kinds.VERIFICATION_CODE,
        context={"code": code, "minutes": CODE_MINUTES, "brand": settings.LEIFENG_BRAND},
        event_key=f"demands.code:{sent.pk}",
    )


def _check_code(mobile: str, code: str, now: datetime | None = None) -> None:
    wrong = DomainError(
        _("The code is wrong or has expired. Ask for a new one."),
        code=INVALID,
        fields={"code": _("Wrong or expired code.")},
    )
    # Committed on its own, so that a wrong guess counts: the error is raised after the block
    # (raised inside it, it would roll the count back and allow endless guessing).
    moment = now or timezone.now()
    with transaction.atomic():
        sent = (
            PhoneCode.objects.select_for_update()
            .filter(
                mobile_hash=mobile_key(mobile),
                used_at__isnull=True,
                expires_at__gt=moment,
            )
            .order_by("-created_at")
            .first()
        )
        right = False
        if sent is None or sent.attempts >= CODE_ATTEMPTS:
            pass
        elif secrets.compare_digest(sent.code_hash, code_digest(code)):
            PhoneCode.objects.filter(pk=sent.pk).update(used_at=moment)
            right = True
        else:
            PhoneCode.objects.filter(pk=sent.pk).update(attempts=sent.attempts + 1)
    if not right:
        raise wrong


def receiving_centers() -> QuerySet[Organisation]:
    """Where residents can send an order: active centers, institutes and stations."""
    return Organisation.objects.filter(is_active=True, kind__in=RECEIVING_KINDS)


def _number(now: datetime) -> str:
    return f"D{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"


def _order_problems(data: dict[str, Any]) -> dict[str, str]:
    errors = {}
    if not (data.get("description") or "").strip():
        errors["description"] = _("Say what help is needed.")
    if not (data.get("address") or "").strip():
        errors["address"] = _("Enter the address.")
    if not (data.get("contact_name") or "").strip():
        errors["contact_name"] = _("Enter the contact person.")
    if data.get("category") not in Category.values:
        errors["category"] = _("Choose a category.")
    return errors


def _checked(data: dict[str, Any], menu_item: MenuItem | None, receiver: Organisation) -> Region:
    """Check the order's fields (filling the category from the menu item); its township."""
    if menu_item is not None:
        data.setdefault("category", menu_item.category)
    errors = _order_problems(data)
    if menu_item is not None and not menu_item.organisation.path.startswith(receiver.path):
        errors["menu_item"] = _("This service is not offered by the organisation you chose.")
    township: Region | None = data.get("township")
    if township is None:
        errors["township"] = _("Choose the township or street.")
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    assert township is not None
    return township


def _create(
    *,
    receiver: Organisation,
    channel: str,
    data: dict[str, Any],
    mobile: str,
    actor: User | None,
    menu_item: MenuItem | None,
    beneficiary: Beneficiary | None,
    now: datetime | None,
) -> Order:
    township = _checked(data, menu_item, receiver)
    moment = now or timezone.now()
    order = Order.objects.create(
        number=_number(moment),
        receiver=receiver,
        organisation=receiver,
        channel=channel,
        menu_item=menu_item,
        category=data["category"],
        description=data["description"].strip()[:1000],
        township=township,
        address=data["address"].strip()[:200],
        preferred_time=(data.get("preferred_time") or "").strip()[:100],
        contact_name=data["contact_name"].strip()[:50],
        contact_sealed=seal(mobile),
        contact_hash=mobile_key(mobile),
        contact_masked=mask_mobile(mobile),
        beneficiary=beneficiary,
        step_due_at=step_deadline(S.SUBMITTED, moment),
        created_by=actor,
    )
    if now is not None:  # created_at is stamped on creation (TimeStamped): dated afterwards
        Order.objects.filter(pk=order.pk).update(created_at=now, updated_at=now)
        order.created_at = order.updated_at = now
    mark_dirty(order.created_at)  # a new order for the reports' figures
    OrderEvent.objects.create(
        order=order,
        to_status=S.SUBMITTED,
        organisation=receiver,
        actor=actor,
        note=channel,
        at=moment,
    )
    return order


def order_submit(
    *,
    receiver: Organisation,
    mobile: str,
    code: str,
    data: dict[str, Any],
    menu_item: MenuItem | None = None,
    now: datetime | None = None,
) -> Order:
    """A resident orders on their phone, without an account: the code sent to the phone
    proves the number (the contact the center and the taker will call). `now`: the moment
    of ordering when past orders are loaded (the demo); otherwise now."""
    mobile = checked_mobile(mobile)
    if receiver.kind not in RECEIVING_KINDS or not receiver.is_active:
        raise DomainError(_("Choose a practice center, institute or station."), code=INVALID)
    data = dict(data)
    _checked(data, menu_item, receiver)  # a mistake in the form must not use up the code
    _check_code(mobile, code, now)
    with transaction.atomic():
        order = _create(
            receiver=receiver,
            channel=Order.Channel.ONLINE,
            data=data,
            mobile=mobile,
            actor=None,
            menu_item=menu_item,
            beneficiary=None,
            now=now,
        )
    _tell_staff(order, _("a new order to verify"))
    return order


@transaction.atomic
def order_record(
    *,
    actor: User,
    receiver: Organisation,
    mobile: str,
    data: dict[str, Any],
    menu_item: MenuItem | None = None,
    beneficiary: Beneficiary | None = None,
    now: datetime | None = None,
) -> Order:
    """Staff record an order for someone who called or walked in (or from the register).
    `now`: the moment it was recorded when past orders are loaded (the demo); otherwise now."""
    access.require(actor, access.MANAGE, receiver)
    if beneficiary is not None:
        access.require(actor, access.VIEW, beneficiary)
        mobile = mobile or unseal(beneficiary.mobile_sealed)
    order = _create(
        receiver=receiver,
        channel=Order.Channel.STAFF,
        data=dict(data),
        mobile=checked_mobile(mobile),
        actor=actor,
        menu_item=menu_item,
        beneficiary=beneficiary,
        now=now,
    )
    audit_record(
        actor=actor,
        organisation=receiver,
        action=AuditEntry.Action.CREATE,
        obj=order,
        after={"number": order.number, "category": order.category},
    )
    return order


# --- verify, dispatch (审单、派单) ----------------------------------------------------------


def _tell_resident(order: Order, news: str) -> None:
    sms_send(
        mobile=unseal(order.contact_sealed),
        kind=kinds.ORDER_UPDATE,
        context={"brand": settings.LEIFENG_BRAND, "number": order.number, "news": news},
        event_key=f"demands.resident:{order.pk}:{order.status}:{order.updated_at:%s}",
    )


def _staff_of(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=[
                Membership.Role.ADMIN,
                Membership.Role.STAFF,
                Membership.Role.TEAM_LEADER,
            ],
            is_active=True,
        ).distinct()
    )


def _tell_staff(order: Order, news: str, organisation: Organisation | None = None) -> None:
    target = organisation or order.organisation
    _tell(order, news, _staff_of(target), f"demands.staff:{order.pk}:{target.pk}")


def _tell(order: Order, news: str, recipients: list[User], key: str) -> None:
    # Keyed by the order's latest event: dispatched (or escalated, or given back) to the same
    # place a second time is news again, and must not be swallowed as a duplicate.
    event = order.events.order_by("-pk").values_list("pk", flat=True).first()
    notify(
        recipients=recipients,
        kind=kinds.ORDER_FOR_YOU,
        context={
            "number": order.number,
            "news": news,
            "category": order.get_category_display(),
            "place": order.township.name,
        },
        event_key=f"{key}:{event}",
        url=reverse("demands:order", args=[order.pk]),
    )


@transaction.atomic
def order_verify(
    *, actor: User, order: Order, note: str = "", now: datetime | None = None
) -> Order:
    """The receiving center checks the need is real and fit for volunteers (条例 art. 13).
    `now`: the moment of the decision when past decisions are loaded (the demo); otherwise
    now."""
    access.require(actor, access.MANAGE, order.receiver)
    return _move(order, S.VERIFIED, actor=actor, note=note, now=now, sources={S.SUBMITTED})


@transaction.atomic
def order_reject(*, actor: User, order: Order, reason: str, now: datetime | None = None) -> Order:
    """Refuse an order with a reason the resident is told (`now`: as for order_verify)."""
    access.require(actor, access.MANAGE, order.receiver)
    _may_move(order, S.REJECTED)
    reason = _needs(reason, "reason", _("Say why, for the resident."))
    order = _move(order, S.REJECTED, actor=actor, note=reason, now=now, reason=reason[:200])
    _tell_resident(order, _("was not accepted: %(reason)s") % {"reason": reason})
    return order


def dispatch_candidates(order: Order, actor: User) -> list[tuple[Organisation, int, list[str]]]:
    """Where the order could go, best placed first: units below its holder that the user
    manages, scored by place (same township), the service (a menu item of its category) and
    volunteers (members whose skills or township fit). The platform suggests; staff decide."""
    below = access.scoped(
        Organisation.objects.filter(
            is_active=True, path__startswith=order.organisation.path
        ).exclude(pk=order.organisation.pk),
        actor,
        access.MANAGE,
    ).select_related("region")
    offering = set(
        MenuItem.objects.filter(is_active=True, category=order.category).values_list(
            "organisation_id", flat=True
        )
    )
    skilled = dict(
        TeamMembership.objects.filter(
            volunteer__skills__name__in=CATEGORY_SKILLS.get(order.category, [])
        )
        .values("team_id")
        .annotate(n=Count("volunteer", distinct=True))
        .values_list("team_id", "n")
    )
    near_members = dict(
        TeamMembership.objects.filter(volunteer__residence__path__startswith=order.township.path)
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    ranked = []
    for unit in below:
        score, why = 0, []
        if unit.region.path.startswith(order.township.path) or (
            order.township.path.startswith(unit.region.path + ".")
            and unit.region.level == order.township.level
        ):
            score += 3
            why.append(_("same township"))
        if unit.pk in offering:
            score += 2
            why.append(_("offers this service"))
        if skilled.get(unit.pk):
            score += 1
            why.append(_("%(count)s members with the skills") % {"count": skilled[unit.pk]})
        if near_members.get(unit.pk):
            score += 1
            why.append(_("%(count)s members live nearby") % {"count": near_members[unit.pk]})
        ranked.append((unit, score, why))
    ranked.sort(key=lambda item: (-item[1], item[0].path))
    return ranked


@transaction.atomic
def order_dispatch(
    *,
    actor: User,
    order: Order,
    to: Organisation,
    note: str = "",
    now: datetime | None = None,
) -> Order:
    """Send a verified order down the tree to an institute, station or team (派单). `now`: as
    for order_verify."""
    access.require(actor, access.MANAGE, order.organisation)
    access.require(actor, access.MANAGE, to)
    _may_move(order, S.DISPATCHED)
    if not to.path.startswith(order.organisation.path) or to.pk == order.organisation_id:
        raise DomainError(
            _("Dispatch to a unit below %(org)s.") % {"org": order.organisation.name},
            code=INVALID,
            fields={"to": _("Not below the organisation that holds the order.")},
        )
    order = _move(order, S.DISPATCHED, actor=actor, note=note, now=now, organisation=to)
    _tell_staff(order, _("dispatched to you"), to)
    return order


@transaction.atomic
def order_open(*, actor: User, order: Order, note: str = "", now: datetime | None = None) -> Order:
    """Open a verified order for the teams and volunteers in range to take (抢单). `now`: as
    for order_verify."""
    access.require(actor, access.MANAGE, order.organisation)
    return _move(order, S.OPEN, actor=actor, note=note, now=now)


# --- take (接单) -----------------------------------------------------------------------------


def takeable(volunteer: Volunteer) -> QuerySet[Order]:
    """Open orders a volunteer may take (抢单): in the township (or street) where they live,
    or held by an organisation above one of their teams."""
    if volunteer.is_closed:
        return Order.objects.none()
    near = Q(pk__in=[])
    if volunteer.residence is not None:
        near |= Q(township_id__in=volunteer.residence.path_ids())
    team_paths = TeamMembership.objects.filter(volunteer=volunteer).values_list(
        "team__path", flat=True
    )
    above_teams = {pk for path in team_paths for pk in path.strip("/").split("/") if pk}
    if above_teams:
        near |= Q(organisation_id__in=[int(pk) for pk in above_teams])
    return Order.objects.filter(near, status=S.OPEN)


def may_take_as_volunteer(volunteer: Volunteer, order: Order) -> bool:
    return order.status == S.OPEN and takeable(volunteer).filter(pk=order.pk).exists()


def order_take(
    *,
    actor: User,
    order: Order,
    volunteer: Volunteer | None = None,
    team: Organisation | None = None,
    now: datetime | None = None,
) -> Order:
    """Take the order: a volunteer for themselves (an open order in range), or the leader or
    staff of a team (or unit) it was dispatched to, naming the member who will serve. Only
    one taker wins; the others are told it has been taken. `now`: the moment it was taken
    when past decisions are loaded (the demo); otherwise now."""
    moment = now or timezone.now()
    with transaction.atomic():
        # Locked: those pressing at once queue here, and each after the winner reads the order
        # taken (a conflict), not half-way through its checks (told it is not for them).
        # (Locked without a join: PostgreSQL drops a locked row whose joined key changed.)
        Order.objects.select_for_update().filter(pk=order.pk).values_list("pk").get()
        order = Order.objects.select_related("organisation", "township").get(pk=order.pk)
        # Taken already (or not yet takeable): a conflict, whoever presses.
        _may_move(order, S.ACCEPTED)
        own = volunteer is not None and volunteer.user_id == actor.pk and team is None
        if own and volunteer is not None and may_take_as_volunteer(volunteer, order):
            pass  # an open order in range, for themselves
        elif own and not access.can(actor, access.MANAGE, order.organisation):
            raise DomainError(
                _("This order is not open to you: it is for volunteers nearby."),
                code=FORBIDDEN,
            )
        else:  # a leader or staff naming the member who serves (perhaps themselves)
            unit = team or order.organisation
            access.require(actor, access.MANAGE, unit)
            if not unit.path.startswith(order.organisation.path):
                raise DomainError(_("This order was not dispatched to your team."), code=FORBIDDEN)
            if volunteer is None or volunteer.status != Volunteer.Status.ACTIVE:
                raise DomainError(
                    _("Choose the member who will serve."),
                    code=INVALID,
                    fields={"volunteer": _("Choose the member who will serve.")},
                )
            if not TeamMembership.objects.filter(
                volunteer=volunteer, team__path__startswith=unit.path
            ).exists() and not (volunteer.organisation.path.startswith(unit.path)):
                raise DomainError(
                    _("The volunteer is not a member of this team or unit."),
                    code=INVALID,
                    fields={"volunteer": _("Not a member.")},
                )
            team = unit
        order = _move(
            order,
            S.ACCEPTED,
            actor=actor,
            note=volunteer.name,
            now=moment,
            taker=volunteer,
            taker_team=team,
            accepted_at=moment,
        )
    _tell_resident(order, _("has been taken; the volunteer will call you."))
    return order


@transaction.atomic
def order_decline(*, actor: User, order: Order, reason: str, now: datetime | None = None) -> Order:
    """Give a dispatched order back (never forced: 条例 art. 25), or give up a taken one: it
    goes back up to the receiving center to be dispatched again. `now`: as for order_verify."""
    # Locked and read afresh: who may give it back depends on who holds it now.
    Order.objects.select_for_update().filter(pk=order.pk).values_list("pk").get()
    order.refresh_from_db()
    taker_gives_up = order.taker is not None and order.taker.user_id == actor.pk
    if not taker_gives_up:
        access.require(actor, access.MANAGE, order.organisation)
    # Only a dispatched, open or taken order goes back (a new one is verified, not declined).
    _may_move(order, S.VERIFIED, DECLINABLE)
    reason = _needs(reason, "reason", _("Say why, for the center."))
    order = _move(
        order,
        S.VERIFIED,
        actor=actor,
        note=reason,
        now=now,
        sources=DECLINABLE,
        organisation=order.receiver,
        taker=None,
        taker_team=None,
        accepted_at=None,
    )
    _tell_staff(order, _("given back: %(reason)s") % {"reason": reason}, order.receiver)
    return order


def order_visible(actor: User, order: Order) -> bool:
    """Who may see an order: staff in its scope (its holder's or its receiver's subtree), its
    taker, and a volunteer it is open to nearby. What each may do, the services decide."""
    if access.can(actor, access.VIEW, order):
        return True
    volunteer = getattr(actor, "volunteer", None) if actor.is_authenticated else None
    if volunteer is None or volunteer.is_closed:
        return False
    return order.taker_id == volunteer.pk or may_take_as_volunteer(volunteer, order)


def contact_for(actor: User, order: Order) -> str:
    """The resident's phone: for the taker while the order is open, and for the staff of
    the receiving center (who verify it). Everyone else sees it masked."""
    taker = order.taker is not None and order.taker.user_id == actor.pk
    if taker and order.status in (S.ACCEPTED, S.IN_SERVICE):
        return unseal(order.contact_sealed)
    if access.can(actor, access.MANAGE, order.receiver):
        return unseal(order.contact_sealed)
    return order.contact_masked


# --- serve ------------------------------------------------------------------------------------


def _taker_or_team(actor: User, order: Order) -> None:
    if order.taker is not None and order.taker.user_id == actor.pk:
        return
    if order.taker_team is not None and access.can(actor, access.MANAGE, order.taker_team):
        return
    raise DomainError(_("Only the volunteer who took the order can do this."), code=FORBIDDEN)


# The campaign line a service's hours count for; the rest is 情暖基层 (warmth for the grassroots).
LINE_OF: dict[str, str] = {
    Category.POLICY: CampaignLine.CIVILIZATION_PRACTICE,
    Category.PERFORMANCE: CampaignLine.CIVILIZATION_PRACTICE,
}


@transaction.atomic
def order_start(*, actor: User, order: Order, now: datetime | None = None) -> Order:
    """The taker arrives and checks in: the service runs like a shift, for the hours."""
    order = Order.objects.select_related("taker", "organisation", "township").get(pk=order.pk)
    _may_move(order, S.IN_SERVICE)
    _taker_or_team(actor, order)
    assert order.taker is not None
    signup = activity_services.assignment_check_in(
        organisation=order.taker_team or order.organisation,
        volunteer=order.taker,
        title=_("Resident's order %(number)s: %(category)s")
        % {"number": order.number, "category": order.get_category_display()},
        description=order.description,
        campaign_line=LINE_OF.get(order.category, CampaignLine.GRASSROOTS_CARE),
        township=order.township,
        address=order.address,
        planned=SERVICE_PLANNED,
        now=now,
    )
    return _move(order, S.IN_SERVICE, actor=actor, now=now, signup=signup)


@transaction.atomic
def _photos_checked(photos: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Photos of a service: at most PHOTOS_MAX, each a JPEG, PNG or WebP image (read, not
    trusted by its name) under PHOTO_MAX_MB."""
    if len(photos) > PHOTOS_MAX:
        message = _("Add at most %(max)d photos.") % {"max": PHOTOS_MAX}
        raise DomainError(message, code=INVALID, fields={"photos": message})
    checked = []
    for photo in photos:
        problem = ""
        if not photo.size or photo.size > PHOTO_MAX_MB * 1024 * 1024:
            problem = _("%(name)s is empty or larger than %(max)d MB.")
        elif not (suffix := photo_suffix(photo)):
            problem = _("%(name)s is not a JPEG, PNG or WebP photo.")
        if problem:
            message = problem % {"name": photo.name, "max": PHOTO_MAX_MB}
            raise DomainError(message, code=INVALID, fields={"photos": message})
        checked.append((photo, suffix))
    return checked


def order_finish(
    *,
    actor: User,
    order: Order,
    note: str,
    photos: list[UploadedFile] | None = None,
    now: datetime | None = None,
) -> Order:
    """The taker checks out and says what was done; the resident is asked to rate it."""
    order = Order.objects.select_related("taker", "signup").get(pk=order.pk)
    _may_move(order, S.DONE)
    if order.signup is None:
        raise _refuse(order, S.DONE)
    _taker_or_team(actor, order)
    note = _needs(note, "note", _("Say what was done."))
    checked = _photos_checked(photos or [])
    activity_services.assignment_check_out(signup=order.signup, now=now)
    moment = now or timezone.now()
    order = _move(
        order,
        S.DONE,
        actor=actor,
        now=moment,
        note=note,
        done_note=note[:1000],
        done_at=moment,
        rating_token=secrets.token_urlsafe(24),
    )
    for photo, extension in checked:
        OrderPhoto.objects.create(
            order=order,
            image=File(photo, name=f"{order.number}-{secrets.token_hex(4)}.{extension}"),
            uploaded_by=actor,
        )
    _tell_resident(
        order,
        _("has been served. Please rate it: %(url)s")
        % {
            "url": settings.LEIFENG_SITE_URL
            + reverse("demands:rate", args=[order.number, order.rating_token])
        },
    )
    return order


# --- rate (评单) -------------------------------------------------------------------------------


@transaction.atomic
def order_rate(
    *, order: Order, token: str, rating: int, comment: str = "", now: datetime | None = None
) -> Order:
    """The resident rates the service with the link sent to their phone; a low rating opens a
    follow-up (回访) for the center. `now`: the moment of rating when past ratings are loaded
    (the demo); otherwise now."""
    if not order.rating_token or not secrets.compare_digest(order.rating_token, token):
        raise DomainError(_("This rating link is not valid."), code=FORBIDDEN)
    if rating not in Order.Rating.values:
        raise DomainError(
            _("Choose one of the five levels."),
            code=INVALID,
            fields={"rating": _("Choose one of the five levels.")},
        )
    low = rating <= LOW_RATING
    moment = now or timezone.now()
    order = _move(
        order,
        S.RATED,
        actor=None,
        note=str(rating),
        now=moment,
        rating=rating,
        rating_comment=comment.strip()[:500],
        rated_at=moment,
        follow_up=low,
    )
    if low:
        _tell_staff(order, _("rated low: a follow-up is needed"), order.receiver)
    return order


@transaction.atomic
def follow_up_record(*, actor: User, order: Order, note: str, now: datetime | None = None) -> Order:
    """The center records its follow-up (回访) of a low rating. `now`: the moment of the
    follow-up when past decisions are loaded (the demo); otherwise now."""
    moment = now or timezone.now()
    access.require(actor, access.MANAGE, order.receiver)
    note = _needs(note, "note", _("Say what the follow-up found."))
    # Conditional, so that two people recording at once make one follow-up.
    if not Order.objects.filter(pk=order.pk, follow_up=True).update(
        follow_up=False, follow_up_note=note[:500]
    ):
        raise DomainError(_("This order needs no follow-up."), code=CONFLICT)
    OrderEvent.objects.create(
        order=order,
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        note=note[:500],
        at=moment,
    )
    order.refresh_from_db()
    return order


@transaction.atomic
def order_cancel(
    *, actor: User | None, order: Order, reason: str, now: datetime | None = None
) -> Order:
    """Cancel before the service starts, by the receiving center (or the resident's call).
    `now`: as for order_verify."""
    if actor is not None:
        access.require(actor, access.MANAGE, order.receiver)
    _may_move(order, S.CANCELLED)
    reason = _needs(reason, "reason", _("Enter a reason."))
    order = _move(order, S.CANCELLED, actor=actor, note=reason, now=now, reason=reason[:200])
    news = _("was cancelled: %(reason)s") % {"reason": reason}
    _tell_resident(order, news)
    # Whoever was to serve it must not turn up: the unit it was dispatched to, and the taker.
    if order.organisation_id != order.receiver_id:
        _tell_staff(order, news)
    if order.taker is not None and order.taker.user is not None:
        _tell(order, news, [order.taker.user], f"demands.taker:{order.pk}")
    return order


# --- time limits (background jobs) -------------------------------------------------------------


def orders_close_unrated(now: datetime | None = None) -> int:
    """Served orders whose rating window has passed close as 未评价 (never as 满意)."""
    moment = now or timezone.now()
    closed = 0
    for order in Order.objects.filter(status=S.DONE, step_due_at__lt=moment).order_by("pk"):
        try:
            with transaction.atomic():
                _move(order, S.UNRATED, actor=None, now=moment, note=_("rating window passed"))
                closed += 1
        except DomainError:
            continue  # rated meanwhile
    return closed


def orders_escalate(now: datetime | None = None) -> int:
    """Orders whose step is overdue go up a level: the organisation above the one that holds
    the order is told, and the order shows as escalated on the boards. Each level gets the
    step's time again (e.g. 24 hours to have it taken) before the order goes up the next one;
    any move of the order ends the escalation."""
    moment = now or timezone.now()
    escalated = 0
    overdue = Order.objects.overdue(moment).select_related(
        "organisation", "escalated_to", "township"
    )
    for order in overdue.order_by("pk"):
        if order.escalated_at is not None:
            due = step_deadline(order.status, order.escalated_at)
            if due is None or due >= moment:
                continue  # the level it went up to still has time
        current = order.escalated_to or order.organisation
        above = current.parent
        if above is None:
            continue
        if not Order.objects.filter(
            pk=order.pk, status=order.status, escalated_to=order.escalated_to
        ).update(escalated_to=above, escalated_at=moment, updated_at=moment):
            continue  # moved or escalated meanwhile
        OrderEvent.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,
            organisation=above,
            note=_("overdue: escalated to %(org)s") % {"org": above.name},
            at=moment,
        )
        order.escalated_to = above
        _tell_staff(order, _("overdue, escalated to you"), above)
        escalated += 1
    return escalated


def board(actor: User, organisation: Organisation, now: datetime | None = None) -> dict[str, Any]:
    """Figures for an organisation's subtree: orders by state, overdue, escalated, time to
    take and to serve (hours, median-free averages), and satisfaction."""
    moment = now or timezone.now()
    access.require(actor, access.VIEW, organisation)
    qs = Order.objects.filter(
        Q(organisation__path__startswith=organisation.path)
        | Q(receiver__path__startswith=organisation.path)
    )
    by_state = dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    rated = qs.filter(status=S.RATED)
    satisfied = rated.filter(rating__gte=4).count()
    taken = list(qs.filter(accepted_at__isnull=False).values_list("created_at", "accepted_at"))
    served = list(qs.filter(done_at__isnull=False).values_list("created_at", "done_at"))

    def hours(pairs: list[tuple[datetime, datetime | None]]) -> float | None:
        spans = [(b - a).total_seconds() for a, b in pairs if b is not None]
        return round(sum(spans) / len(spans) / 3600, 1) if spans else None

    return {
        "by_state": {status: by_state.get(status, 0) for status in S.values},
        "total": sum(by_state.values()),
        "overdue": qs.overdue(moment).count(),
        "escalated": qs.filter(escalated_to__isnull=False).exclude(status__in=FINAL).count(),
        "hours_to_take": hours(taken),
        "hours_to_serve": hours(served),
        "rated": rated.count(),
        "satisfied": satisfied,
        "unrated": by_state.get(S.UNRATED, 0),
        "follow_ups": qs.filter(follow_up=True).count(),
    }


# --- the menu (制单) and the register of people served regularly ---------------------------


@transaction.atomic
def menu_item_save(*, actor: User, data: dict[str, Any], item: MenuItem | None = None) -> MenuItem:
    """Publish or change a service on an organisation's menu."""
    organisation: Organisation = data["organisation"]
    access.require(actor, access.MANAGE, organisation)
    if item is not None:
        access.require(actor, access.MANAGE, item)
    if organisation.kind not in RECEIVING_KINDS and not organisation.is_team:
        raise DomainError(
            _("Menus belong to practice centers, institutes, stations and teams."),
            code=INVALID,
            fields={"organisation": _("Choose a center, institute, station or team.")},
        )
    errors = {
        field: _("This field is required.")
        for field in ("title", "area", "times")
        if not str(data.get(field) or "").strip()
    }
    if data.get("category") not in Category.values:
        errors["category"] = _("Choose a category.")
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    action = AuditEntry.Action.CREATE if item is None else AuditEntry.Action.UPDATE
    item = item or MenuItem()
    item.organisation = organisation
    item.category = data["category"]
    for field in ("title", "description", "area", "times"):
        setattr(item, field, str(data.get(field) or "").strip())
    item.is_active = data.get("is_active", True)
    item.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=action,
        obj=item,
        after={"title": item.title, "active": item.is_active},
    )
    return item


@transaction.atomic
def beneficiary_add(*, actor: User, data: dict[str, Any], mobile: str = "") -> Beneficiary:
    """Keep a resident in the register, with their consent (their mobile sealed)."""
    organisation: Organisation = data["organisation"]
    access.require(actor, access.MANAGE, organisation)
    _needs(data.get("consent_note", ""), "consent_note", _("Say how they agreed to be kept."))
    mobile = checked_mobile(mobile) if mobile.strip() else ""
    beneficiary = Beneficiary.objects.create(
        organisation=organisation,
        name=_needs(data.get("name", ""), "name", _("Enter the name."))[:50],
        group=data["group"],
        township=data["township"],
        address=data["address"].strip()[:200],
        needs=(data.get("needs") or "").strip()[:200],
        consent_note=data["consent_note"].strip()[:200],
        consented_at=timezone.now(),
        mobile_sealed=seal(mobile) if mobile else "",
        mobile_hash=mobile_key(mobile) if mobile else "",
        mobile_masked=mask_mobile(mobile) if mobile else "",
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE,
        obj=beneficiary,
        after={"name": beneficiary.name, "group": beneficiary.group},
    )
    return beneficiary
