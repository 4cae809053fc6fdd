"""Serving a stored file through a view that has already checked who may see it (never a
/media/ address): the one way pages and the API answer with an uploaded photo or document."""

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def stored_file(
    file: FieldFile,
    *,
    filename: str = "",
    as_attachment: bool = False,
    images_only: bool = False,
) -> FileResponse:
    """The file, typed by its stored name (whose suffix the upload checks read from the
    bytes); 404 if it is gone from storage, or with `images_only` if it is not an image.
    Browsers may keep it for an hour, never shared caches."""
    content_type = mimetypes.guess_type(file.name or "")[0] or "application/octet-stream"
    if images_only and not content_type.startswith("image/"):
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=as_attachment,
        filename=filename or (file.name or "").rsplit("/", 1)[-1],
        content_type=content_type,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
