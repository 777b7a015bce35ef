"""Photo uploads: refuse anything that is not a plain-named JPEG/PNG/WebP of sane size before decoding.

Checks, cheapest first: the declared length (a 50 MB body is refused before it is read), the file
name (no folders, no ``..``: the name is only ever shown, never used as a path, but a name like
``../../x`` signals a hostile client), the magic bytes (SVG and everything else refused: SVG can
carry scripts), and the pixel count from the image header (a PNG "bomb" that decodes to gigapixels
is refused before decoding). The words for a problem the photos stage also checks (empty, too large,
too many pixels, corrupt) are its own (``facefit.photos.files``), so the web and the terminal say the same.
"""

from __future__ import annotations

import io
import re
from typing import Any

from facefit.errors import InputError
from facefit.photos.files import corrupt_photo, empty_photo, photo_too_large
from facefit.vision.sources import MAX_IMAGE_PIXELS, too_many_pixels

# The routes that take a photo (each reads it with :func:`read_photo_form`): the body limit holds their
# multipart bodies to the photo limit, not the general upload limit, so its refusal names the limit that
# applies (tests/web/test_body_limit.py checks both routes).
PHOTO_PATHS = re.compile(r"^/api/photos$|^/api/study/me/[^/]+/visits/[^/]+/photos$")
KINDS = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
NAME_OK = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class UploadRejected(InputError):
    """An upload refused before decoding; ``http_status`` is 413 for size, 415 for type, else 422."""

    def __init__(self, message: str, http_status: int = 422) -> None:
        super().__init__(message)
        self.http_status = http_status


def check_declared_size(content_length: str | None, limit: int) -> None:
    if content_length and content_length.isdigit() and int(content_length) > limit + 64 * 1024:
        raise UploadRejected(photo_too_large(None, int(content_length), limit), 413)


def check_name(name: str) -> str:
    if not NAME_OK.match(name) or name.startswith(".."):
        raise UploadRejected(f"The file name {name[:80]!r} is not a plain file name (no folders, '..' or "
                             "control characters); rename the file and try again.")
    return name


def sniff(data: bytes, name: str) -> str:
    for magic, kind in KINDS.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    head = data[:512].lstrip().lower()
    svg = b"<svg" in head or head.startswith(b"<?xml")
    what = "an SVG drawing" if svg else "not a JPEG, PNG or WebP image"
    raise UploadRejected(f"The file {name} is {what}; only JPEG, PNG or WebP photos are accepted.", 415)


def check_pixels(data: bytes, name: str) -> tuple[int, int]:
    """Width and height from the header alone (no decoding), refusing more pixels than any door takes
    (``MAX_IMAGE_PIXELS``, the vision stage's) and decompression bombs."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError:
        raise UploadRejected(too_many_pixels(name, None), 413) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadRejected(corrupt_photo(name, error)) from error
    if width * height > MAX_IMAGE_PIXELS:
        raise UploadRejected(too_many_pixels(name, (width, height)), 413)
    return width, height


def validate_upload(data: bytes, name: str, *, max_bytes: int) -> str:
    """All checks on a received upload; returns the file kind."""
    check_name(name)
    if len(data) > max_bytes:
        raise UploadRejected(photo_too_large(name, len(data), max_bytes), 413)
    if not data:
        raise UploadRejected(empty_photo(name))
    kind = sniff(data, name)
    check_pixels(data, name)
    return kind


async def read_photo_form(request: Any, *, max_fields: int) -> tuple[bytes, str, Any]:
    """The photo in a multipart request's ``file`` field, checked by :func:`validate_upload`, with its
    name and the whole form (for the route's other fields). One reader for every route that takes a
    photo (progress photos, study visit photos), so each refuses the same uploads the same way."""
    settings = request.app.state.settings
    check_declared_size(request.headers.get("content-length"), settings.max_upload_bytes)
    form = await request.form(max_files=1, max_fields=max_fields)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise UploadRejected("No photo came with the request: send it as a multipart form field named "
                             "'file'.")
    name = upload.filename or "photo"
    data = await upload.read(settings.max_upload_bytes + 1)
    validate_upload(data, name, max_bytes=settings.max_upload_bytes)
    return data, name, form
