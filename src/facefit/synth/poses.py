"""Face poses as landmark displacements: the geometry of every exercise, distractor and fault.

A :class:`PoseState` is a handful of named strengths (smile per side, "O", "ee", jaw opening, brows per
side, jaw glide, blink) plus head angles. :class:`FaceRig` turns one into destination positions of the
478 landmarks: each strength scales a fixed 3D displacement basis (built once per photo in face axes,
in units of the inter-pupil distance ``s``), then the head is rotated about a neck pivot and projected
with a 63 deg field-of-view camera. Rotating in 3D matters: a flat image transform does not change the
model's estimated pitch (docs/design.md, "Perception facts the code relies on").

Sides are the *person's*: "right" is the side of pupil 468 and mouth corner 61.
Angles follow ``facefit.vision.pose.head_pose`` as measured on the rendered frames: pitch > 0 tilts the
head back (chin up), yaw > 0 turns the face toward the person's left (the nose moves to image right),
roll > 0 turns the head counter-clockwise on screen.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, replace

import numpy as np

from facefit.synth.face import PreparedFace
from facefit.vision import mesh
from facefit.vision.mesh import (
    BROW_L,
    BROW_R,
    LOWER_LID_L,
    LOWER_LID_R,
    LOWER_LIP,
    N_MESH,
    UPPER_INNER_LIP,
    UPPER_LID_L,
    UPPER_LID_R,
    UPPER_OUTER_LIP,
)

PITCH_DEG: dict[str, float] = {"jawline-toner": 20.0, "jawline-definition": 10.0, "neck-tightener": -8.0}
"""Head pitch at full strength (amplitude 1) for the exercises that move the head."""
BROW_LEVEL: dict[str, float] = {"brow-smoothener": 0.3, "forehead-relaxer": -0.25}
"""Brow movement at full strength: isometric exercises barely move (1.0 = a full raise)."""
FOV_DEG = 63.0
_LIP_CORNERS = (mesh.MOUTH_CORNER_R, mesh.MOUTH_CORNER_L, mesh.INNER_LIP_CORNER_R, mesh.INNER_LIP_CORNER_L)


@dataclass(frozen=True)
class PoseState:
    """Strengths (0..1, brows -1..1) and head angles in degrees of one rendered frame."""

    smile_r: float = 0.0
    smile_l: float = 0.0
    o_mouth: float = 0.0
    ee_r: float = 0.0
    ee_l: float = 0.0
    jaw_open: float = 0.0
    lip_raise: float = 0.0
    teeth: float = 0.0
    brow_r: float = 0.0
    brow_l: float = 0.0
    jaw_forward: float = 0.0
    blink: float = 0.0
    frown: float = 0.0  # corrugator: brows drawn down and together (0..1); not used by any exercise
    pitch_deg: float = 0.0
    yaw_deg: float = 0.0
    roll_deg: float = 0.0

    def key(self) -> tuple[int, ...]:
        """Hashable identity for the warp cache (values are already quantised by the timeline)."""
        return tuple(round(v * 1024) for v in astuple(self))

    @property
    def neutral(self) -> bool:
        return not any(astuple(self))

    def expression(self) -> PoseState:
        """The same face with the head unrotated (the warp caches expression and rotation apart)."""
        return replace(self, pitch_deg=0.0, yaw_deg=0.0, roll_deg=0.0)

    @property
    def rotated(self) -> bool:
        return bool(self.pitch_deg or self.yaw_deg or self.roll_deg)

    def angles_key(self) -> tuple[int, int, int]:
        return (round(self.pitch_deg * 64), round(self.yaw_deg * 64), round(self.roll_deg * 64))


def pose_for(exercise: str, channels: dict[str, float]) -> PoseState:
    """The pose of one frame from the timeline's channel values (see ``timeline.QUANTUM``)."""
    a_r, a_l = channels.get("act_r", 0.0), channels.get("act_l", 0.0)
    a = 0.5 * (a_r + a_l)
    teeth, talk = channels.get("teeth", 0.0), channels.get("talk", 0.0)
    values: dict[str, float] = {
        "smile_r": channels.get("twitch_r", 0.0),
        "smile_l": channels.get("twitch_l", 0.0),
        "jaw_open": 0.25 * teeth + 0.45 * talk,
        "o_mouth": 0.15 * talk,
        "lip_raise": teeth,
        "teeth": teeth,
        "blink": channels.get("blink", 0.0),
        "yaw_deg": channels.get("yaw_deg", 0.0),
        "roll_deg": channels.get("roll_deg", 0.0),
        "pitch_deg": PITCH_DEG.get(exercise, 0.0) * a + channels.get("pitch_deg", 0.0),
    }
    if exercise == "cheek-lifter":
        values["smile_r"] += a_r
        values["smile_l"] += a_l
    elif exercise == "jawline-toner":
        values["o_mouth"] += a
        values["jaw_open"] += 0.35 * a
    elif exercise == "jawline-definition":
        values["ee_r"], values["ee_l"] = a_r, a_l
        values["jaw_open"] += 0.2 * a
    elif exercise == "neck-tightener":
        values["jaw_forward"] = a
    elif exercise in BROW_LEVEL:
        values["brow_r"] = BROW_LEVEL[exercise] * a_r
        values["brow_l"] = BROW_LEVEL[exercise] * a_l
    return PoseState(**values)


def _gauss(d2: np.ndarray, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * d2 / sigma**2)


class FaceRig:
    """Displacement bases for one prepared face; :meth:`destination` poses it.

    Every basis is a (478, 3) displacement in pixels at strength 1. Positions are first expressed in
    face axes (u along the pupil line toward the person's left, v down, both in IPD units, origin at
    the lip centre) so the poses work on tilted photos too.
    """

    def __init__(self, face: PreparedFace) -> None:
        self.face = face
        self.rest = face.points.copy()
        p = self.rest
        self.s = s = face.ipd
        ex = (p[mesh.PUPIL_L, :2] - p[mesh.PUPIL_R, :2]) / s
        ey = np.array([-ex[1], ex[0]])
        if ey[1] < 0:
            ey = -ey
        self.ex, self.ey = ex, ey
        self.origin = 0.5 * (p[mesh.LIP_INNER_UPPER, :2] + p[mesh.LIP_INNER_LOWER, :2])
        rel = p[:, :2] - self.origin
        u = rel @ ex / s
        v = rel @ ey / s
        self.u, self.v = u, v
        midline = float((p[mesh.NOSE_BRIDGE, :2] - self.origin) @ ex / s)
        self.side_r = 1.0 / (1.0 + np.exp((u - midline) / 0.04))  # 1 on the person's right half
        self.side_l = 1.0 - self.side_r
        self.bases = self._build_bases()
        self._pivot, self._z0 = self._head_pivot()
        width, height = face.size
        self._focal = 0.5 * width / math.tan(math.radians(FOV_DEG) / 2)
        self._centre = np.array([width / 2, height / 2])
        self._rest_projection = self._project(self.rest)

    # ------------------------------------------------------------------ bases
    def _vec(self, du: np.ndarray, dv: np.ndarray, dz: np.ndarray | float = 0.0) -> np.ndarray:
        """Face-axis displacement (IPD units) -> pixel displacement (478, 3)."""
        out = np.zeros((len(self.u), 3))
        out[:, :2] = (np.outer(du, self.ex) + np.outer(dv, self.ey)) * self.s
        out[:, 2] = np.broadcast_to(dz, self.u.shape) * self.s
        return out

    def _build_bases(self) -> dict[str, np.ndarray]:
        u, v = self.u, self.v
        n = len(u)
        zero = np.zeros(n)
        bases: dict[str, np.ndarray] = {}

        corners = {"r": mesh.MOUTH_CORNER_R, "l": mesh.MOUTH_CORNER_L}
        jaw = np.zeros(n)
        below = np.clip((v - 0.03) / 0.22, 0.0, 1.0)
        jaw = below**0.7 * _gauss(u**2, 0.9)
        jaw[list(LOWER_LIP)] = 1.0
        jaw[list(_LIP_CORNERS)] = 0.5
        jaw[N_MESH:] = 0.0
        half_width = 0.5 * abs(u[mesh.MOUTH_CORNER_L] - u[mesh.MOUTH_CORNER_R])
        profile = np.clip(np.cos(0.5 * np.pi * u / max(half_width, 1e-6)), 0.0, 1.0)
        mouth = _gauss(u**2 / 1.0, 0.45) * _gauss(v**2, 0.2)
        upper_lip = np.zeros(n)
        upper_lip[[i for i in range(N_MESH) if v[i] < 0.02]] = 1.0
        upper_lip *= mouth
        upper_lip[list(UPPER_INNER_LIP) + list(UPPER_OUTER_LIP)] = profile[
            list(UPPER_INNER_LIP) + list(UPPER_OUTER_LIP)
        ]
        upper_lip[list(_LIP_CORNERS)] = 0.0
        lower_lip = np.zeros(n)
        lower_lip[list(LOWER_LIP)] = profile[list(LOWER_LIP)]

        for side, corner in corners.items():
            outward = -1.0 if side == "r" else 1.0
            d2 = (u - u[corner]) ** 2 + (v - v[corner]) ** 2
            near = _gauss(d2, 0.22)
            cheek_d2 = (u - (u[corner] + outward * 0.1)) ** 2 + (v - (v[corner] - 0.5)) ** 2
            cheek = _gauss(cheek_d2, 0.25)
            # Closed-lip smile: corner up 0.10 s and out 0.07 s, cheek lifts 0.04 s.
            bases[f"smile_{side}"] = self._vec(outward * 0.07 * near, -0.10 * near - 0.04 * cheek)
            # "ee": corners stretch out 0.10 s, barely up.
            bases[f"ee_{side}"] = self._vec(outward * 0.10 * _gauss(d2, 0.25), -0.012 * near)
            # Brows: up 0.12 s at full raise, forehead follows half, upper lid a little.
            brow = list(BROW_R if side == "r" else BROW_L)
            bu, bv = float(u[brow].mean()), float(v[brow].mean())
            vb = v - bv
            vertical = np.where(
                vb < -0.1,
                1.0 - 0.5 * np.clip((-vb - 0.1) / 0.6, 0.0, 1.0),
                np.clip(1.0 - (vb - 0.1) / 0.25, 0.0, 1.0),
            )
            brow_w = vertical * _gauss((u - bu) ** 2, 0.45) * (v < bv + 0.4)
            brow_w[N_MESH:] = 0.0
            bases[f"brow_{side}"] = self._vec(zero, -0.12 * brow_w)

        # "O": corners in 0.13 s, upper lip up 0.05 s, lower lip down 0.06 s, lips forward 0.06 s.
        inward = np.zeros(n)
        for corner, sign in ((mesh.MOUTH_CORNER_R, 1.0), (mesh.MOUTH_CORNER_L, -1.0)):
            inward += sign * 0.13 * _gauss((u - u[corner]) ** 2 + (v - v[corner]) ** 2, 0.2)
        bases["o_mouth"] = self._vec(inward, -0.05 * upper_lip + 0.06 * lower_lip, -0.06 * mouth)
        bases["jaw_open"] = self._vec(zero, 0.18 * jaw)
        bases["lip_raise"] = self._vec(zero, -0.04 * upper_lip)
        # Jaw glide with the lips kept together: the lower face comes forward 0.15 s (both lips with it,
        # so they do not part) and the chin, below the lips, drops 0.03 s. Nearly invisible head-on.
        chin = np.clip((v - 0.2) / 0.3, 0.0, 1.0) * _gauss(u**2, 0.9)
        chin[N_MESH:] = 0.0
        lips_and_jaw = np.maximum(jaw, mouth)
        bases["jaw_forward"] = self._vec(zero, 0.03 * chin, -0.15 * lips_and_jaw)
        bases["blink"] = self._blink_basis()
        bases["frown"] = self._frown_basis()
        return bases

    def _frown_basis(self) -> np.ndarray:
        """A frown (corrugator): the inner brows down 0.06 s and toward the midline 0.05 s, the outer
        brows down 0.02 s; skin within ~0.2 s follows, fading (the lids are left in place)."""
        u, v = self.u, self.v
        du, dv = np.zeros(len(u)), np.zeros(len(u))
        for brow, inward in ((BROW_R, 1.0), (BROW_L, -1.0)):
            points = list(brow)
            middle = float(u[mesh.NOSE_BRIDGE])
            inner = points[int(np.argmin(np.abs(u[points] - middle)))]
            outer = points[int(np.argmax(np.abs(u[points] - middle)))]
            for anchor, down, side in ((inner, 0.06, 0.05), (outer, 0.02, 0.0)):
                near = _gauss((u - u[anchor]) ** 2 + (v - v[anchor]) ** 2, 0.12)
                near[N_MESH:] = 0.0
                du += inward * side * near
                dv += down * near
        lids = list(UPPER_LID_R + LOWER_LID_R + UPPER_LID_L + LOWER_LID_L)
        du[lids] = 0.0
        dv[lids] = 0.0
        return self._vec(du, dv)

    def _blink_basis(self) -> np.ndarray:
        """Upper lid down to the lower lid; the skin up to 0.25 s above the lid follows, fading.

        The brows stay put (the spline stretches the skin between them and the lid).
        """
        u, v = self.u, self.v
        dv = np.zeros(len(u))
        for upper, lower in ((UPPER_LID_R, LOWER_LID_R), (UPPER_LID_L, LOWER_LID_L)):
            up_order = np.argsort(u[list(upper)])
            lo_order = np.argsort(u[list(lower)])
            up_u, up_v = u[list(upper)][up_order], v[list(upper)][up_order]
            lo_u, lo_v = u[list(lower)][lo_order], v[list(lower)][lo_order]
            inside = (u > up_u[0]) & (u < up_u[-1])
            inside[N_MESH:] = False
            lid_v = np.interp(u, up_u, up_v)
            gap = np.clip(np.interp(u, lo_u, lo_v) - lid_v, 0.0, None)
            above = lid_v - v
            weight = np.where(above >= -0.01, np.clip(1.0 - above / 0.25, 0.0, 1.0), 0.0)
            dv += np.where(inside, 0.95 * gap * weight, 0.0)
            dv[list(lower)] -= 0.05 * gap[list(lower)]
        dv[list(BROW_R + BROW_L)] = 0.0  # a blink does not move the brows
        return self._vec(np.zeros_like(dv), dv)

    # ------------------------------------------------------------- head pose
    def _head_pivot(self) -> tuple[np.ndarray, float]:
        """A neck pivot below the chin and behind the face (pixels, x/y/z)."""
        p = self.rest
        face_h = float(np.linalg.norm(p[mesh.CHIN, :2] - p[mesh.FOREHEAD_TOP, :2]))
        face_w = float(np.linalg.norm(p[mesh.CHEEK_L, :2] - p[mesh.CHEEK_R, :2]))
        z_mean = float(p[:N_MESH, 2].mean())
        pivot = np.array([*(p[mesh.CHIN, :2] + self.ey * 0.15 * face_h), z_mean + 0.55 * face_w])
        return pivot, z_mean

    def _rotation(self, state: PoseState) -> np.ndarray:
        """Rotation in image axes (x right, y down, z away from the camera), about face axes."""
        pitch, yaw, roll = (math.radians(a) for a in (state.pitch_deg, state.yaw_deg, state.roll_deg))
        cp, sp = math.cos(pitch), math.sin(pitch)
        rx = np.array([[1, 0, 0], [0, cp, sp], [0, -sp, cp]])
        cy, sy = math.cos(yaw), math.sin(yaw)
        ry = np.array([[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]])
        cr, sr = math.cos(roll), math.sin(roll)
        rz = np.array([[cr, sr, 0], [-sr, cr, 0], [0, 0, 1]])  # counter-clockwise on screen
        # Build in face axes (x along the pupil line) so a tilted photo pitches about its own axis.
        axes = np.eye(3)
        axes[:2, 0], axes[:2, 1] = self.ex, self.ey
        return axes @ rz @ ry @ rx @ axes.T

    def _project(self, points: np.ndarray) -> np.ndarray:
        scale = self._focal / (self._focal + points[:, 2] - self._z0)
        return self._centre + (points[:, :2] - self._centre) * scale[:, None]

    # --------------------------------------------------------------- posing
    def posed_3d(self, state: PoseState) -> np.ndarray:
        """(478, 3) landmark positions in pixels after expression and head rotation."""
        points = self.rest.copy()
        for name in ("smile_r", "smile_l", "ee_r", "ee_l", "brow_r", "brow_l"):
            value = getattr(state, name)
            if value:
                points += value * self.bases[name]
        o_mouth = min(state.o_mouth, 1.5)
        if o_mouth:
            points += o_mouth * self.bases["o_mouth"]
        for name in ("jaw_open", "lip_raise", "jaw_forward", "blink", "frown"):
            value = getattr(state, name)
            if value:
                points += value * self.bases[name]
        if state.pitch_deg or state.yaw_deg or state.roll_deg:
            rotation = self._rotation(state)
            points = (points - self._pivot) @ rotation.T + self._pivot
        return points

    def rotation_offsets(self, state: PoseState) -> np.ndarray:
        """(478, 2) image motion of the *rest* landmarks under the state's head rotation alone."""
        if not state.rotated:
            return np.zeros((len(self.rest), 2))
        rotated = (self.rest - self._pivot) @ self._rotation(state).T + self._pivot
        return self._project(rotated) - self._rest_projection

    def destination(self, state: PoseState) -> np.ndarray:
        """(478, 2) pixel positions where each rest landmark appears in the posed frame."""
        if state.neutral:
            return self.rest[:, :2].copy()
        return self.rest[:, :2] + self._project(self.posed_3d(state)) - self._rest_projection

