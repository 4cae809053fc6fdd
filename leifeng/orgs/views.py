from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.jobs.services import job_start
from leifeng.orgs import access, selectors, services
from leifeng.orgs.forms import GrantRoleForm, MemberCreateForm, MoveForm, OrganisationForm
from leifeng.orgs.models import Membership, Organisation


def _orgs():
    return Organisation.objects.select_related("region", "parent")


def org_list(request: HttpRequest) -> HttpResponse:
    query, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    page = paginate(request, selectors.org_list(user=request.user, query=query, kind=kind))
    return render(
        request,
        "orgs/list.html",
        {"page": page, "q": query, "kind": kind, "kinds": Organisation.Kind.choices},
    )


@require_POST
def org_export(request: HttpRequest) -> HttpResponse:
    """Export the organisations on the list (same filters) to Excel, as a background job."""
    job = job_start(
        name="orgs.export",
        actor=request.user,
        query=request.POST.get("q", "")[:100],
        kind=request.POST.get("kind", "")[:20],
    )
    return redirect("jobs:detail", pk=job.pk)


def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_for(request.user, _orgs(), pk=pk)
    children = access.scoped(org.children.select_related("region"), request.user).order_by("name")
    context = {
        "org": org,
        "ancestors": access.scoped(org.ancestors(), request.user),
        "children": children,
        "roles": org.memberships.select_related("user").order_by("role", "user__username"),
        "can_manage": access.can(request.user, access.MANAGE, org),
        "can_admin": access.can(request.user, access.ADMIN, org),
    }
    return render(request, "orgs/detail.html", context)


def org_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = access.get_for(request.user, _orgs(), access.MANAGE, pk=pk)
    form = OrganisationForm(request.POST or None, parent_region=parent.region)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s has been created.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    title = _("New organisation under %(parent)s") % {"parent": parent.name}
    return render(request, "orgs/form.html", {"form": form, "org": parent, "title": title})


def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_for(request.user, _orgs(), access.MANAGE, pk=pk)
    initial = {field: getattr(org, field) for field in services.EDITABLE_FIELDS}
    form = OrganisationForm(
        request.POST or None,
        initial=initial,
        parent_region=org.parent.region if org.parent else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.user, org=org, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("orgs:detail", pk=org.pk)
    title = _("Edit %(name)s") % {"name": org.name}
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": title})


def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_for(request.user, _orgs(), access.MANAGE, pk=pk)
    targets = selectors.move_targets(user=request.user, org=org)
    form = MoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(
                actor=request.user, org=org, new_parent=form.cleaned_data["new_parent"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s has been moved.") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    title = _("Move %(name)s") % {"name": org.name}
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": title})


def org_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Users and roles in this organisation's subtree; administrators grant and revoke here."""
    org = access.get_for(request.user, _orgs(), pk=pk)
    can_admin = access.can(request.user, access.ADMIN, org)
    organisations = access.scoped(Organisation.objects.all(), request.user, access.ADMIN).filter(
        path__startswith=org.path
    )
    grant_form = GrantRoleForm(
        prefix="grant", organisations=organisations, initial={"organisation": org, "role": "staff"}
    )
    create_form = MemberCreateForm(
        prefix="new", organisations=organisations, initial={"organisation": org, "role": "staff"}
    )
    if request.method == "POST":
        access.require(request.user, access.ADMIN, org)
        if "grant-login" in request.POST:
            grant_form = GrantRoleForm(request.POST, prefix="grant", organisations=organisations)
            if grant_form.is_valid():
                data = grant_form.cleaned_data
                try:
                    services.membership_grant_by_login(
                        actor=request.user,
                        login=data["login"],
                        organisation=data["organisation"],
                        role=data["role"],
                    )
                except DomainError as exc:
                    add_domain_error(grant_form, exc)
                else:
                    messages.success(request, _("The role has been granted."))
                    return redirect("orgs:members", pk=org.pk)
        else:
            create_form = MemberCreateForm(request.POST, prefix="new", organisations=organisations)
            if create_form.is_valid():
                try:
                    services.member_create(actor=request.user, **create_form.cleaned_data)
                except DomainError as exc:
                    add_domain_error(create_form, exc)
                else:
                    messages.success(request, _("The account has been created."))
                    return redirect("orgs:members", pk=org.pk)
    page = paginate(request, selectors.org_roles(user=request.user, organisation=org))
    context = {
        "org": org,
        "page": page,
        "can_admin": can_admin,
        "grant_form": grant_form,
        "create_form": create_form,
    }
    return render(request, "orgs/members.html", context)


@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.get_for(
        request.user, Membership.objects.select_related("user", "organisation"), pk=pk
    )
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The role has been taken away."))
    return redirect("orgs:members", pk=membership.organisation_id)


def org_audit(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit log of this organisation and everything below it."""
    org = access.get_for(request.user, _orgs(), access.ADMIN, pk=pk)
    entries = access.scoped(
        AuditEntry.objects.select_related("organisation"), request.user, access.ADMIN
    ).filter(organisation__path__startswith=org.path)
    return render(request, "orgs/audit.html", {"org": org, "page": paginate(request, entries)})
