"""Reports to the city office, and the figures that fill them in.

A `Period` is what the city asks for (the dates covered and a due date); a `Report` is one
organisation's duty for one period, from the moment the city names it as obliged (so "not
submitted" is a report still in draft). The figures come from the rollup tables at the end of
this module, never from the ledgers on a page view (rollups.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leifeng.core.models import TimeStamped
from leifeng.orgs.models import Organisation


class Period(models.Model):
    """What an office asks its subtree to report: the city office's three periods a year
    (3/19, 7/19, 11/19), or any office's own."""

    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="reporting_periods",
        verbose_name=_("reports go to"),
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("covers from"))
    ends_on = models.DateField(_("covers until"))
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="reports_period_dates"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"], name="reports_period_name_unique"
            ),
        ]

    org_path = "organisation__path"

    def __str__(self) -> str:
        return self.name


class Report(TimeStamped):
    """One organisation's report for one period: its figures, narrative and attachments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not submitted")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ACCEPTED = "accepted", _("Accepted")

    period = models.ForeignKey(
        Period, models.CASCADE, related_name="reports", verbose_name=_("period")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="reports", verbose_name=_("organisation")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.DRAFT, db_index=True
    )
    narrative = models.TextField(_("narrative"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    comment = models.TextField(_("comments from the city"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    figures_at = models.DateTimeField(_("figures filled in at"), null=True, blank=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["period", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["period", "organisation"], name="reports_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.period}"


class ReportFigure(models.Model):
    """One figure of a report: what the platform counted, and what the report says."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="figures", verbose_name=_("report")
    )
    key = models.CharField(_("figure"), max_length=30)
    line = models.CharField(_("campaign line"), max_length=20, blank=True)
    computed = models.DecimalField(_("counted by the platform"), max_digits=14, decimal_places=2)
    value = models.DecimalField(_("reported"), max_digits=14, decimal_places=2)
    manual = models.BooleanField(_("changed by hand"), default=False)
    note = models.CharField(_("why changed"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    org_path = "report__organisation__path"

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key", "line"], name="reports_figure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.line} {self.value}"


class ReportEvent(models.Model):
    """What happened to a report, in order: the audit trail the city and the unit both see."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    org_path = "report__organisation__path"

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A photo, video or document sent with a report (uploaded, or a service photo picked)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")
        DOCUMENT = "document", _("Document")

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    title = models.CharField(_("caption"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="reports/thumbs/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("file name"), max_length=200)
    in_document = models.BooleanField(_("show in the Word report"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    org_path = "report__organisation__path"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["report", "pk"]

    def __str__(self) -> str:
        return self.title or self.original_name


# --- rollups -------------------------------------------------------------------------------


class Figures(models.Model):
    """The counts of one organisation's whole subtree for one stretch of time and one campaign
    line ("" = not tied to a line). Sums add up across rows; the *_set columns are roaring
    bitmaps of ids, OR-ed across rows so that a distinct count stays exact."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="+")
    line = models.CharField(max_length=20, blank=True)
    hours = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    services = models.IntegerField(default=0)  # 服务人次: credits standing
    registrations = models.IntegerField(default=0)
    orders_received = models.IntegerField(default=0)
    orders_taken = models.IntegerField(default=0)
    orders_served = models.IntegerField(default=0)
    ratings = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    volunteer_set = models.BinaryField(default=b"")
    activity_set = models.BinaryField(default=b"")
    station_set = models.BinaryField(default=b"")

    org_path = "organisation__path"

    class Meta:
        abstract = True


class DayFigures(Figures):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "line"], name="reports_dayfigures_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.line}"


class MonthFigures(Figures):
    """The same as DayFigures summed over a calendar month (`month` is its first day), so
    that a year is read as twelve rows instead of 365."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "line"], name="reports_monthfigures_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.line}"


class DirtySpan(models.Model):
    """Days whose figures changed since the rollups last ran (written in the same transaction
    as the change; the rollup job deletes only the rows it read)."""

    first_day = models.DateField()
    last_day = models.DateField()

    def __str__(self) -> str:
        return f"{self.first_day} – {self.last_day}"
