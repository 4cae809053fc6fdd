from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "leifeng.demands"
    verbose_name = _("Residents' orders")
