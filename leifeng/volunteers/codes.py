"""Code tables for the volunteer record (DOMAIN.md §3). Codes are the standards' own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    """GB/T 2261.1-2003."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNSTATED = "9", _("Not stated")


class PoliticalStatus(models.TextChoices):
    """GB/T 4762-1984 政治面貌."""

    CPC_MEMBER = "01", _("Member of the Communist Party of China")
    CPC_PROBATIONARY = "02", _("Probationary member of the Communist Party of China")
    CYL_MEMBER = "03", _("Member of the Communist Youth League")
    RCCK = "04", _("Member of the Revolutionary Committee of the Kuomintang")
    CDL = "05", _("Member of the China Democratic League")
    CNDCA = "06", _("Member of the China National Democratic Construction Association")
    CAPD = "07", _("Member of the China Association for Promoting Democracy")
    CPWDP = "08", _("Member of the Chinese Peasants' and Workers' Democratic Party")
    CZGP = "09", _("Member of the China Zhi Gong Party")
    JIUSAN = "10", _("Member of the Jiusan Society")
    TDSGL = "11", _("Member of the Taiwan Democratic Self-Government League")
    NON_PARTISAN = "12", _("Non-partisan personage")
    MASSES = "13", _("Ordinary citizen")


class Education(models.TextChoices):
    """GB/T 4658-2006 学历, at the level of detail people usually give."""

    DOCTORATE = "11", _("Doctorate")
    MASTER = "14", _("Master's degree")
    BACHELOR = "21", _("Bachelor's degree")
    JUNIOR_COLLEGE = "31", _("Junior college")
    SECONDARY_VOCATIONAL = "41", _("Secondary vocational school")
    HIGH_SCHOOL = "61", _("Senior high school")
    JUNIOR_HIGH = "71", _("Junior high school")
    PRIMARY = "81", _("Primary school")
    OTHER = "90", _("Other")


class VolunteerKind(models.TextChoices):
    """The volunteer groups the campaign plan mobilises (三、3)."""

    PARTY_MEMBER = "party", _("Party member volunteer")
    CADRE = "cadre", _("Government cadre volunteer")
    ENTERPRISE = "enterprise", _("Enterprise volunteer")
    WOMEN = "women", _("Women's (Jinguo) volunteer")
    YOUTH = "youth", _("Youth volunteer")
    COMMUNITY = "community", _("Community volunteer")
    SOCIAL_ORG = "social_org", _("Social organisation volunteer")


class Availability(models.TextChoices):
    WEEKDAY_MORNING = "wd_am", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "wd_pm", _("Weekday afternoons")
    WEEKDAY_EVENING = "wd_eve", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")
    HOLIDAY = "holiday", _("Public holidays")
    ANY_TIME = "any", _("Any time")


class GuardianRelation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    OTHER = "other", _("Other legal guardian")
