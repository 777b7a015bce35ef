"""`FaceObservation`: one frame's face, as plain numpy arrays (the only thing that leaves `vision/`).

MediaPipe's nested per-landmark objects are converted once, here, so nothing downstream knows about
MediaPipe. No face is an *empty* observation (``present`` is False), never ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

N_LANDMARKS = 478
N_BLENDSHAPES = 52

# The 52 ARKit-style blendshape names in MediaPipe's output order (index 0 is "_neutral").
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft",
    "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight",
    "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight",
    "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight",
    "mouthFrownLeft", "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft",
    "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft",
    "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)
BLENDSHAPE_INDEX: dict[str, int] = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}


@dataclass(frozen=True)
class FaceObservation:
    """The chosen face in one frame.

    Attributes:
        t_ms: frame timestamp in milliseconds (caller's clock; strictly increasing within a video).
        image_size: (width, height) in pixels of the frame the landmarks refer to.
        landmarks: (478, 3) float32, x and y normalised to [0, 1] by width and height, z in the model's
            relative depth units (roughly x's scale). NaN-filled when no face.
        blendshapes: (52,) float32 scores in [0, 1], ordered as :data:`BLENDSHAPE_NAMES`.
        transform: (4, 4) float32 facial transformation matrix (rotation + translation in cm).
        faces_found: how many faces the model saw; the observation holds the largest one.
        recovered: True when the VIDEO tracker had lost the face and it was found again in a crop around
            its last place (``facefit.vision.landmarker``); its head transform's translation is the
            crop's, so only its rotation is meaningful.
    """

    t_ms: int
    image_size: tuple[int, int]
    landmarks: np.ndarray
    blendshapes: np.ndarray
    transform: np.ndarray
    faces_found: int
    other_faces: tuple[np.ndarray, ...] = field(default=(), repr=False)
    recovered: bool = False

    def __post_init__(self) -> None:
        if self.landmarks.shape != (N_LANDMARKS, 3):
            raise ValueError(f"landmarks: expected ({N_LANDMARKS}, 3), got {self.landmarks.shape}")
        if self.blendshapes.shape != (N_BLENDSHAPES,):
            raise ValueError(f"blendshapes: expected ({N_BLENDSHAPES},), got {self.blendshapes.shape}")
        if self.transform.shape != (4, 4):
            raise ValueError(f"transform: expected (4, 4), got {self.transform.shape}")
        if self.faces_found < 0:
            raise ValueError(f"faces_found must be >= 0, got {self.faces_found}")

    @property
    def present(self) -> bool:
        """True when a face was found in this frame."""
        return self.faces_found > 0

    @classmethod
    def empty(cls, t_ms: int, image_size: tuple[int, int]) -> FaceObservation:
        """The observation of a frame with no face: NaN landmarks, zero blendshapes."""
        return cls(
            t_ms=t_ms,
            image_size=image_size,
            landmarks=np.full((N_LANDMARKS, 3), np.nan, dtype=np.float32),
            blendshapes=np.zeros(N_BLENDSHAPES, dtype=np.float32),
            transform=np.full((4, 4), np.nan, dtype=np.float32),
            faces_found=0,
        )

    def pixels(self) -> np.ndarray:
        """(478, 2) landmark x, y in pixels."""
        width, height = self.image_size
        return self.landmarks[:, :2] * np.array([width, height], dtype=np.float32)

    def blendshape(self, name: str) -> float:
        """Score of one named blendshape (KeyError names the unknown blendshape)."""
        return float(self.blendshapes[BLENDSHAPE_INDEX[name]])
