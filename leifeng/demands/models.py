"""Residents' orders (群众点单、中心派单、志愿者接单、群众评单; DOMAIN.md §5).

A center publishes a menu of services; a resident orders from it or in their own words; the
receiving center verifies the order (条例 art. 13) and dispatches it down its tree or opens it
for teams and volunteers to take; one taker wins (nobody is forced: art. 25); the taker serves,
checking in and out so the hours reach the ledger; the resident rates the service. The order's
allowed moves are written down once, in MOVES; every move is an OrderEvent with who and when.
Write through services only.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leifeng.activities.codes import ServedGroup
from leifeng.activities.models import Signup
from leifeng.core.models import TimeStamped
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.models import Volunteer


class Category(models.TextChoices):
    SHOPPING = "shopping", _("Shopping for supplies")
    ERRANDS = "errands", _("Running errands")
    CARE = "care", _("Daily care")
    COUNSELLING = "counselling", _("Psychological counselling")
    VISITS = "visits", _("Visits and care")
    REPAIRS = "repairs", _("Appliance repairs")
    POLICY = "policy", _("Explaining policies")
    PERFORMANCE = "performance", _("Cultural performances")
    OTHER = "other", _("Other help")


class MenuItem(TimeStamped):
    """A service a center, institute or station offers residents (制单)."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="menu_items", verbose_name=_("offered by")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    title = models.CharField(_("service"), max_length=100)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    area = models.CharField(
        _("where"), max_length=200, help_text=_("The places it serves, e.g. 金村镇各村")
    )
    times = models.CharField(
        _("when"), max_length=100, help_text=_("e.g. 工作日 9:00–17:00, 预约上门")
    )
    is_active = models.BooleanField(_("offered now"), default=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["category", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class Beneficiary(TimeStamped):
    """A resident served regularly (elderly living alone, left-behind children …), kept with
    their consent; their mobile is sealed like a volunteer's."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="beneficiaries", verbose_name=_("kept by")
    )
    name = models.CharField(_("name"), max_length=50)
    group = models.CharField(_("group"), max_length=20, choices=ServedGroup)
    mobile_sealed = models.TextField(blank=True, editable=False)
    mobile_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_masked = models.CharField(_("mobile number"), max_length=20, blank=True)
    township = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("township or street")
    )
    address = models.CharField(_("address"), max_length=200)
    needs = models.CharField(_("regular needs"), max_length=200, blank=True)
    consent_note = models.CharField(
        _("consent"), max_length=200, help_text=_("How and when they (or their guardian) agreed.")
    )
    consented_at = models.DateTimeField(_("consented at"))
    is_active = models.BooleanField(_("in the register"), default=True)

    org_path = "organisation__path"

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class OrderQuerySet(models.QuerySet["Order"]):
    def overdue(self, now: Any) -> "OrderQuerySet":
        """Orders waiting for a step (verify, dispatch, take) past its time limit."""
        return self.filter(step_due_at__lt=now, status__in=TIMED)


class Order(TimeStamped):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for verification")
        VERIFIED = "verified", _("Verified: waiting for dispatch")
        REJECTED = "rejected", _("Not accepted")
        DISPATCHED = "dispatched", _("Dispatched: waiting to be taken")
        OPEN = "open", _("Open for taking")
        ACCEPTED = "accepted", _("Taken")
        IN_SERVICE = "in_service", _("Being served")
        DONE = "done", _("Served: waiting for the rating")
        RATED = "rated", _("Rated")
        UNRATED = "unrated", _("Closed without a rating")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Ordered online")
        STAFF = "staff", _("Recorded by staff (call or visit)")

    class Rating(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied")
        SATISFIED = 4, _("Satisfied")
        FAIRLY_SATISFIED = 3, _("Fairly satisfied")
        DISSATISFIED = 2, _("Dissatisfied")
        VERY_DISSATISFIED = 1, _("Very dissatisfied")

    number = models.CharField(_("order number"), max_length=20, unique=True)
    # The center that received the order keeps sight of it wherever it is dispatched.
    receiver = models.ForeignKey(
        Organisation, models.PROTECT, related_name="orders_received", verbose_name=_("received by")
    )
    # Who holds the order now: the receiver, or the institute, station or team it went to.
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="orders", verbose_name=_("handled by")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    menu_item = models.ForeignKey(
        MenuItem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("menu item"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    description = models.TextField(_("what is needed"), max_length=1000)
    township = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("township or street")
    )
    address = models.CharField(_("address"), max_length=200)
    preferred_time = models.CharField(_("preferred time"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_sealed = models.TextField(editable=False)
    contact_hash = models.CharField(max_length=64, db_index=True, editable=False)
    contact_masked = models.CharField(_("contact phone"), max_length=20)
    beneficiary = models.ForeignKey(
        Beneficiary,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("beneficiary"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    step_due_at = models.DateTimeField(_("this step due"), null=True, blank=True, db_index=True)
    escalated_to = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    # When it last went up a level: the level above gets the step's time again before the
    # order goes further up (step_due_at keeps the missed deadline).
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    taker_team = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_taken",
        verbose_name=_("taken by team"),
    )
    taker = models.ForeignKey(
        Volunteer,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_taken",
        verbose_name=_("served by"),
    )
    signup = models.OneToOneField(
        Signup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="demand_order",
        verbose_name=_("service shift"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    done_note = models.TextField(_("service notes"), max_length=1000, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating, null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rating_token = models.CharField(max_length=64, blank=True, editable=False)
    follow_up = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_note = models.CharField(_("follow-up"), max_length=500, blank=True)
    accepted_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("served at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    org_path = ("organisation__path", "receiver__path")

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="demands_rating_scale",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def is_overdue(self, now: Any) -> bool:
        return self.status in TIMED and self.step_due_at is not None and self.step_due_at < now


S = Order.Status
# The allowed moves, in one place (DOMAIN.md §5). A declined or given-up order goes back to
# VERIFIED, to be dispatched again.
MOVES: dict[str, set[str]] = {
    S.SUBMITTED: {S.VERIFIED, S.REJECTED, S.CANCELLED},
    S.VERIFIED: {S.DISPATCHED, S.OPEN, S.CANCELLED},
    S.DISPATCHED: {S.ACCEPTED, S.VERIFIED, S.CANCELLED},
    S.OPEN: {S.ACCEPTED, S.VERIFIED, S.CANCELLED},
    S.ACCEPTED: {S.IN_SERVICE, S.VERIFIED, S.CANCELLED},
    S.IN_SERVICE: {S.DONE},
    S.DONE: {S.RATED, S.UNRATED},
}
FINAL = {S.REJECTED, S.RATED, S.UNRATED, S.CANCELLED}
# The steps with a time limit that escalates: verify, dispatch, take. (The rating window of a
# served order closes it as unrated instead.)
TIMED = {S.SUBMITTED, S.VERIFIED, S.DISPATCHED, S.OPEN}


class OrderEvent(models.Model):
    """One move of an order, with who, when and why."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="events", verbose_name=_("order"))
    from_status = models.CharField(_("from"), max_length=12, choices=Order.Status, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Order.Status, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The moment of the move (a past one when the demo loads past decisions).
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} {self.from_status}→{self.to_status}"


class OrderPhoto(models.Model):
    """A photo of the service, added by its taker when marking it done."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="photos", verbose_name=_("order"))
    image = models.FileField(_("photo"), upload_to="orders/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service photo")
        verbose_name_plural = _("service photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.order} {self.pk}"


class PhoneCode(models.Model):
    """A code sent to a resident's phone before an order without an account is accepted."""

    mobile_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")

    def __str__(self) -> str:
        return f"{self.mobile_hash[:8]} {self.created_at:%Y-%m-%d %H:%M}"
