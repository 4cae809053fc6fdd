from django import forms
from django.utils.translation import gettext_lazy as _

from leifeng.demands.models import Beneficiary, Category, MenuItem, Order
from leifeng.regions.models import Region


def townships() -> "forms.models.QuerySet[Region]":
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("path")


class OrderForm(forms.Form):
    """What a resident (or staff for them) says about the need."""

    category = forms.ChoiceField(label=_("Kind of help"), choices=Category.choices)
    description = forms.CharField(
        label=_("What is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    township = forms.ModelChoiceField(None, label=_("Township or street"))
    address = forms.CharField(label=_("Address"), max_length=200)
    preferred_time = forms.CharField(label=_("Preferred time"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships()


class PhoneOrderForm(OrderForm):
    receiver = forms.ModelChoiceField(None, label=_("Send to"))
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, required=False)

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers
        self.order_fields(["receiver"])


class StaffOrderForm(OrderForm):
    receiver = forms.ModelChoiceField(None, label=_("Received by"))
    beneficiary = forms.ModelChoiceField(None, label=_("From the register"), required=False)

    def __init__(self, *args, receivers, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = receivers
        self.fields["beneficiary"].queryset = beneficiaries
        self.fields["mobile"].required = False
        self.fields["mobile"].help_text = _("Empty: the register's number.")
        self.order_fields(["receiver", "beneficiary"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Notes"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DispatchForm(forms.Form):
    to = forms.ModelChoiceField(None, label=_("Dispatch to"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = units


class TakeForm(forms.Form):
    volunteer = forms.ModelChoiceField(None, label=_("Member who will serve"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = members


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=Order.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MenuItemForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(None, label=_("Offered by"))

    class Meta:
        model = MenuItem
        fields = ["organisation", "category", "title", "description", "area", "times", "is_active"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class BeneficiaryForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(None, label=_("Kept by"))
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)

    class Meta:
        model = Beneficiary
        fields = ["organisation", "name", "group", "township", "address", "needs", "consent_note"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["township"].queryset = townships()
