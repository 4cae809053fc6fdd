from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.accounts import services
from leifeng.accounts.forms import LoginForm, TokenForm
from leifeng.accounts.models import AccessToken
from leifeng.core.errors import DomainError
from leifeng.core.forms import add_domain_error
from leifeng.orgs import access


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login = login_not_required(LoginView.as_view())
logout = auth_views.LogoutView.as_view()


@login_not_required
def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes answers after too many failed log-ins."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed log-ins. For your safety this log-in is locked for "
        "%(minutes)d minutes; please try again later."
    ) % {"minutes": minutes}
    context = {"form": LoginForm(request), "locked_message": message}
    return render(request, "accounts/login.html", context, status=429)


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Act in another organisation where the user holds a role."""
    try:
        membership_id = int(request.POST.get("membership", ""))
    except ValueError:
        membership_id = 0
    membership = access.switch_membership(request, membership_id)
    messages.success(
        request,
        _("You are now working in %(org)s as %(role)s.")
        % {"org": membership.organisation.name, "role": membership.get_role_display()},
    )
    return redirect("home")


def tokens(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens: list, create (shown once), revoke."""
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = services.token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = TokenForm()
    rows = access.owned(AccessToken.objects.all(), request.user)
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": rows, "new_token": new_token}
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.get_owned(request.user, AccessToken.objects.all(), pk=pk)
    services.token_revoke(actor=request.user, token=row)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": row.name})
    return redirect("accounts:tokens")
