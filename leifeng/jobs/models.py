from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """Background work that people watch: imports, exports, documents.

    The queue (django-tasks: database by default, Redis in production) only carries the job's
    id; this row is the record that pages, progress bars and retries read.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    progress_message = models.CharField(_("progress"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    result_file = models.FileField(_("result"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last put in the queue at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk}"

    @property
    def label(self) -> str:
        from leifeng.jobs.registry import job_label

        return job_label(self.name)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class PeriodicRun(models.Model):
    """One run of a periodic job for one time slot. The unique slot is what makes two schedulers
    on two machines start the job only once."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("time slot"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    result = models.CharField(_("result"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobs_periodicrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
