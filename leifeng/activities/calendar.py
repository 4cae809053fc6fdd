"""A volunteer's shifts as an iCalendar (.ics) file that phones and Outlook import."""

from collections.abc import Iterable

from django.urls import reverse
from icalendar import Calendar, Event

from leifeng.activities.models import Signup


def signups_ics(signups: Iterable[Signup], site_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Leifeng//activities//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "志愿服务")
    for signup in signups:
        shift = signup.shift
        activity = shift.activity
        event = Event()
        event.add("uid", f"signup-{signup.pk}@leifeng")
        event.add("dtstamp", signup.created_at)
        event.add("dtstart", shift.starts_at)
        event.add("dtend", shift.ends_at)
        event.add("summary", activity.title)
        event.add("location", activity.address)
        event.add("description", activity.risk_notice)
        event.add("url", site_url.rstrip("/") + reverse("activities:detail", args=[activity.pk]))
        calendar.add_component(event)
    return calendar.to_ical()
