import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.jobs.services import job_start
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers import importer, selectors, services
from leifeng.volunteers.forms import (
    DecideForm,
    EditForm,
    ImportForm,
    RecoveryFinishForm,
    RecoveryStartForm,
    RegisterForm,
    RevealForm,
    SearchForm,
    TeamAddForm,
)
from leifeng.volunteers.identity import check_char
from leifeng.volunteers.imports import import_confirm, import_upload
from leifeng.volunteers.models import (
    ImportBatch,
    TeamApplication,
    TeamMembership,
    Volunteer,
)
from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION

BACKEND = "leifeng.accounts.backends.UsernameOrMobileBackend"


# --- registration and recovery (no log-in needed) ----------------------------------------


@login_not_required
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/privacy.html", {"version": PRIVACY_NOTICE_VERSION})


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and hasattr(request.user, "volunteer"):
        return redirect("volunteers:me")
    form = RegisterForm(request.POST or None)
    taken = False
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(
                data=form.profile_data(),
                password=form.cleaned_data["password"],
                privacy_consent=form.cleaned_data["privacy_consent"],
                public_display=form.cleaned_data["public_display"],
                guardian=form.guardian(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            taken = exc.code == "document_taken"
        else:
            login(request, volunteer.user, backend=BACKEND)
            messages.success(
                request,
                _("Welcome! Your volunteer number is %(number)s.") % {"number": volunteer.number},
            )
            return redirect("volunteers:me")
    return render(
        request,
        "volunteers/register.html",
        {"form": form, "version": PRIVACY_NOTICE_VERSION, "taken": taken},
    )


@login_not_required
def recover(request: HttpRequest) -> HttpResponse:
    """Step 1: document and registered mobile; a code goes to that mobile if they match."""
    form = RecoveryStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.recovery_start(**form.cleaned_data)
        request.session["recovery"] = {
            "document_type": form.cleaned_data["document_type"],
            "document_number": form.cleaned_data["document_number"],
        }
        messages.info(
            request,
            _("If the details match a registered volunteer, a code has been sent to that mobile."),
        )
        return redirect("volunteers:recover-finish")
    return render(request, "volunteers/recover.html", {"form": form, "step": 1})


@login_not_required
def recover_finish(request: HttpRequest) -> HttpResponse:
    """Step 2: the code and a new password; the account is created if there was none."""
    form = RecoveryFinishForm(request.POST or None, initial=request.session.get("recovery"))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.recovery_finish(**form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session.pop("recovery", None)
            login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Your password is set. Log in with your volunteer number %(number)s or mobile.")
                % {"number": user.username},
            )
            return redirect("volunteers:me")
    return render(request, "volunteers/recover.html", {"form": form, "step": 2})


# --- the volunteer's own pages --------------------------------------------------------------


def _me(request: HttpRequest) -> Volunteer:
    volunteer = (
        Volunteer.objects.filter(user=request.user, status=Volunteer.Status.ACTIVE)
        .select_related("residence", "organisation")
        .first()
    )
    if volunteer is None:
        raise Http404
    return volunteer


def me(request: HttpRequest) -> HttpResponse:
    try:
        volunteer = _me(request)
    except Http404:
        return render(request, "volunteers/not_registered.html")
    context = {
        "v": volunteer,
        "memberships": volunteer.team_memberships.select_related("team"),
        "applications": volunteer.applications.select_related("team")[:20],
        "events": volunteer.team_events.select_related("team")[:30],
        "guardian": getattr(volunteer, "guardian_consent", None),
        "residence_name": volunteer.residence.full_name(),
    }
    return render(request, "volunteers/me.html", context)


def me_edit(request: HttpRequest) -> HttpResponse:
    volunteer = _me(request)
    values = services.current_values(volunteer)
    initial = {
        **values,
        "residence": volunteer.residence_id,
        "public_display": volunteer.public_display,
    }
    form = EditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                actor=request.user,
                volunteer=volunteer,
                changes=form.profile_data(),
                guardian=form.guardian(),
            )
            services.public_display_set(
                actor=request.user, volunteer=volunteer, allowed=form.cleaned_data["public_display"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("volunteers:me")
    response = render(request, "volunteers/edit.html", {"form": form, "v": volunteer})
    response["Cache-Control"] = "no-store"  # the form holds the full numbers
    return response


def me_download(request: HttpRequest) -> HttpResponse:
    """A copy of everything kept about me (PIPL art. 45), as JSON."""
    volunteer = _me(request)
    body = json.dumps(services.volunteer_data(volunteer), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volunteer-{volunteer.number}.json"'
    response["Cache-Control"] = "no-store"
    return response


def me_close(request: HttpRequest) -> HttpResponse:
    volunteer = _me(request)
    if request.method == "POST":
        if request.POST.get("confirm") != volunteer.number:
            messages.error(request, _("Type your volunteer number to confirm."))
        else:
            services.volunteer_close(actor=request.user, volunteer=volunteer)
            logout(request)
            messages.success(request, _("Your account is closed and your personal data deleted."))
            return redirect("home")
    return render(request, "volunteers/close.html", {"v": volunteer})


def teams_browse(request: HttpRequest) -> HttpResponse:
    volunteer = _me(request)
    query = request.GET.get("q", "")
    page = paginate(request, selectors.teams_open(query))
    mine = set(volunteer.team_memberships.values_list("team_id", flat=True))
    pending = set(
        volunteer.applications.filter(status=TeamApplication.Status.PENDING).values_list(
            "team_id", flat=True
        )
    )
    return render(
        request,
        "volunteers/teams.html",
        {"page": page, "q": query, "mine": mine, "pending": pending},
    )


@require_POST
def team_apply(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _me(request)
    team = get_object_or_404(selectors.teams_open(), pk=pk)
    try:
        services.team_apply(
            actor=request.user,
            volunteer=volunteer,
            team=team,
            message=request.POST.get("message", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have applied to join %(team)s.") % {"team": team.name})
    return redirect("volunteers:teams")


@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _me(request)
    application = get_object_or_404(volunteer.applications, pk=pk)
    try:
        services.application_withdraw(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("volunteers:me")


@require_POST
def team_leave(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _me(request)
    membership = get_object_or_404(volunteer.team_memberships.select_related("team"), pk=pk)
    try:
        services.team_leave(actor=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have left %(team)s.") % {"team": membership.team.name})
    return redirect("volunteers:me")


# --- staff ---------------------------------------------------------------------------------


def volunteer_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, teams=selectors.teams_for(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.volunteer_search(user=request.user, **filters))
    return render(request, "volunteers/list.html", {"form": form, "page": page})


@require_POST
def volunteer_export(request: HttpRequest) -> HttpResponse:
    """The list's volunteers (same filters), masked, as a background job."""
    keys = ["q", "document_number", "mobile", "team", "residence", "kind", "skill"]
    filters = {key: request.POST.get(key, "")[:50] for key in keys}
    job = job_start(name="volunteers.export", actor=request.user, **filters)
    return redirect("jobs:detail", pk=job.pk)


def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_for(
        request.user, Volunteer.objects.select_related("residence", "organisation"), pk=pk
    )
    can_manage = access.can(request.user, access.MANAGE, volunteer)
    form = RevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.volunteer_reveal(
                actor=request.user, volunteer=volunteer, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    context = {
        "v": volunteer,
        "can_manage": can_manage,
        "form": form,
        "revealed": revealed,
        "revealed_what": form.cleaned_data.get("what") if revealed else "",
        "memberships": access.scoped(
            volunteer.team_memberships.select_related("team"), request.user
        ),
        "events": access.scoped(
            volunteer.team_events.select_related("team", "actor"), request.user
        )[:50],
        "consents": volunteer.consents.select_related("recorded_by")[:50],
        "guardian": getattr(volunteer, "guardian_consent", None),
        "residence_name": volunteer.residence.full_name(),
    }
    response = render(request, "volunteers/detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.get_for(request.user, Organisation.objects.filter(is_active=True), pk=pk)
    if not team.is_team:
        raise Http404
    can_manage = access.can(request.user, access.MANAGE, team)
    add_form = TeamAddForm(request.POST or None)
    if request.method == "POST" and add_form.is_valid():
        access.require(request.user, access.MANAGE, team)
        volunteer = (
            access.scoped(Volunteer.objects.all(), request.user)
            .filter(
                number=add_form.cleaned_data["volunteer_number"].strip().upper(),
                status=Volunteer.Status.ACTIVE,
            )
            .first()
        )
        if volunteer is None:
            add_form.add_error(
                "volunteer_number",
                _(
                    "No volunteer with this number in your organisations. Ask the volunteer "
                    "to apply instead."
                ),
            )
        else:
            try:
                services.team_add(
                    actor=request.user,
                    team=team,
                    volunteer=volunteer,
                    consent_note=add_form.cleaned_data["consent_note"],
                )
            except DomainError as exc:
                add_domain_error(add_form, exc)
            else:
                messages.success(
                    request, _("%(name)s has joined the team.") % {"name": volunteer.name}
                )
                return redirect("volunteers:team", pk=team.pk)
    members = paginate(
        request,
        TeamMembership.objects.filter(team=team).select_related("volunteer").order_by("-joined_at"),
    )
    context = {
        "team": team,
        "can_manage": can_manage,
        "members": members,
        "applications": team.applications.filter(status=TeamApplication.Status.PENDING)
        .select_related("volunteer")
        .order_by("created_at"),
        "add_form": add_form,
        "decide_form": DecideForm(),
    }
    return render(request, "volunteers/team.html", context)


@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = access.get_for(
        request.user,
        TeamApplication.objects.select_related("team", "volunteer"),
        access.MANAGE,
        pk=pk,
    )
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services.application_decide(
            actor=request.user,
            application=application,
            approve=request.POST.get("decision") == "approve",
            reason=form.cleaned_data.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The application has been answered."))
    return redirect("volunteers:team", pk=application.team_id)


@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.get_for(
        request.user,
        TeamMembership.objects.select_related("team", "volunteer"),
        access.MANAGE,
        pk=pk,
    )
    try:
        services.team_leave(
            actor=request.user, membership=membership, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The volunteer has been removed from the team."))
    return redirect("volunteers:team", pk=membership.team_id)


# --- Excel import -------------------------------------------------------------------------


def import_template(request: HttpRequest) -> HttpResponse:
    example = "14052519900101123"
    content = importer.template_xlsx(example_number=example + check_char(example))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="volunteer-import-template.xlsx"'
    return response


def import_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file for an organisation, and the files uploaded before."""
    org = access.get_for(request.user, Organisation.objects.all(), access.MANAGE, pk=pk)
    teams = selectors.teams_for(request.user, access.MANAGE).filter(path__startswith=org.path)
    form = ImportForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_upload(
                actor=request.user,
                organisation=org,
                upload=form.cleaned_data["file"],
                team=form.cleaned_data["team"],
                consent_confirmed=form.cleaned_data["consent_confirmed"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("volunteers:import", pk=batch.pk)
    batches = paginate(
        request, access.scoped(ImportBatch.objects.filter(organisation=org), request.user)
    )
    return render(
        request, "volunteers/imports.html", {"org": org, "form": form, "batches": batches}
    )


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access.get_for(
        request.user, ImportBatch.objects.select_related("organisation", "team", "job"), pk=pk
    )
    errors = paginate(request, batch.errors, per_page=100)
    context = {
        "batch": batch,
        "errors": errors,
        "working": batch.status in (ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING),
        "can_manage": access.can(request.user, access.MANAGE, batch),
        "now": timezone.now(),
    }
    template = "volunteers/import.html#status" if request.htmx else "volunteers/import.html"
    return render(request, template, context)


@require_POST
def import_start(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access.get_for(request.user, ImportBatch.objects.all(), access.MANAGE, pk=pk)
    try:
        import_confirm(actor=request.user, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("volunteers:import", pk=batch.pk)
