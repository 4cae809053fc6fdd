"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error body for every error.

Every error answers {"code": ..., "message": <Chinese text>, "fields": {...}}.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from leifeng.accounts.api import TokenAuth
from leifeng.accounts.api import router as accounts_router
from leifeng.activities.api import router as activities_router
from leifeng.audit.api import router as audit_router
from leifeng.core.errors import DomainError
from leifeng.demands.api import router as demands_router
from leifeng.hours.api import router as hours_router
from leifeng.orgs.api import router as orgs_router
from leifeng.regions.api import router as regions_router
from leifeng.reports.api import router as reports_router
from leifeng.volunteers.api import router as volunteers_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Leifeng API",
    version="1",
    description=f"{settings.LEIFENG_BRAND} · 新时代文明实践暨学雷锋志愿服务平台 API",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)

api.add_router("/", accounts_router, tags=["accounts"])
api.add_router("/regions", regions_router, tags=["regions"])
api.add_router("/organisations", orgs_router, tags=["organisations"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/volunteers", volunteers_router, tags=["volunteers"])
api.add_router("/activities", activities_router, tags=["activities"])
api.add_router("/hours", hours_router, tags=["hours"])
api.add_router("/demands", demands_router, tags=["demands"])
api.add_router("/reports", reports_router, tags=["reports"])


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields=None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


DOMAIN_STATUS = {"invalid": 422, "forbidden": 403, "not_found": 404}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(
        request, DOMAIN_STATUS.get(exc.code, 409), exc.code, exc.message, exc.fields
    )


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if "int" in kind or "float" in kind or "decimal" in kind:
        return _("Enter a number.")
    if "too_long" in kind:
        return _("This value is too long.")
    if "too_short" in kind:
        return _("This value is too short.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    return _("This value is not valid.")


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields: dict[str, str] = {}
    for error in exc.errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        ]
        fields[".".join(loc) or "request"] = _field_message(error)
    return error_response(request, 422, "invalid", _("Please correct the marked fields."), fields)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(
        request,
        401,
        "unauthenticated",
        _("Log in, or send a valid API token as 'Authorization: Bearer <token>'."),
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(
        request, 403, "forbidden", _("You do not have permission to do this here.")
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    messages = {400: _("The request could not be read."), 405: _("Method not allowed.")}
    return error_response(
        request,
        exc.status_code,
        "http_error",
        messages.get(exc.status_code, _("The request failed.")),
    )


@api.exception_handler(Exception)
def on_unexpected_error(request, exc: Exception):
    logger.exception("API error on %s", request.path)
    return error_response(
        request,
        500,
        "server_error",
        _("Something went wrong on the server. Please try again later."),
    )
