from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leifeng.orgs import access
from leifeng.orgs.selectors import org_tree_rows

TREE_LIMIT = 300


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The brand's front page; for a logged-in person, the organisation tree they act in."""
    context = {}
    current = access.current_membership(request) if request.user.is_authenticated else None
    if current is not None:
        rows, truncated = org_tree_rows(
            user=request.user, root=current.organisation, limit=TREE_LIMIT
        )
        context.update(tree=rows, tree_truncated=truncated, tree_limit=TREE_LIMIT)
    return render(request, "core/home.html", context)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
