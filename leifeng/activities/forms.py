"""Forms gather input; the services decide what is valid and their messages are put back on
these fields (core.forms.add_domain_error)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leifeng.activities.codes import ServedGroup, StationService
from leifeng.activities.models import Activity, RosterPattern, ServiceItem, Station
from leifeng.activities.services import ACTIVITY_FIELDS, STATION_FIELDS
from leifeng.core.campaign import CampaignLine
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.codes import VolunteerKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def township_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent"),
        required=False,
        label=_("Township or street"),
    )


class ActivityForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label=_("Organiser"))
    served_groups = forms.MultipleChoiceField(
        choices=ServedGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Groups served"),
    )
    volunteer_kinds = forms.MultipleChoiceField(
        choices=VolunteerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Volunteer kinds"),
        help_text=_("Empty: volunteers of every kind."),
    )

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS, "service_items", "teams", "skills"]
        widgets = {
            "signup_opens_at": DATETIME,
            "signup_closes_at": DATETIME,
            "insured_from": DATE,
            "insured_until": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "risk_notice": forms.Textarea(attrs={"rows": 3}),
            "service_items": forms.CheckboxSelectMultiple,
            "skills": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organisations: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            self.fields["organisation"].initial = self.instance.organisation_id
            self.fields["organisation"].disabled = True
        self.fields["township"] = township_field()
        self.fields["teams"].queryset = teams
        self.fields["service_items"].queryset = ServiceItem.objects.all()
        self.fields["service_items"].label_from_instance = lambda item: (
            f"{CampaignLine(item.campaign_line).label} · {item.name}"
        )
        self.fields["risk_notice"].required = True
        self.order_fields(["organisation", *ACTIVITY_FIELDS])

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in ACTIVITY_FIELDS}
        for name in ("contact_name", "contact_phone", "invitation_code", "insurer"):
            data[name] = data[name] or ""
        data["policy_number"] = data["policy_number"] or ""
        for name in ("service_items", "teams", "skills"):
            data[name] = list(self.cleaned_data.get(name) or [])
        return data


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    quota = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=10000)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class QuotaForm(forms.Form):
    quota = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=10000)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignupForm(forms.Form):
    risk_notice_read = forms.BooleanField(
        label=_("I have read the risk notice and the safety measures."), required=False
    )
    invitation_code = forms.CharField(label=_("Invitation code"), max_length=20, required=False)


class CorrectForm(forms.Form):
    checked_in_at = forms.DateTimeField(label=_("Checked in"), widget=DATETIME)
    checked_out_at = forms.DateTimeField(label=_("Checked out"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class StationForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label=_("Organisation"))
    services = forms.MultipleChoiceField(
        choices=StationService.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services offered"),
    )

    class Meta:
        model = Station
        fields = list(STATION_FIELDS)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if self.instance.pk:
            self.fields["organisation"].initial = self.instance.organisation_id
            self.fields["organisation"].disabled = True
        self.fields["township"] = township_field()
        self.order_fields(["organisation", *STATION_FIELDS])

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in STATION_FIELDS}
        for name in ("services_note", "contact_phone"):
            data[name] = data[name] or ""
        return data


class PatternForm(forms.ModelForm):
    class Meta:
        model = RosterPattern
        fields = ["weekday", "start_time", "end_time", "quota"]
        widgets = {"start_time": TIME, "end_time": TIME}


class RosterForm(forms.Form):
    first_day = forms.DateField(label=pgettext_lazy("date span", "From"), widget=DATE)
    last_day = forms.DateField(label=pgettext_lazy("date span", "To"), widget=DATE)


class FindForm(forms.Form):
    """The public search: by campaign line, date, place, station, or near me."""

    q = forms.CharField(label=_("Keyword"), required=False, max_length=50)
    line = forms.ChoiceField(
        label=_("Campaign line"),
        choices=[("", _("All lines")), *CampaignLine.choices],
        required=False,
    )
    date = forms.DateField(label=_("On"), required=False, widget=DATE)
    county = forms.ModelChoiceField(
        Region.objects.filter(level=Region.Level.COUNTY),
        label=_("County"),
        required=False,
        empty_label=_("All counties"),
    )
    station = forms.ModelChoiceField(
        Station.objects.filter(is_active=True),
        label=_("Station"),
        required=False,
        empty_label=_("Any place"),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
