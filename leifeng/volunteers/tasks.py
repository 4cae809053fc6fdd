from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leifeng.jobs.models import Job
from leifeng.jobs.registry import JobOutput, background_job
from leifeng.jobs.services import job_progress, row_progress
from leifeng.volunteers.exporters import volunteers_xlsx
from leifeng.volunteers.forms import SearchForm
from leifeng.volunteers.imports import import_apply, import_check
from leifeng.volunteers.models import ImportBatch
from leifeng.volunteers.selectors import teams_for, volunteer_search


def _progress(job: Job, message: str):
    def report(done: int, total: int) -> None:
        job_progress(job, done=done, total=total or None, message=message)

    return report


@background_job("volunteers.import_check", label=gettext_lazy("Check a volunteer import file"))
def check_import(job: Job, *, batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organisation", "uploaded_by").get(pk=batch_id)
    try:
        import_check(batch, on_progress=_progress(job, _("Checking rows")))
    except Exception:
        _failed(batch_id, _("The file could not be checked; try again or tell the administrator."))
        raise


@background_job("volunteers.import_apply", label=gettext_lazy("Import volunteers from Excel"))
def apply_import(job: Job, *, batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organisation", "team", "uploaded_by").get(
        pk=batch_id
    )
    try:
        import_apply(batch, on_progress=_progress(job, _("Importing volunteers")))
    except Exception:
        _failed(batch_id, _("The import failed; nothing was imported."))
        raise


def _failed(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.FAILED, message=message
    )


EXPORT_PROGRESS_EVERY = 500


@background_job("volunteers.export", label=gettext_lazy("Export volunteers to Excel"))
def export_volunteers(job: Job, **filters: str) -> JobOutput:
    """The volunteers the job's owner may see (as on the list page), masked, as .xlsx."""
    form = SearchForm(filters, teams=teams_for(job.owner))
    form.is_valid()
    volunteers = volunteer_search(user=job.owner, **form.cleaned_data)
    total = volunteers.count()
    on_row = row_progress(
        job, total=total, every=EXPORT_PROGRESS_EVERY, message=_("Writing the workbook")
    )

    content = volunteers_xlsx(volunteers.iterator(chunk_size=1000), on_row=on_row)
    filename = _("volunteers-%(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return JobOutput(filename=filename, content=content)
