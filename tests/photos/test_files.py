"""Bad input gets one clear error; stored copies lose EXIF (GPS) and keep orientation; writes are atomic."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import InputError
from facefit.fileio import TEMP_PREFIX, write_atomic
from facefit.photos.files import (
    decode_photo,
    load_photo,
    pixel_digest,
    remove_stale_temp_files,
)

runner = CliRunner()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty (0 bytes)"),
        (b"this is not an image at all", "not an image"),
        (b'{"json": true}', "not an image"),
    ],
)
def test_unreadable_bytes_name_the_problem(content: bytes, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        decode_photo(content, "bad.jpg")


def test_truncated_jpeg_is_reported_as_corrupt(grace_path: Path) -> None:
    data = grace_path.read_bytes()
    with pytest.raises(InputError, match="corrupt or truncated"):
        decode_photo(data[: len(data) // 3], "cut.jpg")


@pytest.mark.parametrize("side", [8_500, 20_000])  # over MAX_IMAGE_PIXELS, and over Pillow's bomb limit
def test_huge_images_are_refused_as_too_large_not_corrupt(side: int) -> None:
    buffer = io.BytesIO()
    Image.new("L", (side, side)).save(buffer, format="PNG")
    with pytest.raises(InputError, match=r"pixels.*(resize it first|more than)") as caught:
        decode_photo(buffer.getvalue(), "huge.png")
    assert "corrupt" not in str(caught.value)


def test_missing_and_tiny_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_photo(tmp_path / "nope.jpg")
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (20, 20)).save(tiny)
    with pytest.raises(InputError, match="only 20x20"):
        load_photo(tiny)


def test_rgba_png_is_flattened(real_data: Path) -> None:
    loaded = load_photo(real_data / "Image_with_alpha.png")
    assert loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3 and loaded.rgb.dtype == np.uint8


def _with_exif(rgb: np.ndarray, orientation: int) -> bytes:
    image = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    exif.get_ifd(0x8769)[0x9003] = "2024:05:06 07:08:09"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def test_orientation_applied_and_metadata_read(grace_rgb: np.ndarray) -> None:
    sideways = np.ascontiguousarray(np.rot90(grace_rgb, -1))  # stored turned clockwise; EXIF 8 turns it back
    loaded = decode_photo(_with_exif(sideways, 8), "phone.jpg")
    assert loaded.rgb.shape == grace_rgb.shape
    assert np.abs(loaded.rgb.astype(int) - grace_rgb).mean() < 6  # upright again (JPEG differences only)
    assert loaded.had_gps
    assert loaded.taken_at is not None and loaded.taken_at.year == 2024


def test_stored_copy_has_no_gps_and_is_upright(
    grace_rgb: np.ndarray, tmp_path: Path, facefit_home: Path
) -> None:
    sideways = np.ascontiguousarray(np.rot90(grace_rgb, -1))
    source = tmp_path / "phone.jpg"
    source.write_bytes(_with_exif(sideways, 8))
    result = runner.invoke(app, ["photo", "add", str(source)])
    assert result.exit_code == 0, result.output
    stored = list((facefit_home / "photos").rglob("*.jpg"))
    assert len(stored) == 1
    with Image.open(stored[0]) as image:
        assert image.size == (grace_rgb.shape[1], grace_rgb.shape[0])  # upright
        exif = image.getexif()
        assert 0x8825 not in exif and len(exif) == 0
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"GPS" not in stored[0].read_bytes()
    assert oct(stored[0].stat().st_mode & 0o777) == oct(0o600)  # health data: owner only
    assert stored[0].stem == pixel_digest(load_photo(source).rgb)  # content-addressed


def test_atomic_write_replaces_whole_and_cleans_up_after_failure(tmp_path: Path) -> None:
    target = tmp_path / "a" / "file.bin"
    write_atomic(target, b"first")
    write_atomic(target, b"second version")
    assert target.read_bytes() == b"second version"

    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"second version"
    assert not [p for p in target.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_stale_temp_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{TEMP_PREFIX}999999999-abc"
    dead.write_bytes(b"half")
    alive = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def"
    alive.write_bytes(b"in progress")
    assert remove_stale_temp_files(tmp_path) == 1
    assert not dead.exists() and alive.exists()


def test_pixel_digest_ignores_metadata_but_not_pixels(grace_rgb: np.ndarray) -> None:
    with_exif = decode_photo(_with_exif(grace_rgb, 1), "a.jpg").rgb
    assert pixel_digest(with_exif) == pixel_digest(with_exif.copy())
    changed = with_exif.copy()
    changed[0, 0, 0] ^= 1
    assert pixel_digest(changed) != pixel_digest(with_exif)
