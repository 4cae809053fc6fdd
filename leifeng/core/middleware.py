from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a log-in unless marked @login_not_required.

    The JSON API authenticates each request itself (tokens or the session) and answers 401
    in its own error body, so it is left to the API.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ApiErrorBodyMiddleware:
    """Give the API's own answers for unknown paths (404) and wrong methods (405) the one JSON
    error body; Django and django-ninja answer those before any API handler runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith("/api/") or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        if response.status_code == 404:
            body = {"code": "not_found", "message": _("Not found."), "fields": {}}
        else:
            body = {"code": "method_not_allowed", "message": _("Method not allowed."), "fields": {}}
        replacement = JsonResponse(body, status=response.status_code)
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement
