"""The service-hours ledger (办法 arts. 7, 11, 13; DOMAIN.md §2, §4).

A credit is never edited or deleted: a correction is a reversing entry plus a new credit, each
with who, when and why. Each volunteer's total is kept in VolunteerHours, changed in the same
transaction as the entries, and `leifeng hours verify` proves it equals the ledger's sum.
Pending claims (from attendance) become ledger entries only when the organiser confirms them.
Write through services only.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leifeng.activities.models import Activity, Attendance
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer


class AppendOnlyError(Exception):
    """Someone tried to change or delete a ledger entry."""


class HoursEntry(models.Model):
    class Kind(models.TextChoices):
        CREDIT = "credit", _("Credit")
        REVERSAL = "reversal", _("Reversal")

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance")
        MANUAL = "manual", _("Recorded by staff")
        IMPORT = "import", _("Imported")

    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="hours_entries", verbose_name=_("volunteer")
    )
    # Who recorded it is who certifies it (谁记录谁证明).
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="hours_entries", verbose_name=_("recorded by")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    source = models.CharField(_("source"), max_length=12, choices=Source)
    activity = models.ForeignKey(
        Activity,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="hours_entries",
        verbose_name=_("activity"),
    )
    content = models.CharField(_("service content"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2)
    reverses = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        ordering = ["volunteer", "started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="hours_entry_period"
            ),
            models.CheckConstraint(
                condition=(Q(kind="credit", hours__gt=0, reverses__isnull=True))
                | Q(kind="reversal", hours__lt=0, reverses__isnull=False),
                name="hours_entry_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "started_at"], name="hours_entry_time"),
            # The reports' rollups recompute a day's entries.
            models.Index(fields=["started_at"], name="hours_entry_day"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.content} · {self.hours}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("A ledger entry is never changed; reverse it and credit anew.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("A ledger entry is never deleted; reverse it.")


class VolunteerHours(models.Model):
    """A volunteer's running total, changed only with the ledger entries that make it."""

    volunteer = models.OneToOneField(
        Volunteer,
        models.CASCADE,
        primary_key=True,
        related_name="hours",
        verbose_name=_("volunteer"),
    )
    total = models.DecimalField(_("total hours"), max_digits=10, decimal_places=2, default=0)

    org_path = "volunteer__organisation__path"

    class Meta:
        verbose_name = _("volunteer's total hours")
        verbose_name_plural = _("volunteers' total hours")

    def __str__(self) -> str:
        return f"{self.volunteer}: {self.total}"


class HoursClaim(models.Model):
    """Checked-out attendance waiting for the organiser: confirm, adjust with a reason, or
    reject. Due within 10 working days of the activity (办法 art. 11)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        LATE = "late", _("Late: waiting for a second approval")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    attendance = models.OneToOneField(
        Attendance, models.PROTECT, related_name="hours_claim", verbose_name=_("attendance")
    )
    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="hours_claims", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="hours_claims", verbose_name=_("organiser")
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"))
    break_minutes = models.PositiveIntegerField(_("breaks (minutes)"), default=0)
    proposed_hours = models.DecimalField(_("proposed hours"), max_digits=6, decimal_places=2)
    due_on = models.DateField(_("record by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    entry = models.OneToOneField(
        HoursEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="claim",
        verbose_name=_("ledger entry"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("hours claim")
        verbose_name_plural = _("hours claims")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.proposed_hours}"


class WorkdayOverride(models.Model):
    """A day the holiday package does not know (a year after its last release): the city
    office records the State Council's arrangement here. Overrides win over the package."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'✓' if self.is_workday else '✗'}"


ZERO = Decimal("0.00")


class CorrectionRequest(models.Model):
    """A volunteer reports a wrong or missing record (办法 art. 13); the recording organisation
    checks it and answers. The correction itself is made with the ledger's own tools."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being looked into")
        DONE = "done", _("Corrected")
        DECLINED = "declined", _("Not corrected")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="correction_requests", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("organisation"),
    )
    entry = models.ForeignKey(
        HoursEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="correction_requests",
        verbose_name=_("entry"),
        help_text=_("Empty: a record that is missing."),
    )
    message = models.TextField(_("what is wrong"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.get_status_display()}"


class RecordItem(models.Model):
    """Training, awards and evaluations kept with the service record (办法 arts. 8–10)."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        AWARD = "award", _("Award")
        EVALUATION = "evaluation", _("Evaluation")

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        PASS = "pass", _("Satisfactory")
        POOR = "poor", _("Unsatisfactory")

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="record_items", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="record_items", verbose_name=_("recorded by")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    title = models.CharField(
        _("name"), max_length=100, help_text=_("The training's, award's or evaluation's name.")
    )
    detail = models.CharField(_("main content"), max_length=500, blank=True)
    issuer = models.CharField(
        _("held or granted by"), max_length=100, help_text=_("The unit that held or granted it.")
    )
    on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("learning hours"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rating = models.CharField(_("rating"), max_length=10, choices=Rating, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("record item")
        verbose_name_plural = _("record items")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.get_kind_display()} · {self.title}"


class StarCertification(models.Model):
    """Staff certify a star level the volunteer's hours reach (DOMAIN.md §4): the standard is
    reached by hours alone, the certification is a recorded approval."""

    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="star_certifications", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="star_certifications", verbose_name=_("by")
    )
    level = models.PositiveSmallIntegerField(_("stars"))
    hours_at = models.DecimalField(_("hours then"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("certified by"),
    )
    certified_at = models.DateTimeField(_("certified at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("star certification")
        verbose_name_plural = _("star certifications")
        ordering = ["volunteer", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "level"], name="hours_star_once")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ★{self.level}"


class HoursImport(models.Model):
    """One .xlsx of historical hours: its rows wait as late entries for a second person."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="hours_imports", verbose_name=_("organisation")
    )
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    already = models.PositiveIntegerField(_("already recorded"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("hours import")
        verbose_name_plural = _("hours imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class LateEntry(models.Model):
    """Hours recorded after the 10 working days (补录), or imported from earlier records: a
    credit that waits for a second person's approval before it reaches the ledger."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="late_entries", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="late_entries", verbose_name=_("recorded by")
    )
    source = models.CharField(_("source"), max_length=12, choices=HoursEntry.Source)
    activity = models.ForeignKey(
        Activity,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="late_entries",
        verbose_name=_("activity"),
    )
    claim = models.OneToOneField(
        HoursClaim,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="late_entry",
        verbose_name=_("claim"),
    )
    batch = models.ForeignKey(
        HoursImport,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("import"),
    )
    content = models.CharField(_("service content"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2)
    reason = models.CharField(_("why late"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.CharField(_("reason for rejecting"), max_length=200, blank=True)
    entry = models.OneToOneField(
        HoursEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="late_entry",
        verbose_name=_("ledger entry"),
    )

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("late entry")
        verbose_name_plural = _("late entries")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")) & Q(hours__gt=0),
                name="hours_late_entry_valid",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "started_at"], name="hours_late_time")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.content} · {self.hours}"


class Certificate(models.Model):
    """A service record certificate (志愿服务记录证明, 办法 arts. 14–17): the figures as issued,
    the entries it covers, and a digest of its content so that any later change shows."""

    number = models.CharField(_("certificate number"), max_length=24, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, models.PROTECT, related_name="certificates", verbose_name=_("volunteer")
    )
    # Empty: printed by the volunteer from the system, each record naming its recorder.
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("issued by"),
    )
    entries = models.ManyToManyField(
        HoursEntry, related_name="certificates", verbose_name=_("records")
    )
    hours = models.DecimalField(_("hours"), max_digits=10, decimal_places=2)
    records = models.PositiveIntegerField(_("records"))
    first_on = models.DateField(_("from"), null=True)
    last_on = models.DateField(_("to"), null=True)
    issuer_name = models.CharField(_("issuer"), max_length=100)
    person_in_charge = models.CharField(_("person in charge"), max_length=50, blank=True)
    handled_by = models.CharField(_("handled by"), max_length=50, blank=True)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    digest = models.CharField(max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.number
