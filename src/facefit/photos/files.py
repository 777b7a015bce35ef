"""Reading user photos safely and writing clean copies atomically.

A stored photo is the *pixels only*: EXIF orientation is applied, then the image is re-encoded
without any metadata (GPS position, camera serial, timestamps), because progress photos are health
data and must not leak where the user lives. Files are named by the SHA-256 of their pixels, so
importing the same picture twice is a no-op, and written via temp file + fsync + ``os.replace`` so a
crash leaves either the whole file or nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from facefit.errors import InputError
from facefit.fileio import TEMP_PREFIX
from facefit.vision.sources import MAX_IMAGE_PIXELS, too_many_pixels

MAX_FILE_BYTES = 60 * 1024 * 1024
MIN_SIDE = 64
JPEG_QUALITY = 95


# What a person reads when a photo cannot be used: one sentence, starting with a capital, naming the
# problem. Every door that takes a photo (`facefit photo add`/`check`, the web's uploads, which check
# size, emptiness and pixel count before decoding) words the same problem with these; the pixel limit and
# its words are the vision stage's (`too_many_pixels`), which every image reader shares.


def empty_photo(name: str) -> str:
    return f"The photo {name} is empty (0 bytes): choose a JPEG, PNG or WebP photo."


def photo_too_large(name: str | None, size_bytes: int | None, limit_bytes: int) -> str:
    """``name`` None: only the upload's declared length is known yet; ``size_bytes`` None: not even that
    (a body sent without a length, refused as it passed the limit)."""
    what = "This upload" if name is None else f"The photo {name}"
    limit = limit_bytes / 2**20
    if size_bytes is None:
        return f"{what} is too large; photos over {limit:.0f} MB are refused."
    size = size_bytes / 2**20
    shown = f"{size:.0f}" if round(size) > round(limit) else f"{size:.1f}"  # never "15 MB; over 15 MB"
    return f"{what} is {shown} MB; photos over {limit:.0f} MB are refused."


def unreadable_photo(name: str) -> str:
    return f"The file {name} is not an image FaceFit can read: choose a JPEG, PNG or WebP photo."


def corrupt_photo(name: str, error: object) -> str:
    return f"The photo {name} is corrupt or truncated and cannot be decoded ({error})."


@dataclass(frozen=True)
class LoadedPhoto:
    """An upright RGB photo and the little we keep from its metadata.

    Attributes:
        rgb: (H, W, 3) uint8, EXIF orientation applied.
        taken_at: EXIF DateTimeOriginal when present (local camera time, naive), else None.
        had_gps: whether the original carried GPS metadata (stripped from the stored copy).
    """

    rgb: np.ndarray
    taken_at: datetime | None = None
    had_gps: bool = False


def _exif_datetime(exif: object) -> datetime | None:
    try:
        raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # type: ignore[attr-defined]
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def decode_photo(data: bytes, name: str = "photo") -> LoadedPhoto:
    """Decode image bytes into an upright RGB array, or raise :class:`InputError` naming the problem."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise InputError(empty_photo(name))
    if len(data) > MAX_FILE_BYTES:
        raise InputError(photo_too_large(name, len(data), MAX_FILE_BYTES))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise InputError(too_many_pixels(name, image.size))
            exif = image.getexif()
            taken_at = _exif_datetime(exif)
            had_gps = 0x8825 in exif
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "PA") or (
                upright.mode == "P" and "transparency" in upright.info
            ):
                background = Image.new("RGB", upright.size, (255, 255, 255))
                rgba = upright.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                upright = background
            rgb = np.asarray(upright.convert("RGB"), dtype=np.uint8).copy()
    except UnidentifiedImageError as error:
        raise InputError(unreadable_photo(name)) from error
    except Image.DecompressionBombError:
        raise InputError(too_many_pixels(name, None)) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise InputError(corrupt_photo(name, error)) from error
    if min(rgb.shape[:2]) < MIN_SIDE:
        raise InputError(f"The photo {name} is only {rgb.shape[1]}x{rgb.shape[0]} pixels; a face photo needs "
                         f"at least {MIN_SIDE} on each side.")
    return LoadedPhoto(rgb=rgb, taken_at=taken_at, had_gps=had_gps)


def load_photo(path: str | os.PathLike[str]) -> LoadedPhoto:
    """Read and decode a photo file (see :func:`decode_photo`); a missing file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"There is no file {path}: it does not exist or is not a file.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(photo_too_large(path.name, size, MAX_FILE_BYTES))
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"The file {path} cannot be read ({error.strerror}).") from error
    return decode_photo(data, path.name)


def pixel_digest(rgb: np.ndarray) -> str:
    """SHA-256 of the pixels and shape: the photo's identity, independent of file format and metadata."""
    digest = hashlib.sha256(f"{rgb.shape[0]}x{rgb.shape[1]}x{rgb.shape[2]}:".encode())
    digest.update(np.ascontiguousarray(rgb).tobytes())
    return digest.hexdigest()


def encode_jpeg(rgb: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """JPEG bytes of the pixels with no metadata at all (no EXIF, no GPS, no ICC profile)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality, subsampling=0, optimize=False)
    return buffer.getvalue()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(directory: Path, max_age_s: float = 3600.0) -> int:
    """Delete temp files left by a killed writer (its pid is gone, or the file is over an hour old)."""
    removed = 0
    if not directory.is_dir():
        return 0
    now = time.time()
    for tmp in directory.rglob(f"{TEMP_PREFIX}*"):
        try:
            pid = int(tmp.name[len(TEMP_PREFIX) :].split("-", 1)[0])
        except ValueError:
            pid = -1
        try:
            old = now - tmp.stat().st_mtime > max_age_s
            if old or pid <= 0 or not _pid_alive(pid):
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed
