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
from leifeng.notify.kinds import EMAIL, KINDS, SMS, Kind
from leifeng.notify.models import ChannelPreference, Delivery, Notification, SmsQuota
from leifeng.notify.senders import PermanentSendError, TemporarySendError, sender_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)  # then 5, 25, 125 minutes
STALE_SENDING = timedelta(minutes=15)


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


def channels_for(user: User, kind: Kind) -> set[str]:
    """The wanted channels that we have an address for."""
    addresses = {EMAIL: user.email, SMS: user.mobile}
    return {channel for channel in channels_wanted(user, kind) if addresses.get(channel)}


def _address(user: User, channel: str) -> str:
    return {EMAIL: user.email, SMS: user.mobile}[channel]


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
                address=_address(user, channel),
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
        if delivery.channel == SMS:
            recent = (
                Delivery.objects.filter(channel=SMS, address=delivery.address)
                .filter(
                    Q(status=Delivery.Status.SENT, sent_at__gte=now - timedelta(hours=1))
                    | Q(status=Delivery.Status.SENDING)
                )
                .exclude(pk=delivery_id)
                .count()
            )
            if recent >= settings.SMS_MAX_PER_HOUR:
                Delivery.objects.filter(pk=delivery_id).update(
                    status=Delivery.Status.FAILED,
                    last_error=_("Not sent: at most %(n)d SMS per number per hour.")
                    % {"n": settings.SMS_MAX_PER_HOUR},
                )
                return None
    delivery.refresh_from_db()
    return delivery


def delivery_send(delivery_id: int) -> str:
    """Send one delivery if it is due. Safe to call twice or from two workers at once: only
    the one that claims it sends. Returns the delivery's status afterwards."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
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
    except PermanentSendError as exc:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error=str(exc)[:500]
        )
        return Delivery.Status.FAILED
    except Exception as exc:  # a bug in a sender: keep the delivery visible to staff
        logger.exception("Sender for %s failed", delivery.channel)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error=repr(exc)[:500]
        )
        return Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        provider_id=provider_id[:100],
        last_error="",
    )
    return Delivery.Status.SENT


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
