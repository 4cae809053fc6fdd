from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leifeng.core.models import TimeStamped
from leifeng.core.tree import PathNode
from leifeng.core.validators import validate_credit_code
from leifeng.regions.models import Region


class Organisation(TimeStamped, PathNode):
    """A node of the organisation tree: offices, practice centers down to points, units, teams.

    Write through services.org_create / org_update / org_move only: they keep `path` right.
    """

    class Kind(models.TextChoices):
        OFFICE = "office", _("Civilization office")
        CENTER = "center", _("Civilization practice center")
        INSTITUTE = "institute", _("Civilization practice institute")
        STATION = "station", _("Civilization practice station")
        POINT = "point", _("Civilization practice point")
        UNIT = "unit", _("Department or unit")
        FEDERATION = "federation", _("Volunteer federation")
        VOLUNTEER_ORG = "volunteer_org", _("Volunteer organisation")
        TEAM_CORPS = "team_corps", _("Volunteer corps")
        TEAM_BRANCH = "team_branch", _("Volunteer branch team")
        TEAM = "team", _("Volunteer team")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="organisations", verbose_name=_("region")
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters (GB 32100). Leave empty for teams that are not registered."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    org_path = "path"

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="orgs_organisation_credit_code_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], name="orgs_organisation_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_team(self) -> bool:
        return self.kind in {self.Kind.TEAM_CORPS, self.Kind.TEAM_BRANCH, self.Kind.TEAM}


class Membership(models.Model):
    """A role that a user holds in an organisation. It covers the organisation's whole subtree."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")
        TEAM_LEADER = "team_leader", _("Team leader")
        JUDGE = "judge", _("Judge")
        REPORTER = "reporter", _("Reporter")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["organisation__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="orgs_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
