"""The truth file of a synthetic clip: what was generated, so measurements can be scored against it.

Schema ``facefit.synth.truth/1`` (JSON object; times in seconds from the first frame, frame i is at
i / fps; sides are the person's)::

    schema          "facefit.synth.truth/1"
    exercise        exercise id (or "none")
    fps, frames     frame rate and frame count of the video
    duration_s      frames / fps
    size            [width, height]
    photo           source photo path (or "<array>")
    seed            random seed (distractors, twitches, noise)
    params          the full ClipSpec (hold/tempo resolved), see ClipSpec.to_dict
    rest            {"start_s": 0, "end_s": lead rest end}: still, neutral calibration interval
    rests           [[start_s, end_s], ...] rests after each rep (talk and twitches happen here)
    reps            [{index (1-based), start_s (ramp starts), peak_s (first frame at full strength,
                      = hold_start_s), hold_start_s, hold_end_s, end_s (back at rest), strength
                      (peak strength incl. amplitude), side_strength {left, right}, faults [..]}]
    holds           [{rep, start_s, end_s}] the hold of each rep
    distractors     [{kind: talk|blink|sway, start_s, end_s, ...}]
    twitches        [{t_s, side, duration_s, strength, region}]
    pose_at_full    head pitch (deg) and brow level at strength 1 for this exercise
    frame_values    columns, one value per frame: t_s, strength, strength_right, strength_left,
                    pitch_deg, yaw_deg, roll_deg, teeth, talk, blink, twitch_right, twitch_left
                    (exactly the quantised values that were rendered)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from facefit.fileio import write_atomic

SCHEMA = "facefit.synth.truth/1"
FRAME_COLUMNS: tuple[str, ...] = (
    "t_s",
    "strength",
    "strength_right",
    "strength_left",
    "pitch_deg",
    "yaw_deg",
    "roll_deg",
    "teeth",
    "talk",
    "blink",
    "twitch_right",
    "twitch_left",
)


@dataclass(frozen=True)
class Truth:
    """Ground truth of one clip (see the module docstring for every field)."""

    exercise: str
    fps: float
    frames: int
    size: tuple[int, int]
    photo: str
    seed: int
    params: dict[str, Any]
    rest: dict[str, float]
    rests: list[list[float]]
    reps: list[dict[str, Any]]
    distractors: list[dict[str, Any]]
    twitches: list[dict[str, Any]]
    pose_at_full: dict[str, float]
    frame_values: dict[str, list[float]] = field(repr=False)

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    @property
    def holds(self) -> list[dict[str, Any]]:
        return [
            {"rep": r["index"], "start_s": r["hold_start_s"], "end_s": r["hold_end_s"]} for r in self.reps
        ]

    def column(self, name: str) -> np.ndarray:
        """One per-frame column as an array (KeyError names the unknown column)."""
        return np.asarray(self.frame_values[name], dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "exercise": self.exercise,
            "fps": self.fps,
            "frames": self.frames,
            "duration_s": self.duration_s,
            "size": list(self.size),
            "photo": self.photo,
            "seed": self.seed,
            "params": self.params,
            "rest": self.rest,
            "rests": self.rests,
            "reps": self.reps,
            "holds": self.holds,
            "distractors": self.distractors,
            "twitches": self.twitches,
            "pose_at_full": self.pose_at_full,
            "frame_values": self.frame_values,
        }

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the JSON file atomically (compact per-frame columns, indented header).

        A path that cannot be written raises :class:`~facefit.errors.InputError`."""
        path = Path(path)
        data = self.to_dict()
        columns = data.pop("frame_values")
        header = json.dumps(data, indent=1)
        body = ",\n".join(f"  {json.dumps(name)}: {json.dumps(values)}" for name, values in columns.items())
        text = f'{header[:-2]},\n "frame_values": {{\n{body}\n }}\n}}\n'
        write_atomic(path, text.encode("utf-8"), mode=0o644)
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Truth:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a synth truth file: schema {data.get('schema')!r}, expected {SCHEMA!r}")
        return cls(
            exercise=data["exercise"],
            fps=float(data["fps"]),
            frames=int(data["frames"]),
            size=(int(data["size"][0]), int(data["size"][1])),
            photo=data["photo"],
            seed=int(data["seed"]),
            params=data["params"],
            rest=data["rest"],
            rests=data["rests"],
            reps=data["reps"],
            distractors=data["distractors"],
            twitches=data["twitches"],
            pose_at_full=data["pose_at_full"],
            frame_values=data["frame_values"],
        )

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Truth:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
