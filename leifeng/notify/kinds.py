"""Every kind of message the platform sends, with its Chinese text, in one place.

A kind says which channels it may use, which it uses unless the person turns them off, and
which the person cannot turn off (a verification code always goes by SMS).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IN_SITE, EMAIL, SMS, WECHAT = "in_site", "email", "sms", "wechat"
CHANNEL_LABELS = {
    IN_SITE: _("In the site"),
    EMAIL: _("E-mail"),
    SMS: _("SMS"),
    WECHAT: _("WeChat"),
}
OUTSIDE_CHANNELS = (EMAIL, SMS, WECHAT)
# WeChat template messages need each person's WeChat binding (openid), which accounts do not
# have yet: no kind offers WeChat until then, though its sender is in place.
OFFERED_CHANNELS = (EMAIL, SMS)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    title: str | Promise  # %(name)s placeholders filled from the context
    body: str | Promise
    allowed: frozenset[str] = frozenset(OFFERED_CHANNELS)
    default: frozenset[str] = field(default_factory=frozenset)
    required: frozenset[str] = field(default_factory=frozenset)
    # A message that is useless after a while (a verification code) is dropped, not retried,
    # once this old; over the SMS rate limit it fails instead of waiting for the next hour.
    expires_after: timedelta | None = None
    # Its text is wiped from the delivery record once sent (codes are secrets).
    secret: bool = False

    def render(self, context: dict) -> tuple[str, str]:
        return str(self.title) % context, str(self.body) % context


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


ROLE_GRANTED = register(
    Kind(
        key="orgs.role_granted",
        label=_("A role was given to me"),
        title=_("You are now %(role)s of %(organisation)s"),
        body=_("%(actor)s gave you the role %(role)s in %(organisation)s."),
        default=frozenset({EMAIL}),
    )
)
JOB_FINISHED = register(
    Kind(
        key="jobs.finished",
        label=_("My background job finished"),
        title=_("%(job)s has finished"),
        body=_("%(job)s has finished: %(outcome)s"),
        allowed=frozenset({EMAIL}),
    )
)
VERIFICATION_CODE = register(
    Kind(
        key="accounts.verification_code",
        label=_("Verification code"),
        title=_("Verification code"),
        body=_(
            "Your %(brand)s verification code is %(code)s. It is valid for %(minutes)s minutes."
        ),
        allowed=frozenset({SMS}),
        default=frozenset({SMS}),
        required=frozenset({SMS}),
        expires_after=timedelta(minutes=10),
        secret=True,
    )
)
ACTIVITY_CANCELLED = register(
    Kind(
        key="activities.cancelled",
        label=_("An activity I signed up for was cancelled"),
        title=_("Cancelled: %(activity)s"),
        body=_("%(activity)s has been cancelled: %(reason)s"),
        default=frozenset({SMS}),
    )
)
SIGNUP_PROMOTED = register(
    Kind(
        key="activities.promoted",
        label=_("I got a place from the waiting list"),
        title=_("You have a place: %(activity)s"),
        body=_(
            "A place came free and you are now signed up for %(activity)s at %(time)s. "
            "If you cannot come, please cancel so that the next person can."
        ),
        default=frozenset({SMS}),
    )
)
SIGNUP_REMOVED = register(
    Kind(
        key="activities.removed",
        label=_("The organiser took me off a shift"),
        title=_("Taken off the shift: %(activity)s"),
        body=_("The organiser took you off %(activity)s at %(time)s: %(reason)s"),
        default=frozenset({SMS}),
    )
)
STARS_REACHED = register(
    Kind(
        key="hours.stars_reached",
        label=_("My hours reached a new star standard"),
        title=_("You reached the standard for %(stars)s stars"),
        body=_(
            "With %(hours)s hours of service you reach the standard for %(stars)s-star "
            "volunteers. Your organisation can certify it."
        ),
        default=frozenset({SMS}),
    )
)
ORDER_UPDATE = register(
    Kind(
        key="demands.resident_update",
        label=_("News of an order (to the resident)"),
        title=_("Your order %(number)s"),
        body=_("%(brand)s: your order %(number)s %(news)s"),
        allowed=frozenset({SMS}),
        default=frozenset({SMS}),
        required=frozenset({SMS}),
    )
)
ORDER_FOR_YOU = register(
    Kind(
        key="demands.for_you",
        label=_("An order was dispatched, escalated or rated for my organisation"),
        title=_("Order %(number)s: %(news)s"),
        body=_("Order %(number)s (%(category)s, %(place)s): %(news)s"),
        default=frozenset({SMS}),
    )
)
REPORT_DUE = register(
    Kind(
        key="reports.due",
        label=_("A report to the city is due soon"),
        title=_("Report due on %(due)s: %(period)s"),
        body=_(
            "The report “%(period)s” is due on %(due)s, in %(days)s days. Fill in the "
            "narrative, check the figures, add photos and submit it."
        ),
        default=frozenset({EMAIL}),
    )
)
REPORT_OVERDUE = register(
    Kind(
        key="reports.overdue",
        label=_("A report to the city is overdue"),
        title=_("Report overdue: %(period)s"),
        body=_(
            "The report “%(period)s” was due on %(due)s and is %(days)s days late. Please "
            "submit it as soon as possible."
        ),
        default=frozenset({EMAIL}),
    )
)
REPORT_RETURNED = register(
    Kind(
        key="reports.returned",
        label=_("A report was returned"),
        title=_("Report returned: %(period)s"),
        body=_("The report “%(period)s” was returned for changes: %(comment)s"),
        default=frozenset({EMAIL}),
    )
)
REPORT_ACCEPTED = register(
    Kind(
        key="reports.accepted",
        label=_("A report was accepted"),
        title=_("Report accepted: %(period)s"),
        body=_("The report “%(period)s” was accepted."),
    )
)
REPORT_SUBMITTED = register(
    Kind(
        key="reports.submitted",
        label=_("A report was submitted to my office"),
        title=_("%(organisation)s submitted “%(period)s”"),
        body=_("%(organisation)s submitted its report “%(period)s”; it waits for review."),
    )
)
