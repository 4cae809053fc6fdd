from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "leifeng.reports"
    verbose_name = _("Reports to the city")

    def ready(self) -> None:
        from leifeng.reports import sources  # noqa: F401  (registers the rollup sources)
