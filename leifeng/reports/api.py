"""Reports to the city for apps: the periods an office asks for and who owes it a report;
filling a report in (narrative, contact, figures, attachments), submitting it, and the
office returning or accepting it; the dashboard's figures; and the city's public totals.

Every rule lives in services.py (the same services the pages call); these routes parse,
fetch through `access`, call one service and answer. Figures travel as decimal text ("12.50",
"96.7"), never as floating-point numbers, as hours do; a request may send them as text or as a
number. Attachments are downloaded through the API (with the same token), never from /media/.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BeforeValidator, Field, PlainSerializer

from leifeng.activities.api import Day, Id, In
from leifeng.activities.models import ActivityPhoto
from leifeng.core.api import ERRORS, Pagination
from leifeng.core.errors import DomainError
from leifeng.core.files import stored_file
from leifeng.demands.models import OrderPhoto
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.reports import services
from leifeng.reports.models import Attachment, Period, Report, ReportEvent, ReportFigure

router = Router()

S = Report.Status
StatusCode = Literal[tuple(S.values)]  # type: ignore[valid-type]
FigureKey = Literal[tuple(services.FIGURES)]  # type: ignore[valid-type]
LineCode = Literal[("", *services.LINES)]  # type: ignore[valid-type]
FIRST_YEAR, LAST_YEAR = 2000, 2100
OBLIGED_MAX = 1000  # organisations named in one request
TREND_MAX = 24  # periods in a trend


def _exact(value: Any) -> Any:
    """A JSON number arrives as a float: read it as the decimal it was written as."""
    if isinstance(value, float):
        return str(value)
    return value


# A figure sent: text or a number, from 0, two decimals at most (rounded to the figure's own).
AmountIn = Annotated[
    Decimal,
    BeforeValidator(_exact),
    Field(ge=0, lt=Decimal("1e12"), max_digits=14, decimal_places=2, description='e.g. "12.5"'),
]
# A figure answered: always text, with the figure's decimal places ("12", "12.50", "96.7").
AmountText = Annotated[Decimal, PlainSerializer(lambda value: str(value), return_type=str)]


def _shown(key: str, value: Decimal) -> Decimal:
    places = services.FIGURES[key].places if key in services.FIGURES else 2
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _invalid(field: str) -> DomainError:
    return DomainError(
        _("Please correct the marked fields."),
        code="invalid",
        fields={field: _("Choose one of the allowed values.")},
    )


# --- fetching through access ---------------------------------------------------------------


def _period(request: HttpRequest, period_id: int, manage: bool = False) -> Period:
    """A period the user may read, else 404; with `manage`, 403 unless they run its office."""
    period = get_object_or_404(services.readable_periods(request.auth), pk=period_id)
    if manage and not access.can(request.auth, access.MANAGE, period):
        raise PermissionDenied
    return period


def _reports() -> QuerySet[Report]:
    return Report.objects.select_related("period__organisation", "organisation", "decided_by")


def _report(request: HttpRequest, report_id: int, action: str = access.VIEW) -> Report:
    return access.get_for(request.auth, _reports(), action, pk=report_id)


def _reviewed(request: HttpRequest, report_id: int) -> Report:
    """A report the user sees and whose office they run (return, accept), else 404 / 403."""
    report = _report(request, report_id)
    if not services.may_review(request.auth, report):
        raise PermissionDenied
    return report


def _attachment(request: HttpRequest, attachment_id: int, action: str) -> Attachment:
    return access.get_for(
        request.auth, Attachment.objects.select_related("report"), action, pk=attachment_id
    )


def _organisation(request: HttpRequest, organisation_id: int, action: str) -> Organisation:
    return access.get_for(
        request.auth, Organisation.objects.filter(is_active=True), action, pk=organisation_id
    )


FILE_ANSWER = {
    "responses": {
        "200": {
            "description": "The file as it was uploaded (photo, video or document)",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# --- answers -------------------------------------------------------------------------------


class FigureValueOut(Schema):
    """One figure of the dashboard or the public totals."""

    key: str
    line: str = Field(description='A campaign line, or "" for all')
    label: str
    line_label: str
    unit: str
    value: AmountText


def _values(values: dict[tuple[str, str], Decimal]) -> list[dict[str, Any]]:
    """services' {(key, line): value} as answers, in the order of services.FIGURES."""
    order = {key: index for index, key in enumerate(services.FIGURES)}
    lines = {line: index for index, line in enumerate(["", *services.LINES])}
    return [
        {
            "key": key,
            "line": line,
            "label": str(services.FIGURES[key].label),
            "line_label": services.line_label(line),
            "unit": str(services.FIGURES[key].unit),
            "value": _shown(key, value),
        }
        for (key, line), value in sorted(
            values.items(), key=lambda item: (order.get(item[0][0], 99), lines.get(item[0][1], 99))
        )
        if key in services.FIGURES
    ]


class PeriodOut(Schema):
    """What an office asks its subtree to report: the dates covered and the due date."""

    id: int
    organisation_id: int = Field(description="The office reports go to")
    organisation_name: str
    name: str
    starts_on: date
    ends_on: date
    due_on: date
    created_at: datetime
    runs: bool = Field(description="I run this office: I set the period up and review reports")

    @staticmethod
    def resolve_organisation_name(obj: Period) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_runs(obj: Period, context: Any) -> bool:
        return access.can(context["request"].auth, access.MANAGE, obj)


class ObligationOut(Schema):
    """An organisation that owes the report, and where its report stands."""

    report_id: int
    organisation_id: int
    organisation_name: str
    status: str
    late: bool
    submitted_at: datetime | None
    state: str = Field(
        description="accepted, on_time, late, returned, missing (due date passed, never "
        "submitted) or pending (not yet due)"
    )


class PeriodDetailOut(PeriodOut):
    """A period with the organisations that owe it a report (those I may see)."""

    obligations: list[ObligationOut]

    @staticmethod
    def resolve_obligations(obj: Period, context: Any) -> list[dict[str, Any]]:
        today = timezone.localdate()
        reports = (
            services.visible_reports(context["request"].auth)
            .filter(period=obj)
            .order_by("organisation__path")
        )
        return [
            {
                "report_id": report.pk,
                "organisation_id": report.organisation_id,
                "organisation_name": report.organisation.name,
                "status": report.status,
                "late": report.late,
                "submitted_at": report.submitted_at,
                "state": services.submission_state(report, today),
            }
            for report in reports
        ]


class ObligationsOut(Schema):
    added: int
    removed: int
    period: PeriodDetailOut


class ReportOut(Schema):
    """One organisation's report for one period, in a list."""

    id: int
    period_id: int
    period_name: str
    due_on: date
    office_id: int = Field(description="The office the report goes to")
    organisation_id: int
    organisation_name: str
    status: str
    state: str = Field(description="As in a period's obligations")
    late: bool
    submitted_at: datetime | None
    decided_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_period_name(obj: Report) -> str:
        return obj.period.name

    @staticmethod
    def resolve_due_on(obj: Report) -> date:
        return obj.period.due_on

    @staticmethod
    def resolve_office_id(obj: Report) -> int:
        return obj.period.organisation_id

    @staticmethod
    def resolve_organisation_name(obj: Report) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_state(obj: Report) -> str:
        return services.submission_state(obj)


class ReportFigureOut(Schema):
    """A figure of a report: what the platform counted, and what the report says."""

    key: str
    line: str = Field(description='A campaign line, or "" for all')
    label: str
    line_label: str
    unit: str
    computed: AmountText = Field(description="Counted by the platform")
    value: AmountText = Field(description="Reported")
    manual: bool = Field(description="Changed by hand (note says why)")
    note: str

    @staticmethod
    def resolve_label(obj: ReportFigure) -> str:
        kind = services.FIGURES.get(obj.key)
        return str(kind.label) if kind else obj.key

    @staticmethod
    def resolve_line_label(obj: ReportFigure) -> str:
        return services.line_label(obj.line)

    @staticmethod
    def resolve_unit(obj: ReportFigure) -> str:
        kind = services.FIGURES.get(obj.key)
        return str(kind.unit) if kind else ""

    @staticmethod
    def resolve_computed(obj: ReportFigure) -> Decimal:
        return _shown(obj.key, obj.computed)

    @staticmethod
    def resolve_value(obj: ReportFigure) -> Decimal:
        return _shown(obj.key, obj.value)


class ReportAttachmentOut(Schema):
    id: int
    kind: str = Field(description="photo, video or document")
    title: str
    original_name: str
    size: int = Field(description="Bytes")
    in_document: bool = Field(description="Shown in the Word report (photos)")
    uploaded_at: datetime
    url: str = Field(description="Download (with the same token)")
    thumbnail_url: str | None = Field(description="A small JPEG of a photo")

    @staticmethod
    def resolve_url(obj: Attachment, context: Any) -> str:
        return context["request"].build_absolute_uri(
            reverse("api:report_attachment_file", args=[obj.pk])
        )

    @staticmethod
    def resolve_thumbnail_url(obj: Attachment, context: Any) -> str | None:
        if not obj.thumbnail:
            return None
        url = reverse("api:report_attachment_file", args=[obj.pk])
        return context["request"].build_absolute_uri(f"{url}?thumbnail=true")


class ReportEventOut(Schema):
    """What happened to the report, in order."""

    action: str = Field(
        description="created, submitted, resubmitted, returned, accepted, figure_changed, "
        "attachment_added or attachment_removed"
    )
    actor_name: str
    comment: str
    at: datetime

    @staticmethod
    def resolve_actor_name(obj: ReportEvent) -> str:
        return str(obj.actor) if obj.actor else ""


class ReportDetailOut(ReportOut):
    """A report in full. While it can be changed, its figures are brought up to date first."""

    narrative: str = Field(description="Formatted text (safe HTML: headings, lists, tables)")
    contact_name: str
    contact_phone: str
    comment: str = Field(description="From the office, when it returned or accepted the report")
    decided_by_name: str
    figures_at: datetime | None = Field(description="When the figures were last counted")
    figures: list[ReportFigureOut]
    attachments: list[ReportAttachmentOut]
    events: list[ReportEventOut]
    may_write: bool = Field(description="I may change and submit it now")
    may_review: bool = Field(description="I run the office it goes to (return, accept)")

    @staticmethod
    def resolve_decided_by_name(obj: Report) -> str:
        return str(obj.decided_by) if obj.decided_by else ""

    @staticmethod
    def resolve_figures(obj: Report) -> list[ReportFigure]:
        return services.report_figures(obj)

    @staticmethod
    def resolve_attachments(obj: Report) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_events(obj: Report) -> list[ReportEvent]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_may_write(obj: Report, context: Any) -> bool:
        return services.may_write(context["request"].auth, obj)

    @staticmethod
    def resolve_may_review(obj: Report, context: Any) -> bool:
        return services.may_review(context["request"].auth, obj)


class PickablePhotoOut(Schema):
    """A photo the report may pick: of an activity of the organisation's subtree held within
    the period (kind "activity"), or a service photo taken when one of its volunteers served
    a resident's order within the period (kind "order"). Ids are unique within a kind."""

    kind: Literal["activity", "order"]
    id: int
    order_number: str | None = Field(description="kind order: the order served")
    category: str | None = Field(description="kind order: the order's category code")
    done_at: datetime | None = Field(description="kind order: when it was served")
    activity_id: int | None = Field(description="kind activity: the activity")
    activity_title: str | None = Field(description="kind activity")
    starts_at: datetime | None = Field(description="kind activity: when the activity started")
    caption: str = Field(description="kind activity: the organiser's caption, if any")
    url: str

    @staticmethod
    def resolve_kind(obj: OrderPhoto | ActivityPhoto) -> str:
        return "activity" if isinstance(obj, ActivityPhoto) else "order"

    @staticmethod
    def resolve_order_number(obj: OrderPhoto | ActivityPhoto) -> str | None:
        return obj.order.number if isinstance(obj, OrderPhoto) else None

    @staticmethod
    def resolve_category(obj: OrderPhoto | ActivityPhoto) -> str | None:
        return obj.order.category if isinstance(obj, OrderPhoto) else None

    @staticmethod
    def resolve_done_at(obj: OrderPhoto | ActivityPhoto) -> datetime | None:
        return obj.order.done_at if isinstance(obj, OrderPhoto) else None

    @staticmethod
    def resolve_activity_id(obj: OrderPhoto | ActivityPhoto) -> int | None:
        return obj.activity_id if isinstance(obj, ActivityPhoto) else None

    @staticmethod
    def resolve_activity_title(obj: OrderPhoto | ActivityPhoto) -> str | None:
        return obj.activity.title if isinstance(obj, ActivityPhoto) else None

    @staticmethod
    def resolve_starts_at(obj: OrderPhoto | ActivityPhoto) -> datetime | None:
        return obj.activity.starts_at if isinstance(obj, ActivityPhoto) else None

    @staticmethod
    def resolve_caption(obj: OrderPhoto | ActivityPhoto) -> str:
        return obj.caption if isinstance(obj, ActivityPhoto) else ""

    @staticmethod
    def resolve_url(obj: OrderPhoto | ActivityPhoto, context: Any) -> str:
        request = context["request"]
        report_id = request.resolver_match.kwargs["report_id"]
        name = (
            "api:report_activity_photo_file"
            if isinstance(obj, ActivityPhoto)
            else "api:report_photo_file"
        )
        return request.build_absolute_uri(reverse(name, args=[report_id, obj.pk]))


class _Photos:
    """The activity photos, then the service photos, as one list the paginator slices
    without reading either query whole."""

    def __init__(self, first: QuerySet[Any], second: QuerySet[Any]) -> None:
        self.first, self.second = first, second
        self._first_count: int | None = None

    def _split(self) -> int:
        if self._first_count is None:
            self._first_count = self.first.count()
        return self._first_count

    def __len__(self) -> int:
        return self._split() + self.second.count()

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        split = self._split()
        items = list(self.first[start : min(stop, split)]) if start < split else []
        if stop > split:
            items += list(self.second[max(start - split, 0) : stop - split])
        return items


class BoardChildOut(Schema):
    organisation_id: int
    organisation_name: str
    figures: list[FigureValueOut]


class BoardLineOut(Schema):
    line: str = Field(description='A campaign line, or "" for hours outside the lines')
    label: str = Field(description='The line\'s name ("" for hours outside the lines)')
    activities: AmountText
    hours: AmountText


class BoardTopOut(Schema):
    organisation_id: int
    organisation_name: str
    hours: AmountText


class FiguresBoardOut(Schema):
    """The figures of an organisation's subtree over a span of days."""

    organisation_id: int
    organisation_name: str
    first_day: date
    last_day: date
    total: list[FigureValueOut]
    by_child: list[BoardChildOut] = Field(
        description="Each organisation right below (the counties)"
    )
    by_line: list[BoardLineOut] = Field(description="Each campaign line's activities and hours")
    top: list[BoardTopOut] = Field(description="Units, stations and teams with the most hours")


class FiguresTrendOut(Schema):
    period_id: int
    period_name: str
    starts_on: date
    ends_on: date
    figures: list[FigureValueOut]


class PublicFiguresOut(Schema):
    """The city's figures for everyone: counts only, no personal data."""

    organisation_name: str
    year: int
    stations: int
    all_time: list[FigureValueOut] = Field(description="Since records began")
    this_year: list[FigureValueOut]


# --- requests ------------------------------------------------------------------------------


class PeriodIn(In):
    name: str = Field(max_length=100)
    starts_on: Day = Field(description="The first day covered")
    ends_on: Day = Field(description="The last day covered")
    due_on: Day


class PeriodCreateIn(PeriodIn):
    organisation_id: Id = Field(description="The office reports go to (one I manage)")


class YearIn(In):
    organisation_id: Id = Field(description="The office reports go to (one I manage)")
    year: int = Field(ge=FIRST_YEAR + 1, le=LAST_YEAR)


class ObligationsIn(In):
    organisation_ids: list[Id] = Field(
        max_length=OBLIGED_MAX,
        description="Exactly these owe a report (organisations below the office); those left "
        "out lose theirs, unless already submitted",
    )


class ReportIn(In):
    narrative: str = Field(
        max_length=services.NARRATIVE_MAX * 4,
        description="Formatted text; anything but headings, paragraphs, emphasis, lists and "
        "tables is dropped",
    )
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=20)


class ReportFigureIn(In):
    line: LineCode = ""
    value: AmountIn
    note: str = Field(max_length=200, description="Why the platform's figure is not right")


class ReportFigureResetIn(In):
    line: LineCode = ""


class ReportAttachmentIn(In):
    title: str = Field(max_length=100)
    in_document: bool = Field(description="Show in the Word report (photos only)")


class PhotoPickIn(In):
    kind: Literal["activity", "order"] = Field(
        "order", description="An activity's photo or a service photo, as /photos lists it"
    )
    photo_id: Id = Field(description="One of the report's photos to pick (/photos)")


class ReportReturnIn(In):
    comment: str = Field(max_length=5000, description="What should be changed")


class ReportAcceptIn(In):
    comment: str = Field("", max_length=5000)


# --- periods -------------------------------------------------------------------------------


@router.get(
    "/periods",
    response={200: list[PeriodOut], **ERRORS},
    summary="Periods of offices I run, and those my organisations report in; latest due first",
)
@paginate(Pagination)
def period_list(
    request: HttpRequest,
    organisation_id: Annotated[Id | None, Field(description="Of this office")] = None,
):
    periods = services.readable_periods(request.auth)
    if organisation_id is not None:
        periods = periods.filter(organisation_id=organisation_id)
    return periods.order_by("-due_on", "-pk")


@router.post(
    "/periods",
    response={201: PeriodDetailOut, **ERRORS},
    summary="Open a reporting period of an office I manage (then say who owes a report)",
)
def period_create(request: HttpRequest, payload: PeriodCreateIn):
    organisation = _organisation(request, payload.organisation_id, access.MANAGE)
    period = services.period_save(
        actor=request.auth,
        organisation=organisation,
        **payload.model_dump(exclude={"organisation_id"}),
    )
    return Status(201, services.readable_periods(request.auth).get(pk=period.pk))


@router.post(
    "/periods/year",
    response={201: list[PeriodDetailOut], **ERRORS},
    summary="The three periods of a campaign year (due March 19, July 19 and November 19), "
    "each owed by the offices, units and federation right below; answers those created",
)
def year_create(request: HttpRequest, payload: YearIn):
    organisation = _organisation(request, payload.organisation_id, access.MANAGE)
    created = services.year_create(actor=request.auth, organisation=organisation, year=payload.year)
    periods = services.readable_periods(request.auth).filter(pk__in=[p.pk for p in created])
    return Status(201, list(periods.order_by("starts_on")))


@router.get(
    "/periods/{int:period_id}",
    response={200: PeriodDetailOut, **ERRORS},
    summary="One period, with each organisation that owes it a report and where it stands",
)
def period_detail(request: HttpRequest, period_id: int):
    return _period(request, period_id)


@router.put(
    "/periods/{int:period_id}",
    response={200: PeriodDetailOut, **ERRORS},
    summary="Change a period's name and dates (send every field)",
)
def period_update(request: HttpRequest, period_id: int, payload: PeriodIn):
    period = _period(request, period_id, manage=True)
    services.period_save(
        actor=request.auth,
        organisation=period.organisation,
        period=period,
        **payload.model_dump(),
    )
    return _period(request, period_id)


@router.put(
    "/periods/{int:period_id}/obligations",
    response={200: ObligationsOut, **ERRORS},
    summary="Say exactly who owes a report: new ones get a draft, those left out lose theirs "
    "(refused once submitted)",
)
def obligations_set(request: HttpRequest, period_id: int, payload: ObligationsIn):
    period = _period(request, period_id, manage=True)
    wanted = set(payload.organisation_ids)
    found = list(
        access.scoped(Organisation.objects.filter(is_active=True), request.auth).filter(
            pk__in=wanted
        )
    )
    if len(found) != len(wanted):
        raise _invalid("organisation_ids")
    added, removed = services.obligations_set(
        actor=request.auth, period=period, organisations=found
    )
    return {"added": added, "removed": removed, "period": _period(request, period_id)}


# --- reports -------------------------------------------------------------------------------


@router.get(
    "",
    response={200: list[ReportOut], **ERRORS},
    summary="Reports I may read: latest period first, then by organisation",
)
@paginate(Pagination)
def report_list(
    request: HttpRequest,
    period_id: Id | None = None,
    status: StatusCode | None = None,
    organisation_id: Annotated[Id | None, Field(description="This organisation's")] = None,
):
    reports = services.visible_reports(request.auth)
    if period_id is not None:
        reports = reports.filter(period_id=period_id)
    if status:
        reports = reports.filter(status=status)
    if organisation_id is not None:
        reports = reports.filter(organisation_id=organisation_id)
    return reports.order_by("-period__due_on", "-period_id", "organisation__path", "pk")


def _detail(report: Report) -> Report:
    """The report as it is now; while it can be changed, its figures counted again first."""
    report = _reports().get(pk=report.pk)
    if report.status in services.EDITABLE:
        services.figures_fill(report)
        report.refresh_from_db(fields=["figures_at"])
    return report


@router.get(
    "/{int:report_id}",
    response={200: ReportDetailOut, **ERRORS},
    summary="One report: figures, narrative, contact, attachments and history",
)
def report_detail(request: HttpRequest, report_id: int):
    return _detail(_report(request, report_id))


@router.put(
    "/{int:report_id}",
    response={200: ReportDetailOut, **ERRORS},
    summary="Save the narrative and the contact (send every field) while it can be changed",
)
def report_save(request: HttpRequest, report_id: int, payload: ReportIn):
    report = _report(request, report_id, access.REPORT)
    services.report_save(actor=request.auth, report=report, **payload.model_dump())
    return _detail(report)


@router.put(
    "/{int:report_id}/figures/{key}",
    response={200: ReportFigureOut, **ERRORS},
    summary="Say a figure is other than the platform counted, and why",
)
def figure_set(request: HttpRequest, report_id: int, key: FigureKey, payload: ReportFigureIn):
    report = _report(request, report_id, access.REPORT)
    return services.figure_set(
        actor=request.auth,
        report=report,
        key=key,
        line=payload.line,
        value=payload.value,
        note=payload.note,
    )


@router.post(
    "/{int:report_id}/figures/{key}/reset",
    response={200: ReportFigureOut, **ERRORS},
    summary="Take the platform's figure again",
)
def figure_reset(
    request: HttpRequest, report_id: int, key: FigureKey, payload: ReportFigureResetIn
):
    report = _report(request, report_id, access.REPORT)
    return services.figure_reset(actor=request.auth, report=report, key=key, line=payload.line)


@router.get(
    "/{int:report_id}/photos",
    response={200: list[PickablePhotoOut], **ERRORS},
    summary="Photos of the organisation's subtree within the period, to pick: those of its "
    "activities first, then the service photos",
)
@paginate(Pagination)
def photo_list(request: HttpRequest, report_id: int):
    report = _report(request, report_id, access.REPORT)
    return _Photos(services.pickable_activity_photos(report), services.pickable_photos(report))


@router.get(
    "/{int:report_id}/photos/{int:photo_id}/file",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
    url_name="report_photo_file",
    summary="A service photo that may be picked",
)
def photo_file(request: HttpRequest, report_id: int, photo_id: int):
    report = _report(request, report_id, access.REPORT)
    photo = get_object_or_404(services.pickable_photos(report), pk=photo_id)
    return stored_file(photo.image)


@router.get(
    "/{int:report_id}/activity-photos/{int:photo_id}/file",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
    url_name="report_activity_photo_file",
    summary="A photo of an activity that may be picked",
)
def activity_photo_file(request: HttpRequest, report_id: int, photo_id: int):
    report = _report(request, report_id, access.REPORT)
    photo = get_object_or_404(services.pickable_activity_photos(report), pk=photo_id)
    return stored_file(photo.image)


@router.post(
    "/{int:report_id}/attachments",
    response={201: ReportAttachmentOut, **ERRORS},
    summary="Upload a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a document (PDF, "
    "Word, Excel, PowerPoint, WPS)",
)
def attachment_add(
    request: HttpRequest,
    report_id: int,
    file: File[UploadedFile],
    title: str = Form("", max_length=100),
):
    report = _report(request, report_id, access.REPORT)
    added = services.attachment_add(actor=request.auth, report=report, upload=file, title=title)
    return Status(201, added)


@router.post(
    "/{int:report_id}/attachments/pick",
    response={201: ReportAttachmentOut, **ERRORS},
    summary="Add a copy of a photo of the organisation's subtree (/photos): an activity's "
    'photo (kind "activity") or a service photo (kind "order", the default)',
)
def attachment_pick(request: HttpRequest, report_id: int, payload: PhotoPickIn):
    report = _report(request, report_id, access.REPORT)
    photo = services.pickable(report, payload.kind).filter(pk=payload.photo_id).first()
    if photo is None:
        raise _invalid("photo_id")
    return Status(201, services.attachment_pick(actor=request.auth, report=report, photo=photo))


@router.put(
    "/attachments/{int:attachment_id}",
    response={200: ReportAttachmentOut, **ERRORS},
    summary="Change an attachment's caption, and whether a photo shows in the Word report",
)
def attachment_update(request: HttpRequest, attachment_id: int, payload: ReportAttachmentIn):
    attachment = _attachment(request, attachment_id, access.REPORT)
    return services.attachment_update(
        actor=request.auth,
        attachment=attachment,
        title=payload.title,
        in_document=payload.in_document,
    )


@router.delete(
    "/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    summary="Remove an attachment while the report can be changed",
)
def attachment_remove(request: HttpRequest, attachment_id: int):
    attachment = _attachment(request, attachment_id, access.REPORT)
    services.attachment_remove(actor=request.auth, attachment=attachment)
    return Status(204, None)


@router.get(
    "/attachments/{int:attachment_id}/file",
    response={200: None, **ERRORS},
    openapi_extra=FILE_ANSWER,
    url_name="report_attachment_file",
    summary="Download an attachment, or with thumbnail=true a photo's thumbnail (JPEG)",
)
def attachment_file(request: HttpRequest, attachment_id: int, thumbnail: bool = False):
    attachment = _attachment(request, attachment_id, access.VIEW)
    if thumbnail:
        if not attachment.thumbnail:
            raise Http404
        name = attachment.original_name.rsplit(".", 1)[0] + ".jpg"
        return stored_file(attachment.thumbnail, filename=name)
    return stored_file(attachment.file, filename=attachment.original_name)


@router.post(
    "/{int:report_id}/submit",
    response={200: ReportDetailOut, **ERRORS},
    summary="Send the report to the office: its figures are counted one last time and kept",
)
def report_submit(request: HttpRequest, report_id: int):
    report = _report(request, report_id, access.REPORT)
    return _detail(services.report_submit(actor=request.auth, report=report))


@router.post(
    "/{int:report_id}/return",
    response={200: ReportDetailOut, **ERRORS},
    summary="The office sends the report back, saying what to change",
)
def report_return(request: HttpRequest, report_id: int, payload: ReportReturnIn):
    report = _reviewed(request, report_id)
    return _detail(
        services.report_return(actor=request.auth, report=report, comment=payload.comment)
    )


@router.post(
    "/{int:report_id}/accept",
    response={200: ReportDetailOut, **ERRORS},
    summary="The office accepts the report",
)
def report_accept(request: HttpRequest, report_id: int, payload: ReportAcceptIn):
    report = _reviewed(request, report_id)
    return _detail(
        services.report_accept(actor=request.auth, report=report, comment=payload.comment)
    )


# --- figures -------------------------------------------------------------------------------


@router.get(
    "/figures",
    response={200: FiguresBoardOut, **ERRORS},
    summary="The dashboard: an organisation's subtree over a span of days (by default this "
    "year so far), each organisation below, each campaign line, and the top units",
)
def figures(
    request: HttpRequest,
    organisation_id: Id,
    first_day: Annotated[Day | None, Field(description="Default: January 1 this year")] = None,
    last_day: Annotated[Day | None, Field(description="Default: today")] = None,
    top: Annotated[int, Field(ge=1, le=50, description="How many top units")] = 10,
):
    organisation = _organisation(request, organisation_id, access.VIEW)
    today = timezone.localdate()
    first_day = first_day or date(today.year, 1, 1)
    last_day = last_day or today
    if last_day < first_day:
        message = _("The period must end on or after its first day.")
        raise DomainError(message, code="invalid", fields={"last_day": message})
    board = services.board(organisation, first_day, last_day, top)
    return {
        "organisation_id": organisation.pk,
        "organisation_name": organisation.name,
        "first_day": first_day,
        "last_day": last_day,
        "total": _values(board.total),
        "by_child": [
            {
                "organisation_id": child.pk,
                "organisation_name": child.name,
                "figures": _values(values),
            }
            for child, values in board.by_child
        ],
        "by_line": [
            {
                "line": line,
                "label": services.line_label(line) if line else "",
                "activities": activities,
                "hours": hours,
            }
            for line, activities, hours in board.by_line
        ],
        "top": [
            {"organisation_id": unit.pk, "organisation_name": unit.name, "hours": hours}
            for unit, hours in board.top
        ],
    }


@router.get(
    "/figures/trend",
    response={200: list[FiguresTrendOut], **ERRORS},
    summary="An organisation's figures in each of the latest periods of its offices, oldest first",
)
def figures_trend(
    request: HttpRequest,
    organisation_id: Id,
    limit: Annotated[int, Field(ge=1, le=TREND_MAX, description="How many periods")] = 6,
):
    organisation = _organisation(request, organisation_id, access.VIEW)
    # Periods of the organisation itself or an office above it, among those the user reads.
    offices = [int(part) for part in organisation.path.strip("/").split("/")]
    periods = (
        services.readable_periods(request.auth)
        .filter(organisation_id__in=offices)
        .order_by("-starts_on", "-pk")[:limit]
    )
    return [
        {
            "period_id": period.pk,
            "period_name": period.name,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "figures": _values(values),
        }
        for period, values in services.trend(organisation, periods)
    ]


@router.get(
    "/public",
    auth=None,
    response={200: PublicFiguresOut, **ERRORS},
    summary="The city's figures since records began and this year (public, counts only)",
)
def public(request: HttpRequest):
    totals = services.public_totals()
    if not totals:
        return {
            "organisation_name": "",
            "year": timezone.localdate().year,
            "stations": 0,
            "all_time": [],
            "this_year": [],
        }
    return {
        "organisation_name": totals["organisation"].name,
        "year": totals["year"],
        "stations": totals["stations"],
        "all_time": _values(totals["all_time"]),
        "this_year": _values(totals["this_year"]),
    }
