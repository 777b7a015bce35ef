"""One signal stream from a frame source: frames -> landmarker -> observation -> signals.

Everything that turns a camera or a video into signals goes through :class:`SignalStream`: offline
analysis (``signals.extract``), live coaching and coached routines (``facefit.practice``), camera
calibration (``signals.calibration``) and photo capture (``photos.capture``, which measures each frame
from the stream's observation). The source and the model are opened when the stream is made, so
a corrupt file or a missing camera is one error before any session starts; closing the stream (or
reaching the end of the source) releases both. Iterating continues where the previous loop stopped, so
one stream can feed several sets in turn.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from facefit.signals.compute import signals_from_observation
from facefit.vision.landmarker import Landmarker, RunningMode
from facefit.vision.observation import FaceObservation
from facefit.vision.sources import Frame, FrameSource, open_source

Spec = str | os.PathLike[str] | int


@dataclass(frozen=True)
class SignalFrame:
    """One frame of the stream: its time, pixels, what the landmarker saw, and its signal vector."""

    t_ms: int
    rgb: np.ndarray
    observation: FaceObservation
    values: np.ndarray

    @property
    def face(self) -> bool:
        return self.observation.present


class SignalStream:
    """A frame source read through one landmarker (see the module docstring).

    ``landmarker`` reuses one the caller owns (its mode must suit the use: VIDEO to follow a face
    through a stream, a fresh one per stream because timestamps restart; IMAGE to judge each frame on
    its own, as photo capture does); otherwise a VIDEO (or, for an image, IMAGE) one is made here and
    closed with the stream.
    """

    def __init__(
        self,
        spec: Spec,
        *,
        model_path: str | os.PathLike[str] | None = None,
        max_side: int | None = None,
        max_frames: int | None = None,
        landmarker: Landmarker | None = None,
    ) -> None:
        self.source: FrameSource = open_source(spec, max_side=max_side, max_frames=max_frames)
        self._own_landmarker = landmarker is None
        try:
            mode = RunningMode.IMAGE if self.source.kind == "image" else RunningMode.VIDEO
            self.landmarker = landmarker or Landmarker(mode, model_path=model_path)
        except BaseException:
            self.source.close()
            raise
        self._frames = iter(self.source)
        self._closed = False

    @property
    def smoothed(self) -> bool:
        """The landmarks come smoothed over time (``facefit.vision.landmarker.Landmarker.smoothed``)."""
        return self.landmarker.smoothed

    def __enter__(self) -> SignalStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def observations(self) -> Iterator[tuple[Frame, FaceObservation]]:
        """Each remaining frame with its observation, without signals (batch callers vectorise them)."""
        for frame in self._frames:
            yield frame, self.landmarker.detect(frame.rgb, frame.t_ms)

    def __iter__(self) -> Iterator[SignalFrame]:
        for frame, obs in self.observations():
            yield SignalFrame(frame.t_ms, frame.rgb, obs, signals_from_observation(obs))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            closing = getattr(self._frames, "close", None)  # a source's frame generator left mid-way
            if closing is not None:
                closing()
            self.source.close()
            if self._own_landmarker:
                self.landmarker.close()
