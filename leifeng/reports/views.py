"""Pages for reports to the city: units write and submit their reports; offices set up the
periods, say who owes a report, follow the submissions, return or accept them and read the
dashboard; anyone reads the city's public figures. The rules are all in services.py."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.files import stored_file
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.reports import rollups, services
from leifeng.reports.forms import (
    AcceptForm,
    AttachmentForm,
    FigureForm,
    ObligationsForm,
    PeriodForm,
    ReportForm,
    ReturnForm,
    UploadForm,
    YearForm,
)
from leifeng.reports.models import Attachment, Period, Report

S = Report.Status
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC_CACHE_KEY = "reports:public-totals"
PUBLIC_CACHE_SECONDS = 600

STATES = {
    "on_time": gettext_lazy("On time"),
    "late": gettext_lazy("Late"),
    "returned": gettext_lazy("Returned"),
    "accepted": gettext_lazy("Accepted"),
    "missing": gettext_lazy("Missing"),
    "pending": gettext_lazy("Not yet due"),
}
EVENTS = {
    "created": gettext_lazy("Asked for"),
    "submitted": gettext_lazy("Submitted"),
    "resubmitted": gettext_lazy("Resubmitted"),
    "returned": gettext_lazy("Returned"),
    "accepted": gettext_lazy("Accepted"),
    "figure_changed": gettext_lazy("Figure changed"),
    "attachment_added": gettext_lazy("Attachment added"),
    "attachment_removed": gettext_lazy("Attachment removed"),
}
# The dashboard's table of child organisations and its totals.
BOARD_KEYS = [
    "activities",
    "volunteers",
    "hours",
    "registrations",
    "people_served",
    "orders_taken",
    "satisfaction",
    "stations",
]
TREND_KEYS = ["activities", "volunteers", "hours", "people_served"]
CHARTS = ("children", "lines", "trend")
PICKABLE_SHOWN = 24


def _number(key: str, value: Decimal | int) -> str:
    kind = services.FIGURES.get(key)
    return number_format(value, kind.places if kind else 0, force_grouping=True)


def _figure(key: str, values: dict[tuple[str, str], Decimal]) -> str:
    """A board's figure as shown: "—" for a satisfaction nobody rated."""
    return "—" if services.unrated(key, values) else _number(key, values[(key, "")])


def _labels(keys: list[str]) -> list[dict[str, Any]]:
    return [
        {"key": k, "label": services.FIGURES[k].label, "unit": services.FIGURES[k].unit}
        for k in keys
    ]


# --- the start page -------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """The reports the user writes, by period; for an office, the periods it runs."""
    user = request.user
    reviewable = services.reviewable_periods(user)
    today = timezone.localdate()
    # The periods under way first (the latest due on top), then those not yet begun.
    mine = (
        access.scoped(services.visible_reports(user), user, access.REPORT)
        .select_related("period__organisation")
        .exclude(period__in=reviewable.values("pk"))
        .annotate(begun=Q(period__starts_on__lte=today))
        .order_by("-begun", "-period__due_on", "period_id", "organisation__path")
    )
    page = paginate(request, mine)
    for report in page:
        report.state = services.submission_state(report, today)
        report.state_label = STATES[report.state]
    periods = list(_with_counts(reviewable, today)[:8])
    return render(
        request,
        "reports/index.html",
        {
            "page": page,
            "periods": periods,
            "more_periods": reviewable.count() > len(periods),
            "runs_periods": bool(periods) or _offices(user).exists(),
        },
    )


def _with_counts(periods: QuerySet[Period], today: date) -> QuerySet[Period]:
    sent = ~Q(reports__status=S.DRAFT)
    return periods.annotate(
        obliged=Count("reports", distinct=True),
        sent=Count("reports", filter=sent, distinct=True),
        late_count=Count("reports", filter=Q(reports__late=True), distinct=True),
        missing=Count(
            "reports",
            filter=Q(reports__status=S.DRAFT, due_on__lt=today),
            distinct=True,
        ),
    ).order_by("-due_on", "-pk")


def _offices(user: Any) -> QuerySet[Organisation]:
    """The organisations whose periods the user may set up."""
    return access.scoped(
        Organisation.objects.filter(is_active=True, kind=Organisation.Kind.OFFICE),
        user,
        access.MANAGE,
    ).order_by("path")


# --- periods --------------------------------------------------------------------------------


def period_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    offices = _offices(user)
    periods = services.reviewable_periods(user)
    if not offices.exists() and not periods.exists():
        raise Http404
    initial = {"organisation": offices.first(), "year": timezone.localdate().year}
    return render(
        request,
        "reports/periods.html",
        {
            "page": paginate(request, _with_counts(periods, timezone.localdate())),
            "year_form": YearForm(organisations=offices, initial=initial),
            "offices": offices.exists(),
        },
    )


def period_new(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user)
    if not offices.exists():
        raise Http404
    form = PeriodForm(request.POST or None, organisations=offices)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_save(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Period created. Now say who owes a report."))
            return redirect("reports:period", pk=period.pk)
    return render(request, "reports/period_form.html", {"form": form, "period": None})


def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    initial = {
        "organisation": period.organisation,
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "due_on": period.due_on,
    }
    form = PeriodForm(
        request.POST or None,
        organisations=Organisation.objects.filter(pk=period.organisation_id),
        initial=initial,
    )
    form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.period_save(actor=request.user, period=period, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:period", pk=period.pk)
    return render(request, "reports/period_form.html", {"form": form, "period": period})


@require_POST
def year_new(request: HttpRequest) -> HttpResponse:
    """The campaign year's three periods (3/19, 7/19, 11/19), each with who owes a report."""
    form = YearForm(request.POST, organisations=_offices(request.user))
    if form.is_valid():
        try:
            created = services.year_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if created:
                messages.success(request, _("%(count)d periods created.") % {"count": len(created)})
            else:
                messages.info(request, _("The periods of this year exist already."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("reports:periods")


def _period(request: HttpRequest, pk: int) -> Period:
    """A period the user runs (404 outside their sight, 403 if they only see it)."""
    return access.get_for(
        request.user, Period.objects.select_related("organisation"), access.MANAGE, pk=pk
    )


def _candidates(period: Period) -> QuerySet[Organisation]:
    """Who may be named as owing the office a report: the organisations one and two levels
    below it (without teams, stations and points), and those named already."""
    office = period.organisation
    small = [
        Organisation.Kind.POINT,
        Organisation.Kind.STATION,
        Organisation.Kind.TEAM,
        Organisation.Kind.TEAM_BRANCH,
        Organisation.Kind.TEAM_CORPS,
    ]
    near = (Q(parent=office) | Q(parent__parent=office)) & Q(is_active=True) & ~Q(kind__in=small)
    named = Q(pk__in=period.reports.values("organisation_id"))
    return Organisation.objects.filter(near | named).order_by("path")


def period_detail(request: HttpRequest, pk: int, form: ObligationsForm | None = None):
    period = _period(request, pk)
    today = timezone.localdate()
    reports = list(period.reports.select_related("organisation").order_by("organisation__path"))
    counts: dict[str, int] = dict.fromkeys(STATES, 0)
    for report in reports:
        report.state = services.submission_state(report, today)
        report.state_label = STATES[report.state]
        counts[report.state] += 1
    if form is None:
        named = [r.organisation_id for r in reports]
        initial = named or list(
            services.default_obliged(period.organisation).values_list("pk", flat=True)
        )
        form = ObligationsForm(candidates=_candidates(period), initial={"organisations": initial})
    return render(
        request,
        "reports/period.html",
        {
            "period": period,
            "reports": reports,
            "counts": [(STATES[k], k, n) for k, n in counts.items()],
            "form": form,
            "named_none": not reports,
        },
    )


@require_POST
def obligations(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    form = ObligationsForm(request.POST, candidates=_candidates(period))
    if form.is_valid():
        try:
            added, removed = services.obligations_set(
                actor=request.user, period=period, organisations=form.cleaned_data["organisations"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Saved: %(added)d added, %(removed)d removed.")
                % {"added": added, "removed": removed},
            )
            return redirect("reports:period", pk=period.pk)
    return period_detail(request, pk, form=form)


def _summary_target(request: HttpRequest, pk: int) -> tuple[Period, Organisation]:
    """A period the user may see, and the organisation of its subtree they look at."""
    period = access.get_for(request.user, Period.objects.select_related("organisation"), pk=pk)
    chosen = request.GET.get("org", "")
    if not chosen:
        return period, period.organisation
    if not chosen.isdigit():
        raise Http404
    organisation = access.get_for(request.user, Organisation.objects.all(), pk=int(chosen))
    if not organisation.path.startswith(period.organisation.path):
        raise Http404
    return period, organisation


def period_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from leifeng.reports import documents

    period, organisation = _summary_target(request, pk)
    return _download(
        documents.summary_docx(period, organisation),
        DOCX,
        f"{organisation.name}-{period.name}.docx",
        "summary.docx",
    )


def period_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from leifeng.reports import documents

    period, organisation = _summary_target(request, pk)
    return _download(
        documents.summary_xlsx(period, organisation),
        XLSX,
        f"{organisation.name}-{period.name}.xlsx",
        "figures.xlsx",
    )


def _download(content: bytes, content_type: str, name: str, fallback: str) -> HttpResponse:
    """A document to save, its Chinese name given the RFC 5987 way (ASCII for old clients)."""
    for bad in '/\\"\r\n':
        name = name.replace(bad, "_")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


# --- one report -----------------------------------------------------------------------------


def _report(request: HttpRequest, pk: int, action: str = access.VIEW) -> Report:
    return access.get_for(
        request.user,
        Report.objects.select_related("period__organisation", "organisation", "decided_by"),
        action,
        pk=pk,
    )


def _report_page(request: HttpRequest, report: Report, **bound: Any) -> HttpResponse:
    """The report page; forms that failed come in `bound` to show their errors."""
    template = "reports/report.html"
    if request.htmx and bound.get("fragment"):
        template = f"reports/report.html#{bound['fragment']}"
    return render(request, template, _report_context(request, report, bound))


def _report_context(request: HttpRequest, report: Report, bound: dict[str, Any]) -> dict:
    user = request.user
    writable = services.may_write(user, report)
    reviews = services.may_review(user, report)
    if report.status in services.EDITABLE:
        figures = services.figures_fill(report)
        report.refresh_from_db(fields=["figures_at"])
    else:
        figures = services.report_figures(report)
    failed_figure = bound.get("figure_form")
    rows = []
    for figure in figures:
        kind = services.FIGURES.get(figure.key)
        form = None
        if writable:
            if failed_figure is not None and (
                failed_figure.data.get("key"),
                failed_figure.data.get("line", ""),
            ) == (figure.key, figure.line):
                form = failed_figure
            else:
                form = FigureForm(
                    initial={"key": figure.key, "line": figure.line, "value": figure.value},
                    auto_id=f"figure-{figure.pk}-%s",
                )
        rows.append(
            {
                "figure": figure,
                "label": kind.label if kind else figure.key,
                "unit": kind.unit if kind else "",
                "line": services.line_label(figure.line) if figure.line else "",
                "computed": _number(figure.key, figure.computed),
                "value": _number(figure.key, figure.value),
                "differs": figure.value != figure.computed,
                "form": form,
            }
        )
    attachments = []
    failed_attachment = bound.get("attachment_form")
    for attachment in report.attachments.select_related("uploaded_by"):
        form = None
        if writable:
            form = (
                failed_attachment
                if failed_attachment is not None
                and failed_attachment.attachment_pk == attachment.pk
                else AttachmentForm(attachment=attachment, auto_id=f"att-{attachment.pk}-%s")
            )
        attachments.append({"attachment": attachment, "form": form})
    report_form = bound.get("report_form") or ReportForm(
        initial={
            "narrative": report.narrative,
            "contact_name": report.contact_name,
            "contact_phone": report.contact_phone,
        }
    )
    pickable, pickable_activity = [], []
    if writable:
        pickable = list(services.pickable_photos(report)[: PICKABLE_SHOWN + 1])
        pickable_activity = list(services.pickable_activity_photos(report)[: PICKABLE_SHOWN + 1])
    state = services.submission_state(report)
    return {
        "report": report,
        "period": report.period,
        "state": state,
        "state_label": STATES[state],
        "writable": writable,
        "reviews": reviews,
        "rows": rows,
        "attachments": attachments,
        "report_form": report_form,
        "upload_form": bound.get("upload_form") or UploadForm(),
        "return_form": bound.get("return_form") or ReturnForm(),
        "accept_form": bound.get("accept_form") or AcceptForm(),
        "may_submit": writable and services.allowed(report, "submit"),
        "may_return": reviews and services.allowed(report, "return"),
        "may_accept": reviews and services.allowed(report, "accept"),
        "submit_error": bound.get("submit_error"),
        "pickable": pickable[:PICKABLE_SHOWN],
        "pickable_activity": pickable_activity[:PICKABLE_SHOWN],
        "pickable_more": len(pickable) > PICKABLE_SHOWN or len(pickable_activity) > PICKABLE_SHOWN,
        "events": [
            {"event": e, "label": EVENTS.get(e.action, e.action)}
            for e in report.events.select_related("actor")
        ],
        "limits": services.ATTACHMENTS_MAX,
    }


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, _report(request, pk))


def _saved(request: HttpRequest, report: Report, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("reports:report", pk=report.pk)


@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the narrative and contact; with "then=submit", send the report as well."""
    report = _report(request, pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _report_page(request, report, report_form=form)
    try:
        services.report_save(actor=request.user, report=report, **form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return _report_page(request, report, report_form=form)
    if request.POST.get("then") != "submit":
        return _saved(request, report, _("Saved."))
    try:
        services.report_submit(actor=request.user, report=report)
    except DomainError as exc:
        add_domain_error(form, exc)
        report.refresh_from_db()
        return _report_page(request, report, report_form=form, submit_error=exc.message)
    return _saved(request, report, _("Saved and submitted."))


@require_POST
def figure_set(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = FigureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.figure_set(
                actor=request.user,
                report=report,
                key=data["key"],
                line=data["line"] or "",
                value=data["value"],
                note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if request.htmx:
                return _report_page(request, report, fragment="figures")
            return _saved(request, report, _("Figure changed."))
    return _report_page(request, report, figure_form=form, fragment="figures")


@require_POST
def figure_reset(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.figure_reset(
            actor=request.user,
            report=report,
            key=request.POST.get("key", "")[:30],
            line=request.POST.get("line", "")[:20],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if request.htmx:
            return _report_page(request, report, fragment="figures")
        messages.success(request, _("Back to the platform's figure."))
    return redirect("reports:report", pk=report.pk)


@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit (the unit), return with a comment or accept (the office)."""
    report = _report(request, pk)
    user = request.user
    if action == "submit":
        try:
            services.report_submit(actor=user, report=report)
        except DomainError as exc:
            return _report_page(request, report, submit_error=exc.message)
        return _saved(request, report, _("Submitted."))
    if action == "return":
        form: ReturnForm | AcceptForm = ReturnForm(request.POST)
        key = "return_form"
    elif action == "accept":
        form = AcceptForm(request.POST)
        key = "accept_form"
    else:
        raise Http404
    if form.is_valid():
        try:
            if action == "return":
                services.report_return(actor=user, report=report, **form.cleaned_data)
            else:
                services.report_accept(actor=user, report=report, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            done = _("Returned.") if action == "return" else _("Accepted.")
            return _saved(request, report, done)
    report.refresh_from_db()
    return _report_page(request, report, **{key: form})


# --- attachments ----------------------------------------------------------------------------


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                report=report,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, report, _("Attachment added."))
    return _report_page(request, report, upload_form=form)


@require_POST
def attachment_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy one of the subtree's activity photos (kind "activity") or service photos (kind
    "order", the default) into the report."""
    report = _report(request, pk)
    chosen = request.POST.get("photo", "")
    kind = request.POST.get("kind", "order")
    photo = None
    if kind in services.PICK_KINDS and chosen.isdigit():
        photo = services.pickable(report, kind).filter(pk=int(chosen)).first()
    try:
        if photo is None:
            raise DomainError(
                _("This photo is not from this report's organisation and period."), code="invalid"
            )
        services.attachment_pick(actor=request.user, report=report, photo=photo)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:report", pk=report.pk)
    return _saved(request, report, _("Photo added to the report."))


def _attachment(request: HttpRequest, pk: int) -> Attachment:
    return access.get_for(request.user, Attachment.objects.select_related("report__period"), pk=pk)


@require_POST
def attachment_update(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk)
    report = _report(request, attachment.report_id)
    form = AttachmentForm(request.POST, auto_id=f"att-{attachment.pk}-%s")
    form.attachment_pk = attachment.pk
    if form.is_valid():
        try:
            services.attachment_update(
                actor=request.user, attachment=attachment, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, report, _("Saved."))
    return _report_page(request, report, attachment_form=form)


@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk)
    report_pk = attachment.report_id
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("reports:report", pk=report_pk)


def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file, for those who may see the report (photos shown, the rest downloaded). Its
    type comes from the stored name, whose suffix was read from the bytes."""
    attachment = _attachment(request, pk)
    return stored_file(
        attachment.file,
        filename=attachment.original_name,
        as_attachment=attachment.kind != Attachment.Kind.PHOTO,
    )


def attachment_thumb(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment(request, pk)
    if not attachment.thumbnail:
        raise Http404
    return stored_file(attachment.thumbnail)


def _pickable_file(request: HttpRequest, pk: int, kind: str, photo: int) -> FileResponse:
    """A photo offered for the report, to those who write it."""
    report = _report(request, pk, access.REPORT)
    item = get_object_or_404(services.pickable(report, kind), pk=photo)
    return stored_file(item.image, images_only=True)


def pickable_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A service photo offered for the report, to those who write it."""
    return _pickable_file(request, pk, "order", photo)


def pickable_activity_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of one of the subtree's activities offered for the report."""
    return _pickable_file(request, pk, "activity", photo)


# --- documents ------------------------------------------------------------------------------


def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from leifeng.reports import documents

    report = _report(request, pk)
    name = f"{report.organisation.name}-{report.period.name}.docx"
    return _download(documents.report_docx(report), DOCX, name, "report.docx")


def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from leifeng.reports import documents

    report = _report(request, pk)
    name = f"{report.organisation.name}-{report.period.name}.xlsx"
    return _download(documents.report_xlsx(report), XLSX, name, "figures.xlsx")


# --- the dashboard --------------------------------------------------------------------------


def _top_organisation(user: Any) -> Organisation | None:
    organisations = access.scoped(Organisation.objects.filter(is_active=True), user)
    roots = access.paths_for(user, access.VIEW)
    if roots:
        return organisations.filter(path=roots[0]).first()
    if user.is_superuser:
        return services.city_root()
    return None


class Span:
    """What the dashboard looks at: an organisation, a year and perhaps one period."""

    def __init__(self, request: HttpRequest) -> None:
        user = request.user
        chosen = request.GET.get("org", "")
        if chosen:
            if not chosen.isdigit():
                raise Http404
            self.organisation = access.get_for(
                user, Organisation.objects.filter(is_active=True), pk=int(chosen)
            )
        else:
            top = _top_organisation(user)
            if top is None:
                raise Http404
            self.organisation = top
        self.period: Period | None = None
        today = timezone.localdate()
        picked = request.GET.get("period", "")
        year = request.GET.get("year", "")
        if picked.isdigit():
            self.period = get_object_or_404(services.readable_periods(user), pk=int(picked))
            self.year = self.period.due_on.year
            self.first_day, self.last_day = self.period.starts_on, self.period.ends_on
        else:
            self.year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today.year
            self.first_day, self.last_day = date(self.year, 1, 1), date(self.year, 12, 31)
        # The periods the organisation reports in or runs, that fall due this year.
        self.periods = list(
            services.readable_periods(user)
            .filter(organisation_id__in=self.organisation.path_ids(), due_on__year=self.year)
            .order_by("starts_on", "pk")
        )

    def query(self, **changes: Any) -> str:
        params: dict[str, Any] = {"org": self.organisation.pk}
        if self.period is not None:
            params["period"] = self.period.pk
        else:
            params["year"] = self.year
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v is not None})

    def trend_periods(self) -> list[Period]:
        """The year's periods; without any, the three default ones of the campaign year."""
        if self.periods:
            return self.periods
        return [
            Period(name=name, starts_on=first, ends_on=last, due_on=due)
            for name, first, last, due in services.year_periods(self.year)
        ]


def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    span = Span(request)
    organisation = span.organisation
    board = services.board(organisation, span.first_day, span.last_day)
    ancestors = access.scoped(organisation.ancestors(), user).order_by("path")
    children = [
        {
            "organisation": child,
            "query": span.query(org=child.pk),
            "values": [_figure(k, values) for k in BOARD_KEYS],
        }
        for child, values in board.by_child
    ]
    trend = [
        {"period": period, "values": [_number(k, values[(k, "")]) for k in TREND_KEYS]}
        for period, values in services.trend(organisation, span.trend_periods())
    ]
    refreshed_at = services.figures_refreshed_at()
    return render(
        request,
        "reports/dashboard.html",
        {
            "span": span,
            "organisation": organisation,
            "ancestors": [(o, span.query(org=o.pk)) for o in ancestors],
            "board": board,
            "totals": [
                {
                    "label": services.FIGURES[k].label,
                    "unit": services.FIGURES[k].unit,
                    "value": _figure(k, board.total),
                }
                for k in services.FIGURES
            ],
            "columns": _labels(BOARD_KEYS),
            "children": children,
            "lines": [
                (services.line_label(line), _number("activities", a), _number("hours", h))
                for line, a, h in board.by_line
            ],
            "top": [(o, _number("hours", h)) for o, h in board.top],
            "trend_columns": _labels(TREND_KEYS),
            "trend": trend,
            "matrix": _matrix(user, span),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
            "query": span.query(),
            "year_query": span.query(period=None, year=span.year),
            "charts": CHARTS,
            "pending": rollups.pending(),
            "refreshed_at": refreshed_at,
            "legend": list(STATES.items()),
        },
    )


def _matrix(user: Any, span: Span) -> dict[str, Any] | None:
    """Who owes which of the year's periods a report and where each stands: the periods the
    user runs above or at the organisation, the reports from its subtree."""
    periods = list(
        services.reviewable_periods(user)
        .filter(organisation_id__in=span.organisation.path_ids(), due_on__year=span.year)
        .order_by("starts_on", "pk")
    )
    if not periods:
        return None
    # Read through the scope like every list; the path narrows it to the drilled-down subtree.
    reports = services.visible_reports(user).filter(
        period__in=periods, organisation__path__startswith=span.organisation.path
    )
    today = timezone.localdate()
    cells: dict[int, dict[int, Report]] = {}
    names: dict[int, Organisation] = {}
    for report in reports:
        report.state = services.submission_state(report, today)
        report.state_label = STATES[report.state]
        cells.setdefault(report.organisation_id, {})[report.period_id] = report
        names[report.organisation_id] = report.organisation
    rows = [
        {"organisation": names[pk], "cells": [cells[pk].get(p.pk) for p in periods]}
        for pk in sorted(names, key=lambda pk: names[pk].path)
    ]
    return {"periods": periods, "rows": rows}


def dashboard_chart(request: HttpRequest, name: str) -> HttpResponse:
    """A chart of the dashboard, drawn from the same figures (and the same access checks)."""
    from leifeng.reports import charts

    if name not in CHARTS:
        raise Http404
    span = Span(request)
    organisation = span.organisation
    if name == "trend":
        trend = services.trend(organisation, span.trend_periods())
        png = charts.trend_png(
            _("%(org)s, %(year)s: by period") % {"org": organisation.name, "year": span.year},
            [str(period.name) for period, _v in trend],
            {
                str(services.FIGURES[k].label): [float(v[(k, "")]) for _p, v in trend]
                for k in TREND_KEYS
            },
        )
    else:
        board = services.board(organisation, span.first_day, span.last_day)
        if name == "children":
            png = charts.bars_png(
                _("Service hours by organisation"),
                [child.name for child, _v in board.by_child],
                [float(values[("hours", "")]) for _c, values in board.by_child],
                str(services.FIGURES["hours"].unit),
            )
        else:
            png = charts.bars_png(
                _("Service hours by campaign line"),
                [services.line_label(line) for line, _a, _h in board.by_line],
                [float(hours) for _l, _a, hours in board.by_line],
                str(services.FIGURES["hours"].unit),
            )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response


# --- the public figures ---------------------------------------------------------------------

PUBLIC_KEYS = [
    ("registrations", gettext_lazy("Volunteers registered")),
    ("hours", gettext_lazy("Service hours")),
    ("activities", gettext_lazy("Activities held")),
    ("people_served", gettext_lazy("Residents' orders served")),
]


@login_not_required
def public_figures(request: HttpRequest) -> HttpResponse:
    """The city's figures for everyone: counts only, no personal data, cached ten minutes."""
    totals = cache.get_or_set(PUBLIC_CACHE_KEY, services.public_totals, PUBLIC_CACHE_SECONDS)
    cards = []
    if totals:
        for key, label in PUBLIC_KEYS:
            cards.append(
                {
                    "label": label,
                    "unit": services.FIGURES[key].unit,
                    "all_time": _number(key, totals["all_time"][(key, "")]),
                    "this_year": _number(key, totals["this_year"][(key, "")]),
                }
            )
    return render(
        request,
        "reports/figures.html",
        {
            "cards": cards,
            "stations": totals.get("stations", 0) if totals else 0,
            "organisation": totals.get("organisation") if totals else None,
            "year": totals.get("year") if totals else timezone.localdate().year,
        },
    )
