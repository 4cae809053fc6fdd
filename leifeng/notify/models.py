from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leifeng.notify.kinds import CHANNEL_LABELS


class Notification(models.Model):
    """A message in one person's in-site inbox. One per person and event: never twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    event_key = models.CharField(_("event"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notify_notification_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message over one outside channel (e-mail, SMS, WeChat) to one address.

    Sent by a background job after the transaction that caused it commits; retried with
    back-off; finally marked failed where staff can see it. The unique (channel, address,
    event) makes a repeated event send nothing twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=60)
    event_key = models.CharField(_("event"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=list(CHANNEL_LABELS.items()))
    address = models.CharField(_("address"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    context = models.JSONField(_("template values"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address", "event_key"], name="notify_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["channel", "address", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}: {self.subject}"


class ChannelPreference(models.Model):
    """A person's choice to receive (or not) one kind of message over one outside channel."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="channel_preferences"
    )
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=list(CHANNEL_LABELS.items()))
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notify_channelpreference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.channel} {self.enabled}"


class SmsQuota(models.Model):
    """A row per mobile number, locked while deciding whether one more SMS is allowed this hour,
    so two concurrent sends cannot both take the last place."""

    address = models.CharField(max_length=20, unique=True)

    class Meta:
        verbose_name = _("SMS quota")
        verbose_name_plural = _("SMS quotas")

    def __str__(self) -> str:
        return self.address
