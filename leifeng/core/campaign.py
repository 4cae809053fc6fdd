"""The campaign's own words, shared by volunteers, activities and reports
(reference/jincheng-2021-campaign-plan.md, 三、主要内容)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignLine(models.TextChoices):
    """The six lines of the 2021 Jincheng campaign plan."""

    CIVILIZATION_PRACTICE = "practice", _("New Era civilization practice")
    CIVILIZED_CITY = "city", _("Civilized city building")
    EPIDEMIC = "epidemic", _("Epidemic prevention and control")
    PUBLIC_PLACES = "public_places", _("Civilized conduct in public places")
    GRASSROOTS_CARE = "care", _("Warmth for the grassroots")
    NATURE = "nature", _("Caring for the natural environment")
