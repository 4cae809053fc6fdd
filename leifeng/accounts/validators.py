from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message our catalogue translates: Django 5.2 changed this message's
    msgid and its own zh_Hans catalogue has not caught up, so people saw it in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: use at least %(min)d character.",
            "The password is too short: use at least %(min)d characters.",
            self.min_length,
        ) % {"min": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(min)d character.",
            "Your password must contain at least %(min)d characters.",
            self.min_length,
        ) % {"min": self.min_length}
