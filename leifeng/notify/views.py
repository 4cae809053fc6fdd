from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.pagination import paginate
from leifeng.notify import services
from leifeng.notify.kinds import CHANNEL_LABELS, KINDS, OFFERED_CHANNELS
from leifeng.notify.models import Delivery, Notification
from leifeng.orgs import access


def _mine(request: HttpRequest):
    return access.owned(Notification.objects.all(), request.user, "recipient")


def inbox(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    notifications = _mine(request)
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    return render(
        request, "notify/inbox.html", {"page": paginate(request, notifications), "show": show}
    )


def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to what the notification is about."""
    notification = access.get_owned(request.user, _mine(request), "recipient", pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notify:inbox")


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = access.get_owned(request.user, _mine(request), "recipient", pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        notification.refresh_from_db()
        return render(request, "notify/inbox.html#item", {"n": notification})
    return redirect("notify:inbox")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notify:inbox")


def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of message go by e-mail, SMS or WeChat; the inbox always gets them all."""
    kinds = list(KINDS.values())
    if request.method == "POST":
        choices = {
            (kind.key, channel): f"{kind.key}:{channel}" in request.POST
            for kind in kinds
            for channel in kind.allowed
        }
        services.preferences_save(user=request.user, choices=choices)
        messages.success(request, _("Your choices have been saved."))
        return redirect("notify:preferences")
    rows = []
    for kind in kinds:
        wanted = services.channels_wanted(request.user, kind)
        cells = [
            {
                "name": f"{kind.key}:{channel}",
                "allowed": channel in kind.allowed,
                "required": channel in kind.required,
                "checked": channel in wanted,
            }
            for channel in OFFERED_CHANNELS
        ]
        rows.append({"kind": kind, "cells": cells})
    context = {
        "rows": rows,
        "channels": [CHANNEL_LABELS[c] for c in OFFERED_CHANNELS],
        "has_email": bool(request.user.email),
        "has_mobile": bool(request.user.mobile),
    }
    return render(request, "notify/preferences.html", context)


@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(access.system_only(Delivery.objects.all(), request.user), pk=pk)
    try:
        services.delivery_retry(delivery=delivery, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The message will be sent again."))
    return redirect("jobs:list")
