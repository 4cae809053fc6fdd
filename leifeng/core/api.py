"""Pieces every app's API shares: the error body and pagination."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class ErrorOut(Schema):
    """The one error body: a machine code, a Chinese message, and per-field messages."""

    code: str
    message: str
    fields: dict[str, str]


# Every error status the API answers with; add to an operation's responses:
# `response={200: Thing, **ERRORS}`.
ERRORS = {frozenset({400, 401, 403, 404, 405, 409, 422}): ErrorOut}


class Pagination(PageNumberPagination):
    """`page` and `page_size`; answers `{"items": [...], "count": N}`."""

    class Input(Schema):
        # A bound on the page keeps the SQL offset inside a 64-bit integer.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)
