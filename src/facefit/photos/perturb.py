"""Realistic re-takes of one photo, and landmark-driven face warps.

Repeatability needs repeat photos; most users have one. A repeat photo differs from the first by a
little head pose, light, distance, camera compression and noise, all *within the gate*, so we make
those changes to the baseline photo and see how much each metric moves. Head pose is changed in 3D:
the landmarks are rotated and the image is warped with a thin-plate spline (a flat homography would
not move the model's pose estimate at all: docs/design.md, "Perception facts the code relies
on").

The same warp moves chosen landmarks for test ground truth (a smile, a narrower jaw).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facefit.photos import landmarks as lm

GRID_STEP = 8  # the spline is evaluated on a coarse grid and interpolated (speed)
MAX_CONTROL_POINTS = 160  # landmarks kept as spline control points (478 are nearly redundant)


def _anchors(width: int, height: int, points: np.ndarray, n: int = 12) -> np.ndarray:
    """Fixed points: the image border and a ring well outside the face, so only the face moves."""
    xs = np.linspace(0, width - 1, n)
    ys = np.linspace(0, height - 1, n)
    border = np.concatenate(
        [
            np.stack([xs, np.zeros(n)], 1),
            np.stack([xs, np.full(n, height - 1)], 1),
            np.stack([np.zeros(n), ys], 1),
            np.stack([np.full(n, width - 1), ys], 1),
        ]
    )
    centre = points.mean(axis=0)
    radius = np.abs(points - centre).max(axis=0) * 1.6
    angles = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    ring = centre + np.stack([np.cos(angles) * radius[0], np.sin(angles) * radius[1]], 1)
    inside = (ring[:, 0] > 0) & (ring[:, 0] < width - 1) & (ring[:, 1] > 0) & (ring[:, 1] < height - 1)
    return np.concatenate([border, ring[inside]])


def warp_to(rgb: np.ndarray, src_px: np.ndarray, dst_px: np.ndarray) -> np.ndarray:
    """Warp ``rgb`` so that image content at ``src_px`` (N, 2) moves to ``dst_px`` (N, 2).

    Thin-plate spline from destination to source (a backward map), evaluated every 8 px and
    bilinearly upsampled, then ``cv2.remap``.
    """
    import cv2
    from scipy.interpolate import RBFInterpolator

    height, width = rgb.shape[:2]
    fixed = _anchors(width, height, src_px)
    if len(src_px) > MAX_CONTROL_POINTS:  # the spline solve is cubic in the point count: thin evenly
        keep = np.linspace(0, len(src_px) - 1, MAX_CONTROL_POINTS).round().astype(int)
        moved = np.flatnonzero(np.linalg.norm(dst_px - src_px, axis=1) > 0.5)
        if len(moved) < len(src_px) // 2:  # local warps: every moved point, plus the thinned rest
            keep = np.union1d(keep, moved)
        src_px, dst_px = src_px[keep], dst_px[keep]
    dst = np.concatenate([dst_px, fixed])
    src = np.concatenate([src_px, fixed])
    dst, keep = np.unique(np.round(dst, 2), axis=0, return_index=True)
    src = src[keep]
    spline = RBFInterpolator(dst, src - dst, kernel="thin_plate_spline", smoothing=1e-3)
    gx = np.arange(0, width + GRID_STEP, GRID_STEP, dtype=np.float64)
    gy = np.arange(0, height + GRID_STEP, GRID_STEP, dtype=np.float64)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    offsets = spline(grid).reshape(len(gy), len(gx), 2).astype(np.float32)
    full = cv2.resize(offsets, (len(gx) * GRID_STEP, len(gy) * GRID_STEP), interpolation=cv2.INTER_LINEAR)
    full = full[:height, :width]
    map_x = np.arange(width, dtype=np.float32)[None, :] + full[..., 0]
    map_y = np.arange(height, dtype=np.float32)[:, None] + full[..., 1]
    return cv2.remap(rgb, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def landmark_pixels(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """(478, 3) normalised landmarks to (478, 3) pixels (z scaled like x)."""
    width, height = image_size
    return landmarks.astype(np.float64) * np.array([width, height, width], dtype=np.float64)


def rotate_head(
    rgb: np.ndarray, landmarks: np.ndarray, *, yaw: float = 0.0, pitch: float = 0.0
) -> np.ndarray:
    """The photo with the head turned by ``yaw`` / ``pitch`` degrees (3D landmark rotation + warp)."""
    height, width = rgb.shape[:2]
    pts = landmark_pixels(landmarks, (width, height))
    return warp_to(rgb, pts[:, :2], rotated_points(pts, yaw=yaw, pitch=pitch)[:, :2])


def rotated_points(pts: np.ndarray, *, yaw: float = 0.0, pitch: float = 0.0) -> np.ndarray:
    """(N, 3) pixel points (z scaled like x) turned by ``yaw`` / ``pitch`` degrees about their centre."""
    centre = pts.mean(axis=0)
    a, b = np.radians(yaw), np.radians(pitch)
    rot_y = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rot_x = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    return (pts - centre) @ (rot_x @ rot_y).T + centre


def displace_near(
    landmarks: np.ndarray,
    image_size: tuple[int, int],
    moves: dict[int, tuple[float, float]],
    sigma_ipd: float,
) -> np.ndarray:
    """Target pixel positions when landmark ``i`` moves by ``moves[i]`` (IPD units, pupil-line axes),
    with neighbours following under a Gaussian fall-off of ``sigma_ipd``."""
    frame = lm.pupil_frame(landmarks, image_size)
    pts = landmark_pixels(landmarks, image_size)[:, :2]
    ex = (pts[lm.PUPIL_L] - pts[lm.PUPIL_R]) / frame.ipd_px
    ey = np.array([-ex[1], ex[0]])
    shift = np.zeros_like(pts)
    for index, (du, dv) in moves.items():
        weight = np.exp(-np.sum((frame.u - frame.u[index]) ** 2, axis=1) / (2 * sigma_ipd**2))
        shift += weight[:, None] * ((du * ex + dv * ey) * frame.ipd_px)[None, :]
    return pts + shift


def smile(rgb: np.ndarray, landmarks: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """A closed-lip smile: mouth corners up and out by up to 0.09 / 0.06 IPD."""
    size = (rgb.shape[1], rgb.shape[0])
    moves = {
        lm.MOUTH_CORNER_R: (-0.06 * strength, -0.09 * strength),
        lm.MOUTH_CORNER_L: (0.06 * strength, -0.09 * strength),
    }
    src = landmark_pixels(landmarks, size)[:, :2]
    return warp_to(rgb, src, displace_near(landmarks, size, moves, sigma_ipd=0.12))


def narrow_jaw(rgb: np.ndarray, landmarks: np.ndarray, amount_ipd: float = 0.08) -> np.ndarray:
    """The lower face with both gonion regions moved toward the midline by ``amount_ipd`` each."""
    size = (rgb.shape[1], rgb.shape[0])
    moves = {lm.GONION_R: (amount_ipd, 0.0), lm.GONION_L: (-amount_ipd, 0.0)}
    src = landmark_pixels(landmarks, size)[:, :2]
    return warp_to(rgb, src, displace_near(landmarks, size, moves, sigma_ipd=0.25))


def droop(rgb: np.ndarray, landmarks: np.ndarray, amount_ipd: float = 0.08, side: str = "left") -> np.ndarray:
    """One mouth corner pulled down by ``amount_ipd`` (the person's ``side``): a new asymmetry."""
    size = (rgb.shape[1], rgb.shape[0])
    corner = lm.MOUTH_CORNER_L if side == "left" else lm.MOUTH_CORNER_R
    src = landmark_pixels(landmarks, size)[:, :2]
    return warp_to(rgb, src, displace_near(landmarks, size, {corner: (0.0, amount_ipd)}, sigma_ipd=0.12))


@dataclass(frozen=True)
class Perturbation:
    """One simulated re-take: pose (deg), scale, light gain and gradient, JPEG quality, sensor noise."""

    yaw: float
    pitch: float
    roll: float
    scale: float
    shift: tuple[float, float]
    gain: float
    gradient: float
    jpeg_quality: int
    noise: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Perturbation:
        """Random changes between two photos, as large as the gate lets through: head turn and nod up
        to its +/-5 deg, distance up to its +/-5% (a table measured on smaller changes would call a
        re-take at the gate's limit a change; the line indices, read off a 3D fold, show it first)."""
        from facefit.photos.gate import DISTANCE_TOLERANCE, PITCH_LIMIT_DEG, YAW_LIMIT_DEG

        return cls(
            yaw=float(rng.uniform(-YAW_LIMIT_DEG, YAW_LIMIT_DEG)),
            pitch=float(rng.uniform(-PITCH_LIMIT_DEG, PITCH_LIMIT_DEG)),
            roll=float(rng.uniform(-4, 4)),
            scale=float(rng.uniform(1 - DISTANCE_TOLERANCE, 1 + DISTANCE_TOLERANCE)),
            shift=(float(rng.uniform(-0.03, 0.03)), float(rng.uniform(-0.03, 0.03))),
            gain=float(rng.uniform(0.85, 1.15)),
            gradient=float(rng.uniform(-0.08, 0.08)),
            jpeg_quality=int(rng.integers(70, 96)),
            noise=float(rng.uniform(0.0, 3.0)),
        )

    def apply(self, rgb: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The perturbed photo (same size as ``rgb``)."""
        return self.finish(rotate_head(rgb, landmarks, yaw=self.yaw, pitch=self.pitch), landmarks, rng)

    def finish(self, out: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Everything after the head turn (roll, scale, shift, light, noise, JPEG), for a caller that
        turned the head in its own warp (the study simulation warps shape and pose in one go)."""
        import cv2

        height, width = out.shape[:2]
        centre = landmark_pixels(landmarks, (width, height))[:, :2].mean(axis=0)
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), self.roll, self.scale)
        matrix[:, 2] += (self.shift[0] * width, self.shift[1] * height)
        out = cv2.warpAffine(
            out, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
        )
        ramp = 1.0 + self.gradient * np.linspace(-1.0, 1.0, width)[None, :, None]
        light = out.astype(np.float32) * self.gain * ramp + rng.normal(0.0, self.noise, out.shape)
        out = np.clip(light, 0, 255).astype(np.uint8)
        ok, encoded = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            return out
        return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1])
