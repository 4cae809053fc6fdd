from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leifeng.jobs.models import Job
from leifeng.jobs.registry import background_job
from leifeng.jobs.services import job_progress
from leifeng.volunteers.imports import import_apply, import_check
from leifeng.volunteers.models import ImportBatch


def _progress(job: Job, message: str):
    def report(done: int, total: int) -> None:
        job_progress(job, done=done, total=total or None, message=message)

    return report


@background_job("volunteers.import_check", label=gettext_lazy("Check a volunteer import file"))
def check_import(job: Job, *, batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organisation", "uploaded_by").get(pk=batch_id)
    import_check(batch, on_progress=_progress(job, _("Checking rows")))


@background_job("volunteers.import_apply", label=gettext_lazy("Import volunteers from Excel"))
def apply_import(job: Job, *, batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organisation", "team", "uploaded_by").get(
        pk=batch_id
    )
    try:
        import_apply(batch, on_progress=_progress(job, _("Importing volunteers")))
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, message=_("The import failed; nothing was imported.")
        )
        raise
