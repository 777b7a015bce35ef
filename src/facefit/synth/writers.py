"""Video writers for synthetic clips: H.264 .mp4 (PyAV) and raw .y4m (Chromium's fake webcam).

The .y4m is written by hand: a ``YUV4MPEG2`` header line, then per frame ``FRAME\\n`` and the I420
planes (Y full size, U and V quarter size). Chromium's ``--use-file-for-fake-video-capture`` reads
exactly this, and so does ``facefit.vision.sources``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Protocol

import numpy as np

from facefit.errors import InputError
from facefit.fileio import TEMP_PREFIX

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
Y4M_SUFFIX = ".y4m"


class FrameWriter(Protocol):
    """Accepts RGB uint8 frames of one size; ``close`` finishes the file."""

    path: Path

    def write(self, rgb: np.ndarray) -> None: ...

    def close(self) -> None: ...


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


class Y4mWriter:
    """YUV4MPEG2 4:2:0 writer (progressive, square pixels)."""

    def __init__(self, path: str | os.PathLike[str], size: tuple[int, int], fps: float) -> None:
        self.path = Path(path)
        self.size = size
        rate = _rate(fps)
        self._file = self.path.open("wb")
        header = f"YUV4MPEG2 W{size[0]} H{size[1]} F{rate.numerator}:{rate.denominator} Ip A1:1 C420jpeg\n"
        self._file.write(header.encode("ascii"))
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        import cv2

        if rgb.shape[1::-1] != self.size:
            raise ValueError(f"frame size {rgb.shape[1]}x{rgb.shape[0]} differs from {self.size}")
        self._file.write(b"FRAME\n")
        self._file.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
        self.frames += 1

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class Mp4Writer:
    """H.264 (yuv420p, CRF 18) in an MP4/MOV/MKV container via PyAV; readable by PyAV and OpenCV."""

    def __init__(self, path: str | os.PathLike[str], size: tuple[int, int], fps: float) -> None:
        from facefit.vision.sources import import_av

        av = import_av()

        self.path = Path(path)
        self.size = size
        self._av = av
        self._container = av.open(str(self.path), mode="w")
        stream = self._container.add_stream("libx264", rate=_rate(fps))
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast", "threads": "1"}
        self._stream = stream
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        if rgb.shape[1::-1] != self.size:
            raise ValueError(f"frame size {rgb.shape[1]}x{rgb.shape[0]} differs from {self.size}")
        frame = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None


class Writers:
    """Several writers fed the same frames (e.g. an .mp4 and a .y4m in one pass).

    Each writes a temp file beside its target that is renamed over the target once the clip is
    complete: a failed or interrupted run leaves no partial file, and a file already at the target
    stays as it was. A file that cannot be written is one :class:`InputError` naming it.
    """

    def __init__(self, paths: Sequence[str | os.PathLike[str]], size: tuple[int, int], fps: float) -> None:
        from facefit.vision.sources import import_av

        self._ffmpeg_error: type[Exception] = import_av().error.FFmpegError
        self.targets = check_output_paths(paths)
        self.writers: list[FrameWriter] = []
        for target in self.targets:
            with self._named(target):
                self.writers.append(open_writer(target.with_name(f"{TEMP_PREFIX}{os.getpid()}-{target.name}"),
                                                size, fps))

    def __enter__(self) -> Writers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._discard()
            return
        for writer, target in zip(self.writers, self.targets, strict=True):
            with self._named(target):
                writer.close()
                os.replace(writer.path, target)

    def write(self, rgb: np.ndarray) -> None:
        for writer, target in zip(self.writers, self.targets, strict=True):
            with self._named(target):
                writer.write(rgb)

    @contextlib.contextmanager
    def _named(self, target: Path) -> Iterator[None]:
        """Any failure drops the temp files; an OS or FFmpeg error becomes InputError naming ``target``."""
        try:
            yield
        except (OSError, self._ffmpeg_error) as error:
            self._discard()
            reason = getattr(error, "strerror", None) or str(error)
            raise InputError(f"Cannot write {target}: {reason}.") from None
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        for writer in self.writers:
            with contextlib.suppress(Exception):
                writer.close()
            writer.path.unlink(missing_ok=True)


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """The output path if its type is supported and its folder exists, else one clear InputError."""
    path = Path(path)
    if path.suffix.lower() not in (*VIDEO_SUFFIXES, Y4M_SUFFIX):
        raise InputError(
            f"Cannot write {path.name}: use a .mp4, .mov, .mkv or .y4m file name."
        )
    if not path.parent.is_dir():
        raise InputError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    if path.is_dir():
        raise InputError(f"Cannot write {path}: it is a folder.")
    return path


def open_writer(path: str | os.PathLike[str], size: tuple[int, int], fps: float) -> FrameWriter:
    """A writer chosen by file suffix (.y4m raw, otherwise H.264); :class:`Writers` names its errors."""
    path = check_output_path(path)
    if path.suffix.lower() == Y4M_SUFFIX:
        return Y4mWriter(path, size, fps)
    return Mp4Writer(path, size, fps)


def check_output_paths(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """:func:`check_output_path` for each, and no file named twice (two writers would share one file)."""
    checked = [check_output_path(path) for path in paths]
    seen: set[Path] = set()
    for path in checked:
        if path.resolve() in seen:
            raise InputError(f"Cannot write {path} twice: give each output a different name.")
        seen.add(path.resolve())
    return checked
