"""Frame sources: every real file opens upright and RGB; every broken file is one clear InputError."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from facefit.errors import InputError
from facefit.vision.sources import (
    MAX_IMAGE_PIXELS,
    camera_index,
    open_source,
    read_image,
    sniff,
)

from .conftest import SINGLE_FACE_PHOTOS


# ------------------------------------------------------------------------------------------- photos
@pytest.mark.parametrize("name", [*SINGLE_FACE_PHOTOS, "multi_face.jpg", "free-mountain-vector-01.jpg"])
def test_real_photos_open_as_upright_rgb(real_data: Path, name: str) -> None:
    with open_source(real_data / name) as source:
        frames = list(source)
    assert source.kind == "image" and source.fps is None and len(frames) == 1
    rgb = frames[0].rgb
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    assert (rgb.shape[1], rgb.shape[0]) == source.size
    assert frames[0].t_ms == 0


def test_exif_orientation_is_applied(real_data: Path, tmp_path: Path) -> None:
    """A photo stored sideways with EXIF orientation 6 ("rotate 90 CW to view") comes out upright."""
    upright = read_image(real_data / "single_face.jpg")
    stored = Image.fromarray(np.rot90(upright, k=1))  # pixels stored sideways, the tag says how to fix
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "sideways.jpg"
    stored.save(path, quality=95, exif=exif)
    restored = read_image(path)
    assert restored.shape == upright.shape
    assert np.mean(np.abs(restored.astype(int) - upright.astype(int))) < 6  # JPEG re-encoding noise only


def test_rgba_is_composited_over_white(tmp_path: Path) -> None:
    rgba = np.zeros((40, 60, 4), dtype=np.uint8)
    rgba[:, :30] = (200, 10, 10, 255)  # opaque red half, transparent other half
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    rgb = read_image(path)
    assert rgb.shape == (40, 60, 3)
    assert tuple(rgb[5, 5]) == (200, 10, 10)
    assert tuple(rgb[5, 50]) == (255, 255, 255)


def test_grayscale_and_16_bit_images_become_rgb(tmp_path: Path) -> None:
    gray = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (10, 1))
    Image.fromarray(gray, "L").save(tmp_path / "gray.png")
    deep = (gray.astype(np.uint16) * 257)  # 16-bit full range
    Image.fromarray(deep).save(tmp_path / "deep.png")
    for name in ("gray.png", "deep.png"):
        rgb = read_image(tmp_path / name)
        assert rgb.shape == (10, 64, 3) and rgb.dtype == np.uint8
        assert np.array_equal(rgb[..., 0], rgb[..., 2])
        assert np.abs(rgb[..., 1].astype(int) - gray.astype(int)).max() <= 1


# ------------------------------------------------------------------------------------------- bad input
def test_truncated_jpeg_is_one_clear_error(real_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.jpg"
    path.write_bytes((real_data / "obama.jpg").read_bytes()[:10_000])
    with pytest.raises(InputError, match=r"truncated\.jpg is corrupt or truncated"):
        open_source(path)


def test_zero_byte_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(InputError, match=r"empty\.jpg is empty \(0 bytes\)"):
        open_source(path)


def test_text_file_named_mp4_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is a shopping list, not a video\n")
    with pytest.raises(InputError, match=r"notes\.mp4 is not a video or image FaceFit can read"):
        open_source(path)


@pytest.fixture(scope="session")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid 20000x20000 PNG (400 MP, ~50 kB on disk): a decompression bomb (1-bit to build it fast)."""
    path = tmp_path_factory.mktemp("bomb") / "huge.png"
    Image.new("1", (20_000, 20_000)).save(path)
    return path


def test_decompression_bomb_is_refused_from_the_header(huge_png: Path) -> None:
    with pytest.raises(InputError, match=r"The photo huge\.png has far more pixels than the 64 megapixel "
                                         r"limit"):
        open_source(huge_png)


def test_large_but_allowed_dimensions_limit_is_sane() -> None:
    assert 20_000 * 20_000 > MAX_IMAGE_PIXELS >= 50_000_000  # phone photos (~50 MP) pass, bombs do not


def test_missing_file_and_directory_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        open_source(tmp_path / "nope.jpg")
    with pytest.raises(InputError, match="is not a file"):
        open_source(tmp_path)


def test_noise_named_like_a_photo_is_called_unreadable_not_too_large(tmp_path: Path) -> None:
    path = tmp_path / "noise.jpg"  # FFmpeg picks its image demuxer by the name and reports 0x0 frames
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(InputError, match=r"noise\.jpg is not a video or image .*no picture size"):
        open_source(path)


def test_unsupported_binary_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    with pytest.raises(InputError, match=r"document\.pdf is not a video or image"):
        open_source(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(min_size=1, max_size=2048), suffix=st.sampled_from([".jpg", ".png", ".mp4", ".mov"]))
def test_arbitrary_bytes_never_escape_as_anything_but_input_error(
    tmp_path: Path, payload: bytes, suffix: str
) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(payload)
    try:
        with open_source(path) as source:
            for _ in source:
                pass
    except InputError as error:
        assert "random" in str(error)


def test_header_sniffing_ignores_the_name(real_data: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "photo.mp4"
    disguised.write_bytes((real_data / "obama.jpg").read_bytes())
    assert sniff(disguised) == "image"
    with open_source(disguised) as source:
        assert source.kind == "image"


# ------------------------------------------------------------------------------------------- videos
def test_real_video_has_container_timestamps(real_data: Path) -> None:
    with open_source(real_data / "single_face.mp4") as source:
        frames = list(source)
    assert source.kind == "video" and source.fps == pytest.approx(30.0)
    assert source.size == (640, 360) and len(frames) == 72
    steps = np.diff([f.t_ms for f in frames])
    assert np.all(steps > 0)
    assert np.median(steps) == pytest.approx(33, abs=1)


def test_max_side_downsizes_video_frames(real_data: Path) -> None:
    with open_source(real_data / "face_noface.mov", max_side=480) as source:
        first = next(iter(source))
    assert source.size == (480, 270) and first.rgb.shape == (270, 480, 3)


def _write_video(path: Path, frames: list[np.ndarray], pts_ms: list[int]) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1000)
        stream.codec_context.time_base = Fraction(1, 1000)  # keep millisecond pts through the encoder
        stream.codec_context.max_b_frames = 0
        for rgb, pts in zip(frames, pts_ms, strict=True):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = pts
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_variable_frame_rate_timestamps_are_kept(tmp_path: Path) -> None:
    pts = [0, 40, 70, 150, 160, 400, 433]
    frames = [np.full((64, 96, 3), 20 * i, dtype=np.uint8) for i in range(len(pts))]
    path = tmp_path / "vfr.mp4"
    _write_video(path, frames, pts)
    with open_source(path) as source:
        got = [f.t_ms for f in source]
    assert got == pts


def _write_y4m(path: Path, frames: list[np.ndarray], fps: int) -> None:
    """A 4:2:0 y4m written by hand (the format browsers use as a fake webcam)."""
    import cv2

    height, width = frames[0].shape[:2]
    with path.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            handle.write(b"FRAME\n")
            handle.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())


def test_y4m_stream_is_read(photos: dict[str, np.ndarray], tmp_path: Path) -> None:
    face = np.ascontiguousarray(photos["single_face.jpg"][:480, :560])
    path = tmp_path / "clip.y4m"
    _write_y4m(path, [face] * 6, fps=15)
    assert sniff(path) == "y4m"
    with open_source(path) as source:
        frames = list(source)
    assert source.fps == pytest.approx(15.0) and source.size == (560, 480) and len(frames) == 6
    assert [f.t_ms for f in frames] == [0, 67, 133, 200, 267, 333]
    assert np.mean(np.abs(frames[0].rgb.astype(int) - face.astype(int))) < 4  # colour round trip


@pytest.fixture(scope="session")
def rotated_video(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """single_face.mp4 stored sideways (pixels turned 90 deg clockwise) with a display-matrix rotation
    telling players to turn it back (ffmpeg's rotate=90 tag): what a phone writes when held sideways."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("the ffmpeg command (Debian package ffmpeg) is needed to add rotation metadata")
    folder = tmp_path_factory.mktemp("rotated")
    sideways, tagged = folder / "sideways.mp4", folder / "tagged.mp4"
    quiet = [ffmpeg, "-loglevel", "error", "-y"]
    subprocess.run(
        [*quiet, "-i", str(real_data / "single_face.mp4"), "-frames:v", "3", "-vf", "transpose=1",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(sideways)],
        check=True,
    )
    tag = ["-c", "copy", "-metadata:s:v", "rotate=90"]
    subprocess.run([*quiet, "-i", str(sideways), *tag, str(tagged)], check=True)
    return tagged


def test_video_rotation_metadata_is_applied(
    rotated_video: Path, real_data: Path, image_landmarker: object
) -> None:
    """The sideways-stored frames come out upright: same pixels as the original, face roll near 0."""
    from facefit.vision.pose import head_pose

    with av.open(str(rotated_video)) as container:
        raw = next(container.decode(video=0))
        assert abs(raw.rotation) == 90 and (raw.width, raw.height) == (360, 640)
    with open_source(rotated_video) as source:
        first = next(iter(source))
    with open_source(real_data / "single_face.mp4") as original:
        reference = next(iter(original)).rgb
    assert source.size == (640, 360) and first.rgb.shape == reference.shape
    assert np.mean(np.abs(first.rgb.astype(int) - reference.astype(int))) < 8  # re-encoding noise only
    obs = image_landmarker.detect(first.rgb, 0)  # type: ignore[attr-defined]
    assert obs.present
    assert abs(head_pose(obs.transform).roll) < 15


# ------------------------------------------------------------------------------------------- cameras
def test_camera_specs_are_parsed() -> None:
    assert camera_index(0) == 0 and camera_index("camera:2") == 2
    assert camera_index("clip.mp4") is None and camera_index(True) is None
    with pytest.raises(InputError, match="camera:N"):
        camera_index("camera:front")


def test_missing_camera_is_one_clear_error() -> None:
    with pytest.raises(InputError, match="camera 57 could not be opened"):
        open_source("camera:57")
    with pytest.raises(InputError, match="0 or more"):
        open_source(-1)


def _faststart_copy(source: Path, target: Path) -> None:
    """Remux ``source`` with the index (moov) first, as streaming-friendly encoders write it."""
    with av.open(str(source)) as inp, av.open(str(target), "w", options={"movflags": "faststart"}) as out:
        stream_in = inp.streams.video[0]
        stream_out = out.add_stream_from_template(stream_in)
        for packet in inp.demux(stream_in):
            if packet.dts is None:
                continue
            packet.stream = stream_out
            out.mux(packet)


def test_cut_short_videos(real_data: Path, tmp_path: Path) -> None:
    """Index at the end and the file cut: one clear error. Index first and cut: the decodable frames,
    flagged ``truncated``."""
    original = (real_data / "single_face.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(original[: len(original) * 6 // 10])
    with pytest.raises(InputError, match=r"cut\.mp4 is not a video or image FaceFit can read \(corrupt"):
        open_source(cut)

    faststart = tmp_path / "faststart.mp4"
    _faststart_copy(real_data / "single_face.mp4", faststart)
    data = faststart.read_bytes()
    streamed_cut = tmp_path / "streamed_cut.mp4"
    streamed_cut.write_bytes(data[: len(data) * 6 // 10])
    with open_source(faststart) as whole:
        assert sum(1 for _ in whole) == 72 and not whole.truncated
    with open_source(streamed_cut) as partial:
        count = sum(1 for _ in partial)
    assert 20 < count < 72 and partial.truncated


def test_16_bit_colour_png_keeps_its_colours(tmp_path: Path) -> None:
    import cv2

    deep = (np.random.default_rng(0).random((20, 30, 3)) * 65535).astype(np.uint16)  # RGB order
    cv2.imwrite(str(tmp_path / "deep_rgb.png"), deep[..., ::-1])  # OpenCV writes BGR
    rgb = read_image(tmp_path / "deep_rgb.png")
    assert rgb.dtype == np.uint8 and np.abs(rgb.astype(int) - (deep >> 8)).max() <= 1


def test_between_pillow_warning_and_bomb_sizes_is_our_clear_error(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    """110 MP: Pillow would only warn; FaceFit refuses it with a sentence and no warning noise."""
    path = tmp_path / "big.png"
    Image.new("1", (11_000, 10_000)).save(path)
    with pytest.raises(InputError, match=r"The photo big\.png has 11000x10000 pixels \(110 megapixels\), "
                                         r"more than the 64 megapixel limit"):
        read_image(path)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_heic_photo_is_named_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"IMG_0001\.HEIC is a HEIC/AVIF photo.*export it as JPEG or PNG"):
        open_source(path)
