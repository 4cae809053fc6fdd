from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leifeng.orgs.models import Organisation


class AuditEntry(models.Model):
    """One change a person made: who, when, what, before and after. Never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        MOVE = "move", _("Moved")
        DELETE = "delete", _("Deleted")
        GRANT = "grant", _("Role granted")
        REVOKE = "revoke", _("Role revoked")
        REVEAL = "reveal", _("Full number shown")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="audit_entries", verbose_name=_("organisation")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        action = self.get_action_display()
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {action} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for every field that differs, bookkeeping left out."""
        from django.apps import apps

        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            model = None
        before, after = self.before or {}, self.after or {}
        rows = []
        for key in dict.fromkeys([*before, *after]):
            if key in HIDDEN_FIELDS or before.get(key) == after.get(key):
                continue
            rows.append((_label(model, key), before.get(key), after.get(key)))
        return rows


HIDDEN_FIELDS = {"id", "path", "created_at", "updated_at"}


def _label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except Exception:  # a field since removed, or a value that is not a field
            pass
    return name
