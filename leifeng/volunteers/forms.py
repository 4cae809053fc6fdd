"""Forms only gather input; services.profile_check decides what is valid (one set of rules for
the web, the API and the Excel import) and its messages are put back on these fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leifeng.core.campaign import CampaignLine
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType
from leifeng.volunteers.models import Skill
from leifeng.volunteers.services import Guardian


def residence_choices() -> list[tuple[Any, Any]]:
    """Townships and villages grouped by county, for one select that works on a phone."""
    regions = list(
        Region.objects.filter(
            level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE]
        ).order_by("path")
    )
    names = {region.pk: region.name for region in regions}
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for region in regions:  # in path order, so each county's places follow it
        if region.level == Region.Level.COUNTY:
            groups.append((region.name, []))
        elif groups:
            label = region.name
            if region.level == Region.Level.VILLAGE:
                label = f"{names.get(region.parent_id or 0, '')} · {region.name}"
            groups[-1][1].append((region.pk, label))
    return [("", "---------"), *((county, places) for county, places in groups if places)]


class ResidenceField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=residence_choices, coerce=self._region, empty_value=None, **kwargs)

    @staticmethod
    def _region(value: Any) -> Region | None:
        return Region.objects.filter(pk=value).first()


def _multi(choices: Any, label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=50, required=False)
    document_type = forms.ChoiceField(
        label=_("Document type"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only for documents other than the ID card and residence permit."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", "---------"), (Sex.MALE, Sex.MALE.label), (Sex.FEMALE, Sex.FEMALE.label)],
        help_text=_("Only for documents other than the ID card and residence permit."),
    )
    residence = ResidenceField(label=_("Where you live"), required=False)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = _multi(Availability.choices, _("When you can serve"))
    campaign_lines = _multi(CampaignLine.choices, _("Campaign lines you want to serve in"))
    kinds = _multi(VolunteerKind.choices, _("Volunteer kinds"))
    political_status = forms.ChoiceField(
        label=_("Political status (optional)"),
        required=False,
        choices=[("", "---------"), *PoliticalStatus.choices],
    )
    education = forms.ChoiceField(
        label=_("Education (optional)"),
        required=False,
        choices=[("", "---------"), *Education.choices],
    )
    guardian_name = forms.CharField(
        label=_("Guardian's name"),
        max_length=50,
        required=False,
        help_text=_("Required under 18 (the age comes from the document)."),
    )
    guardian_relation = forms.ChoiceField(
        label=_("Guardian's relation"),
        required=False,
        choices=[("", "---------"), *GuardianRelation.choices],
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    guardian_consent = forms.BooleanField(
        label=_("My parent or guardian has read the privacy notice and agrees"), required=False
    )

    GUARDIAN_FIELDS = ("guardian_name", "guardian_relation", "guardian_phone", "guardian_consent")
    # Checked by the service, which reports every missing field at once; marked for people.
    MARKED_REQUIRED = ("name", "document_number", "mobile", "residence")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.MARKED_REQUIRED:
            self.fields[name].marked_required = True  # type: ignore[attr-defined]

    def profile_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("guardian")}

    def guardian(self) -> Guardian | None:
        data = self.cleaned_data
        if not any(data.get(key) for key in self.GUARDIAN_FIELDS):
            return None
        return Guardian(
            name=data.get("guardian_name") or "",
            relation=data.get("guardian_relation") or "",
            phone=data.get("guardian_phone") or "",
            consented=bool(data.get("guardian_consent")),
        )


class RegisterForm(ProfileForm):
    MARKED_REQUIRED = (*ProfileForm.MARKED_REQUIRED, "privacy_consent")

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters. You log in with your mobile or volunteer number."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it"), required=False
    )
    public_display = forms.BooleanField(
        label=_("My name and photos may be shown on honour rolls and public pages (optional)"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def profile_data(self) -> dict[str, Any]:
        skip = {"password", "password_again", "privacy_consent", "public_display"}
        return {k: v for k, v in super().profile_data().items() if k not in skip}


class EditForm(ProfileForm):
    national_number = forms.CharField(
        label=_("National volunteer number"), max_length=40, required=False
    )
    public_display = forms.BooleanField(
        label=_("My name and photos may be shown on honour rolls and public pages"),
        required=False,
    )

    def profile_data(self) -> dict[str, Any]:
        return {k: v for k, v in super().profile_data().items() if k != "public_display"}


class RecoveryStartForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=30)
    mobile = forms.CharField(
        label=_("Mobile number you registered"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class RecoveryFinishForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=30)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or volunteer number"), required=False, max_length=50)
    document_number = forms.CharField(
        label=_("Document number (exact)"), required=False, max_length=30
    )
    mobile = forms.CharField(label=_("Mobile (exact)"), required=False, max_length=20)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Organisation.objects.none(), required=False
    )
    residence = ResidenceField(label=_("Residence"), required=False)
    kind = forms.ChoiceField(
        label=_("Volunteer kind"),
        required=False,
        choices=[("", "---------"), *VolunteerKind.choices],
    )
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all(), required=False)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    what = forms.ChoiceField(
        label=_("Show"),
        choices=[("document_number", _("Document number")), ("mobile", _("Mobile number"))],
    )
    reason = forms.CharField(label=_("Why you need it"), max_length=200)


class DecideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (required to decline)"), max_length=200, required=False
    )


class TeamAddForm(forms.Form):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)
    consent_note = forms.CharField(
        label=_("How the volunteer agreed"),
        max_length=200,
        help_text=_("For example: signed the team's form on 2026-11-20; agreed by phone."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    team = forms.ModelChoiceField(
        label=_("Also add everyone to this team (optional)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    consent_confirmed = forms.BooleanField(
        label=_("The people in this file agreed to be registered by our organisation"),
        required=False,
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
