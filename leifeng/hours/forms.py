from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason for other hours"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
