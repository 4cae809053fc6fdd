"""Telling people things: the in-site inbox at once, outside channels by background jobs."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.core.errors import DomainError
from leifeng.core.masking import mask_mobile
from leifeng.core.validators import checked_mobile
from leifeng.notify.kinds import EMAIL, KINDS, SMS, Kind
from leifeng.notify.models import ChannelPreference, Delivery, Notification, SmsQuota
from leifeng.notify.senders import (
    PermanentSendError,
    TemporarySendError,
    UncertainSendError,
    sender_for,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)  # then 5, 25, 125 minutes
STALE_SENDING = timedelta(minutes=15)
# A code's number is needed for the per-number hourly limit; after that only its mask stays.
FORGET_SECRET_ADDRESSES_AFTER = timedelta(days=1)


def _enqueue(delivery_id: int) -> None:
    from leifeng.notify.tasks import send_delivery

    send_delivery.enqueue(delivery_id=delivery_id)


def channels_wanted(user: User, kind: Kind) -> set[str]:
    """The outside channels this person wants this kind of message on: their choices over the
    kind's defaults; required channels cannot be turned off."""
    chosen = set(kind.default)
    for pref in ChannelPreference.objects.filter(user=user, kind=kind.key):
        if pref.channel in kind.allowed:
            (chosen.add if pref.enabled else chosen.discard)(pref.channel)
    return chosen | set(kind.required)


def _addresses(user: User) -> dict[str, str]:
    return {EMAIL: user.email, SMS: user.mobile}


def channels_for(user: User, kind: Kind) -> set[str]:
    """The wanted channels that we have an address for."""
    addresses = _addresses(user)
    return {channel for channel in channels_wanted(user, kind) if addresses.get(channel)}


def _add_delivery(**fields: Any) -> Delivery | None:
    """Create a pending delivery unless this event already went to this address."""
    delivery, created = Delivery.objects.get_or_create(
        channel=fields.pop("channel"),
        address=fields.pop("address"),
        event_key=fields.pop("event_key"),
        defaults={**fields, "next_attempt_at": timezone.now()},
    )
    if not created:
        return None
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: Kind,
    context: dict[str, Any],
    event_key: str,
    url: str = "",
) -> list[Notification]:
    """Tell each recipient about one event: in the inbox, plus their chosen outside channels.

    Call it inside the transaction of the change it reports: if that rolls back, nothing is
    sent. The same `event_key` never notifies a person twice.
    """
    context = {key: str(value) for key, value in context.items()}  # JSON-safe, lazy text too
    title, body = kind.render(context)
    created = []
    for user in recipients:
        notification, new = Notification.objects.get_or_create(
            recipient=user,
            event_key=event_key,
            defaults={"kind": kind.key, "title": title, "body": body, "url": url},
        )
        if not new:
            continue
        created.append(notification)
        for channel in sorted(channels_for(user, kind)):
            _add_delivery(
                notification=notification,
                kind=kind.key,
                event_key=event_key,
                channel=channel,
                address=_addresses(user)[channel],
                subject=title,
                body=body,
                context=context,
            )
    return created


@transaction.atomic
def sms_send(
    *, mobile: str, kind: Kind, context: dict[str, Any], event_key: str
) -> Delivery | None:
    """An SMS to a number that may have no account (a resident ordering help)."""
    mobile = checked_mobile(mobile)
    context = {key: str(value) for key, value in context.items()}
    title, body = kind.render(context)
    return _add_delivery(
        kind=kind.key,
        event_key=event_key,
        channel=SMS,
        address=mobile,
        subject=title,
        body=body,
        context=context,
    )


def _fail(delivery_id: int, reason: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.FAILED, last_error=str(reason)[:500]
    )


def _claim(delivery_id: int, now: Any) -> Delivery | None:
    """Move a due delivery from waiting to sending, or say why not (None: not ours to send)."""
    with transaction.atomic():
        delivery = Delivery.objects.filter(pk=delivery_id).first()
        if delivery is None:
            return None
        if delivery.channel == SMS:
            # Lock this number's quota row so concurrent sends count each other.
            SmsQuota.objects.get_or_create(address=delivery.address)
            SmsQuota.objects.select_for_update().get(address=delivery.address)
        claimed = Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now)
        if not claimed:
            return None
        kind = KINDS.get(delivery.kind)
        if kind and kind.expires_after and delivery.created_at < now - kind.expires_after:
            _fail(delivery_id, _("Not sent: the message had expired."))
            return None
        if delivery.channel == SMS and not _sms_allowed(delivery, kind, now):
            return None
    delivery.refresh_from_db()
    return delivery


def _sms_allowed(delivery: Delivery, kind: Kind | None, now: Any) -> bool:
    """At most SMS_MAX_PER_HOUR per number. Over it, a message that keeps waits for a free
    place; one that expires (a code) fails at once. Runs under the number's lock."""
    recent = (
        Delivery.objects.filter(channel=SMS, address=delivery.address)
        .filter(
            Q(status=Delivery.Status.SENT, sent_at__gte=now - timedelta(hours=1))
            | Q(status=Delivery.Status.SENDING)
        )
        .exclude(pk=delivery.pk)
    )
    if recent.count() < settings.SMS_MAX_PER_HOUR:
        return True
    if kind is None or kind.expires_after:
        _fail(
            delivery.pk,
            _("Not sent: at most %(n)d SMS per number per hour.")
            % {"n": settings.SMS_MAX_PER_HOUR},
        )
        return False
    oldest = recent.filter(status=Delivery.Status.SENT).order_by("sent_at").first()
    free_at = oldest.sent_at + timedelta(hours=1) if oldest and oldest.sent_at else now
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING,
        attempts=F("attempts") - 1,  # waiting for the limit is not a failed attempt
        next_attempt_at=max(free_at, now + timedelta(minutes=1)),
    )
    return False


def delivery_send(delivery_id: int) -> str:
    """Send one delivery if it is due. Safe to call twice or from two workers at once: only
    the one that claims it sends. Returns the delivery's status afterwards."""
    try:
        return _send(delivery_id)
    except Exception as exc:  # a broken row or a bug in a sender must not stop the others
        logger.exception("Delivery %s could not be sent", delivery_id)
        Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.FAILED, last_error=repr(exc)[:500]
        )
        return Delivery.Status.FAILED


def _send(delivery_id: int) -> str:
    delivery = _claim(delivery_id, timezone.now())
    if delivery is None:
        row = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return row or ""
    try:
        provider_id = sender_for(delivery.channel).send(delivery)
    except TemporarySendError as exc:
        if delivery.attempts >= MAX_ATTEMPTS:
            status, next_at = Delivery.Status.FAILED, None
        else:
            status = Delivery.Status.PENDING
            next_at = timezone.now() + RETRY_BASE * 5 ** (delivery.attempts - 1)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, next_attempt_at=next_at, last_error=str(exc)[:500]
        )
        return status
    except UncertainSendError as exc:
        # The provider may have taken it: sending again could send it twice. Staff decide.
        _fail(
            delivery.pk,
            _("Result unknown (%(error)s); check before sending again.") % {"error": exc},
        )
        return Delivery.Status.FAILED
    except PermanentSendError as exc:
        _fail(delivery.pk, str(exc))
        return Delivery.Status.FAILED
    sent: dict[str, Any] = {}
    kind = KINDS.get(delivery.kind)
    if kind and kind.secret:
        sent = {"body": "", "context": {}}  # a code is no business of the records
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id[:100],
        last_error="",
        **sent,
    )
    return Delivery.Status.SENT


def deliveries_forget_secrets() -> int:
    """Mask the mobile numbers of finished code messages (DOMAIN.md §10): a volunteer's mobile
    is kept encrypted in the registry, so it must not stay readable here either."""
    secret = [kind.key for kind in KINDS.values() if kind.secret]
    finished = Delivery.objects.filter(
        kind__in=secret,
        channel=SMS,
        status__in=[Delivery.Status.SENT, Delivery.Status.FAILED],
        created_at__lt=timezone.now() - FORGET_SECRET_ADDRESSES_AFTER,
    ).exclude(address__contains="*")
    forgotten = 0
    for pk, address in finished.values_list("pk", "address").iterator():
        forgotten += Delivery.objects.filter(pk=pk).update(address=mask_mobile(address))
    return forgotten


def deliveries_send_due(limit: int = 500) -> int:
    """The periodic sweep: send whatever is due (retries, and any message whose queue job was
    lost), and give up on sends interrupted mid-way rather than risk sending them twice.
    (A sending delivery's next_attempt_at is the moment it was claimed.)"""
    now = timezone.now()
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, next_attempt_at__lt=now - STALE_SENDING
    ).update(
        status=Delivery.Status.FAILED,
        last_error=_("Interrupted while sending; not sent again so as not to send it twice."),
    )
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(delivery_send(pk) == Delivery.Status.SENT for pk in due)


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor: User) -> None:
    """Staff send a failed delivery again."""
    if not actor.is_superuser:
        raise DomainError(_("Only a system administrator can retry deliveries."), code="forbidden")
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    if not updated:
        raise DomainError(_("Only a failed delivery can be retried."), code="not_failed")
    transaction.on_commit(lambda: _enqueue(delivery.pk))


def notification_mark_read(*, user: User, notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_save(*, user: User, choices: dict[tuple[str, str], bool]) -> None:
    """Save a person's channel choices; required channels stay on whatever is asked."""
    for (kind_key, channel), enabled in choices.items():
        kind = KINDS.get(kind_key)
        if kind is None or channel not in kind.allowed or channel in kind.required:
            continue
        ChannelPreference.objects.update_or_create(
            user=user, kind=kind_key, channel=channel, defaults={"enabled": enabled}
        )
