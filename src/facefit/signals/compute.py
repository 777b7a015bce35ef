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

Every geometry signal is a difference of landmark points (or of region means), so the pupil midpoint
cancels and each signal is one fixed linear combination of the ~45 landmarks the signals use. A batch
therefore gathers those landmarks, forms the 15 difference vectors the signals need in one matrix
product, and rotates and projects only those vectors (not every landmark): microseconds a frame in a
batch (bench/bench_signals.py), next to the landmarker's ~12 ms.

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

# Each difference vector the signals are made of: mean of the first points minus mean of the second.
# Face-frame ones are rotated into the face's own frame when the head transform is known; the brows'
# stay in the image (module docstring). Each set starts with the pupil line (left minus right pupil).
_FACE_DIFFERENCES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "pupils": ((mesh.PUPIL_L,), (mesh.PUPIL_R,)),
    "eye_aperture_r": ((mesh.LID_LOWER_R,), (mesh.LID_UPPER_R,)),
    "eye_aperture_l": ((mesh.LID_LOWER_L,), (mesh.LID_UPPER_L,)),
    "mouth_corner_lift_r": ((mesh.LIP_INNER_UPPER, mesh.LIP_INNER_LOWER), (mesh.MOUTH_CORNER_R,)),
    "mouth_corner_lift_l": ((mesh.LIP_INNER_UPPER, mesh.LIP_INNER_LOWER), (mesh.MOUTH_CORNER_L,)),
    "mouth_opening": ((mesh.LIP_INNER_LOWER,), (mesh.LIP_INNER_UPPER,)),
    "jaw_opening": ((mesh.CHIN,), (mesh.NOSE_BASE,)),  # also the chin vector of jaw_forward
    "mouth_width": ((mesh.MOUTH_CORNER_L,), (mesh.MOUTH_CORNER_R,)),
    "lip_height": ((mesh.LIP_OUTER_LOWER,), (mesh.LIP_OUTER_UPPER,)),
    "nose_up": ((mesh.NOSE_BRIDGE,), (mesh.NOSE_BASE,)),
}
_IMAGE_DIFFERENCES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "pupils": ((mesh.PUPIL_L,), (mesh.PUPIL_R,)),
    "brow_height_r": ((mesh.PUPIL_R,), mesh.BROW_UPPER_R),
    "brow_height_l": ((mesh.PUPIL_L,), mesh.BROW_UPPER_L),
    "brow_lift_r": (mesh.CANTHI_R, mesh.BROW_R),
    "brow_lift_l": (mesh.CANTHI_L, mesh.BROW_L),
}
_FACE_DOWN = ("eye_aperture_r", "eye_aperture_l", "mouth_corner_lift_r", "mouth_corner_lift_l",
              "mouth_opening", "jaw_opening")
"""Face-frame signals that are their difference's component down the face (rows 1..6 of the set)."""
_IMAGE_DOWN = ("brow_height_r", "brow_height_l", "brow_lift_r", "brow_lift_l")

_USED = sorted({p for d in (_FACE_DIFFERENCES, _IMAGE_DIFFERENCES) for pair in d.values() for ps in pair
                for p in ps})
USED_LANDMARKS: tuple[int, ...] = tuple(_USED)
"""The only landmark indices the signals read (the web app sends just these from the browser)."""
_COL = {landmark: i for i, landmark in enumerate(_USED)}
_BS_START = SIGNAL_INDEX[f"bs_{BLENDSHAPE_NAMES[1]}"]


def _weights(differences: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]) -> np.ndarray:
    """(U, M) weights over the gathered landmarks, one column per difference: +1/n on the first points,
    -1/n on the second (each column sums to zero, so the origin of the coordinates cancels)."""
    w = np.zeros((len(_USED), len(differences)))
    for j, (plus, minus) in enumerate(differences.values()):
        for points, sign in ((plus, 1.0), (minus, -1.0)):
            for p in points:
                w[_COL[p], j] += sign / len(points)
    return w


_N_FACE = len(_FACE_DIFFERENCES)
_WEIGHTS = np.ascontiguousarray(np.hstack([_weights(_FACE_DIFFERENCES), _weights(_IMAGE_DIFFERENCES)]))
_PIXEL_SCALE = np.array([0, 1, 0])
"""Image (width, height) -> the scale of landmark x, y, z (depth is in units of the width)."""
_BLOCK = 128
"""Frames per matrix product in :func:`_differences`: 3 * 128 * U * M stays under the 262144
multiply-adds below which OpenBLAS does not start threads."""
_GATHER = np.array([3 * p + axis for axis in range(3) for p in _USED], dtype=np.intp)
"""Columns of a frame's flattened (478 * 3) landmarks: every used landmark's x, then y, then z."""
_ROW = {name: i for i, name in enumerate(_FACE_DIFFERENCES)}
_FACE_DOWN_COLS = np.array([SIGNAL_INDEX[name] for name in _FACE_DOWN], dtype=np.intp)
_IMAGE_DOWN_COLS = np.array([SIGNAL_INDEX[name] for name in _IMAGE_DOWN], dtype=np.intp)
assert list(_FACE_DIFFERENCES)[1 : 1 + len(_FACE_DOWN)] == list(_FACE_DOWN)
assert list(_IMAGE_DIFFERENCES)[1:] == list(_IMAGE_DOWN)


def pupil_axes(
    xy: np.ndarray, right: np.ndarray, left: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points ``xy`` (N, U, 2) in pixels -> their coordinates across and down the face, in IPD units from
    the pupils' midpoint, and the IPD (N,) in pixels. ``right``/``left`` are the (N, 2) pupils; "across"
    runs from the right pupil to the left one, "down" is that axis turned +90 deg in image axes, so roll
    and distance cancel. A zero IPD divides by 1 (the caller marks such rows as no face)."""
    ex, ipd, ipd_safe = _pupil_line(left - right)
    across, down = _project(xy - ((right + left) / 2)[:, None, :], ex, ipd_safe)
    return across, down, ipd


def _pupil_line(delta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, >=2) left-minus-right pupil vectors -> the unit "across" axis (N, 2) in x, y, the IPD (N,) and
    the IPD with zeros replaced by 1 (to divide by)."""
    ipd = np.hypot(delta[:, 0], delta[:, 1])
    ipd_safe = np.where(ipd > 0, ipd, 1.0)
    return delta[:, :2] / ipd_safe[:, None], ipd, ipd_safe


def _project(vectors: np.ndarray, ex: np.ndarray, ipd_safe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, M, >=2) vectors -> their (N, M) components across (along ``ex``) and down (``ex`` turned +90
    deg in image axes), in IPD units."""
    x, y = vectors[..., 0], vectors[..., 1]
    ex0, ex1 = ex[:, 0:1], ex[:, 1:2]
    scale = ipd_safe[:, None]
    return (x * ex0 + y * ex1) / scale, (x * -ex1 + y * ex0) / scale


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
    tf = None if transforms is None else np.asarray(transforms, dtype=np.float64).reshape(n, 4, 4)
    bs = None if blendshapes is None else np.asarray(blendshapes, dtype=np.float64).reshape(n, N_BLENDSHAPES)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows of NaN or infinite points are "no face"
        return _signals(lm, size, bs, tf)


def _signals(lm: np.ndarray, size: np.ndarray, bs: np.ndarray | None, tf: np.ndarray | None) -> np.ndarray:
    """:func:`signals_batch` on checked float64 arrays (one call's numpy overhead kept small: the live
    server calls it for batches of a few frames)."""
    n = lm.shape[0]
    out = np.full((n, K), np.nan)
    diffs = _differences(lm)
    diffs *= size[:, _PIXEL_SCALE, None]  # pixels: x*w, y*h, z*w
    present = np.isfinite(diffs).all(axis=(1, 2))  # every used landmark weighs in some difference
    face = diffs[:, :, :_N_FACE].transpose(0, 2, 1)  # (N, M, 3)
    if tf is not None:
        face = face_frame(face, tf)
    ex, ipd, ipd_safe = _pupil_line(face[:, 0])
    across, down = _project(face, ex, ipd_safe)
    present &= ipd > 0
    # Brows in the image's pupil-line axes (module docstring: the rotation's jitter outweighs the pose).
    image = diffs[:, :, _N_FACE:].transpose(0, 2, 1)
    image_ex, _, image_ipd_safe = _pupil_line(image[:, 0])
    out[:, _IMAGE_DOWN_COLS] = _project(image, image_ex, image_ipd_safe)[1][:, 1:]

    out[:, _FACE_DOWN_COLS] = down[:, 1 : 1 + len(_FACE_DOWN)]
    width = np.hypot(across[:, _ROW["mouth_width"]], down[:, _ROW["mouth_width"]])
    out[:, SIGNAL_INDEX["mouth_width"]] = width
    out[:, SIGNAL_INDEX["mouth_roundness"]] = down[:, _ROW["lip_height"]] / width
    out[:, SIGNAL_INDEX["jaw_forward"]] = _jaw_forward(
        face[:, _ROW["pupils"]], face[:, _ROW["nose_up"]], face[:, _ROW["jaw_opening"]])
    out[:, SIGNAL_INDEX["scale"]] = ipd / size[:, 0]

    if tf is not None:
        start = SIGNAL_INDEX["head_pitch"]
        out[:, start : start + 3] = pose_angles(tf)
    if bs is not None:
        out[:, _BS_START : _BS_START + N_BLENDSHAPES - 1] = bs[:, 1:]

    if not present.all():
        out[~present, :] = np.nan
    out[:, SIGNAL_INDEX["face_present"]] = present.astype(np.float64)
    return out


def _differences(lm: np.ndarray) -> np.ndarray:
    """(N, 478, 3) landmarks -> (N, 3, M) difference vectors (x, y, z rows; columns as ``_WEIGHTS``).

    One matrix product per block of ``_BLOCK`` frames: (3 * frames, U) @ (U, M). OpenBLAS runs a product
    that small on the calling thread; a whole clip's product at once is split over threads, which on a
    busy 2-core machine made it ~30x slower (5.3 vs 0.18 us a frame, bench/bench_signals.py's frames).
    """
    n = lm.shape[0]
    # np.take, not lm[:, _GATHER]: fancy indexing returns a column-major copy that the reshape copies again
    gathered = np.take(lm.reshape(n, 3 * N_LANDMARKS), _GATHER, axis=1).reshape(3 * n, len(_USED))
    diffs = np.empty((3 * n, _WEIGHTS.shape[1]))
    for start in range(0, 3 * n, 3 * _BLOCK):
        np.matmul(gathered[start : start + 3 * _BLOCK], _WEIGHTS, out=diffs[start : start + 3 * _BLOCK])
    return diffs.reshape(n, 3, _WEIGHTS.shape[1])


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
    with np.errstate(invalid="ignore"):  # an infinite point gives NaN (its row is no face)
        return np.matmul(pts, rotation)


def _jaw_forward(across: np.ndarray, up: np.ndarray, chin: np.ndarray) -> np.ndarray:
    """Chin depth in front of the nose base along the upper-face normal, in 3-D IPD units, from the (N, 3)
    pupil line (left minus right pupil), nose base to bridge and nose base to chin. Written with ufuncs
    (np.cross and np.linalg.norm cost more in argument handling than in arithmetic here)."""
    normal = up[:, _NEXT] * across[:, _AFTER] - up[:, _AFTER] * across[:, _NEXT]  # up x across
    norm = np.sqrt(np.add.reduce(normal * normal, axis=1))
    ipd3 = np.sqrt(np.add.reduce(across * across, axis=1))
    toward_camera = -(normal / norm[:, None])
    sign = np.where(toward_camera[:, 2] < 0, 1.0, -1.0)  # camera looks down +z; nearer = smaller z
    return sign * np.add.reduce(chin * toward_camera, axis=1) / ipd3


_NEXT, _AFTER = np.array([1, 2, 0]), np.array([2, 0, 1])


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
