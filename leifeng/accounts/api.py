from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import Field

from leifeng.accounts import services
from leifeng.accounts.models import AccessToken
from leifeng.core.api import ERRORS
from leifeng.orgs.access import ROLE_ACTIONS, get_owned, memberships, owned

router = Router()


class TokenAuth(HttpBearer):
    """Authorization: Bearer <personal access token>."""

    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class MyRoleOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str
    role: str
    role_label: str
    actions: list[str]


class MeOut(Schema):
    id: int
    username: str
    name: str
    mobile: str
    is_superuser: bool
    roles: list[MyRoleOut]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The logged-in user and their roles")
def me(request: HttpRequest):
    user = request.auth
    roles = [
        {
            "id": m.pk,
            "organisation_id": m.organisation_id,
            "organisation_name": m.organisation.name,
            "role": m.role,
            "role_label": str(m.get_role_display()),
            "actions": sorted(ROLE_ACTIONS[m.role]),
        }
        for m in memberships(user)
    ]
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "mobile": user.mobile,
        "is_superuser": user.is_superuser,
        "roles": roles,
    }


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreateIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
def token_list(request: HttpRequest):
    return owned(AccessToken.objects.all(), request.auth)


@router.post(
    "/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create a token (shown once)"
)
def token_create(request: HttpRequest, payload: TokenCreateIn):
    row, token = services.token_create(actor=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(row).dict(), "token": token})


@router.delete(
    "/tokens/{token_id}", response={204: None, **ERRORS}, summary="Revoke one of my tokens"
)
def token_revoke(request: HttpRequest, token_id: int):
    row = get_owned(request.auth, AccessToken.objects.all(), pk=token_id)
    services.token_revoke(actor=request.auth, token=row)
    return Status(204, None)
