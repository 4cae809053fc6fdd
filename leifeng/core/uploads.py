"""What an uploaded file really is, read from its bytes (never trusted by its name)."""

from django.core.files.uploadedfile import UploadedFile
from PIL import Image

# Pillow's format name → the suffix the file is stored under.
PHOTO_SUFFIXES = {"jpeg": "jpg", "png": "png", "webp": "webp"}


def photo_suffix(upload: UploadedFile) -> str:
    """ "jpg", "png" or "webp" if Pillow reads the upload as such an image, else "". The
    file is left at its start."""
    try:
        with Image.open(upload) as image:
            kind = (image.format or "").lower()
            image.verify()
    except (OSError, ValueError, Image.DecompressionBombError):
        kind = ""
    finally:
        upload.seek(0)
    return PHOTO_SUFFIXES.get(kind, "")
