from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from leifeng.core.api import ERRORS, Pagination
from leifeng.orgs import access, services
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

router = Router()

OrgKind = Literal[tuple(Organisation.Kind.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Membership.Role.values)]  # type: ignore[valid-type]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    region_id: int
    region_name: str
    credit_code: str
    contact_name: str
    contact_phone: str
    address: str
    is_active: bool
    depth: int

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_name(obj: Organisation) -> str:
        return obj.region.name


class OrganisationIn(Schema):
    parent_id: int
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    region_id: int
    credit_code: str = Field("", max_length=18)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)


class OrganisationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: OrgKind | None = None
    region_id: int | None = None
    credit_code: str | None = Field(None, max_length=18)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class MoveIn(Schema):
    new_parent_id: int


class RoleOut(Schema):
    id: int
    user_id: int
    username: str
    user_name: str
    organisation_id: int
    organisation_name: str
    role: str
    role_label: str

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    @staticmethod
    def resolve_user_name(obj: Membership) -> str:
        return obj.user.name

    @staticmethod
    def resolve_organisation_name(obj: Membership) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())


class RoleIn(Schema):
    login: str = Field(min_length=1, max_length=150, description="User name or mobile number")
    organisation_id: int
    role: RoleName


def _orgs():
    return Organisation.objects.select_related("region")


def _region(region_id: int) -> Region:
    return get_object_or_404(Region, pk=region_id)


@router.get(
    "", response={200: list[OrganisationOut], **ERRORS}, summary="Organisations in my scope"
)
@paginate(Pagination)
def organisation_list(request: HttpRequest, parent_id: int | None = None, q: str = ""):
    orgs = access.scoped(_orgs(), request.auth)
    if parent_id is not None:
        orgs = orgs.filter(parent_id=parent_id)
    if q:
        orgs = orgs.filter(name__contains=q)
    return orgs


@router.get("/roles", response={200: list[RoleOut], **ERRORS}, summary="Roles in my scope")
@paginate(Pagination)
def role_list(request: HttpRequest, organisation_id: int | None = None):
    roles = access.scoped(Membership.objects.select_related("user", "organisation"), request.auth)
    if organisation_id is not None:
        roles = roles.filter(organisation_id=organisation_id)
    return roles


@router.post("/roles", response={201: RoleOut, **ERRORS}, summary="Give a person a role")
def role_create(request: HttpRequest, payload: RoleIn):
    organisation = access.get_for(request.auth, _orgs(), pk=payload.organisation_id)
    membership = services.membership_grant_by_login(
        actor=request.auth, login=payload.login, organisation=organisation, role=payload.role
    )
    return Status(201, membership)


@router.delete("/roles/{role_id}", response={204: None, **ERRORS}, summary="Take a role away")
def role_delete(request: HttpRequest, role_id: int):
    membership = access.get_for(
        request.auth, Membership.objects.select_related("user", "organisation"), pk=role_id
    )
    services.membership_revoke(actor=request.auth, membership=membership)
    return Status(204, None)


@router.get("/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="One organisation")
def organisation_detail(request: HttpRequest, org_id: int):
    return access.get_for(request.auth, _orgs(), pk=org_id)


@router.post("", response={201: OrganisationOut, **ERRORS}, summary="Create an organisation")
def organisation_create(request: HttpRequest, payload: OrganisationIn):
    parent = access.get_for(request.auth, _orgs(), pk=payload.parent_id)
    data = payload.dict(exclude={"parent_id", "region_id"})
    org = services.org_create(
        actor=request.auth, parent=parent, region=_region(payload.region_id), **data
    )
    return Status(201, org)


@router.patch(
    "/{org_id}", response={200: OrganisationOut, **ERRORS}, summary="Change an organisation"
)
def organisation_update(request: HttpRequest, org_id: int, payload: OrganisationPatch):
    org = access.get_for(request.auth, _orgs(), pk=org_id)
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    if "region_id" in fields:
        fields["region"] = _region(fields.pop("region_id"))
    return services.org_update(actor=request.auth, org=org, **fields)


@router.post(
    "/{org_id}/move", response={200: OrganisationOut, **ERRORS}, summary="Move an organisation"
)
def organisation_move(request: HttpRequest, org_id: int, payload: MoveIn):
    org = access.get_for(request.auth, _orgs(), pk=org_id)
    new_parent = access.get_for(request.auth, _orgs(), pk=payload.new_parent_id)
    return services.org_move(actor=request.auth, org=org, new_parent=new_parent)
