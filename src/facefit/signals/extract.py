"""The perception pipeline on a whole source: frames -> landmarker -> signals, as one :class:`Extraction`.

This is what the coach runs on a video and what ``facefit landmarks`` prints; the frames come from
:class:`facefit.signals.stream.SignalStream`. Frames without a face
are kept as rows of NaN (``face_present`` = 0) so time stays continuous and callers can see exactly
when the face was lost; several faces pick the largest and ``max_faces_seen`` reports the crowd.
Signals are computed once for all frames (vectorised) after the landmarker pass.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

from facefit.signals.compute import signals_batch
from facefit.signals.names import SIGNAL_NAMES, SignalSeries
from facefit.signals.stream import SignalStream
from facefit.vision.landmarker import Landmarker
from facefit.vision.observation import N_LANDMARKS, FaceObservation
from facefit.vision.sources import FrameSource

Spec = str | os.PathLike[str] | int


@dataclass(frozen=True)
class Extraction:
    """Signals of every frame of one source plus what the caller needs to judge them.

    Attributes:
        series: the signals (N frames x K), NaN rows where no face was found.
        fps: the source's nominal frame rate (None for a photo or an unknown camera rate).
        frames: number of frames read.
        frames_without_face: how many of them had no face.
        max_faces_seen: the most faces seen in any one frame (>1: the largest face was used).
        faces_found: (N,) faces seen per frame.
        size: (width, height) of the frames analysed.
        source: the source's name (path or camera) and ``kind`` ("image", "video", "camera").
        landmarks: (N, 478, 3) normalised landmarks when asked for with ``keep_landmarks``.
        truncated: the video ended in undecodable data; the frames before it were kept.
        smoothed: the landmarker smoothed the landmarks over time (``Landmarker.smoothed``).
    """

    series: SignalSeries
    fps: float | None
    frames: int
    frames_without_face: int
    max_faces_seen: int
    faces_found: np.ndarray
    size: tuple[int, int]
    source: str
    kind: str
    landmarks: np.ndarray | None = None
    truncated: bool = False
    smoothed: bool = False

    @property
    def missing_mask(self) -> np.ndarray:
        """(N,) True for frames where no face was found."""
        return self.faces_found == 0

    @property
    def duration_s(self) -> float:
        """Time spanned by the frames (0 for a photo)."""
        if self.frames < 2:
            return 0.0
        return float(self.series.t_ms[-1] - self.series.t_ms[0]) / 1000.0


def extract_signals(
    source_spec: Spec,
    *,
    model_path: str | os.PathLike[str] | None = None,
    progress: bool = False,
    max_side: int | None = None,
    max_frames: int | None = None,
    keep_landmarks: bool = False,
    landmarker: Landmarker | None = None,
) -> Extraction:
    """Run perception over an image, video, y4m or camera and return every frame's signals.

    ``landmarker`` lets a caller reuse one (its mode must suit the source: VIDEO for streams, and a
    fresh one per stream because timestamps restart); otherwise one is created and closed here.
    ``max_frames`` stops early (cameras); ``max_side`` downsizes large videos before the model.
    """
    with ExitStack() as stack:
        stream = stack.enter_context(SignalStream(source_spec, model_path=model_path, max_side=max_side,
                                                  max_frames=max_frames, landmarker=landmarker))
        source = stream.source
        bar = stack.enter_context(_progress(source, enabled=progress))

        t_ms: list[int] = []
        faces: list[int] = []
        chunk = _Chunk()
        blocks: list[np.ndarray] = []
        kept: list[np.ndarray] = []
        for frame, obs in stream.observations():
            t_ms.append(frame.t_ms)
            faces.append(obs.faces_found)
            chunk.add(obs)
            if len(chunk) == CHUNK_FRAMES:  # bounded memory on long videos: 1 h at 30 fps ~ 60 MB
                blocks.append(chunk.signals())
                if keep_landmarks:
                    kept.append(chunk.landmarks())
                chunk = _Chunk()
            bar.advance()
            if max_frames is not None and len(t_ms) >= max_frames:
                break
        truncated = bool(getattr(source, "truncated", False))
        smoothed = stream.smoothed
    if len(chunk):
        blocks.append(chunk.signals())
        if keep_landmarks:
            kept.append(chunk.landmarks())

    n = len(t_ms)
    values = np.concatenate(blocks) if blocks else np.empty((0, len(SIGNAL_NAMES)))
    landmarks = np.concatenate(kept) if kept else np.empty((0, N_LANDMARKS, 3), dtype=np.float32)
    faces_found = np.asarray(faces, dtype=np.int64)
    return Extraction(
        series=SignalSeries(t_ms=np.asarray(t_ms, dtype=np.int64), values=values),
        fps=source.fps,
        frames=n,
        frames_without_face=int(np.count_nonzero(faces_found == 0)),
        max_faces_seen=int(faces_found.max(initial=0)),
        faces_found=faces_found,
        size=source.size,
        source=source.name,
        kind=source.kind,
        landmarks=landmarks if keep_landmarks else None,
        truncated=truncated,
        smoothed=smoothed,
    )


CHUNK_FRAMES = 512


class _Chunk:
    """Observations waiting for one vectorised signal computation."""

    def __init__(self) -> None:
        self.points: list[np.ndarray] = []
        self.blends: list[np.ndarray] = []
        self.transforms: list[np.ndarray] = []
        self.sizes: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.points)

    def add(self, obs: FaceObservation) -> None:
        self.points.append(obs.landmarks)
        self.blends.append(obs.blendshapes)
        self.transforms.append(obs.transform)
        self.sizes.append(obs.image_size)

    def signals(self) -> np.ndarray:
        return signals_batch(
            np.stack(self.points),
            np.asarray(self.sizes, dtype=np.float64),
            np.stack(self.blends),
            np.stack(self.transforms),
        )

    def landmarks(self) -> np.ndarray:
        return np.stack(self.points)


class _Bar:
    """A Rich progress bar on stderr (stdout stays clean for --json/--csv), or nothing."""

    def __init__(self, source: FrameSource, enabled: bool) -> None:
        self._progress = None
        self._task = None
        if enabled and source.kind != "image":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("[bold]perceiving[/bold] {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task(os.path.basename(source.name), total=source.frame_count)

    def __enter__(self) -> _Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)


def _progress(source: FrameSource, *, enabled: bool) -> _Bar:
    return _Bar(source, enabled)
