from django import forms
from django.utils.translation import gettext_lazy as _

from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{'　' * max(obj.depth - 2, 0)}{obj.name}{f' ({obj.code})' if obj.code else ''}"


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    region = RegionChoiceField(label=_("Region"), queryset=Region.objects.none())
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 32100). Leave empty for teams that are not registered."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, parent_region: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        if parent_region is not None:
            # An organisation lies inside its parent's region.
            regions = regions.filter(path__startswith=parent_region.path)
        self.fields["region"].queryset = regions.order_by("path")


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        label=_("New parent organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = targets


class GrantRoleForm(forms.Form):
    login = forms.CharField(label=_("User name or mobile number"), max_length=150)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MemberCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    name = forms.CharField(label=_("Real name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=11, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
