"""Landmarks -> the named signal vector (``SIGNAL_NAMES`` order), vectorised over frames.

Method (docs/design.md, "Perception facts the code relies on" and "Pose normalisation"): landmarks go
to pixels (x*w, y*h, z*w, so the three axes share a scale), then into the **face's own frame**: rotated
by the inverse of the head rotation in the facial transformation matrix (:func:`face_frame`), so a face
turned or tilted away from the camera is measured as if it faced it. Then into *pupil-line axes*: origin
at the pupils' midpoint, x along right pupil (468) -> left pupil (473), y perpendicular pointing down the
face, everything divided by the inter-pupil distance. That makes every geometry signal independent of
distance, image size and head roll, and of yaw and pitch to first order.

The brows are the exception: ``brow_*`` stay in the image's pupil-line axes. The rotation's own
frame-to-frame jitter (a degree of pitch moves a brow ~0.003 IPD against the eye corners, which sit
deeper) is half a brow press's 0.006 IPD threshold: on the issue-15 tuning renders, the face frame
lifted the smile's hold-vs-rest contrast (d') by 10-270% and cut a brow press's by 20-50% (an extra
false brow rep at 15 deg of yaw), while the image plane loses nothing on the brows at those poses.
Without a transform every signal is measured in the image plane.

Only the ~45 landmarks the signals use are gathered, so a frame costs microseconds next to the
landmarker's ~12 ms.

The batch function is the implementation; the per-frame functions are thin wrappers kept because the
web app receives one frame of landmarks at a time from the browser.
"""

from __future__ import annotations

import numpy as np

from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES
from facefit.vision import mesh
from facefit.vision.observation import BLENDSHAPE_NAMES, N_BLENDSHAPES, N_LANDMARKS, FaceObservation
from facefit.vision.pose import image_rotation, pose_angles

K = len(SIGNAL_NAMES)

_USED = sorted(
    {mesh.PUPIL_R, mesh.PUPIL_L, *mesh.CANTHI_R, *mesh.CANTHI_L, *mesh.BROW_R, *mesh.BROW_L,
     mesh.LID_LOWER_R, mesh.LID_UPPER_R, mesh.LID_LOWER_L, mesh.LID_UPPER_L, mesh.MOUTH_CORNER_R,
     mesh.MOUTH_CORNER_L, mesh.LIP_INNER_UPPER, mesh.LIP_INNER_LOWER, mesh.LIP_OUTER_UPPER,
     mesh.LIP_OUTER_LOWER, mesh.CHIN, mesh.NOSE_BASE, mesh.NOSE_BRIDGE}
)
USED_LANDMARKS: tuple[int, ...] = tuple(_USED)
"""The only landmark indices the signals read (the web app sends just these from the browser)."""
_COL = {landmark: i for i, landmark in enumerate(_USED)}
_BS_START = SIGNAL_INDEX[f"bs_{BLENDSHAPE_NAMES[1]}"]
_PUPIL_R, _PUPIL_L = _COL[mesh.PUPIL_R], _COL[mesh.PUPIL_L]


def _cols(*landmarks: int) -> list[int]:
    return [_COL[i] for i in landmarks]


def pupil_axes(
    xy: np.ndarray, right: np.ndarray, left: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points ``xy`` (N, U, 2) in pixels -> their coordinates across and down the face, in IPD units from
    the pupils' midpoint, and the IPD (N,) in pixels. ``right``/``left`` are the (N, 2) pupils; "across"
    runs from the right pupil to the left one, "down" is that axis turned +90 deg in image axes, so roll
    and distance cancel. A zero IPD divides by 1 (the caller marks such rows as no face)."""
    delta = left - right
    ipd = np.hypot(delta[:, 0], delta[:, 1])
    ipd_safe = np.where(ipd > 0, ipd, 1.0)
    ex = delta / ipd_safe[:, None]
    ey = np.stack([-ex[:, 1], ex[:, 0]], axis=-1)
    rel = xy - ((right + left) / 2)[:, None, :]
    across = np.einsum("nuk,nk->nu", rel, ex) / ipd_safe[:, None]
    down = np.einsum("nuk,nk->nu", rel, ey) / ipd_safe[:, None]
    return across, down, ipd


def signals_batch(
    landmarks: np.ndarray,
    image_size: tuple[int, int] | np.ndarray,
    blendshapes: np.ndarray | None = None,
    transforms: np.ndarray | None = None,
) -> np.ndarray:
    """(N, 478, 3) normalised landmarks -> (N, K) float64 signals. Rows with NaN landmarks are "no face".

    ``image_size`` is (width, height), shared or per row as (N, 2). ``blendshapes`` (N, 52) and
    ``transforms`` (N, 4, 4) are optional: missing ones give NaN columns (pose, ``bs_*``).
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    if lm.ndim != 3 or lm.shape[1:] != (N_LANDMARKS, 3):
        raise ValueError(f"landmarks: expected (N, {N_LANDMARKS}, 3), got {lm.shape}")
    n = lm.shape[0]
    size = np.asarray(image_size, dtype=np.float64).reshape(-1, 2)
    if size.shape[0] not in (1, n) or not np.all(size > 0):
        raise ValueError(f"image_size: expected positive (width, height) or (N, 2), got {size.tolist()}")
    out = np.full((n, K), np.nan)

    scale = np.stack([size[:, 0], size[:, 1], size[:, 0]], axis=-1)[:, None, :]
    pts = lm[:, _USED, :] * scale  # (N, U, 3) pixels
    tf = None if transforms is None else np.asarray(transforms, dtype=np.float64).reshape(n, 4, 4)
    face = pts if tf is None else face_frame(pts, tf)
    ux, uy, ipd = pupil_axes(face[:, :, :2], face[:, _PUPIL_R, :2], face[:, _PUPIL_L, :2])
    present = np.isfinite(face).all(axis=(1, 2)) & (ipd > 0)
    # Brows in the image's pupil-line axes (module docstring: the rotation's jitter outweighs the pose).
    by = uy if tf is None else pupil_axes(pts[:, :, :2], pts[:, _PUPIL_R, :2], pts[:, _PUPIL_L, :2])[1]

    def y(i: int) -> np.ndarray:
        return uy[:, _COL[i]]

    def mean_y(points: tuple[int, ...]) -> np.ndarray:
        return uy[:, _cols(*points)].mean(axis=1)

    def brow_y(points: tuple[int, ...]) -> np.ndarray:
        return by[:, _cols(*points)].mean(axis=1)

    out[:, SIGNAL_INDEX["brow_height_r"]] = brow_y((mesh.PUPIL_R,)) - brow_y(mesh.BROW_UPPER_R)
    out[:, SIGNAL_INDEX["brow_height_l"]] = brow_y((mesh.PUPIL_L,)) - brow_y(mesh.BROW_UPPER_L)
    out[:, SIGNAL_INDEX["brow_lift_r"]] = brow_y(mesh.CANTHI_R) - brow_y(mesh.BROW_R)
    out[:, SIGNAL_INDEX["brow_lift_l"]] = brow_y(mesh.CANTHI_L) - brow_y(mesh.BROW_L)
    out[:, SIGNAL_INDEX["eye_aperture_r"]] = y(mesh.LID_LOWER_R) - y(mesh.LID_UPPER_R)
    out[:, SIGNAL_INDEX["eye_aperture_l"]] = y(mesh.LID_LOWER_L) - y(mesh.LID_UPPER_L)
    lip_mid = (y(mesh.LIP_INNER_UPPER) + y(mesh.LIP_INNER_LOWER)) / 2
    out[:, SIGNAL_INDEX["mouth_corner_lift_r"]] = lip_mid - y(mesh.MOUTH_CORNER_R)
    out[:, SIGNAL_INDEX["mouth_corner_lift_l"]] = lip_mid - y(mesh.MOUTH_CORNER_L)
    out[:, SIGNAL_INDEX["mouth_opening"]] = y(mesh.LIP_INNER_LOWER) - y(mesh.LIP_INNER_UPPER)
    corner_l, corner_r = _COL[mesh.MOUTH_CORNER_L], _COL[mesh.MOUTH_CORNER_R]
    width = np.hypot(ux[:, corner_l] - ux[:, corner_r], uy[:, corner_l] - uy[:, corner_r])
    out[:, SIGNAL_INDEX["mouth_width"]] = width
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, SIGNAL_INDEX["mouth_roundness"]] = (y(mesh.LIP_OUTER_LOWER) - y(mesh.LIP_OUTER_UPPER)) / width
    out[:, SIGNAL_INDEX["jaw_opening"]] = y(mesh.CHIN) - y(mesh.NOSE_BASE)
    out[:, SIGNAL_INDEX["jaw_forward"]] = _jaw_forward(face)
    out[:, SIGNAL_INDEX["scale"]] = ipd / size[:, 0]

    if tf is not None:
        start = SIGNAL_INDEX["head_pitch"]
        out[:, start : start + 3] = pose_angles(tf)
    if blendshapes is not None:
        bs = np.asarray(blendshapes, dtype=np.float64).reshape(n, N_BLENDSHAPES)
        out[:, _BS_START : _BS_START + N_BLENDSHAPES - 1] = bs[:, 1:]

    out[~present, :] = np.nan
    out[:, SIGNAL_INDEX["face_present"]] = present.astype(np.float64)
    return out


def face_frame(pts: np.ndarray, transforms: np.ndarray) -> np.ndarray:
    """(N, U, 3) landmark pixels -> the same points in the face's own frontal frame.

    Each row is rotated by the inverse of its head rotation (``facefit.vision.pose.image_rotation``), so
    a head turned or tilted away from the camera is measured as if it faced it: a corner moving out is
    not read as moving up, and a symmetric smile stays symmetric at 15 degrees of yaw. Rows whose
    transform is missing (NaN) keep their image-plane points. Signals are differences of points, so the
    rotation's centre does not matter.
    """
    rotation = image_rotation(transforms)
    ok = np.isfinite(rotation).all(axis=(1, 2))
    if not ok.all():
        rotation = np.where(ok[:, None, None], rotation, np.eye(3))
    return np.einsum("nuk,nkj->nuj", pts, rotation)


def _jaw_forward(pts: np.ndarray) -> np.ndarray:
    """Chin depth in front of the nose base along the upper-face normal, in 3-D IPD units."""
    across = pts[:, _COL[mesh.PUPIL_L]] - pts[:, _COL[mesh.PUPIL_R]]
    up = pts[:, _COL[mesh.NOSE_BRIDGE]] - pts[:, _COL[mesh.NOSE_BASE]]
    normal = _cross(up, across)
    norm = np.linalg.norm(normal, axis=-1)
    ipd3 = np.linalg.norm(across, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        normal = normal / norm[:, None]
        toward_camera = -normal
        sign = np.where(toward_camera[:, 2] < 0, 1.0, -1.0)  # camera looks down +z; nearer = smaller z
        chin = pts[:, _COL[mesh.CHIN]] - pts[:, _COL[mesh.NOSE_BASE]]
        return sign * np.einsum("nk,nk->n", chin, toward_camera) / ipd3


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise 3-D cross product written out (np.cross costs ~40 µs of axis juggling per call)."""
    return np.stack(
        [
            a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1],
            a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2],
            a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0],
        ],
        axis=-1,
    )


def signals_from_arrays(
    landmarks: np.ndarray,
    image_size: tuple[int, int],
    blendshapes: np.ndarray | None = None,
    transform: np.ndarray | None = None,
) -> np.ndarray:
    """One frame: (478, 3) normalised landmarks (+ optional (52,) blendshapes, (4, 4) transform) -> (K,)."""
    lm = np.asarray(landmarks, dtype=np.float64)
    if lm.shape != (N_LANDMARKS, 3):
        raise ValueError(f"landmarks: expected ({N_LANDMARKS}, 3), got {lm.shape}")
    return signals_batch(
        lm[None],
        image_size,
        None if blendshapes is None else np.asarray(blendshapes)[None],
        None if transform is None else np.asarray(transform)[None],
    )[0]


def signals_from_observation(obs: FaceObservation) -> np.ndarray:
    """The (K,) signal vector of one :class:`FaceObservation` (NaN row, face_present 0, if no face)."""
    if not obs.present:
        row = np.full(K, np.nan)
        row[SIGNAL_INDEX["face_present"]] = 0.0
        return row
    return signals_from_arrays(obs.landmarks, obs.image_size, obs.blendshapes, obs.transform)


# ---------------------------------------------------------------------------------------------- mirroring


def _mirror_permutation() -> np.ndarray:
    """Column permutation mapping a mirrored image's signals onto the original's sides."""
    perm = np.arange(K)
    for name, i in SIGNAL_INDEX.items():
        for a, b in (("_r", "_l"), ("Left", "Right")):
            if name.endswith(a):
                partner = name[: -len(a)] + b
                perm[i] = SIGNAL_INDEX[partner]
                perm[SIGNAL_INDEX[partner]] = i
    return perm


MIRROR_PERMUTATION = _mirror_permutation()
_MIRROR_NEGATE = np.array([SIGNAL_INDEX["head_yaw"], SIGNAL_INDEX["head_roll"]])


def mirror_values(values: np.ndarray) -> np.ndarray:
    """Signals measured on a mirrored image, re-expressed for the original: swap sides, negate yaw/roll.

    Works on (K,) or (N, K). Averaging a photo's signals with ``mirror_values`` of its mirror cancels
    the model's left/right bias (docs/design.md, "Perception facts the code relies on").
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape[-1] != K:
        raise ValueError(f"values: expected last axis {K}, got {arr.shape}")
    out = arr[..., MIRROR_PERMUTATION].copy()
    out[..., _MIRROR_NEGATE] *= -1.0
    return out
