"""MediaPipe face-mesh landmark indices and regions: the one place FaceFit names them.

The Face Landmarker returns 478 points: 468 for the face mesh and 10 for the irises (468-472 the
person's right iris, 473-477 the left, the first of each its centre). The numbering follows the
canonical mesh, so a *side* here is the **person's**: ``_R`` is the person's right, which appears on
the image's left in an unmirrored camera image (pupil 468, mouth corner 61, outer eye corner 33). In a
mirrored image the model still numbers by image position, so ``_R`` then describes the person's left
(``facefit.signals.compute.mirror_values`` swaps the columns back).

Every module that reads landmarks (signals, photos, synth, the web's landmark subset) takes its
indices from here; add a name here rather than writing a bare index elsewhere. Region tuples keep the
order the mesh contour runs in where order matters (the face oval is a polygon; lid contours run from
the outer to the inner eye corner); elsewhere they are sets of points whose mean is read.
"""

from __future__ import annotations

N_MESH = 468
"""Landmarks ``0..467`` are the skin mesh; ``468..477`` are the irises, which move with the eyeball."""

# ---------------------------------------------------------------------------------------------- eyes
PUPIL_R, PUPIL_L = 468, 473
"""Iris centres. The inter-pupil distance (IPD) between them is FaceFit's unit of length."""
IRIS_EDGES_R: tuple[int, int] = (469, 471)
"""Horizontal edge points of the person's right iris (its diameter gives millimetres)."""
IRIS_EDGES_L: tuple[int, int] = (474, 476)
IRIS_DIAMETER_MM = 11.7
"""Population mean horizontal visible iris diameter (Emotrics uses 11.77)."""

CANTHUS_OUTER_R, CANTHUS_INNER_R = 33, 133
CANTHUS_OUTER_L, CANTHUS_INNER_L = 263, 362
CANTHI_R: tuple[int, int] = (CANTHUS_OUTER_R, CANTHUS_INNER_R)
"""Outer and inner eye corners: fixed to the skull, so neither gaze nor a blink moves them."""
CANTHI_L: tuple[int, int] = (CANTHUS_OUTER_L, CANTHUS_INNER_L)

LID_UPPER_R, LID_LOWER_R = 159, 145
"""Mid upper and lower eyelid: their gap is the eye aperture."""
LID_UPPER_L, LID_LOWER_L = 386, 374
UPPER_LID_R: tuple[int, ...] = (33, 246, 161, 160, 159, 158, 157, 173, 133)
"""Upper lid contour, outer to inner corner."""
LOWER_LID_R: tuple[int, ...] = (33, 7, 163, 144, 145, 153, 154, 155, 133)
UPPER_LID_L: tuple[int, ...] = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LOWER_LID_L: tuple[int, ...] = (263, 249, 390, 373, 374, 380, 381, 382, 362)

# --------------------------------------------------------------------------------------------- brows
BROW_UPPER_R: tuple[int, int, int] = (63, 105, 66)
"""The middle three points of the upper brow edge. Their mean is the brow point of brow height:
on perturbed re-takes of five real photos it is ~4% more repeatable than 105 alone (SD 0.0070 vs
0.0072 IPD) and its right-minus-left difference is less noisy on all five."""
BROW_UPPER_L: tuple[int, int, int] = (293, 334, 296)
BROW_R: tuple[int, ...] = (*BROW_UPPER_R, 107, 46, 53, 52, 65, 55, 70)
"""The whole brow contour (upper points first, then the rest of the upper edge and the lower edge)."""
BROW_L: tuple[int, ...] = (*BROW_UPPER_L, 336, 276, 283, 282, 295, 285, 300)

# --------------------------------------------------------------------------------------------- mouth
MOUTH_CORNER_R, MOUTH_CORNER_L = 61, 291
"""Outer lip corners (the commissures)."""
INNER_LIP_CORNER_R, INNER_LIP_CORNER_L = 78, 308
LIP_INNER_UPPER, LIP_INNER_LOWER = 13, 14
"""Inner lip centres: their gap is the mouth opening."""
LIP_OUTER_UPPER, LIP_OUTER_LOWER = 0, 17
"""Outer lip centres: their distance is the outer lip height."""
UPPER_INNER_LIP: tuple[int, ...] = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
"""Inner edge of the upper lip, right corner to left."""
LOWER_INNER_LIP: tuple[int, ...] = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
UPPER_OUTER_LIP: tuple[int, ...] = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER_LIP: tuple[int, ...] = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LOWER_LIP: tuple[int, ...] = (
    95, 88, 178, 87, 14, 317, 402, 318, 324, 146, 91, 181, 84, 17, 314, 405, 321, 375,
    77, 90, 180, 85, 16, 315, 404, 320, 307, 96, 89, 179, 86, 15, 316, 403, 319, 325,
)
"""Every point of the lower lip (inner, outer and between): they move with the jaw."""

# ------------------------------------------------------------------------------- nose, jaw, cheeks
NOSE_TIP, NOSE_BASE = 1, 2
NOSE_BRIDGE = 168
"""The nose bridge between the eyes (the top of the midline that expressions do not move)."""
NOSE_BRIDGE_LOW = 6
FOREHEAD_TOP = 10
CHIN = 152
GONION_R, GONION_L = 172, 397
"""Jaw angles on the face contour."""
CHEEK_R, CHEEK_L = 234, 454
"""Widest points of the face contour (zygomatic level)."""
CHEEK_PROBE_R, CHEEK_PROBE_L = 50, 280
"""Mid-cheek surface points (the experimental cheek projection proxy)."""

FACE_OVAL: tuple[int, ...] = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
"""The face contour in order (forehead 10, the person's left side, chin 152, the right side): a polygon."""

# ---------------------------------------------------------------------------- stable points, pairs
STABLE_POINTS: tuple[int, ...] = (33, 133, 362, 263, 168, 6, 468, 473)
"""Points that expressions barely move (canthi, nose bridge, pupils): photos are aligned on them."""

SYMMETRIC_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {
    "brows": ((70, 300), (63, 293), (105, 334), (66, 296), (107, 336), (46, 276), (53, 283), (52, 282)),
    "eyes": ((33, 263), (133, 362), (159, 386), (145, 374), (160, 387), (144, 373), (158, 385), (153, 380)),
    "mouth": ((61, 291), (40, 270), (37, 267), (39, 269), (91, 321), (84, 314), (181, 405), (146, 375)),
    "jaw": ((172, 397), (136, 365), (150, 379), (149, 378), (176, 400), (148, 377), (58, 288), (132, 361)),
    "cheeks": ((50, 280), (205, 425), (187, 411), (123, 352), (116, 345), (117, 346), (118, 347), (36, 266)),
}
"""Person-right / person-left mirror partners by region (the mirror asymmetry index)."""

# ------------------------------------------------------- lines, folds and structure (photos/lines.py)
BROW_TOP_R: tuple[int, ...] = (70, 63, 105, 66, 107)
"""Upper brow edge, outer end to inner end (the forehead's lower boundary is drawn above it)."""
BROW_TOP_L: tuple[int, ...] = (300, 293, 334, 296, 336)
BROW_LOWER_R: tuple[int, ...] = (46, 53, 52, 65, 55)
"""Lower brow edge, outer end to inner end (its mean is the brow point of the orbit metrics)."""
BROW_LOWER_L: tuple[int, ...] = (276, 283, 282, 295, 285)
FOREHEAD_TOP_EDGE: tuple[int, ...] = (103, 67, 109, 10, 338, 297, 332)
"""The top of the mesh across the forehead, person's right to left (near the hairline)."""
ALA_R: tuple[int, ...] = (129,)
"""Outer edge of the nose wing, where the nasolabial fold starts."""
ALA_L: tuple[int, ...] = (358,)
NOSTRILS: tuple[int, ...] = (
    219, 218, 237, 44, 1, 274, 457, 438, 439, 455, 460, 328, 326, 2, 97, 99, 240, 235,
)
"""Around both nostrils, inside the nose wings, as a polygon (nostrils are dark but are not creases)."""
SKIN_PROBES: tuple[int, ...] = (50, 280, 205, 425, 36, 266, 101, 330, 118, 347)
"""Cheek points whose colour is the face's skin reference (away from brows, eyes, lips and beard)."""
MALAR_R: tuple[int, ...] = (116, 117, 118, 123)
"""Cheekbone (malar) surface below the outer eye corner: their mean is the malar point."""
MALAR_L: tuple[int, ...] = (345, 346, 347, 352)
RAMUS_R: tuple[int, ...] = (234, 93, 132, 58, 172)
"""Face contour from ear level down to the jaw angle (the ramus as the camera sees it)."""
RAMUS_L: tuple[int, ...] = (454, 323, 361, 288, 397)
JAW_BODY_R: tuple[int, ...] = (172, 136, 150, 149, 176, 148, 152)
"""Face contour from the jaw angle to the chin (the mandible's lower border as the camera sees it)."""
JAW_BODY_L: tuple[int, ...] = (397, 365, 379, 378, 400, 377, 152)
