"""The live protocol's binary messages: the browser's landmark frame, the server's state reply.

Frame, browser -> server (little-endian)::

    u8  version (=1)        u8  flags (bit0 face, bit1 blendshapes, bit2 transform)
    u16 n landmarks         u32 seq (frame counter, echoed in replies for latency)
    f64 t_ms (caller clock) u16 image width  u16 image height
    f32[n*3] landmarks (normalised x, y, z) in the order the server asked for in "ready"
    f32[52]  blendshapes    (if bit1)
    f32[16]  transform, row-major (if bit2)

The server names the landmark indices it needs in its "ready" message (the ~25 the signals use),
so a frame is ~600 bytes instead of 478 * 12, and the rate it wants them at (``fps``: 15, what the
engine was evaluated at; ``eval/frame_rate.py``). :func:`read_header` checks everything but the numbers
(the batcher checks those for a whole batch at once); :func:`decode_frame` checks a frame completely.
Every malformed frame raises :class:`FrameError` with one sentence; the connection stays open.

State, server -> browser (:data:`STATE`, 18 bytes, sent only when what the page shows changes, and at
least every ``tick_every`` frames; to clients whose start asked for ``binary``, JSON ticks to others)::

    u8 kind (=1)  u8 phase (PHASES index)  u8 flags (bit0 active, bit1 calibrating)  u8 set  u8 sets
    u8 0          u16 reps  u16 target (0xFFFF: timed)  u16 hold (1/100 s)  u16 rest left (1/10 s)
    u32 seq of the frame it answers

Frames that produced events are answered with a JSON ``tick`` instead (the same state plus the events).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from facefit.practice.sets import Phase
from facefit.vision.observation import N_BLENDSHAPES, N_LANDMARKS

VERSION = 1
HEADER = struct.Struct("<BBHIdHH")
FACE, BLENDSHAPES, TRANSFORM = 1, 2, 4
FULL = FACE | BLENDSHAPES | TRANSFORM
MAX_SIDE = 16384
MAX_COORD = 4.0
"""Largest |x|, |y|, |z| accepted in a landmark: normalised coordinates are ~0..1 (a little outside when
the face is cut by the image edge)."""

STATE = struct.Struct("<BBBBBBHHHHI")
STATE_KIND = 1
PHASES: tuple[Phase, ...] = (Phase.WORK, Phase.REST, Phase.DONE, Phase.STOPPED)
"""The set runner's phases in their wire order (a state's phase byte is the index; ``static/js/live.js``
decodes it with the same list)."""
PHASE_CODES = {name: code for code, name in enumerate(PHASES)}
ACTIVE, CALIBRATING = 1, 2
NO_TARGET = 0xFFFF


class ProtocolError(ValueError):
    """A WebSocket message that cannot be used; the message says what is wrong (connection stays open)."""


class FrameError(ProtocolError):
    """A binary landmark frame that cannot be used."""


@dataclass(frozen=True, slots=True)
class Frame:
    seq: int
    t_ms: float
    image_size: tuple[int, int]
    landmarks: np.ndarray | None  # (n, 3) float32 in the negotiated order, None when no face
    blendshapes: np.ndarray | None
    transform: np.ndarray | None


def encode_frame(
    *, seq: int, t_ms: float, image_size: tuple[int, int], landmarks: np.ndarray | None,
    blendshapes: np.ndarray | None = None, transform: np.ndarray | None = None,
) -> bytes:
    """The inverse of :func:`decode_frame` (used by tests and the load benchmark)."""
    flags = 0
    parts: list[bytes] = []
    n = 0
    if landmarks is not None:
        flags |= FACE
        arr = np.ascontiguousarray(landmarks, dtype="<f4")
        n = arr.shape[0]
        parts.append(arr.tobytes())
        if blendshapes is not None:
            flags |= BLENDSHAPES
            parts.append(np.ascontiguousarray(blendshapes, dtype="<f4").tobytes())
        if transform is not None:
            flags |= TRANSFORM
            parts.append(np.ascontiguousarray(transform, dtype="<f4").tobytes())
    header = HEADER.pack(VERSION, flags, n, seq & 0xFFFFFFFF, float(t_ms), image_size[0], image_size[1])
    return header + b"".join(parts)


class Header(NamedTuple):
    """A frame's header, checked against its length; ``data`` is the whole message (a tuple: made for
    every frame, it costs a fraction of a frozen dataclass)."""

    seq: int
    t_ms: float
    image_size: tuple[int, int]
    flags: int
    n: int
    data: bytes

    @property
    def face(self) -> bool:
        return bool(self.flags & FACE)


def frame_size(flags: int, n: int) -> int:
    """Bytes of a frame with these flags and ``n`` landmarks."""
    if not flags & FACE:
        return HEADER.size
    return HEADER.size + 12 * n + (4 * N_BLENDSHAPES if flags & BLENDSHAPES else 0) + (
        64 if flags & TRANSFORM else 0)


def read_header(data: bytes, n_expected: int) -> Header:
    """Parse and check a frame's header and length (not its numbers: :func:`check_landmarks` does)."""
    if len(data) < HEADER.size:
        raise FrameError(f"binary frame too short: {len(data)} bytes, the header alone is {HEADER.size}")
    version, flags, n, seq, t_ms, width, height = HEADER.unpack_from(data)
    if version != VERSION:
        raise FrameError(f"unsupported frame version {version}; this server speaks version {VERSION}")
    if not math.isfinite(t_ms) or t_ms < 0:
        raise FrameError(f"frame time must be a finite, non-negative number of ms, got {t_ms}")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise FrameError(f"image size {width}x{height} is not a plausible camera size")
    if not flags & FACE:
        if len(data) != HEADER.size:
            raise FrameError("a frame without a face must carry no landmark data")
    else:
        if n != n_expected:
            raise FrameError(f"expected {n_expected} landmarks (as announced in 'ready'), got {n}")
        size = frame_size(flags, n)
        if len(data) != size:
            raise FrameError(f"binary frame has {len(data)} bytes; its header promises {size}")
    return Header(seq, t_ms, (width, height), flags, n, data)


def check_landmarks(landmarks: np.ndarray) -> None:
    """FrameError unless every landmark is a finite, normalised coordinate."""
    if not float(np.abs(landmarks).max()) <= MAX_COORD:  # one pass; NaN fails the comparison too
        raise FrameError(landmark_problem(landmarks))


def landmark_problem(landmarks: np.ndarray) -> str:
    """What is wrong with landmarks that failed the check (for the error message)."""
    if not np.isfinite(landmarks).all():
        return "landmarks contain NaN or infinity"
    return "landmarks must be normalised to the image (x, y roughly 0..1)"


def frame_of(header: Header) -> Frame:
    """The arrays of a checked header's frame (numbers checked too)."""
    if not header.face:
        return Frame(header.seq, header.t_ms, header.image_size, None, None, None)
    data, n, flags = header.data, header.n, header.flags
    offset = HEADER.size
    landmarks = np.frombuffer(data, "<f4", 3 * n, offset).reshape(n, 3)
    offset += 12 * n
    blendshapes = transform = None
    if flags & BLENDSHAPES:
        blendshapes = np.frombuffer(data, "<f4", N_BLENDSHAPES, offset)
        offset += 4 * N_BLENDSHAPES
    if flags & TRANSFORM:
        transform = np.frombuffer(data, "<f4", 16, offset).reshape(4, 4)
    check_landmarks(landmarks)
    return Frame(header.seq, header.t_ms, header.image_size, landmarks, blendshapes, transform)


def decode_frame(data: bytes, n_expected: int) -> Frame:
    """Parse and validate one frame; ``n_expected`` is the landmark count announced in "ready"."""
    return frame_of(read_header(data, n_expected))


def encode_state(*, seq: int, phase: str, set_index: int, sets: int, reps: int, target: int | None,
                 hold_s: float, rest_left_s: float, active: bool, calibrating: bool) -> bytes:
    """The 18-byte state reply (layout in the module docstring)."""
    return STATE.pack(STATE_KIND, PHASE_CODES[phase], (ACTIVE if active else 0) | (CALIBRATING if calibrating
                      else 0), min(set_index, 255), min(sets, 255), 0, min(reps, 0xFFFE),
                      NO_TARGET if target is None else min(target, 0xFFFE), min(round(hold_s * 100), 0xFFFF),
                      min(round(rest_left_s * 10), 0xFFFF), seq & 0xFFFFFFFF)


def decode_state(data: bytes) -> dict[str, object]:
    """A state reply as the page's ``tick`` object (what ``static/js/live.js`` makes of it)."""
    kind, phase, flags, set_index, sets, _, reps, target, hold, rest, seq = STATE.unpack(data)
    if kind != STATE_KIND:
        raise ProtocolError(f"not a state message (kind {kind})")
    tick: dict[str, object] = {
        "type": "tick", "seq": seq, "phase": PHASES[phase], "set": set_index, "sets": sets, "reps": reps,
        "target": None if target == NO_TARGET else target, "hold": hold / 100, "active": bool(flags & ACTIVE),
        "calibrating": bool(flags & CALIBRATING)}
    if PHASES[phase] == "rest":
        tick["rest_left"] = rest / 10
    return tick


def landmark_indices() -> list[int]:
    """The landmark indices the signal stage reads (all 478 if it does not say)."""
    from facefit.signals import compute

    used = getattr(compute, "USED_LANDMARKS", None)
    return sorted(int(i) for i in used) if used else list(range(N_LANDMARKS))
