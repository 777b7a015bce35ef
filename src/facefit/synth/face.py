"""The rest frame of a synthetic clip: a real photo framed like a webcam shot, plus its 3D landmarks.

The photo is cropped around the face so that the face fills about the same share of the frame as a
person sitting in front of a laptop (face height ~42% of the frame height), resized to the clip size,
and the model is run again on the result: landmarks come from the exact pixels that will be warped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from facefit.errors import InputError, NoFaceError
from facefit.vision.mesh import FACE_OVAL, PUPIL_L, PUPIL_R

FACE_HEIGHT_SHARE = 0.42
PhotoLike = str | os.PathLike[str] | np.ndarray


@dataclass(frozen=True)
class PreparedFace:
    """The rest frame and its face.

    Attributes:
        rgb: (H, W, 3) uint8 rest frame at the clip size.
        points: (478, 3) float64 landmarks in pixels: x, y, and z * width (MediaPipe's depth, same scale
            as x; smaller = nearer the camera).
        photo: the photo's name (path or "<array>") for the truth file.
    """

    rgb: np.ndarray
    points: np.ndarray
    photo: str

    @property
    def size(self) -> tuple[int, int]:
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])

    @property
    def ipd(self) -> float:
        """Inter-pupil distance in pixels (the unit every displacement is scaled by)."""
        return float(np.linalg.norm(self.points[PUPIL_L, :2] - self.points[PUPIL_R, :2]))


def load_photo(photo: PhotoLike) -> tuple[np.ndarray, str]:
    """RGB uint8 pixels and a display name; files go through the vision stage's checked reader."""
    if isinstance(photo, np.ndarray):
        if photo.ndim != 3 or photo.shape[2] not in (3, 4) or photo.dtype != np.uint8:
            raise InputError(f"photo array must be RGB uint8 (H, W, 3), got {photo.dtype} {photo.shape}")
        return np.ascontiguousarray(photo[:, :, :3]), "<array>"
    from facefit.vision.sources import read_image

    path = Path(photo)
    return read_image(path), str(path)


def _detect(landmarker: object, rgb: np.ndarray) -> np.ndarray | None:
    observation = landmarker.detect(rgb, 0)  # type: ignore[attr-defined]
    if not observation.present:
        return None
    width = rgb.shape[1]
    points = observation.landmarks.astype(np.float64) * np.array([width, rgb.shape[0], width])
    return points


def _crop_box(points: np.ndarray, image_size: tuple[int, int], size: tuple[int, int]) -> tuple[int, ...]:
    """(x0, y0, x1, y1) with the output aspect ratio, face centred, inside the image."""
    width, height = image_size
    out_w, out_h = size
    oval = points[list(FACE_OVAL), :2]
    face_h = float(oval[:, 1].max() - oval[:, 1].min())
    centre_x = float(oval[:, 0].mean())
    centre_y = float(oval[:, 1].min() + 0.5 * face_h)
    crop_h = face_h / FACE_HEIGHT_SHARE
    crop_w = crop_h * out_w / out_h
    scale = min(1.0, width / crop_w, height / crop_h)
    crop_w, crop_h = crop_w * scale, crop_h * scale
    x0 = min(max(centre_x - crop_w / 2, 0.0), width - crop_w)
    y0 = min(max(centre_y - crop_h / 2, 0.0), height - crop_h)
    return round(x0), round(y0), round(x0 + crop_w), round(y0 + crop_h)


def prepare_face(
    photo: PhotoLike, size: tuple[int, int], *, landmarker: object | None = None
) -> PreparedFace:
    """Frame ``photo`` at ``size`` around its (largest) face and find the face's landmarks there.

    ``landmarker`` is an IMAGE-mode :class:`~facefit.vision.landmarker.Landmarker` to reuse (tests
    share one); without it one is opened and closed here.
    """
    import cv2

    rgb, name = load_photo(photo)
    own = landmarker is None
    if own:
        from facefit.vision.landmarker import Landmarker, RunningMode

        landmarker = Landmarker(RunningMode.IMAGE)
    try:
        points = _detect(landmarker, rgb)
        if points is None:
            raise NoFaceError(f"no face found in the photo {Path(name).name}; use a clear frontal portrait.")
        x0, y0, x1, y1 = _crop_box(points, (rgb.shape[1], rgb.shape[0]), size)
        crop = rgb[y0:y1, x0:x1]
        shrinking = crop.shape[1] > size[0]
        framed = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)
        framed = np.ascontiguousarray(framed)
        points = _detect(landmarker, framed)
        if points is None:
            raise NoFaceError(
                f"the face in {Path(name).name} is too small at {size[0]}x{size[1]}; use a closer portrait."
            )
    finally:
        if own:
            landmarker.close()  # type: ignore[union-attr]
    return PreparedFace(rgb=framed, points=points, photo=name)
