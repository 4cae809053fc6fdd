"""Model fields shared by several apps."""

from typing import Any

from django import forms
from django.db import models
from django.db.models import Q


class ChoiceSetField(models.CharField):
    """Several codes from a fixed list, stored as ",a,b," so that one code is found with
    `has_choice()` on every database (SQLite has no array or JSON containment)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> list[str]:
        return [code for code in (value or "").split(",") if code]

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple | set):
            return [str(code) for code in value]
        return [code for code in (value or "").split(",") if code]

    def get_prep_value(self, value: Any) -> str:
        codes = self.to_python(value)
        return f",{','.join(sorted(set(codes)))}," if codes else ""

    def validate(self, value: Any, model_instance: Any) -> None:
        allowed = {str(code) for code, _label in self.flatchoices}
        for code in self.to_python(value):
            if code not in allowed:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": code},
                )
        if not self.blank and not self.to_python(value):
            raise forms.ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj: Any) -> str:
        return ",".join(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> forms.Field:
        return forms.TypedMultipleChoiceField(
            choices=self.choices,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def deconstruct(self) -> tuple[Any, ...]:
        return super().deconstruct()


def has_choice(field: str, code: str) -> Q:
    """Rows whose ChoiceSetField `field` holds `code`."""
    return Q(**{f"{field}__contains": f",{code},"})


def choice_labels(choices: Any, codes: list[str]) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(code, code)) for code in codes]
