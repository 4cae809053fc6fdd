"""The one error type that services raise for a broken business rule."""

from typing import Any


class DomainError(Exception):
    """A rule was broken. `message` is translated text for people, `code` is for machines.

    `fields` maps form or API field names to messages, so a form or an API answer can point
    at the input that is wrong.
    """

    def __init__(self, message: Any, *, code: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.fields = {key: str(value) for key, value in (fields or {}).items()}
