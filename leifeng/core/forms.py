from django import forms

from leifeng.core.errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's DomainError on the form: on the fields it names, else at the top."""
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)
