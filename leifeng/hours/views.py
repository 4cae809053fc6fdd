"""Pages for service hours: organisers confirm what attendance proposes; volunteers see their
record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.forms import add_domain_error
from leifeng.core.pagination import paginate
from leifeng.hours import certificates, imports, services
from leifeng.hours.exporters import record_xlsx
from leifeng.hours.forms import (
    AnswerForm,
    CertificateForm,
    ConfirmForm,
    CorrectForm,
    CorrectionAskForm,
    CreditForm,
    ImportForm,
    RecordItemForm,
    RejectForm,
    StarsForm,
)
from leifeng.hours.models import (
    Certificate,
    CorrectionRequest,
    HoursClaim,
    HoursEntry,
    LateEntry,
    RecordItem,
)
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.selectors import my_volunteer


def claim_list(request: HttpRequest) -> HttpResponse:
    """Claims waiting in the user's scope, the most urgent first; overdue ones marked."""
    qs = access.scoped(
        HoursClaim.objects.filter(status=HoursClaim.Status.PENDING).select_related(
            "volunteer", "attendance__shift__activity"
        ),
        request.user,
    ).order_by("due_on", "pk")
    today = timezone.localdate()
    if request.GET.get("overdue") == "1":
        qs = qs.filter(due_on__lt=today)
    return render(
        request,
        "hours/claims.html",
        {"page": paginate(request, qs), "today": today, "overdue": request.GET.get("overdue")},
    )


@require_POST
def claims_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the ticked claims as proposed; those that cannot be are named with the reason."""
    ids = [int(pk) for pk in request.POST.getlist("claim") if pk.isdigit()][:200]
    claims = list(access.scoped(HoursClaim.objects.filter(pk__in=ids), request.user, access.MANAGE))
    result = services.claims_confirm(actor=request.user, claims=claims)
    if result.confirmed:
        messages.success(
            request, _("%(count)s claims confirmed.") % {"count": len(result.confirmed)}
        )
    for claim, reason in result.refused:
        messages.error(request, f"{claim.volunteer.name}: {reason}")
    return redirect("hours:claims")


def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_for(
        request.user,
        HoursClaim.objects.select_related("volunteer", "attendance__shift__activity"),
        access.MANAGE,
        pk=pk,
    )
    confirm = ConfirmForm(
        request.POST if "confirm" in request.POST else None,
        initial={"hours": claim.proposed_hours},
    )
    reject = RejectForm(request.POST if "reject" in request.POST else None)
    overdue = claim.due_on < timezone.localdate()
    if request.method == "POST":
        try:
            if "confirm" in request.POST and confirm.is_valid() and overdue:
                services.claim_confirm_late(
                    actor=request.user,
                    claim=claim,
                    hours=confirm.cleaned_data["hours"],
                    reason=confirm.cleaned_data["reason"],
                )
                messages.success(request, _("Sent for a second person's approval."))
                return redirect("hours:claims")
            if "confirm" in request.POST and confirm.is_valid():
                services.claim_confirm(
                    actor=request.user,
                    claim=claim,
                    hours=confirm.cleaned_data["hours"],
                    reason=confirm.cleaned_data["reason"],
                )
                messages.success(request, _("Hours confirmed."))
                return redirect("hours:claims")
            if "reject" in request.POST and reject.is_valid():
                services.claim_reject(
                    actor=request.user, claim=claim, reason=reject.cleaned_data["reason"]
                )
                messages.success(request, _("Claim rejected."))
                return redirect("hours:claims")
        except DomainError as exc:
            add_domain_error(confirm if "confirm" in request.POST else reject, exc)
    return render(
        request,
        "hours/decide.html",
        {"claim": claim, "confirm": confirm, "reject": reject, "overdue": overdue},
    )


# A claim sent for a second person's approval is still waiting, as far as the volunteer knows.
WAITING = [HoursClaim.Status.PENDING, HoursClaim.Status.LATE]


def my_record(request: HttpRequest) -> HttpResponse:
    """The volunteer's own hours: total, the star standard reached, every entry."""
    volunteer = my_volunteer(request.user)
    if volunteer is None:
        raise Http404
    entries = access.owned(
        HoursEntry.objects.select_related("organisation", "reversal"),
        request.user,
        "volunteer__user",
    ).order_by("-started_at", "-pk")
    pending = access.owned(
        HoursClaim.objects.filter(status__in=WAITING).select_related("attendance__shift__activity"),
        request.user,
        "volunteer__user",
    )
    return render(
        request,
        "hours/me.html",
        {
            "record": services.record_of(volunteer),
            "page": paginate(request, entries),
            "pending": pending,
            "items": access.owned(RecordItem.objects.all(), request.user, "volunteer__user"),
            "certificates": access.owned(
                Certificate.objects.all(), request.user, "volunteer__user"
            )[:20],
            "requests": access.owned(
                CorrectionRequest.objects.select_related("organisation", "entry"),
                request.user,
                "volunteer__user",
            )[:20],
        },
    )


def my_record_xlsx(request: HttpRequest) -> HttpResponse:
    """The volunteer's whole service record as an Excel file."""
    volunteer = my_volunteer(request.user)
    if volunteer is None:
        raise Http404
    response = HttpResponse(
        record_xlsx(volunteer),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''service-record-{volunteer.number}.xlsx"
    )
    return response


def correction_ask(request: HttpRequest) -> HttpResponse:
    """The volunteer reports a wrong entry (?entry=<id>) or a missing record."""
    volunteer = my_volunteer(request.user)
    if volunteer is None:
        raise Http404
    entry = None
    if request.GET.get("entry", "").isdigit():
        entry = access.get_owned(
            request.user, HoursEntry.objects.all(), "volunteer__user", pk=request.GET["entry"]
        )
    organisations = Organisation.objects.filter(
        is_active=True, activities__shifts__signups__volunteer=volunteer
    ).distinct()
    form = CorrectionAskForm(request.POST or None, organisations=organisations)
    if entry is not None:
        del form.fields["organisation"]
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_ask(
                actor=request.user,
                volunteer=volunteer,
                message=form.cleaned_data["message"],
                entry=entry,
                organisation=form.cleaned_data.get("organisation"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Sent: the organisation will check and answer you."))
            return redirect("hours:me")
    return render(request, "hours/ask.html", {"form": form, "entry": entry})


def correction_list(request: HttpRequest) -> HttpResponse:
    """Staff: volunteers' open correction requests in scope, each answered here."""
    qs = access.scoped(
        CorrectionRequest.objects.filter(status=CorrectionRequest.Status.OPEN).select_related(
            "volunteer", "entry", "organisation"
        ),
        request.user,
    ).order_by("created_at", "pk")
    return render(request, "hours/corrections.html", {"page": paginate(request, qs)})


def correction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_for(
        request.user,
        CorrectionRequest.objects.select_related("volunteer", "entry"),
        access.MANAGE,
        pk=pk,
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_answer(actor=request.user, request=item, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Answered; the volunteer sees it under their hours."))
            return redirect("hours:corrections")
    return render(request, "hours/answer.html", {"item": item, "form": form})


def volunteer_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff: a volunteer's entries recorded in their scope, and hours served outside the
    platform recorded by an organisation they manage."""
    volunteer = access.get_for(request.user, Volunteer.objects.all(), pk=pk)
    organisations = access.scoped(
        Organisation.objects.filter(is_active=True), request.user, access.MANAGE
    )
    form = CreditForm(
        request.POST if "credit" in request.POST else None, organisations=organisations
    )
    item_form = RecordItemForm(
        request.POST if "item" in request.POST else None, organisations=organisations
    )
    stars_form = StarsForm(
        request.POST if "stars" in request.POST else None, organisations=organisations
    )
    certificate_form = CertificateForm(
        request.POST if "certificate" in request.POST else None, organisations=organisations
    )
    if request.method == "POST":
        try:
            if "stars" in request.POST and stars_form.is_valid():
                services.stars_certify(
                    actor=request.user, volunteer=volunteer, **stars_form.cleaned_data
                )
                messages.success(request, _("Star level certified."))
                return redirect("hours:volunteer", pk=volunteer.pk)
            if "credit" in request.POST and form.is_valid():
                if services.is_late(form.cleaned_data["ended_at"]):
                    services.late_entry_request(
                        actor=request.user, volunteer=volunteer, **form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("Past the 10 working days: sent for a second person's approval."),
                    )
                else:
                    services.manual_credit(
                        actor=request.user, volunteer=volunteer, **form.cleaned_data
                    )
                    messages.success(request, _("Hours recorded."))
                return redirect("hours:volunteer", pk=volunteer.pk)
            if "certificate" in request.POST and certificate_form.is_valid():
                issued = certificates.certificate_issue(
                    actor=request.user, volunteer=volunteer, **certificate_form.cleaned_data
                )
                messages.success(
                    request, _("Certificate %(number)s issued.") % {"number": issued.number}
                )
                return redirect("hours:volunteer", pk=volunteer.pk)
            if "item" in request.POST and item_form.is_valid():
                data = {**item_form.cleaned_data}
                data["detail"] = data.get("detail") or ""
                data["rating"] = data.get("rating") or ""
                services.record_item_add(actor=request.user, volunteer=volunteer, **data)
                messages.success(request, _("Recorded."))
                return redirect("hours:volunteer", pk=volunteer.pk)
        except DomainError as exc:
            bound = {
                "credit": form,
                "item": item_form,
                "stars": stars_form,
                "certificate": certificate_form,
            }
            add_domain_error(next(f for k, f in bound.items() if k in request.POST), exc)
    entries = access.scoped(
        HoursEntry.objects.filter(volunteer=volunteer).select_related("organisation", "reversal"),
        request.user,
    ).order_by("-started_at", "-pk")
    return render(
        request,
        "hours/volunteer.html",
        {
            "volunteer": volunteer,
            "record": services.record_of(volunteer),
            "page": paginate(request, entries),
            "form": form,
            "item_form": item_form,
            "stars_form": stars_form,
            "certificate_form": certificate_form,
            "certificates": access.scoped(
                Certificate.objects.filter(volunteer=volunteer), request.user
            )[:20],
            "items": access.scoped(RecordItem.objects.filter(volunteer=volunteer), request.user),
            "can_record": organisations.exists(),
        },
    )


def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or take back a credit: a reversing entry (and a new credit), with a reason."""
    entry = access.get_for(
        request.user, HoursEntry.objects.select_related("volunteer"), access.MANAGE, pk=pk
    )
    if entry.kind != HoursEntry.Kind.CREDIT:
        raise Http404
    correct = CorrectForm(
        request.POST if "correct" in request.POST else None,
        initial={"started_at": entry.started_at, "ended_at": entry.ended_at, "hours": entry.hours},
    )
    reverse = RejectForm(request.POST if "reverse" in request.POST else None)
    if request.method == "POST":
        try:
            if "correct" in request.POST and correct.is_valid():
                services.entry_correct(actor=request.user, entry=entry, **correct.cleaned_data)
                messages.success(
                    request, _("Corrected: the old entry is reversed, the new one credited.")
                )
                return redirect("hours:volunteer", pk=entry.volunteer_id)
            if "reverse" in request.POST and reverse.is_valid():
                services.entry_reverse(
                    actor=request.user, entry=entry, reason=reverse.cleaned_data["reason"]
                )
                messages.success(request, _("The entry is reversed."))
                return redirect("hours:volunteer", pk=entry.volunteer_id)
        except DomainError as exc:
            add_domain_error(correct if "correct" in request.POST else reverse, exc)
    return render(
        request, "hours/correct.html", {"entry": entry, "correct": correct, "reverse": reverse}
    )


# --- late entries (补录) and imports -------------------------------------------------------


def late_list(request: HttpRequest) -> HttpResponse:
    """Late entries waiting in the user's scope for a second person (?batch=<import>)."""
    qs = access.scoped(
        LateEntry.objects.filter(status=LateEntry.Status.PENDING).select_related(
            "volunteer", "organisation", "requested_by", "batch"
        ),
        request.user,
        access.MANAGE,
    ).order_by("requested_at", "pk")
    batch = request.GET.get("batch", "")
    if batch.isdigit():
        qs = qs.filter(batch_id=int(batch))
    return render(request, "hours/late.html", {"page": paginate(request, qs), "batch": batch})


@require_POST
def late_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked late entries (or all of an import); refusals named with the reason."""
    qs = access.scoped(
        LateEntry.objects.filter(status=LateEntry.Status.PENDING), request.user, access.MANAGE
    )
    batch = request.POST.get("batch", "")
    if batch.isdigit() and request.POST.get("all") == "1":
        qs = qs.filter(batch_id=int(batch))
    else:
        ids = [int(pk) for pk in request.POST.getlist("late") if pk.isdigit()][:200]
        qs = qs.filter(pk__in=ids)
    entries = list(qs.select_related("volunteer").order_by("pk")[: imports.MAX_ROWS])
    result = services.late_entries_approve(actor=request.user, entries=entries)
    if result.confirmed:
        messages.success(
            request, _("%(count)s late entries approved.") % {"count": len(result.confirmed)}
        )
    for late, reason in result.refused[:20]:
        messages.error(request, f"{late.volunteer.name}: {reason}")
    if len(result.refused) > 20:
        messages.error(
            request, _("…and %(count)s more refused.") % {"count": len(result.refused) - 20}
        )
    return redirect(reverse("hours:late") + (f"?batch={batch}" if batch.isdigit() else ""))


def late_reject(request: HttpRequest, pk: int) -> HttpResponse:
    late = access.get_for(
        request.user, LateEntry.objects.select_related("volunteer"), access.MANAGE, pk=pk
    )
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.late_entry_reject(
                actor=request.user, late=late, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Late entry rejected."))
            return redirect("hours:late")
    return render(request, "hours/late_reject.html", {"late": late, "form": form})


def import_upload(request: HttpRequest) -> HttpResponse:
    """Historical hours from .xlsx: every bad row listed, or the new rows sent for approval."""
    organisations = access.scoped(
        Organisation.objects.filter(is_active=True), request.user, access.MANAGE
    )
    if not organisations.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = imports.hours_import(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                upload=form.cleaned_data["file"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if outcome.batch is not None:
                messages.success(
                    request,
                    _(
                        "%(added)s rows sent for a second person's approval; %(already)s were "
                        "already recorded."
                    )
                    % {"added": outcome.added, "already": outcome.already},
                )
                return redirect(reverse("hours:late") + f"?batch={outcome.batch.pk}")
    return render(request, "hours/import.html", {"form": form, "outcome": outcome})


def import_template(request: HttpRequest) -> HttpResponse:
    if not access.scoped(Organisation.objects.all(), request.user, access.MANAGE).exists():
        raise Http404
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''hours-template.xlsx"
    return response


# --- certificates --------------------------------------------------------------------------


def my_certificate(request: HttpRequest) -> HttpResponse:
    """The volunteer prints a certificate for all their records or the ticked ones."""
    volunteer = my_volunteer(request.user)
    if volunteer is None:
        raise Http404
    records = certificates.certifiable(volunteer)
    if request.method == "POST":
        chosen = None
        if request.POST.get("scope") == "chosen":
            chosen = [int(pk) for pk in request.POST.getlist("entry") if pk.isdigit()]
        try:
            issued = certificates.certificate_issue(
                actor=request.user, volunteer=volunteer, entry_ids=chosen
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("hours:certificate-pdf", number=issued.number)
    return render(request, "hours/certificate_new.html", {"page": paginate(request, records)})


def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The certificate's PDF, for its volunteer or the staff of the issuing organisation."""
    certificate = (
        Certificate.objects.select_related("volunteer", "organisation")
        .filter(number=number)
        .first()
    )
    if certificate is None or not (
        (request.user.is_authenticated and certificate.volunteer.user_id == request.user.pk)
        or access.can(request.user, access.MANAGE, certificate)
    ):
        raise Http404
    url = request.build_absolute_uri(reverse("hours:verify-number", args=[certificate.number]))
    response = HttpResponse(
        certificates.certificate_document(certificate, url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@login_not_required
def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    """Public: is this certificate genuine, and what does it state? No personal data."""
    number = (number or request.GET.get("number", "")).strip()[:40]
    result = certificates.certificate_verify(number) if number else None
    return render(request, "hours/verify.html", {"number": number, "result": result})
