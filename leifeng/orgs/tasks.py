from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leifeng.jobs.models import Job
from leifeng.jobs.registry import JobOutput, background_job
from leifeng.jobs.services import row_progress
from leifeng.orgs import selectors
from leifeng.orgs.exporters import organisations_xlsx

PROGRESS_EVERY = 25


@background_job("orgs.export", label=gettext_lazy("Export organisations to Excel"))
def export_organisations(job: Job, *, query: str = "", kind: str = "") -> JobOutput:
    """The organisations the job's owner may see (as on the list page), as .xlsx."""
    orgs = selectors.org_list(user=job.owner, query=query, kind=kind).select_related("region")
    total = orgs.count()
    on_row = row_progress(job, total=total, every=PROGRESS_EVERY, message=_("Writing the workbook"))

    content = organisations_xlsx(orgs.iterator(chunk_size=500), on_row=on_row)
    filename = _("organisations-%(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
    return JobOutput(filename=filename, content=content)
