from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leifeng.core.errors import DomainError
from leifeng.core.pagination import paginate
from leifeng.jobs import services
from leifeng.jobs.models import Job, PeriodicRun
from leifeng.notify.models import Delivery
from leifeng.orgs import access


def _jobs(request: HttpRequest):
    return access.owned_or_system(Job.objects.select_related("owner"), request.user, "owner")


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress; while it runs, htmx polls the #progress fragment every second."""
    job = access.get_owned_or_system(request.user, _jobs(request), "owner", pk=pk)
    template = "jobs/detail.html#progress" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})


def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_owned_or_system(request.user, _jobs(request), "owner", pk=pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)


@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_owned_or_system(request.user, _jobs(request), "owner", pk=pk)
    try:
        services.job_retry(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("jobs:detail", pk=job.pk)


def job_list(request: HttpRequest) -> HttpResponse:
    """Jobs: the person's own; system administrators see all, the periodic runs and the
    messages that failed to go out."""
    status = request.GET.get("status", "")
    jobs = _jobs(request)
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    context = {
        "page": paginate(request, jobs),
        "status": status,
        "statuses": Job.Status.choices,
    }
    context["periodic_runs"] = access.system_only(PeriodicRun.objects.all(), request.user)[:20]
    context["failed_deliveries"] = access.system_only(
        Delivery.objects.filter(status=Delivery.Status.FAILED), request.user
    )[:50]
    return render(request, "jobs/list.html", context)
