"""The volunteer registry for apps: registration, the volunteer's own record and teams, and
staff search, reveal and team decisions. Numbers are masked in every answer except the
owner's own data download and an audited reveal."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from leifeng.core.api import ERRORS, Pagination
from leifeng.core.campaign import CampaignLine
from leifeng.core.errors import DomainError
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import selectors, services
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType
from leifeng.volunteers.models import Skill, TeamApplication, TeamMembership, Volunteer
from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION

router = Router()

DocType = Literal[tuple(DocumentType.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(VolunteerKind.values)]  # type: ignore[valid-type]
LineCode = Literal[tuple(CampaignLine.values)]  # type: ignore[valid-type]
TimeCode = Literal[tuple(Availability.values)]  # type: ignore[valid-type]
PoliticalCode = Literal[("", *PoliticalStatus.values)]  # type: ignore[valid-type]
EducationCode = Literal[("", *Education.values)]  # type: ignore[valid-type]
RelationCode = Literal[tuple(GuardianRelation.values)]  # type: ignore[valid-type]
SexCode = Literal["", "1", "2", "9"]


class VolunteerOut(Schema):
    id: int
    number: str
    national_number: str
    name: str
    document_type: str
    document_masked: str
    mobile_masked: str
    sex: str
    birth_date: date | None
    is_minor: bool
    residence_id: int
    residence_name: str
    organisation_id: int
    organisation_name: str
    kinds: list[str]
    campaign_lines: list[str]
    availability: list[str]
    skills: list[str]
    political_status: str
    education: str
    public_display: bool
    status: str

    @staticmethod
    def resolve_is_minor(obj: Volunteer) -> bool:
        return obj.is_minor()

    @staticmethod
    def resolve_residence_name(obj: Volunteer) -> str:
        return obj.residence.name

    @staticmethod
    def resolve_organisation_name(obj: Volunteer) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_skills(obj: Volunteer) -> list[str]:
        return [skill.name for skill in obj.skills.all()]


class GuardianIn(Schema):
    name: str = Field(max_length=50)
    relation: RelationCode
    phone: str = Field(max_length=20)
    consented: bool


class ProfileIn(Schema):
    name: str = Field(max_length=50)
    document_type: DocType = "111"
    document_number: str = Field(max_length=30)
    mobile: str = Field(max_length=20)
    residence_id: int
    birth_date: date | None = Field(
        None, description="Only for documents that do not carry it (passports, passes)"
    )
    sex: SexCode = Field("", description="Only for documents that do not carry it")
    skill_ids: list[int] = Field(default_factory=list, max_length=50)
    availability: list[TimeCode] = Field(default_factory=list, max_length=10)
    campaign_lines: list[LineCode] = Field(default_factory=list, max_length=10)
    kinds: list[KindCode] = Field(default_factory=list, max_length=10)
    political_status: PoliticalCode = ""
    education: EducationCode = ""
    guardian: GuardianIn | None = Field(None, description="Required under 18")


class RegisterIn(ProfileIn):
    password: str = Field(max_length=128)
    privacy_consent: bool = Field(description="Read and agreed to the privacy notice")
    privacy_notice_version: str = Field(max_length=20)
    public_display: bool = False


class ProfilePatch(Schema):
    name: str | None = Field(None, max_length=50)
    document_type: DocType | None = None
    document_number: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=20)
    residence_id: int | None = None
    birth_date: date | None = None
    sex: SexCode | None = None
    skill_ids: list[int] | None = Field(None, max_length=50)
    availability: list[TimeCode] | None = Field(None, max_length=10)
    campaign_lines: list[LineCode] | None = Field(None, max_length=10)
    kinds: list[KindCode] | None = Field(None, max_length=10)
    political_status: PoliticalCode | None = None
    education: EducationCode | None = None
    national_number: str | None = Field(None, max_length=40)
    public_display: bool | None = None
    guardian: GuardianIn | None = None


def _profile_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in payload.items() if k in services.PROFILE_FIELDS}
    if "residence_id" in payload:
        data["residence"] = Region.objects.filter(pk=payload["residence_id"]).first()
    if "skill_ids" in payload:
        data["skills"] = list(Skill.objects.filter(pk__in=payload["skill_ids"] or []))
    return data


def _guardian(payload: dict[str, Any]) -> services.Guardian | None:
    guardian = payload.get("guardian")
    return services.Guardian(**guardian) if guardian else None


def _volunteers():
    return Volunteer.objects.select_related("residence", "organisation").prefetch_related("skills")


def _mine(request: HttpRequest) -> Volunteer:
    return get_object_or_404(_volunteers(), user=request.auth, status=Volunteer.Status.ACTIVE)


# --- anyone --------------------------------------------------------------------------------


@router.post(
    "/register",
    auth=None,
    response={201: VolunteerOut, **ERRORS},
    summary="Register as a volunteer (real name)",
)
def register(request: HttpRequest, payload: RegisterIn):
    data = payload.dict()
    if data["privacy_notice_version"] != PRIVACY_NOTICE_VERSION:
        message = _("The privacy notice has changed; read the new version before agreeing.")
        raise DomainError(message, code="invalid", fields={"privacy_notice_version": message})
    volunteer = services.volunteer_register(
        data=_profile_data(data),
        password=data["password"],
        privacy_consent=data["privacy_consent"],
        public_display=data["public_display"],
        guardian=_guardian(data),
    )
    return Status(201, _volunteers().get(pk=volunteer.pk))


class RecoverIn(Schema):
    document_type: DocType
    document_number: str = Field(max_length=30)
    mobile: str = Field(max_length=20)


class RecoverFinishIn(Schema):
    document_type: DocType
    document_number: str = Field(max_length=30)
    code: str = Field(max_length=6)
    password: str = Field(max_length=128)


class MessageOut(Schema):
    message: str


@router.post(
    "/recover",
    auth=None,
    response={202: MessageOut, **ERRORS},
    summary="Send an account-recovery code to the registered mobile",
)
def recover(request: HttpRequest, payload: RecoverIn):
    services.recovery_start(**payload.dict())
    message = _("If the details match a registered volunteer, a code has been sent to that mobile.")
    return Status(202, {"message": message})


@router.post(
    "/recover/finish",
    auth=None,
    response={200: MessageOut, **ERRORS},
    summary="Set a new password with the recovery code",
)
def recover_finish(request: HttpRequest, payload: RecoverFinishIn):
    user = services.recovery_finish(**payload.dict())
    return {
        "message": _(
            "Your password is set. Log in with your volunteer number %(number)s or mobile."
        )
        % {"number": user.username}
    }


# --- the volunteer's own record ------------------------------------------------------------


@router.get("/me", response={200: VolunteerOut, **ERRORS}, summary="My volunteer record")
def me(request: HttpRequest):
    return _mine(request)


@router.patch("/me", response={200: VolunteerOut, **ERRORS}, summary="Correct my record")
def me_update(request: HttpRequest, payload: ProfilePatch):
    volunteer = _mine(request)
    data = payload.dict(exclude_unset=True)
    services.volunteer_update(
        actor=request.auth,
        volunteer=volunteer,
        changes=_profile_data(data),
        guardian=_guardian(data),
    )
    if data.get("public_display") is not None:
        services.public_display_set(
            actor=request.auth, volunteer=volunteer, allowed=data["public_display"]
        )
    return _volunteers().get(pk=volunteer.pk)


@router.get(
    "/me/data",
    response={200: dict[str, Any], **ERRORS},
    summary="A copy of everything kept about me (full numbers)",
)
def me_data(request: HttpRequest):
    return services.volunteer_data(_mine(request))


@router.post(
    "/me/close",
    response={204: None, **ERRORS},
    summary="Close my account: personal data is deleted",
)
def me_close(request: HttpRequest):
    services.volunteer_close(actor=request.auth, volunteer=_mine(request))
    return Status(204, None)


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    region_name: str
    parent_name: str

    @staticmethod
    def resolve_region_name(obj: Organisation) -> str:
        return obj.region.name

    @staticmethod
    def resolve_parent_name(obj: Organisation) -> str:
        return obj.parent.name if obj.parent else ""


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="Teams one can join")
@paginate(Pagination)
def teams(request: HttpRequest, q: str = ""):
    return selectors.teams_open(q[:50])


class ApplyIn(Schema):
    message: str = Field("", max_length=200)


class ApplicationOut(Schema):
    id: int
    volunteer_id: int
    volunteer_number: str
    volunteer_name: str
    team_id: int
    team_name: str
    message: str
    status: str
    reason: str
    created_at: Any
    decided_at: Any | None

    @staticmethod
    def resolve_volunteer_number(obj: TeamApplication) -> str:
        return obj.volunteer.number

    @staticmethod
    def resolve_volunteer_name(obj: TeamApplication) -> str:
        return obj.volunteer.name

    @staticmethod
    def resolve_team_name(obj: TeamApplication) -> str:
        return obj.team.name


@router.post(
    "/teams/{team_id}/apply",
    response={201: ApplicationOut, **ERRORS},
    summary="Apply to join a team",
)
def team_apply(request: HttpRequest, team_id: int, payload: ApplyIn):
    team = get_object_or_404(selectors.teams_open(), pk=team_id)
    application = services.team_apply(
        actor=request.auth, volunteer=_mine(request), team=team, message=payload.message
    )
    return Status(201, application)


@router.get(
    "/me/applications",
    response={200: list[ApplicationOut], **ERRORS},
    summary="My team applications",
)
@paginate(Pagination)
def my_applications(request: HttpRequest):
    return _mine(request).applications.select_related("team", "volunteer")


@router.post(
    "/me/applications/{application_id}/withdraw",
    response={204: None, **ERRORS},
    summary="Withdraw my application",
)
def my_application_withdraw(request: HttpRequest, application_id: int):
    application = get_object_or_404(_mine(request).applications, pk=application_id)
    services.application_withdraw(actor=request.auth, application=application)
    return Status(204, None)


class MembershipOut(Schema):
    id: int
    volunteer_id: int
    team_id: int
    team_name: str
    source: str
    joined_at: Any

    @staticmethod
    def resolve_team_name(obj: TeamMembership) -> str:
        return obj.team.name


@router.get("/me/memberships", response={200: list[MembershipOut], **ERRORS}, summary="My teams")
@paginate(Pagination)
def my_memberships(request: HttpRequest):
    return _mine(request).team_memberships.select_related("team")


@router.post(
    "/me/memberships/{membership_id}/leave",
    response={204: None, **ERRORS},
    summary="Leave a team",
)
def my_membership_leave(request: HttpRequest, membership_id: int):
    membership = get_object_or_404(
        _mine(request).team_memberships.select_related("team", "volunteer"), pk=membership_id
    )
    services.team_leave(actor=request.auth, membership=membership)
    return Status(204, None)


# --- staff ---------------------------------------------------------------------------------


@router.get("", response={200: list[VolunteerOut], **ERRORS}, summary="Volunteers in my scope")
@paginate(Pagination)
def volunteer_list(
    request: HttpRequest,
    q: str = "",
    document_number: str = "",
    mobile: str = "",
    team_id: int | None = None,
    residence_id: int | None = None,
    kind: KindCode | None = None,
    skill_id: int | None = None,
):
    team = get_object_or_404(selectors.teams_for(request.auth), pk=team_id) if team_id else None
    residence = get_object_or_404(Region, pk=residence_id) if residence_id else None
    skill = get_object_or_404(Skill, pk=skill_id) if skill_id else None
    return selectors.volunteer_search(
        user=request.auth,
        q=q[:50],
        document_number=document_number[:30],
        mobile=mobile[:20],
        team=team,
        residence=residence,
        kind=kind or "",
        skill=skill,
    ).prefetch_related("skills")


@router.get(
    "/{int:volunteer_id}", response={200: VolunteerOut, **ERRORS}, summary="One volunteer (masked)"
)
def volunteer_detail(request: HttpRequest, volunteer_id: int):
    return access.get_for(request.auth, _volunteers(), pk=volunteer_id)


class RevealIn(Schema):
    what: Literal["document_number", "mobile"]
    reason: str = Field(max_length=200)


class RevealOut(Schema):
    what: str
    value: str


@router.post(
    "/{int:volunteer_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="Show one full number (audited)",
)
def volunteer_reveal(request: HttpRequest, volunteer_id: int, payload: RevealIn):
    volunteer = access.get_for(request.auth, _volunteers(), access.MANAGE, pk=volunteer_id)
    value = services.volunteer_reveal(
        actor=request.auth, volunteer=volunteer, what=payload.what, reason=payload.reason
    )
    return {"what": payload.what, "value": value}


@router.get(
    "/applications/pending",
    response={200: list[ApplicationOut], **ERRORS},
    summary="Team applications waiting in my scope",
)
@paginate(Pagination)
def applications_pending(request: HttpRequest, team_id: int | None = None):
    applications = access.scoped(
        TeamApplication.objects.filter(status=TeamApplication.Status.PENDING).select_related(
            "team", "volunteer"
        ),
        request.auth,
    ).order_by("created_at")
    if team_id is not None:
        applications = applications.filter(team_id=team_id)
    return applications


class DecideIn(Schema):
    approve: bool
    reason: str = Field("", max_length=200)


@router.post(
    "/applications/{application_id}/decide",
    response={200: ApplicationOut, **ERRORS},
    summary="Approve or decline an application",
)
def application_decide(request: HttpRequest, application_id: int, payload: DecideIn):
    application = access.get_for(
        request.auth,
        TeamApplication.objects.select_related("team", "volunteer"),
        access.MANAGE,
        pk=application_id,
    )
    return services.application_decide(
        actor=request.auth, application=application, approve=payload.approve, reason=payload.reason
    )


class TeamAddIn(Schema):
    volunteer_number: str = Field(max_length=20)
    consent_note: str = Field(max_length=200, description="How the volunteer agreed")


@router.post(
    "/teams/{team_id}/members",
    response={201: MembershipOut, **ERRORS},
    summary="Add a volunteer to my team (with their consent)",
)
def team_add(request: HttpRequest, team_id: int, payload: TeamAddIn):
    team = access.get_for(request.auth, Organisation.objects.all(), access.MANAGE, pk=team_id)
    volunteer = get_object_or_404(
        access.scoped(Volunteer.objects.filter(status=Volunteer.Status.ACTIVE), request.auth),
        number=payload.volunteer_number.strip().upper(),
    )
    membership = services.team_add(
        actor=request.auth, team=team, volunteer=volunteer, consent_note=payload.consent_note
    )
    return Status(201, membership)


class RemoveIn(Schema):
    reason: str = Field(max_length=200)


@router.post(
    "/memberships/{membership_id}/remove",
    response={204: None, **ERRORS},
    summary="Remove a volunteer from a team",
)
def membership_remove(request: HttpRequest, membership_id: int, payload: RemoveIn):
    membership = access.get_for(
        request.auth,
        TeamMembership.objects.select_related("team", "volunteer"),
        access.MANAGE,
        pk=membership_id,
    )
    services.team_leave(actor=request.auth, membership=membership, reason=payload.reason)
    return Status(204, None)


class SkillOut(Schema):
    id: int
    name: str


@router.get("/skills", response={200: list[SkillOut], **ERRORS}, summary="The skills list")
def skills(request: HttpRequest):
    return Skill.objects.all()
