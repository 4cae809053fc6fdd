"""Forms of the reports pages: they parse input only; the rules live in services.py."""

import re
from decimal import Decimal

from django import forms
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from leifeng.reports.models import Attachment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TAG = re.compile(r"<[a-zA-Z/][^>]*>")


class PeriodForm(forms.Form):
    organisation = forms.ModelChoiceField(None, label=_("Reports go to"))
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = forms.DateField(label=_("Covers from"), widget=DATE)
    ends_on = forms.DateField(label=_("Covers until"), widget=DATE)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class YearForm(forms.Form):
    organisation = forms.ModelChoiceField(None, label=_("Reports go to"))
    year = forms.IntegerField(label=_("Campaign year"), min_value=2000, max_value=2100)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ObligationsForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        None,
        label=_("Who owes a report"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = candidates


class ReportForm(forms.Form):
    narrative = forms.CharField(
        label=_("What your volunteers did"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "narrative-source"}),
        help_text=_("Headings, bold and italic text and lists are kept."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)

    def clean_narrative(self) -> str:
        """Text typed in the plain box (no formatting editor) keeps its paragraphs."""
        text = self.cleaned_data["narrative"]
        if self.data.get("editor") != "1" and text and not TAG.search(text):
            return linebreaks(text, autoescape=True)
        return text


class FigureForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=30)
    line = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)
    value = forms.DecimalField(
        label=_("Reported value"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("Why changed"), max_length=200)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Caption"), max_length=100, required=False)


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Caption"), max_length=100, required=False)
    in_document = forms.BooleanField(label=_("Show in the Word report"), required=False)

    def __init__(self, *args, attachment: Attachment | None = None, **kwargs):
        if attachment is not None and "initial" not in kwargs:
            kwargs["initial"] = {"title": attachment.title, "in_document": attachment.in_document}
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should be changed"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
