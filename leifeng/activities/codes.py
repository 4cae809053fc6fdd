"""Code lists for activities: the groups served, the national service categories and the
services a station offers (DOMAIN.md §3; campaign plan 三、主要内容)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServedGroup(models.TextChoices):
    """Who an activity serves, in the campaign plan's words (情暖基层 and the rest)."""

    ELDERLY_ALONE = "elderly_alone", _("Elderly people living alone")
    LEFT_BEHIND_CHILDREN = "left_behind", _("Left-behind children")
    CHILDREN_IN_DIFFICULTY = "children_difficulty", _("Children in difficulty")
    PEOPLE_IN_DIFFICULTY = "in_difficulty", _("People in difficulty")
    DISABLED = "disabled", _("People with disabilities")
    POOR_HOUSEHOLDS = "poor", _("Poor households")
    ISOLATED = "isolated", _("People in home isolation")
    STUDENTS = "students", _("Students")
    DRIVERS = "drivers", _("Drivers")
    RESIDENTS = "residents", _("Community and village residents")
    TOURISTS = "tourists", _("Tourists")
    PUBLIC = "public", _("The general public")


class NationalCategory(models.TextChoices):
    """The service categories of the national volunteer service system, kept as our own
    stable slugs (its numeric codes are UI indices, not official: DOMAIN.md §3)."""

    COMMUNITY = "community", _("Community service")
    POVERTY = "poverty", _("Poverty reduction")
    EDUCATION = "education", _("Teaching and study support")
    HEALTH = "health", _("Health care")
    LEGAL = "legal", _("Legal services")
    ENVIRONMENT = "environment", _("Environmental protection")
    SCIENCE = "science", _("Science popularisation")
    CULTURE = "culture", _("Culture and arts")
    SAFETY = "safety", _("Public safety")
    CIVILITY = "civility", _("Civilized conduct")
    TRAFFIC = "traffic", _("Traffic guidance")
    FIRE = "fire", _("Volunteer fire service")
    EMERGENCY = "emergency", _("Emergency rescue")
    ANTI_DRUG = "anti_drug", _("Drug prevention")
    SPORTS = "sports", _("Sports and fitness")
    TOURISM = "tourism", _("Tourism services")
    SPECIAL_GROUPS = "special_groups", _("Care for special groups")
    LARGE_EVENTS = "large_events", _("Large events")
    OVERSEAS = "overseas", _("Overseas volunteer service")
    TAX = "tax", _("Tax services")
    EPIDEMIC = "epidemic", _("Epidemic prevention")
    OTHER = "other", _("Other")


class PlaceKind(models.TextChoices):
    """Public places where the plan asks for 学雷锋志愿服务站点."""

    GOVERNMENT_HALL = "hall", _("Government service hall")
    SQUARE = "square", _("Square")
    STATION = "station", _("Railway or bus station")
    MALL = "mall", _("Shopping mall")
    HOSPITAL = "hospital", _("Hospital")
    BUS_STOP = "bus_stop", _("Bus stop")
    CROSSROADS = "crossroads", _("Crossroads")
    PARK = "park", _("Park")
    SCENIC_SPOT = "scenic", _("Scenic spot")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class StationService(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    GUIDANCE = "guidance", _("Directions")
    DRINKING_WATER = "water", _("Drinking water")
    UMBRELLA = "umbrella", _("Umbrellas")
    CHARGING = "charging", _("Phone charging")
    FIRST_AID = "first_aid", _("First-aid kit")
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    REST = "rest", _("Resting place")
