"""The compact binary frame the browser sends ~30 times a second, and its strict decoder.

Layout (little-endian)::

    u8  version (=1)        u8  flags (bit0 face, bit1 blendshapes, bit2 transform)
    u16 n landmarks         u32 seq (frame counter, echoed in the reply for latency)
    f64 t_ms (caller clock) u16 image width  u16 image height
    f32[n*3] landmarks (normalised x, y, z) in the order the server asked for in "ready"
    f32[52]  blendshapes    (if bit1)
    f32[16]  transform, row-major (if bit2)

The server names the landmark indices it needs in its "ready" message (the ~25 the signals use),
so a frame is ~600 bytes instead of 478 * 12. Every malformed frame raises :class:`FrameError` with
one sentence; the connection stays open.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from facefit.vision.observation import N_BLENDSHAPES, N_LANDMARKS

VERSION = 1
HEADER = struct.Struct("<BBHIdHH")
FACE, BLENDSHAPES, TRANSFORM = 1, 2, 4
MAX_SIDE = 16384


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


def decode_frame(data: bytes, n_expected: int) -> Frame:
    """Parse and validate one frame; ``n_expected`` is the landmark count announced in "ready"."""
    if len(data) < HEADER.size:
        raise FrameError(f"binary frame too short: {len(data)} bytes, the header alone is {HEADER.size}")
    version, flags, n, seq, t_ms, width, height = HEADER.unpack_from(data)
    if version != VERSION:
        raise FrameError(f"unsupported frame version {version}; this server speaks version {VERSION}")
    if not math.isfinite(t_ms) or t_ms < 0:
        raise FrameError(f"frame time must be a finite, non-negative number of ms, got {t_ms}")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise FrameError(f"image size {width}x{height} is not a plausible camera size")
    face = bool(flags & FACE)
    if not face:
        if len(data) != HEADER.size:
            raise FrameError("a frame without a face must carry no landmark data")
        return Frame(seq, t_ms, (width, height), None, None, None)
    if n != n_expected:
        raise FrameError(f"expected {n_expected} landmarks (as announced in 'ready'), got {n}")
    size = HEADER.size + 12 * n + (4 * N_BLENDSHAPES if flags & BLENDSHAPES else 0) + (
        64 if flags & TRANSFORM else 0)
    if len(data) != size:
        raise FrameError(f"binary frame has {len(data)} bytes; its header promises {size}")
    offset = HEADER.size
    landmarks = np.frombuffer(data, "<f4", 3 * n, offset).reshape(n, 3)
    offset += 12 * n
    blendshapes = transform = None
    if flags & BLENDSHAPES:
        blendshapes = np.frombuffer(data, "<f4", N_BLENDSHAPES, offset)
        offset += 4 * N_BLENDSHAPES
    if flags & TRANSFORM:
        transform = np.frombuffer(data, "<f4", 16, offset).reshape(4, 4)
    if not float(np.abs(landmarks).max()) <= 4.0:  # one pass; NaN fails the comparison too
        if not np.isfinite(landmarks).all():
            raise FrameError("landmarks contain NaN or infinity")
        raise FrameError("landmarks must be normalised to the image (x, y roughly 0..1)")
    return Frame(seq, t_ms, (width, height), landmarks, blendshapes, transform)


def landmark_indices() -> list[int]:
    """The landmark indices the signal stage reads (all 478 if it does not say)."""
    from facefit.signals import compute

    used = getattr(compute, "USED_LANDMARKS", None)
    return sorted(int(i) for i in used) if used else list(range(N_LANDMARKS))
