"""Synthetic exercise clips from one photo: the Python API behind ``facefit synth``.

    clip = prepare_clip("obama.jpg", ClipSpec(exercise="cheek-lifter", reps=3, hold_s=2))
    clip.truth                   # Truth, known before any pixel is drawn
    for frame in clip.frames():  # SynthFrame(index, t_ms, rgb), rendered lazily
        ...
    truth = make_clip("obama.jpg", spec, out=["v.mp4", "v.y4m"], truth_path="t.json")

Each frame: timeline channels -> :class:`PoseState` -> destination landmarks -> thin-plate-spline
backward map (cached by pose) -> ``cv2.remap`` of the rest frame -> dark mouth interior / teeth ->
camera shake and pixel noise. Frame ``i`` depends only on (photo, spec, i), so frames can be rendered
in any order and a seed reproduces a clip bit for bit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facefit.errors import InputError
from facefit.synth.face import PhotoLike, PreparedFace, prepare_face
from facefit.synth.paint import paint_mouth
from facefit.synth.poses import BROW_LEVEL, PITCH_DEG, FaceRig, PoseState, pose_for
from facefit.synth.spec import ClipSpec
from facefit.synth.timeline import Timeline, build_timeline
from facefit.synth.truth import Truth
from facefit.synth.warp import DEFAULT_STEP, Warper
from facefit.synth.writers import Writers, check_output_paths
from facefit.vision import mesh

NOISE_SIGMA = 6.0  # gray levels at noise = 1
NOISE_POOL = 16


@dataclass(frozen=True)
class SynthFrame:
    """One rendered frame: ``index``, timestamp ``t_ms`` (index * 1000 / fps, rounded), RGB uint8."""

    index: int
    t_ms: int
    rgb: np.ndarray


class Clip:
    """A clip ready to render: the prepared face, the timeline and the truth."""

    def __init__(self, face: PreparedFace, spec: ClipSpec, *, step: int = DEFAULT_STEP) -> None:
        if face.size != spec.size:
            raise ValueError(f"face prepared at {face.size}, spec wants {spec.size}")
        self.face = face
        self.spec = spec
        self.timeline: Timeline = build_timeline(spec)
        self.rig = FaceRig(face)
        self.warper = Warper(self.rig, spec.size, step=step)
        self._noise_pool: np.ndarray | None = None
        self._last: tuple[object, np.ndarray] | None = None
        # Lips count as apart in the photo beyond 5% IPD (closed lips still read 1-3 px between 13-14).
        lips = face.points[[mesh.LIP_INNER_LOWER, mesh.LIP_INNER_UPPER], :2]
        gap = float(np.linalg.norm(lips[0] - lips[1]))
        self._rest_opening = max(0.0, gap - 0.05 * face.ipd)
        self.poses = [self.pose(i) for i in range(spec.frames)]
        self.truth = self._truth()

    def __len__(self) -> int:
        return self.spec.frames

    def pose(self, index: int) -> PoseState:
        """The pose drawn in frame ``index``."""
        channels = {name: float(values[index]) for name, values in self.timeline.channels.items()}
        return pose_for(self.spec.exercise, channels)

    def landmarks(self, index: int) -> np.ndarray:
        """(478, 2) pixel positions of the face's landmarks as drawn in frame ``index`` (shake included).

        Irises (468-477) follow the skin around them. With head rotation this is the drawn position
        (expression, then the rotation warp), within ~1 px of the exact 3D pose ``rig.destination``.
        """
        points = self.warper.drawn_landmarks(self.poses[index])
        jitter = self.timeline.jitter_px
        return points if jitter is None else points + jitter[index]

    def render(self, index: int) -> np.ndarray:
        """RGB uint8 (H, W, 3) of frame ``index``."""
        pose = self.poses[index]
        jitter = self.timeline.jitter_px
        shift = (0.0, 0.0) if jitter is None else (float(jitter[index, 0]), float(jitter[index, 1]))
        key = (pose.key(), shift)
        if pose.neutral and shift == (0.0, 0.0):
            frame = self.face.rgb.copy()
        elif self._last is not None and self._last[0] == key:
            frame = self._last[1].copy()  # a hold: the same pose as the previous frame
        else:
            backward, destination = self.warper.map_for(pose, shift)
            frame = self.warper.warp(self.face.rgb, backward)
            if pose.jaw_open or pose.o_mouth or pose.lip_raise:
                paint_mouth(frame, destination, pose.teeth, self._rest_opening)
            self._last = (key, frame.copy())
        if self.spec.noise > 0:
            frame = self._add_noise(frame, index)
        return frame

    def _add_noise(self, frame: np.ndarray, index: int) -> np.ndarray:
        """Gaussian pixel noise from a seeded pool of fields (drawing fresh noise costs ~20 ms/frame)."""
        import cv2

        if self._noise_pool is None:
            rng = np.random.default_rng([self.spec.seed, 7919])
            sigma = NOISE_SIGMA * self.spec.noise
            fields = rng.standard_normal((NOISE_POOL, *frame.shape), dtype=np.float32) * sigma
            fields = np.clip(np.round(fields), -127, 127).astype(np.int16)
            # Saturating uint8 add and subtract of the positive and negative parts: no int16 copy per frame.
            parts = [np.clip(fields, 0, None), np.clip(-fields, 0, None)]
            self._noise_pool = np.stack(parts).astype(np.uint8)
        pick = int(np.random.default_rng([self.spec.seed, index]).integers(NOISE_POOL))
        return cv2.subtract(cv2.add(frame, self._noise_pool[0, pick]), self._noise_pool[1, pick])

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[SynthFrame]:
        """Render frames ``start`` .. ``stop - 1`` in order."""
        stop = len(self) if stop is None else min(stop, len(self))
        for index in range(start, stop):
            yield SynthFrame(index, round(index * 1000 / self.spec.fps), self.render(index))

    def _truth(self) -> Truth:
        spec, timeline = self.spec, self.timeline
        ch = timeline.channels
        columns = {
            "t_s": timeline.t_s,
            "strength": timeline.strength,
            "strength_right": ch["act_r"],
            "strength_left": ch["act_l"],
            "pitch_deg": np.array([p.pitch_deg for p in self.poses]),
            "yaw_deg": ch["yaw_deg"],
            "roll_deg": ch["roll_deg"],
            "teeth": ch["teeth"],
            "talk": ch["talk"],
            "blink": ch["blink"],
            "twitch_right": ch["twitch_r"],
            "twitch_left": ch["twitch_l"],
        }
        return Truth(
            exercise=spec.exercise,
            fps=spec.fps,
            frames=spec.frames,
            size=spec.size,
            photo=self.face.photo,
            seed=spec.seed,
            params=spec.to_dict(),
            rest={"start_s": 0.0, "end_s": spec.lead_rest_s},
            rests=[[round(a, 6), round(b, 6)] for a, b in timeline.rests],
            reps=[r.to_dict() for r in timeline.reps],
            distractors=timeline.distractors,
            twitches=timeline.twitches,
            pose_at_full={
                "pitch_deg": PITCH_DEG.get(spec.exercise, 0.0),
                "brow_level": BROW_LEVEL.get(spec.exercise, 0.0),
            },
            frame_values={k: [round(float(x), 6) for x in v] for k, v in columns.items()},
        )


def prepare_clip(
    photo: PhotoLike | PreparedFace, spec: ClipSpec, *, landmarker: object | None = None
) -> Clip:
    """Frame the photo, find its landmarks and plan the clip (no frame rendered yet).

    ``photo`` may be a path, an RGB array, or a :class:`PreparedFace` from an earlier call (reuse it to
    skip the model when making several clips of one photo at one size).
    """
    face = photo if isinstance(photo, PreparedFace) else prepare_face(photo, spec.size, landmarker=landmarker)
    return Clip(face, spec)


def iter_frames(
    photo: PhotoLike | PreparedFace, spec: ClipSpec, *, landmarker: object | None = None
) -> Iterator[SynthFrame]:
    """Frames of the clip, in order (use :func:`prepare_clip` when you also need the truth)."""
    yield from prepare_clip(photo, spec, landmarker=landmarker).frames()


def make_clip(
    photo: PhotoLike | PreparedFace,
    spec: ClipSpec,
    *,
    out: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] = (),
    truth_path: str | os.PathLike[str] | None = None,
    landmarker: object | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Truth:
    """Render the clip into every file in ``out`` (.mp4/.mov/.mkv/.y4m) and write the truth JSON.

    ``progress(done, total)`` is called after every frame. Returns the :class:`Truth`.
    """
    outputs = [out] if isinstance(out, str | os.PathLike) else list(out)
    check_output_paths(outputs)
    if truth_path is not None and not Path(truth_path).parent.is_dir():
        raise InputError(f"Cannot write {truth_path}: the folder {Path(truth_path).parent} does not exist.")
    if truth_path is not None and Path(truth_path).is_dir():
        raise InputError(f"Cannot write {truth_path}: it is a folder.")
    clip = prepare_clip(photo, spec, landmarker=landmarker)
    with Writers(outputs, spec.size, spec.fps) as writers:
        total = len(clip)
        for frame in clip.frames() if outputs else ():  # truth only: nothing to render
            writers.write(frame.rgb)
            if progress is not None:
                progress(frame.index + 1, total)
    if truth_path is not None:
        clip.truth.write(truth_path)
    return clip.truth


__all__ = ["Clip", "SynthFrame", "iter_frames", "make_clip", "prepare_clip"]
