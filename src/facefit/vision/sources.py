"""Frame sources: image files, video files, cameras and y4m streams, all yielding ``Frame(t_ms, rgb)``.

Everything that reads pixels from the outside world goes through :func:`open_source`, so the checks a
user's file must pass live in one place: the file exists and is not empty, its content (not its name)
is a format we read, it is not a decompression bomb (image dimensions are checked from the header
*before* any pixel is decoded), and a truncated file is one clear :class:`InputError`, not a traceback.

Frames come out upright and RGB uint8: EXIF orientation is applied to photos, the display-matrix
rotation of phone videos is applied to every frame, alpha is composited over white, grayscale and
16-bit images are converted. Timestamps come from the container (variable frame rate safe) and are
made strictly increasing, which the Face Landmarker's VIDEO mode requires.
"""

from __future__ import annotations

import os
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType

import numpy as np

from facefit.errors import InputError

# The one pixel limit for a photo, at every door (`facefit analyze`, `facefit photo add`, the web's uploads).
# A phone's full-resolution photo is 12-50 MP, and "50 MP" is a little over 50,000,000 pixels (8160x6144 is
# 50.1 MP; a 48 MP one is 8064x6048): 64 MP takes them all. Decoded as RGB that is ~190 MB, and it is checked
# from the image header before anything is decoded, far below a decompression bomb.
MAX_IMAGE_PIXELS = 64_000_000
MAX_IMAGE_BYTES = 200 * 1024 * 1024
MAX_VIDEO_SIDE = 8192
CAMERA_PREFIX = "camera:"

def too_many_pixels(name: str, size: tuple[int, int] | None, limit: int = MAX_IMAGE_PIXELS) -> str:
    """What a person reads when a photo has more pixels than ``limit``, at every door. ``size`` (width,
    height) when the image's header was read; None when Pillow refused to open it (past its own
    decompression-bomb limit: a huge real photo, or a small file claiming gigapixels)."""
    if size is None:
        return (f"The photo {name} has far more pixels than the {limit / 1e6:.0f} megapixel limit; resize it "
                "first.")
    width, height = size
    return (f"The photo {name} has {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), more "
            f"than the {limit / 1e6:.0f} megapixel limit; resize it first.")


_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_Y4M_MAGIC = b"YUV4MPEG2"
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"mif1", b"avif"})  # still-image brands


def import_av() -> ModuleType:
    """PyAV, with OpenCV loaded first: with ``av`` imported before ``cv2``, the first ``cv2.imshow`` never
    returns (Qt window under X11; measured for ``facefit photo capture``). Every PyAV user goes through
    here, so a window opened later in the same process (coach overlay, photo capture) works."""
    import cv2  # noqa: F401, I001  (first, on purpose)
    import av

    return av


@dataclass(frozen=True)
class Frame:
    """One upright RGB uint8 frame (H, W, 3) and its timestamp in milliseconds from the source start."""

    t_ms: int
    rgb: np.ndarray


class FrameSource(ABC):
    """An iterable of :class:`Frame` that must be closed (use ``with``).

    Attributes:
        kind: "image", "video" or "camera".
        name: what the user gave (path or camera index), for messages.
        fps: nominal frames per second (None for photos, and cameras that do not say).
        size: (width, height) of the frames it yields, after orientation.
        frame_count: expected number of frames when the container says (None when unknown).
    """

    kind: str = ""
    name: str = ""
    fps: float | None = None
    size: tuple[int, int] = (0, 0)
    frame_count: int | None = None

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @abstractmethod
    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None:  # noqa: B027 (optional hook: image sources hold nothing open)
        """Release the file or device; safe to call twice."""


# ----------------------------------------------------------------------------------------------- images


def _pil_to_rgb(image: object) -> np.ndarray:
    """Any PIL image mode -> RGB uint8: alpha over white, 16-bit and float scaled, palette expanded."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        data = np.asarray(image, dtype=np.float64)
        top = 65535.0 if (mode.startswith("I;16") or data.max(initial=0) > 255) else 255.0
        if mode == "F":
            top = max(float(np.nanmax(data)), 1e-12) if data.size else 1.0
        gray = np.clip(np.round(data / top * 255.0), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if (mode == "P" and "transparency" in image.info) or mode in ("LA", "PA"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image, dtype=np.uint8).copy()


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Decode a photo into upright RGB uint8, or raise :class:`InputError` naming the problem.

    The header is read first and the pixel count checked before decoding, so a 20000x20000 PNG is
    refused in milliseconds without allocating 1.2 GB.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    _check_file(path)
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise InputError(f"{path.name} is larger than {MAX_IMAGE_BYTES // 2**20} MB; use a smaller photo.")
    try:
        with warnings.catch_warnings():
            # Pillow warns between 89 and 179 MP; our own, lower limit below gives the clear message.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InputError(too_many_pixels(path.name, (width, height)))
            if width < 1 or height < 1:
                raise InputError(f"{path.name} has no pixels ({width}x{height}).")
            image.load()
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # malformed EXIF must not cost the user a good photo
                upright = image
            return _pil_to_rgb(upright)
    except InputError:
        raise
    except Image.DecompressionBombError:
        raise InputError(too_many_pixels(path.name, None)) from None
    except UnidentifiedImageError:
        raise InputError(f"{path.name} is not an image FaceFit can read.") from None
    except (OSError, SyntaxError, ValueError) as error:
        reason = str(error).rstrip(".") or type(error).__name__
        raise InputError(f"{path.name} is corrupt or truncated and cannot be decoded ({reason}).") from None


class ImageSource(FrameSource):
    """A single photo as a one-frame source (t_ms = 0)."""

    kind = "image"

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        self.rgb = read_image(path)
        self.size = (int(self.rgb.shape[1]), int(self.rgb.shape[0]))
        self.frame_count = 1

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, self.rgb)


# ----------------------------------------------------------------------------------------------- videos


def _upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a display-matrix rotation (degrees counter-clockwise, multiples of 90) to a frame."""
    quarter = round(rotation / 90) % 4
    return np.ascontiguousarray(np.rot90(rgb, k=quarter)) if quarter else rgb


class VideoSource(FrameSource):
    """A video file (or y4m stream) decoded with PyAV: container timestamps, rotation applied.

    ``max_side`` optionally downsizes frames (keeps aspect) during colour conversion, which is nearly
    free and makes 4K phone videos cost what 720p costs in the landmarker.
    """

    kind = "video"

    def __init__(self, path: Path, *, max_side: int | None = None) -> None:
        av = import_av()

        _check_file(path)
        self.name = str(path)
        self._path = path
        try:
            self._container = av.open(str(path), mode="r")
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
            raise InputError(
                f"{path.name} is not a video or image FaceFit can read (corrupt, truncated or an "
                f"unsupported type: {_av_reason(error)})."
            ) from None
        if not self._container.streams.video:
            self._container.close()
            raise InputError(f"{path.name} has no video stream.")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._stream = stream
        width, height = int(stream.codec_context.width), int(stream.codec_context.height)
        if width < 1 or height < 1:  # FFmpeg guessed a format for bytes that are not a video
            self._container.close()
            raise InputError(f"{path.name} is not a video or image FaceFit can read (corrupt, truncated or "
                             "an unsupported type: its video stream has no picture size).")
        if max(width, height) > MAX_VIDEO_SIDE:
            self._container.close()
            raise InputError(
                f"{path.name} has frames of {width}x{height} pixels; FaceFit reads videos up to "
                f"{MAX_VIDEO_SIDE} pixels a side."
            )
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else None
        self.frame_count = int(stream.frames) if stream.frames else None
        self._out_size = _fit(width, height, max_side)
        rotation = self._probe_rotation()
        ow, oh = self._out_size
        self.size = (oh, ow) if round(rotation / 90) % 2 else (ow, oh)

    def _probe_rotation(self) -> int:
        """Rotation of the first frame (the display matrix is per stream; frames repeat it)."""
        av = import_av()

        try:
            for frame in self._container.decode(self._stream):
                rotation = int(getattr(frame, "rotation", 0) or 0)
                break
            else:
                self._container.close()
                raise InputError(f"{Path(self.name).name} contains no decodable video frames.")
        except av.error.FFmpegError as error:
            self._container.close()
            raise InputError(f"{Path(self.name).name} is corrupt ({_av_reason(error)}).") from None
        self._container.seek(0)
        return rotation

    def __iter__(self) -> Iterator[Frame]:
        av = import_av()

        self._container.seek(0)
        first_time: float | None = None
        last_ms = -1
        count = 0
        frame_period_ms = 1000.0 / self.fps if self.fps else 33.333
        width, height = self._out_size
        try:
            for frame in self._container.decode(self._stream):
                if frame.time is not None:
                    if first_time is None:
                        first_time = float(frame.time)
                    t_ms = round((float(frame.time) - first_time) * 1000.0)
                else:
                    t_ms = round(count * frame_period_ms)
                t_ms = max(t_ms, last_ms + 1)  # VIDEO mode needs strictly increasing timestamps
                last_ms = t_ms
                if (width, height) != (frame.width, frame.height):
                    rgb = frame.to_ndarray(format="rgb24", width=width, height=height)
                else:
                    rgb = frame.to_ndarray(format="rgb24")
                count += 1
                yield Frame(t_ms, _upright(rgb, int(getattr(frame, "rotation", 0) or 0)))
        except av.error.FFmpegError as error:
            if count == 0:
                raise InputError(f"{Path(self.name).name} is corrupt ({_av_reason(error)}).") from None
            # A truncated tail: keep the frames decoded so far, like every video player does.
            self.truncated = True
        if count == 0:
            raise InputError(f"{Path(self.name).name} contains no decodable video frames.")
        if self.frame_count and count < 0.9 * self.frame_count:
            self.truncated = True  # the decoder stopped early without an error: the file was cut short

    truncated: bool = False
    """True when the video ended early (cut short or corrupt tail); the frames before it were yielded."""

    def close(self) -> None:
        container = getattr(self, "_container", None)
        if container is not None:
            container.close()
            self._container = None  # type: ignore[assignment]


def _fit(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """(w, h) scaled so the longer side is at most ``max_side``; even sizes keep swscale happy."""
    if not max_side or max(width, height) <= max_side:
        return width, height
    scale = max_side / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def _av_reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return str(text).strip().rstrip(".") or type(error).__name__


# ----------------------------------------------------------------------------------------------- cameras


class CameraSource(FrameSource):
    """A live camera through OpenCV; timestamps are the monotonic clock since opening."""

    kind = "camera"

    def __init__(self, index: int, *, max_frames: int | None = None) -> None:
        import cv2

        self.name = f"camera {index}"
        previous = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # a missing camera is our message
        try:
            self._capture = cv2.VideoCapture(index)
        finally:
            cv2.utils.logging.setLogLevel(previous)
        if not self._capture.isOpened():
            self._capture.release()
            raise InputError(f"camera {index} could not be opened; check it is connected and not in use.")
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if fps > 0 else None
        self.size = (
            int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
        self._max_frames = max_frames

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        start = time.monotonic()
        last_ms = -1
        count = 0
        while self._capture is not None and (self._max_frames is None or count < self._max_frames):
            ok, bgr = self._capture.read()
            if not ok or bgr is None:
                return
            t_ms = max(round((time.monotonic() - start) * 1000.0), last_ms + 1)
            last_ms = t_ms
            count += 1
            yield Frame(t_ms, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        capture = getattr(self, "_capture", None)
        if capture is not None:
            capture.release()
            self._capture = None


# ----------------------------------------------------------------------------------------------- dispatch


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if not path.is_file():
        raise InputError(f"{path} is not a file.")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name} is empty (0 bytes).")


def sniff(path: Path) -> str:
    """'image', 'y4m' or 'video' from the file's first bytes (names lie: a text file called .mp4)."""
    _check_file(path)
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(_Y4M_MAGIC):
        return "y4m"
    if any(head.startswith(magic) for magic, _ in _IMAGE_MAGIC):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        raise InputError(
            f"{path.name} is a HEIC/AVIF photo, which FaceFit cannot read; export it as JPEG or PNG."
        )
    return "video"


def camera_index(spec: object) -> int | None:
    """The camera index ``spec`` names (an int, ``"camera:N"``), else None."""
    if isinstance(spec, bool):
        return None
    if isinstance(spec, int):
        return spec
    if isinstance(spec, str) and spec.startswith(CAMERA_PREFIX):
        number = spec[len(CAMERA_PREFIX):]
        if not number.isdigit():
            raise InputError(f"camera spec {spec!r} should be camera:N with N a number, e.g. camera:0.")
        return int(number)
    return None


def open_source(
    spec: str | os.PathLike[str] | int, *, max_side: int | None = None, max_frames: int | None = None
) -> FrameSource:
    """Open an image, video, y4m file or camera (int or ``"camera:N"``) as a :class:`FrameSource`.

    The file type is decided from its content, so a misnamed file gets an accurate message.
    ``max_side`` downsizes video frames; ``max_frames`` bounds a camera stream.
    """
    index = camera_index(spec)
    if index is not None:
        if index < 0:
            raise InputError(f"camera index must be 0 or more, got {index}.")
        return CameraSource(index, max_frames=max_frames)
    path = Path(spec)  # type: ignore[arg-type]
    if sniff(path) == "image":
        return ImageSource(path)
    return VideoSource(path, max_side=max_side)
