from django import forms
from django.utils.translation import gettext_lazy as _


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Village or community name"), max_length=50)
    code = forms.CharField(
        label=_("Division code"),
        max_length=12,
        required=False,
        help_text=_("12 digits, optional. Leave empty if you do not know it; never make one up."),
    )
