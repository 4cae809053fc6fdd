"""Pages for activities and stations: public browsing, a volunteer's sign-ups and check-in
(phone first), and the organisers' management, roster and QR code."""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from leifeng.activities import calendar, selectors, services
from leifeng.activities.forms import (
    ActivityForm,
    CorrectForm,
    FindForm,
    PatternForm,
    QuotaForm,
    ReasonForm,
    RosterForm,
    ShiftForm,
    SignupForm,
    StationForm,
)
from leifeng.activities.models import (
    PUBLIC_STATUSES,
    Activity,
    ActivityPhoto,
    Attendance,
    RosterPattern,
    Shift,
    Signup,
    Station,
)
from leifeng.activities.qr import qr_svg
from leifeng.core.errors import DomainError
from leifeng.core.files import stored_file
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.selectors import my_volunteer, teams_for


def _volunteer(request: HttpRequest) -> Volunteer | None:
    return my_volunteer(request.user)


def _volunteer_or_404(request: HttpRequest) -> Volunteer:
    volunteer = _volunteer(request)
    if volunteer is None:
        raise Http404
    return volunteer


# --- anyone: find activities and stations -------------------------------------------------


@login_not_required
def activity_list(request: HttpRequest) -> HttpResponse:
    form = FindForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.activity_find(
        q=filters.get("q") or "",
        line=filters.get("line") or "",
        on=filters.get("date"),
        county=filters.get("county"),
        station=filters.get("station"),
        latitude=filters.get("lat"),
        longitude=filters.get("lng"),
    )
    page = paginate(request, qs, per_page=20)
    return render(
        request,
        "activities/list.html",
        {"form": form, "page": page, "near": filters.get("lat") is not None},
    )


@login_not_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        Activity.objects.select_related("organisation", "township", "station"),
        pk=pk,
        status__in=[*selectors.OPEN_STATUSES, Activity.Status.FINISHED, Activity.Status.CANCELLED],
    )
    volunteer = _volunteer(request)
    shifts = []
    if activity.status in selectors.OPEN_STATUSES:
        shifts = list(selectors.upcoming_shifts(activity))
    mine: dict[int, Signup] = {}
    problems: dict[int, str] = {}
    if volunteer is not None:
        mine = {
            signup.shift_id: signup
            for signup in Signup.objects.filter(
                volunteer=volunteer, shift__in=shifts, status__in=Signup.ACTIVE
            )
        }
        for shift in shifts:
            shift.activity = activity
            problem = services.signup_problem(volunteer, shift, invitation_code="-")
            if problem and problem.code != "invalid":  # the invitation code is asked on the form
                problems[shift.pk] = problem.message
    for shift in shifts:
        shift.my_signup = mine.get(shift.pk)
        shift.problem = problems.get(shift.pk, "")
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "shifts": shifts,
            "volunteer": volunteer,
            "form": SignupForm(),
            "can_manage": access.can(request.user, access.MANAGE, activity),
        },
    )


@login_not_required
def station_list(request: HttpRequest) -> HttpResponse:
    form = FindForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.stations_find(county=filters.get("county"), q=filters.get("q") or "")
    if filters.get("lat") is not None and filters.get("lng") is not None:
        qs = selectors.near_first(qs, filters["lat"], filters["lng"])
    return render(
        request, "activities/stations.html", {"form": form, "page": paginate(request, qs)}
    )


@login_not_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(
        Station.objects.select_related("township", "organisation"), pk=pk, is_active=True
    )
    duty = Activity.objects.filter(station=station, status__in=selectors.OPEN_STATUSES).first()
    shifts = list(selectors.upcoming_shifts(duty)[:30]) if duty else []
    return render(
        request,
        "activities/station.html",
        {"station": station, "duty": duty, "shifts": shifts, "patterns": station.patterns.all()},
    )


# --- the volunteer ------------------------------------------------------------------------


@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer(request)
    shift = get_object_or_404(Shift.objects.select_related("activity"), pk=pk)
    if volunteer is None:
        messages.error(request, _("Register as a volunteer first, then sign up."))
        return redirect("volunteers:register")
    form = SignupForm(request.POST)
    form.is_valid()
    try:
        created = services.signup_create(
            actor=request.user,
            volunteer=volunteer,
            shift=shift,
            risk_notice_read=form.cleaned_data.get("risk_notice_read", False),
            invitation_code=form.cleaned_data.get("invitation_code", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("activities:detail", pk=shift.activity_id)
    if created.status == Signup.Status.CONFIRMED:
        messages.success(request, _("You are signed up. Thank you!"))
    else:
        messages.info(
            request,
            _("The shift is full: you are on the waiting list and will be told if a place frees."),
        )
    return redirect("activities:mine")


def my_signups(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer_or_404(request)
    past = request.GET.get("past") == "1"
    page = paginate(request, selectors.my_signups(request.user, past=past))
    for item in page:
        item.deadline = services.cancel_deadline(item)
    return render(
        request,
        "activities/mine.html",
        {"page": page, "past": past, "volunteer": volunteer, "now": timezone.now()},
    )


def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _volunteer_or_404(request)
    item = access.get_owned(
        request.user,
        Signup.objects.select_related("shift__activity", "volunteer"),
        "volunteer__user",
        pk=pk,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.signup_cancel(
                actor=request.user, signup=item, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your sign-up is cancelled."))
            return redirect("activities:mine")
    return render(
        request,
        "activities/cancel.html",
        {"signup": item, "form": form, "deadline": services.cancel_deadline(item)},
    )


def my_calendar(request: HttpRequest) -> HttpResponse:
    """The volunteer's upcoming shifts as an .ics file for the phone's calendar."""
    _volunteer_or_404(request)
    signups = selectors.my_signups(request.user).filter(status=Signup.Status.CONFIRMED)
    response = HttpResponse(
        calendar.signups_ics(signups, request.build_absolute_uri("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="leifeng-shifts.ics"'
    return response


@never_cache
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where the phone's camera lands after scanning the organiser's code."""
    volunteer = _volunteer(request)
    error = ""
    attendance = None
    shift = None
    try:
        shift = services.qr_shift(token)
    except DomainError as exc:
        error = exc.message
    if shift is not None and volunteer is not None:
        attendance = Attendance.objects.filter(
            volunteer=volunteer, shift=shift, signup__status=Signup.Status.CONFIRMED
        ).first()
    if request.method == "POST" and shift is not None:
        if volunteer is None:
            raise Http404
        check_out = request.POST.get("action") == "out"
        try:
            result = services.check_by_code(
                actor=request.user,
                volunteer=volunteer,
                token=token,
                check_out=check_out,
                latitude=_float(request.POST.get("latitude")),
                longitude=_float(request.POST.get("longitude")),
            )
        except DomainError as exc:
            error = exc.message
        else:
            attendance = result.attendance
            if not result.changed:
                messages.info(request, _("Already recorded; nothing changed."))
            elif check_out:
                messages.success(request, _("Checked out. Thank you for your service!"))
            else:
                messages.success(request, _("Checked in. Thank you for coming!"))
    return render(
        request,
        "activities/scan.html",
        {
            "shift": shift,
            "token": token,
            "volunteer": volunteer,
            "attendance": attendance,
            "error": error,
        },
        status=200,
    )


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- organisers: activities --------------------------------------------------------------


def _manageable_organisations(request: HttpRequest) -> Any:
    return access.scoped(Organisation.objects.filter(is_active=True), request.user, access.MANAGE)


def manage_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    line = request.GET.get("line", "")
    q = request.GET.get("q", "")[:50]
    qs = selectors.activities_managed(
        request.user,
        status=status if status in Activity.Status.values else "",
        line=line,
        q=q,
    ).annotate(signed=Count("shifts__signups", filter=Q(shifts__signups__status="confirmed")))
    return render(
        request,
        "activities/manage_list.html",
        {
            "page": paginate(request, qs),
            "statuses": Activity.Status.choices,
            "status": status,
            "q": q,
            "can_create": _manageable_organisations(request).exists(),
        },
    )


def _activity_form(request: HttpRequest, activity: Activity | None) -> ActivityForm:
    return ActivityForm(
        request.POST or None,
        instance=activity,
        organisations=_manageable_organisations(request),
        teams=teams_for(request.user),
    )


def activity_create(request: HttpRequest) -> HttpResponse:
    organisations = _manageable_organisations(request)
    if not organisations.exists():
        raise Http404
    form = _activity_form(request, None)
    if request.method == "GET":
        current = access.current_membership(request)
        if current is not None:
            form.fields["organisation"].initial = current.organisation_id
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_save(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.data_for_service(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Add its shifts, then publish it."))
            return redirect("activities:manage-detail", pk=activity.pk)
    return render(request, "activities/edit.html", {"form": form, "activity": None})


def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_for(request.user, Activity.objects.all(), access.MANAGE, pk=pk)
    form = _activity_form(request, activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_save(
                actor=request.user,
                organisation=activity.organisation,
                data=form.data_for_service(),
                activity=activity,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:manage-detail", pk=activity.pk)
    return render(request, "activities/edit.html", {"form": form, "activity": activity})


def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_for(
        request.user,
        Activity.objects.select_related("organisation", "township", "station"),
        pk=pk,
    )
    shifts = activity.shifts.annotate(
        waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED))
    ).order_by("starts_at", "pk")
    shift_form = ShiftForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, access.MANAGE, activity)
        if shift_form.is_valid():
            try:
                services.shift_add(actor=request.user, activity=activity, **shift_form.cleaned_data)
            except DomainError as exc:
                add_domain_error(shift_form, exc)
            else:
                messages.success(request, _("Shift added."))
                return redirect("activities:manage-detail", pk=activity.pk)
    can_manage = access.can(request.user, access.MANAGE, activity)
    return render(
        request,
        "activities/manage_detail.html",
        {
            "activity": activity,
            "shifts": paginate(request, shifts, per_page=50),
            "shift_form": shift_form,
            "cancel_form": ReasonForm(),
            "can_manage": can_manage,
            "photos": activity.photos.all(),
            "photos_open": can_manage and activity.status in PUBLIC_STATUSES,
            "photos_max": services.PHOTOS_MAX,
            "photo_max_mb": services.PHOTO_MAX_MB,
        },
    )


@require_POST
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_for(request.user, Activity.objects.all(), access.MANAGE, pk=pk)
    try:
        services.activity_publish(actor=request.user, activity=activity)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Published: volunteers can sign up now."))
    return redirect("activities:manage-detail", pk=activity.pk)


@require_POST
def activity_finish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_for(request.user, Activity.objects.all(), access.MANAGE, pk=pk)
    try:
        services.activity_finish(actor=request.user, activity=activity)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The activity is finished."))
    return redirect("activities:manage-detail", pk=activity.pk)


@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_for(request.user, Activity.objects.all(), access.MANAGE, pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.activity_cancel(
            actor=request.user,
            activity=activity,
            reason=form.data.get("reason", "")[:200],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled; everyone signed up has been told."))
    return redirect("activities:manage-detail", pk=activity.pk)


def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = access.get_for(
        request.user, Shift.objects.select_related("activity"), access.MANAGE, pk=pk
    )
    form = QuotaForm(request.POST or None, initial={"quota": shift.quota, "note": shift.note})
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.shift_delete(actor=request.user, shift=shift)
                messages.success(request, _("Shift removed."))
                return redirect("activities:manage-detail", pk=shift.activity_id)
            if form.is_valid():
                services.shift_update(actor=request.user, shift=shift, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("activities:manage-detail", pk=shift.activity_id)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "activities/shift_edit.html", {"shift": shift, "form": form})


# --- organisers: photos ------------------------------------------------------------------


@require_POST
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload one or more photos of the activity (several files in one form)."""
    activity = access.get_for(request.user, Activity.objects.all(), access.MANAGE, pk=pk)
    try:
        added = services.activity_photos_add(
            actor=request.user,
            activity=activity,
            photos=request.FILES.getlist("photos"),
            caption=request.POST.get("caption", "")[:100],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        count = len(added)
        messages.success(
            request,
            ngettext("%(count)d photo added.", "%(count)d photos added.", count) % {"count": count},
        )
    return redirect(reverse("activities:manage-detail", args=[activity.pk]) + "#photos")


@require_POST
def photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    photo = access.get_for(request.user, ActivityPhoto.objects.all(), access.MANAGE, pk=pk)
    try:
        services.activity_photo_remove(actor=request.user, photo=photo)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Photo removed."))
    return redirect(reverse("activities:manage-detail", args=[photo.activity_id]) + "#photos")


def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    """An activity's photo, for those who may see the activity in their scope (never a
    /media/ address); the page shows it scaled down."""
    photo = access.get_for(request.user, ActivityPhoto.objects.all(), pk=pk)
    return stored_file(photo.image, images_only=True)


# --- organisers: roster, check-in, QR code -------------------------------------------------

ROSTER_ORDER = {Signup.Status.CONFIRMED: 0, Signup.Status.WAITLISTED: 1, Signup.Status.CANCELLED: 2}


def roster(request: HttpRequest, pk: int) -> HttpResponse:
    shift = access.get_for(request.user, Shift.objects.select_related("activity"), pk=pk)
    signups = sorted(selectors.roster(shift), key=lambda s: ROSTER_ORDER[s.status])
    for item in signups:
        item.record = getattr(item, "attendance", None)
    return render(
        request,
        "activities/roster.html",
        {
            "shift": shift,
            "signups": signups,
            "can_manage": access.can(request.user, access.MANAGE, shift),
            "now": timezone.now(),
        },
    )


@require_POST
def roster_check(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_for(request.user, Signup.objects.all(), access.MANAGE, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "no_show":
            services.roster_no_show(actor=request.user, signup=item)
        elif action in ("in", "out"):
            services.roster_check(actor=request.user, signup=item, check_out=action == "out")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("activities:roster", pk=item.shift_id)


@require_POST
def roster_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_for(request.user, Signup.objects.all(), access.MANAGE, pk=pk)
    try:
        services.signup_cancel(
            actor=request.user, signup=item, reason=request.POST.get("reason", "")[:200]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Taken off the shift; the volunteer has been told."))
    return redirect("activities:roster", pk=item.shift_id)


def attendance_correct(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_for(
        request.user,
        Signup.objects.select_related("shift__activity", "volunteer"),
        access.MANAGE,
        pk=pk,
    )
    record = Attendance.objects.filter(signup=item).first()
    initial: dict[str, datetime | None] = {
        "checked_in_at": record.checked_in_at if record else item.shift.starts_at,
        "checked_out_at": (record.checked_out_at if record else None) or item.shift.ends_at,
    }
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_correct(actor=request.user, signup=item, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Times corrected."))
            return redirect("activities:roster", pk=item.shift_id)
    return render(
        request, "activities/correct.html", {"signup": item, "form": form, "record": record}
    )


@never_cache
def qr_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's phone shows this; the code inside refreshes itself."""
    shift = access.get_for(
        request.user, Shift.objects.select_related("activity"), access.MANAGE, pk=pk
    )
    return render(
        request,
        "activities/qr.html",
        {"shift": shift, "code": _qr_code(request, shift)},
    )


@never_cache
def qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    shift = access.get_for(
        request.user, Shift.objects.select_related("activity"), access.MANAGE, pk=pk
    )
    return render(
        request, "activities/qr_code.html", {"shift": shift, "code": _qr_code(request, shift)}
    )


def _qr_code(request: HttpRequest, shift: Shift) -> dict[str, str]:
    url = request.build_absolute_uri(reverse("activities:scan", args=[services.qr_token(shift)]))
    return {"url": url, "svg": qr_svg(url)}


# --- organisers: stations ------------------------------------------------------------------


def station_manage(request: HttpRequest) -> HttpResponse:
    qs = access.scoped(Station.objects.select_related("organisation", "township"), request.user)
    return render(
        request,
        "activities/station_manage.html",
        {
            "page": paginate(request, qs.order_by("organisation__path", "name")),
            "can_create": _manageable_organisations(request).exists(),
        },
    )


def station_create(request: HttpRequest) -> HttpResponse:
    organisations = _manageable_organisations(request)
    if not organisations.exists():
        raise Http404
    form = StationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_save(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                data=form.data_for_service(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Station saved. Add its weekly shifts."))
            return redirect("activities:station-edit", pk=station.pk)
    return render(request, "activities/station_edit.html", {"form": form, "station": None})


def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = access.get_for(request.user, Station.objects.all(), pk=pk)
    can_manage = access.can(request.user, access.MANAGE, station)
    form = StationForm(
        request.POST if "save" in request.POST else None,
        instance=station,
        organisations=_manageable_organisations(request),
    )
    pattern_form = PatternForm(request.POST if "pattern" in request.POST else None)
    roster_form = RosterForm(request.POST if "generate" in request.POST else None)
    if request.method == "POST":
        access.require(request.user, access.MANAGE, station)
        done = _station_post(request, station, form, pattern_form, roster_form)
        if done:
            return redirect("activities:station-edit", pk=station.pk)
    duty = Activity.objects.filter(station=station).first()
    return render(
        request,
        "activities/station_edit.html",
        {
            "form": form,
            "station": station,
            "patterns": station.patterns.all(),
            "pattern_form": pattern_form,
            "roster_form": roster_form,
            "duty": duty,
            "can_manage": can_manage,
        },
    )


def _station_post(
    request: HttpRequest,
    station: Station,
    form: StationForm,
    pattern_form: PatternForm,
    roster_form: RosterForm,
) -> bool:
    try:
        if "save" in request.POST and form.is_valid():
            services.station_save(
                actor=request.user,
                organisation=station.organisation,
                data=form.data_for_service(),
                station=station,
            )
            messages.success(request, _("Saved."))
            return True
        if "pattern" in request.POST and pattern_form.is_valid():
            services.pattern_add(actor=request.user, station=station, **pattern_form.cleaned_data)
            messages.success(request, _("Weekly shift added."))
            return True
        if "generate" in request.POST and roster_form.is_valid():
            created = services.roster_generate(
                actor=request.user, station=station, **roster_form.cleaned_data
            )
            messages.success(
                request, _("%(count)s shifts added to the roster.") % {"count": len(created)}
            )
            return True
    except DomainError as exc:
        target = {"save": form, "pattern": pattern_form, "generate": roster_form}
        for key, bound in target.items():
            if key in request.POST:
                add_domain_error(bound, exc)
    return False


@require_POST
def pattern_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pattern = access.get_for(request.user, RosterPattern.objects.all(), access.MANAGE, pk=pk)
    services.pattern_delete(actor=request.user, pattern=pattern)
    messages.success(request, _("Weekly shift removed; shifts already on the roster stay."))
    return redirect("activities:station-edit", pk=pattern.station_id)
