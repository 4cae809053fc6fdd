"""Activities, service stations and their duty rosters, shifts, sign-ups and attendance
(DOMAIN.md §1 arts. 12, 15, 17, 22, 25; campaign plan 三、主要内容).

Every place a volunteer can serve is a Shift of an Activity: a station's duty roster is the
station's own activity whose shifts are generated from weekly patterns, so signing up,
waitlists, check-in and hours work the same everywhere. Write through services only.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leifeng.activities.codes import NationalCategory, PlaceKind, ServedGroup, StationService
from leifeng.core.campaign import CampaignLine
from leifeng.core.fields import ChoiceSetField, choice_labels
from leifeng.core.models import TimeStamped
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.codes import VolunteerKind
from leifeng.volunteers.models import Skill, Volunteer


class ServiceItem(models.Model):
    """An editable list of service items per campaign line (文明交通劝导, 体温测量, 植树 …)."""

    campaign_line = models.CharField(_("campaign line"), max_length=20, choices=CampaignLine)
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["campaign_line", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_line", "name"], name="activities_item_once_per_line"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """Where an activity or a station is: address, township and coordinates (WGS-84 as the
    browser reports them) with the radius inside which on-the-spot check-in is accepted."""

    address = models.CharField(_("address"), max_length=200)
    township = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("township or street"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    checkin_radius_m = models.PositiveIntegerField(_("check-in radius (metres)"), default=300)

    class Meta:
        abstract = True


class Station(Place, TimeStamped):
    """A 学雷锋志愿服务站点 at a public place, with the services it offers."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="stations", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    place_kind = models.CharField(_("kind of place"), max_length=20, choices=PlaceKind)
    host_unit = models.CharField(_("host unit"), max_length=100)
    opening_hours = models.CharField(_("opening hours"), max_length=100)
    services = ChoiceSetField(_("services offered"), max_length=200, choices=StationService)
    services_note = models.CharField(_("other services"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["organisation__path", "name"]

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        return choice_labels(StationService.choices, self.services)


class RosterPattern(models.Model):
    """One weekly duty shift of a station (every Monday 08:30–11:30, 2 volunteers)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    station = models.ForeignKey(
        Station, models.CASCADE, related_name="patterns", verbose_name=_("station")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    quota = models.PositiveIntegerField(_("volunteers needed"))

    org_path = "station__organisation__path"

    class Meta:
        verbose_name = _("roster pattern")
        verbose_name_plural = _("roster patterns")
        ordering = ["station", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="activities_pattern_ends_later"
            ),
            models.CheckConstraint(condition=Q(quota__gt=0), name="activities_pattern_quota"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Activity(Place, TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Recruiting")
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class JoinRule(models.TextChoices):
        EVERYONE = "everyone", _("Every registered volunteer")
        TEAMS = "teams", _("Members of the chosen teams")
        CODE = "code", _("Volunteers with the invitation code")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="activities", verbose_name=_("organiser")
    )
    station = models.OneToOneField(
        Station,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="duty",
        verbose_name=_("station"),
        help_text=_("Set for a station's duty roster."),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    campaign_line = models.CharField(_("campaign line"), max_length=20, choices=CampaignLine)
    service_items = models.ManyToManyField(
        ServiceItem, blank=True, related_name="activities", verbose_name=_("service items")
    )
    served_groups = ChoiceSetField(
        _("groups served"), max_length=200, blank=True, choices=ServedGroup
    )
    national_category = models.CharField(
        _("national service category"), max_length=20, choices=NationalCategory
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    require_location = models.BooleanField(
        _("check in only inside the radius"),
        default=False,
        help_text=_("The volunteer's phone is asked for its position when checking in."),
    )
    signup_opens_at = models.DateTimeField(
        _("sign-up opens"), null=True, blank=True, help_text=_("Empty: when published.")
    )
    signup_closes_at = models.DateTimeField(
        _("sign-up closes"), null=True, blank=True, help_text=_("Empty: when each shift starts.")
    )
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("cancel up to (hours before the shift)"), default=2
    )
    join_rule = models.CharField(
        _("who may join"), max_length=10, choices=JoinRule, default=JoinRule.EVERYONE
    )
    teams = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="team_activities",
        verbose_name=_("teams that may join"),
    )
    invitation_code = models.CharField(_("invitation code"), max_length=20, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="activities", verbose_name=_("skills required")
    )
    volunteer_kinds = ChoiceSetField(
        _("volunteer kinds"),
        max_length=200,
        blank=True,
        choices=VolunteerKind,
        help_text=_("Empty: volunteers of every kind."),
    )
    risk_notice = models.TextField(
        _("risk notice"),
        help_text=_("The possible risks and the safety measures; volunteers read it first."),
    )
    risky = models.BooleanField(
        _("may endanger personal safety"),
        default=False,
        help_text=_("Needs accident insurance before publishing; minors cannot join."),
    )
    insurer = models.CharField(_("insurer"), max_length=100, blank=True)
    policy_number = models.CharField(_("policy number"), max_length=50, blank=True)
    insured_from = models.DateField(_("insured from"), null=True, blank=True)
    insured_until = models.DateField(_("insured until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.DRAFT, db_index=True
    )
    # The first shift's start and the last shift's end, kept by the services for lists.
    # A one-person service outside the events (a resident's order, leifeng.demands): never
    # listed or advanced with the events; it exists so that check-in and out, and the hours,
    # work as for any shift.
    is_assignment = models.BooleanField(_("one-person service"), default=False, editable=False)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="activities_public_list"),
            models.Index(fields=["campaign_line", "status", "starts_at"], name="activities_line"),
            # The public list and its count read only this index (PostgreSQL; elsewhere the
            # INCLUDE is left out).
            models.Index(
                fields=["starts_at", "id"],
                include=["ends_at"],
                condition=Q(
                    status__in=["published", "in_progress"],
                    station__isnull=True,
                    is_assignment=False,
                ),
                name="activities_open_events",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    def served_group_labels(self) -> list[str]:
        return choice_labels(ServedGroup.choices, self.served_groups)

    def volunteer_kind_labels(self) -> list[str]:
        return choice_labels(VolunteerKind.choices, self.volunteer_kinds)

    def has_insurance(self) -> bool:
        return bool(
            self.insurer and self.policy_number and self.insured_from and self.insured_until
        )


PUBLIC_STATUSES = (
    Activity.Status.PUBLISHED,
    Activity.Status.IN_PROGRESS,
    Activity.Status.FINISHED,
)


class Shift(models.Model):
    """A time slot with a quota. `confirmed` counts the confirmed sign-ups; the database
    refuses any row where it passes the quota, so no code path can overbook."""

    MAX_LENGTH = timedelta(hours=24)  # longer service is several shifts

    activity = models.ForeignKey(
        Activity, models.CASCADE, related_name="shifts", verbose_name=_("activity")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    quota = models.PositiveIntegerField(_("volunteers needed"))
    confirmed = models.PositiveIntegerField(_("signed up"), default=0)
    note = models.CharField(_("note"), max_length=100, blank=True)

    org_path = "activity__organisation__path"

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activities_shift_ends_later"
            ),
            models.CheckConstraint(condition=Q(quota__gt=0), name="activities_shift_quota"),
            models.CheckConstraint(
                condition=Q(confirmed__lte=F("quota")), name="activities_shift_never_overbooked"
            ),
            models.UniqueConstraint(
                fields=["activity", "starts_at", "ends_at"], name="activities_shift_once"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="activities_shift_time")]

    def __str__(self) -> str:
        return f"{self.activity} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.quota - self.confirmed, 0)


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Signed up")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    shift = models.ForeignKey(
        Shift, models.CASCADE, related_name="signups", verbose_name=_("shift")
    )
    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    risk_notice_read_at = models.DateTimeField(_("risk notice read at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    org_path = "shift__activity__organisation__path"

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="activities_signup_once",
            )
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"], name="activities_signup_mine"),
            models.Index(fields=["shift", "status", "created_at"], name="activities_waitlist"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"

    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Attendance(models.Model):
    """Being there: checked in and out (by QR code, by the organiser, or closed at the shift's
    end). What the hours ledger turns into service hours."""

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        ROSTER = "roster", _("By the organiser")
        AUTO = "auto", _("Closed at the shift's end")

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        NO_SHOW = "no_show", _("Did not come")

    signup = models.OneToOneField(
        Signup, models.CASCADE, related_name="attendance", verbose_name=_("sign-up")
    )
    shift = models.ForeignKey(
        Shift, models.CASCADE, related_name="attendances", verbose_name=_("shift")
    )
    volunteer = models.ForeignKey(
        Volunteer, models.CASCADE, related_name="attendances", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PRESENT)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    check_in_method = models.CharField(_("check-in by"), max_length=10, choices=Method, blank=True)
    check_out_method = models.CharField(
        _("check-out by"), max_length=10, choices=Method, blank=True
    )
    needs_review = models.BooleanField(
        _("needs the organiser's review"),
        default=False,
        help_text=_("Set when a forgotten check-out was closed at the shift's end."),
    )
    correction_reason = models.CharField(_("reason for correcting"), max_length=200, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    org_path = "shift__activity__organisation__path"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["shift", "checked_in_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="activities_attendance_out_after_in",
            )
        ]
        indexes = [
            models.Index(
                fields=["checked_out_at"],
                condition=Q(checked_in_at__isnull=False, checked_out_at__isnull=True),
                name="activities_still_in",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"

    @property
    def minutes(self) -> int | None:
        if not (self.checked_in_at and self.checked_out_at):
            return None
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)


class ActivityPhoto(models.Model):
    """A photo of an activity, added by its organiser once it is under way: what a unit may
    pick for its report to the city. Served only through access-checked views, never /media/."""

    activity = models.ForeignKey(
        Activity, models.CASCADE, related_name="photos", verbose_name=_("activity")
    )
    image = models.FileField(_("photo"), upload_to="activities/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    org_path = "activity__organisation__path"

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.activity} {self.pk}"
