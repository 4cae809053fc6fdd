"""The real-name volunteer registry (DOMAIN.md §1, §2, §7, §10).

Document and mobile numbers are stored sealed (AES-GCM, core.crypto), with a keyed hash for
exact look-up and uniqueness and a masked copy for display. Write through services only.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leifeng.core.campaign import CampaignLine
from leifeng.core.fields import ChoiceSetField, choice_labels
from leifeng.core.masking import mask_name
from leifeng.core.models import TimeStamped
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType, age_on

ADULT_AGE = 18
CHILD_AGE = 14  # PIPL art. 31: under 14 all personal information is sensitive


class Skill(models.Model):
    """An editable list of skills (medical, legal, repair, …) that activities can ask for."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(TimeStamped):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    national_number = models.CharField(
        _("national volunteer number"),
        max_length=40,
        blank=True,
        help_text=_("The number given by the national volunteer service system, if any."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("account"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="registered_volunteers",
        verbose_name=_("registered with"),
    )
    name = models.CharField(_("real name"), max_length=50)
    document_type = models.CharField(_("document type"), max_length=3, choices=DocumentType.choices)
    document_sealed = models.TextField(blank=True, editable=False)
    # NULL once the account is closed. Not "" with a partial unique index: SQLite would not
    # use such an index for a plain look-up, nor PostgreSQL for a long IN list.
    document_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    document_masked = models.CharField(_("document number"), max_length=30, blank=True)
    mobile_sealed = models.TextField(blank=True, editable=False)
    mobile_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_masked = models.CharField(_("mobile number"), max_length=20, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSTATED)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    residence = models.ForeignKey(
        Region, models.PROTECT, related_name="volunteers", verbose_name=_("residence")
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="volunteers", verbose_name=_("skills")
    )
    availability = ChoiceSetField(
        _("availability"), max_length=100, blank=True, choices=Availability.choices
    )
    campaign_lines = ChoiceSetField(
        _("campaign lines"), max_length=100, blank=True, choices=CampaignLine.choices
    )
    kinds = ChoiceSetField(
        _("volunteer kinds"), max_length=100, blank=True, choices=VolunteerKind.choices
    )
    political_status = models.CharField(
        _("political status"), max_length=2, blank=True, choices=PoliticalStatus.choices
    )
    education = models.CharField(
        _("education"), max_length=2, blank=True, choices=Education.choices
    )
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=20)
    consented_at = models.DateTimeField(_("consented at"))
    public_display = models.BooleanField(
        _("may be shown publicly"),
        default=False,
        help_text=_("Name and photos on honour rolls and public pages."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Staff see the volunteers registered with their organisations and the members of their teams.
    org_path = ("organisation__path", "team_memberships__team__path")

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["name"], name="volunteers_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["organisation", "status"], name="volunteers_org_status"),
            # The reports' rollups count a day's registrations.
            models.Index(fields=["created_at"], name="volunteers_registered"),
        ]

    def __str__(self) -> str:
        return f"{self.name or _('(closed)')} {self.number}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def age(self, on: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, on or timezone.localdate())

    def is_minor(self, on: date | None = None) -> bool:
        """Under 18 on that day. Later issues keep minors out of risky activities with this."""
        age = self.age(on)
        return age is not None and age < ADULT_AGE

    def is_child(self, on: date | None = None) -> bool:
        age = self.age(on)
        return age is not None and age < CHILD_AGE

    @property
    def public_name(self) -> str:
        return mask_name(self.name)

    @property
    def kind_labels(self) -> list[str]:
        return choice_labels(VolunteerKind.choices, self.kinds)

    @property
    def campaign_line_labels(self) -> list[str]:
        return choice_labels(CampaignLine.choices, self.campaign_lines)

    @property
    def availability_labels(self) -> list[str]:
        return choice_labels(Availability.choices, self.availability)


class GuardianConsent(models.Model):
    """A guardian's consent for a volunteer under 18 (PIPL art. 31; DOMAIN.md §1)."""

    volunteer = models.OneToOneField(
        Volunteer, models.CASCADE, related_name="guardian_consent", verbose_name=_("volunteer")
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=10, choices=GuardianRelation.choices)
    phone_sealed = models.TextField(editable=False)
    phone_masked = models.CharField(_("guardian's phone"), max_length=20)
    notice_version = models.CharField(_("notice version"), max_length=20)
    consented_at = models.DateTimeField(_("consented at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    org_path = "volunteer__organisation__path"

    class Meta:
        verbose_name = _("guardian's consent")
        verbose_name_plural = _("guardians' consents")

    def __str__(self) -> str:
        return f"{mask_name(self.guardian_name)} ({self.get_relation_display()})"


class ConsentRecord(models.Model):
    """Every consent given or withdrawn, kept as history (PIPL arts. 14, 15, 29; 办法 art. 6)."""

    class Purpose(models.TextChoices):
        PRIVACY_NOTICE = "privacy", _("Privacy notice")
        PUBLIC_DISPLAY = "public", _("Public display")
        GUARDIAN = "guardian", _("Guardian's consent")
        ENTERED_BY_ORGANISATION = "org_entry", _("Data entered by an organisation")
        TEAM_ADDED = "team_added", _("Added to a team by staff")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="consents", verbose_name=_("volunteer")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"), default=True)
    notice_version = models.CharField(_("notice version"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    org_path = "volunteer__organisation__path"

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.at:%Y-%m-%d}"


class TeamApplication(models.Model):
    """A volunteer asks to join a team; the team leader or staff decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="applications", verbose_name=_("volunteer")
    )
    team = models.ForeignKey(
        Organisation, models.CASCADE, related_name="applications", verbose_name=_("team")
    )
    message = models.CharField(_("message"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    org_path = "team__path"

    class Meta:
        verbose_name = _("team application")
        verbose_name_plural = _("team applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "team"],
                condition=Q(status="pending"),
                name="volunteers_one_pending_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.team}"


class TeamMembership(models.Model):
    """A volunteer is in a team now. Leaving deletes the row; TeamEvent keeps the history."""

    class Source(models.TextChoices):
        APPLIED = "applied", _("Applied and approved")
        ADDED = "added", _("Added by staff with consent")
        IMPORTED = "imported", _("Imported from Excel")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="team_memberships", verbose_name=_("volunteer")
    )
    team = models.ForeignKey(
        Organisation, models.CASCADE, related_name="team_memberships", verbose_name=_("team")
    )
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    org_path = "team__path"

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team__path", "-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "team"], name="volunteers_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.team}"


class TeamEvent(models.Model):
    """The history of a volunteer's teams: applied, approved, declined, added, left, removed."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Application approved")
        DECLINED = "declined", _("Application declined")
        WITHDRAWN = "withdrawn", _("Application withdrawn")
        ADDED = "added", _("Added by staff")
        LEFT = "left", _("Left the team")
        REMOVED = "removed", _("Removed by staff")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="team_events", verbose_name=_("volunteer")
    )
    team = models.ForeignKey(
        Organisation, models.CASCADE, related_name="team_events", verbose_name=_("team")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    org_path = "team__path"

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team history")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.team}"


class NumberSequence(models.Model):
    """The last volunteer number handed out per prefix, taken under a row lock."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class RecoveryCode(models.Model):
    """An SMS code that lets the holder of a document and its mobile number take over or
    reset the volunteer account. Only a hash of the code is kept."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery {self.pk}"


def import_upload_path(batch: "ImportBatch", filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{batch.organisation_id}-{filename}"


class ImportBatch(models.Model):
    """One uploaded .xlsx: checked first (a preview of every bad row), then imported whole."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: waiting for confirmation")
        INVALID = "invalid", _("Has errors: nothing imported")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="import_batches", verbose_name=_("organisation")
    )
    team = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("add to team"),
    )
    file = models.FileField(_("file"), upload_to=import_upload_path)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    to_create = models.PositiveIntegerField(_("new"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    to_skip = models.PositiveIntegerField(_("unchanged or skipped"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    job = models.ForeignKey("jobs.Job", models.SET_NULL, null=True, blank=True, related_name="+")

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("volunteer import")
        verbose_name_plural = _("volunteer imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename
