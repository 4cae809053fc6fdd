from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "leifeng.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Each app declares its jobs in tasks.py; import them all so the registry is complete.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
