from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConfirmForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason for other hours"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CreditForm(forms.Form):
    """Hours served outside the platform, recorded by staff."""

    organisation = forms.ModelChoiceField(None, label=_("Recorded by"))
    content = forms.CharField(label=_("Service content"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    started_at = forms.DateTimeField(label=pgettext_lazy("time span", "From"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=pgettext_lazy("time span", "To"), widget=DATETIME)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_digits=6, decimal_places=2
    )
    reason = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_(
            "Required after the 10 working days: the hours then wait for a second person's "
            "approval (late entry)."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CorrectForm(forms.Form):
    started_at = forms.DateTimeField(label=pgettext_lazy("time span", "From"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=pgettext_lazy("time span", "To"), widget=DATETIME)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.5"), max_digits=6, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CorrectionAskForm(forms.Form):
    message = forms.CharField(
        label=_("What is wrong or missing"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    organisation = forms.ModelChoiceField(
        None,
        label=_("Organisation that ran the service"),
        required=False,
        help_text=_("For a missing record only."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class AnswerForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Corrected")), ("0", _("Not corrected"))],
        coerce=lambda value: value == "1",
    )
    answer = forms.CharField(label=_("Answer to the volunteer"), max_length=200)


class RecordItemForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(None, label=_("Recorded by"))

    class Meta:
        from leifeng.hours.models import RecordItem

        model = RecordItem
        fields = ["kind", "title", "detail", "issuer", "on", "hours", "rating"]
        widgets = {"on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.order_fields(["kind", "organisation"])


class StarsForm(forms.Form):
    organisation = forms.ModelChoiceField(None, label=_("Certified by"))
    level = forms.TypedChoiceField(
        label=_("Stars"), choices=[(n, "★" * n) for n in range(1, 6)], coerce=int
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(None, label=_("Recorded by"))
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    reason = forms.CharField(
        label=_("Where the records come from"),
        max_length=200,
        help_text=_("For example: the 2023 paper ledger of the practice station."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CertificateForm(forms.Form):
    """Staff issue a certificate for the records their organisation keeps."""

    organisation = forms.ModelChoiceField(None, label=_("Issued by"))
    person_in_charge = forms.CharField(
        label=_("Person in charge"),
        max_length=50,
        required=False,
        help_text=_("Empty: the organisation's contact person."),
    )
    contact = forms.CharField(
        label=_("Contact phone"),
        max_length=50,
        required=False,
        help_text=_("Empty: the organisation's contact phone."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
