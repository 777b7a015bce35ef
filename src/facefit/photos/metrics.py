"""Objective face metrics of one photo, in IPD units (and millimetres via the iris diameter).

Every metric is computed on the photo *and on its mirror image*, and the two are averaged (with the
person's sides swapped for the mirror): the model has a left/right landmark bias of a few millimetres
that would otherwise masquerade as asymmetry. A consequence worth testing: the metrics of a photo's
mirror are exactly the side-swapped metrics of the photo.

The cheek projection proxy is EXPERIMENTAL: no validated landmark measure of cheek fullness exists,
and MediaPipe's depth is a model estimate, not a measurement.

Two further families (issue 19): structure metrics of the eyes, midface and jawline from landmarks
(:mod:`facefit.photos.structure`, measured here like the others) and line and fold indices per region
from the pixels (:mod:`facefit.photos.lines`, measured by :mod:`facefit.photos.measure`, which has the
image); a line region the photo does not show has no value at all, never a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from facefit.photos import landmarks as lm
from facefit.photos.lines import LINE_REGIONS, density_metric, depth_metric
from facefit.photos.structure import SIDES, structure_metrics

UNIT_IPD, UNIT_RATIO, UNIT_DEG = "ipd", "ratio", "deg"
UNIT_PER_IPD = "1/ipd"  # line density: IPD of crease per IPD squared of skin
UNIT_CONTRAST = "contrast"  # line depth: relative darkening of a crease (0.10 = 10% darker)


@dataclass(frozen=True)
class MetricSpec:
    """What a metric means: its unit, whether it converts to mm, and how it behaves under mirroring."""

    name: str
    unit: str
    description: str
    antisymmetric: bool = False  # sign flips when the face is mirrored (lateral offsets, R-L differences)
    experimental: bool = False
    plain: str = ""  # what a person calls it ("forehead lines, how many"); "" = use the name
    sem_floor: float = 0.0  # the smallest SEM a repeatability table may give it (see LINE_METRICS)


def _sided(
    stem: str, unit: str, plain: str, description: str, *, experimental: bool = False
) -> tuple[MetricSpec, ...]:
    """A right and a left metric (``{side}`` in ``plain`` and ``description`` becomes right / left)."""
    return tuple(
        MetricSpec(f"{stem}_{s}", unit, description.format(side=side), experimental=experimental,
                   plain=plain.format(side=side))
        for s, side in SIDES.items()
    )


STRUCTURE_METRICS: tuple[MetricSpec, ...] = (
    *_sided("orbit_width", UNIT_IPD, "{side} eye opening, width",
            "{side} eye corners, outer to inner (palpebral fissure length)"),
    *_sided("orbit_height", UNIT_IPD, "{side} eye socket, height",
            "{side} lower brow edge to the lowest point of the lower lid"),
    *_sided("canthal_tilt", UNIT_DEG, "{side} eye corner tilt",
            "{side} outer eye corner above the inner one, degrees from the pupil line (+ = outer higher)"),
    *_sided("brow_lid", UNIT_IPD, "{side} brow to upper lid",
            "{side} lower brow edge to the highest point of the upper lid (brow-to-orbit distance)"),
    MetricSpec("midface_height", UNIT_IPD, "nose bridge between the eyes (168) to the base of the nose (2)",
               plain="midface height"),
    *_sided("malar_height", UNIT_IPD, "{side} cheekbone, how low",
            "{side} cheekbone point (mean of 4 malar landmarks) below the pupil line"),
    *_sided("malar_width", UNIT_IPD, "{side} cheekbone, how wide",
            "{side} cheekbone point out from the midline between the pupils"),
    *_sided("malar_projection", UNIT_IPD, "{side} cheekbone projection (experimental)",
            "EXPERIMENTAL: {side} cheekbone depth ahead of the eye corners (model depth)", experimental=True),
    *_sided("gonial_angle", UNIT_DEG, "{side} jaw angle below the ear",
            "{side} angle between the contour below the ear and the jaw's lower border (fitted lines; "
            "180 = no angle)"),
    *_sided("jowl_sag", UNIT_IPD, "{side} jowl",
            "{side} jaw border's bulge below the straight line from the jaw angle to the chin"),
)

DENSITY_SEM_FLOOR = 0.08
DEPTH_SEM_FLOOR = 0.006
"""A region without lines reads ~0 with almost no spread between re-takes, which would make a speck a
"change". The indices do not resolve less than one short faint crease: 0.05 IPD (3 mm) of crease half
way between the thresholds moves a nasolabial band's density by ~0.2 and its depth by ~0.015, so the
SEM is never taken below these (MDC95 >= 0.22 and 0.017)."""

LINE_METRICS: tuple[MetricSpec, ...] = tuple(
    spec
    for region in LINE_REGIONS
    for spec in (
        MetricSpec(density_metric(region.name), UNIT_PER_IPD,
                   f"crease length per skin area, {region.where} (IPD per IPD squared)",
                   plain=f"{region.plain}: how many", sem_floor=DENSITY_SEM_FLOOR),
        MetricSpec(depth_metric(region.name), UNIT_CONTRAST,
                   f"mean crease darkening along the creases, {region.where} (0.10 = 10% darker)",
                   plain=f"{region.plain}: how deep", sem_floor=DEPTH_SEM_FLOOR),
    )
)


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("brow_height_r", UNIT_IPD, "right pupil to upper brow (63, 105, 66), larger = brow higher"),
    MetricSpec("brow_height_l", UNIT_IPD, "left pupil to upper brow (293, 334, 296), larger = brow higher"),
    MetricSpec("eye_aperture_r", UNIT_IPD, "right lower to upper lid (145-159)"),
    MetricSpec("eye_aperture_l", UNIT_IPD, "left lower to upper lid (374-386)"),
    MetricSpec(
        "mouth_corner_drop_r", UNIT_IPD, "right mouth corner (61) below the pupil line, smaller = higher"
    ),
    MetricSpec(
        "mouth_corner_drop_l", UNIT_IPD, "left mouth corner (291) below the pupil line, smaller = higher"
    ),
    MetricSpec(
        "commissure_deviation",
        UNIT_IPD,
        "right corner drop minus left corner drop (0 = level corners)",
        antisymmetric=True,
    ),
    MetricSpec("jaw_width_ratio", UNIT_RATIO, "jaw width (172-397) over cheek width (234-454)"),
    MetricSpec("lower_face_ratio", UNIT_RATIO, "nose base to chin over nose bridge (168) to chin"),
    MetricSpec("jaw_angle_r", UNIT_DEG, "jawline contour angle at the right gonion (234-172-152)"),
    MetricSpec("jaw_angle_l", UNIT_DEG, "jawline contour angle at the left gonion (454-397-152)"),
    MetricSpec(
        "chin_deviation",
        UNIT_IPD,
        "chin (152) offset from the pupil midline, + = person's left",
        antisymmetric=True,
    ),
    *(
        MetricSpec(f"asymmetry_{region}", UNIT_IPD, f"mirror asymmetry index of the {region} (0 = symmetric)")
        for region in lm.SYMMETRIC_PAIRS
    ),
    MetricSpec(
        "cheek_projection_r",
        UNIT_IPD,
        "EXPERIMENTAL: right mid-cheek depth ahead of the nose tip",
        experimental=True,
    ),
    MetricSpec(
        "cheek_projection_l",
        UNIT_IPD,
        "EXPERIMENTAL: left mid-cheek depth ahead of the nose tip",
        experimental=True,
    ),
    *STRUCTURE_METRICS,
    *LINE_METRICS,
)
PLAIN_NAMES: dict[str, str] = {
    "brow_height_r": "right brow height",
    "brow_height_l": "left brow height",
    "eye_aperture_r": "right eye opening, height",
    "eye_aperture_l": "left eye opening, height",
    "mouth_corner_drop_r": "right mouth corner, below the eye line",
    "mouth_corner_drop_l": "left mouth corner, below the eye line",
    "commissure_deviation": "mouth corners, right below left",
    "jaw_width_ratio": "jaw width (to the cheekbones)",
    "lower_face_ratio": "lower face share of the face's height",
    "jaw_angle_r": "right jaw angle (three points)",
    "jaw_angle_l": "left jaw angle (three points)",
    "chin_deviation": "chin offset from the midline",
    **{f"asymmetry_{region}": f"{region} asymmetry" for region in lm.SYMMETRIC_PAIRS},
    "cheek_projection_r": "right cheek projection (experimental)",
    "cheek_projection_l": "left cheek projection (experimental)",
}
"""What a person calls the first metrics (the newer ones carry ``plain`` in their spec)."""
METRICS = tuple(replace(spec, plain=spec.plain or PLAIN_NAMES.get(spec.name, "")) for spec in METRICS)
METRIC_SPECS: dict[str, MetricSpec] = {spec.name: spec for spec in METRICS}
METRIC_NAMES: tuple[str, ...] = tuple(spec.name for spec in METRICS)
LANDMARK_METRIC_NAMES: tuple[str, ...] = tuple(spec.name for spec in METRICS if spec not in LINE_METRICS)
"""Every metric but the line indices: measured from landmarks, so every photo with a face has them."""


def _angle(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> float:
    va, vb = a - vertex, b - vertex
    cos = float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def _pair_slices() -> dict[str, tuple[int, int]]:
    """Each region's slice of the mirror pairs listed region after region."""
    ends = np.cumsum([len(pairs) for pairs in lm.SYMMETRIC_PAIRS.values()]).tolist()
    return {
        region: (end - len(pairs), end)
        for (region, pairs), end in zip(lm.SYMMETRIC_PAIRS.items(), ends, strict=True)
    }


_PAIRS_RIGHT = [right for pairs in lm.SYMMETRIC_PAIRS.values() for right, _ in pairs]
_PAIRS_LEFT = [left for pairs in lm.SYMMETRIC_PAIRS.values() for _, left in pairs]
_PAIR_SLICES = _pair_slices()


def raw_metrics(frame: lm.PupilFrame) -> dict[str, float]:
    """Metrics of one face as seen (no mirror averaging), from its pupil-line frame."""
    u, depth = frame.u, frame.depth
    y = u[:, 1]
    out = {
        "brow_height_r": y[lm.PUPIL_R] - y[list(lm.BROW_UPPER_R)].mean(),
        "brow_height_l": y[lm.PUPIL_L] - y[list(lm.BROW_UPPER_L)].mean(),
        "eye_aperture_r": y[lm.LID_LOWER_R] - y[lm.LID_UPPER_R],
        "eye_aperture_l": y[lm.LID_LOWER_L] - y[lm.LID_UPPER_L],
        "mouth_corner_drop_r": y[lm.MOUTH_CORNER_R],
        "mouth_corner_drop_l": y[lm.MOUTH_CORNER_L],
        "commissure_deviation": y[lm.MOUTH_CORNER_R] - y[lm.MOUTH_CORNER_L],
        "jaw_width_ratio": float(
            np.linalg.norm(u[lm.GONION_L] - u[lm.GONION_R]) / np.linalg.norm(u[lm.CHEEK_L] - u[lm.CHEEK_R])
        ),
        "lower_face_ratio": (y[lm.CHIN] - y[lm.NOSE_BASE]) / (y[lm.CHIN] - y[lm.NOSE_BRIDGE]),
        "jaw_angle_r": _angle(u[lm.CHEEK_R], u[lm.GONION_R], u[lm.CHIN]),
        "jaw_angle_l": _angle(u[lm.CHEEK_L], u[lm.GONION_L], u[lm.CHIN]),
        "chin_deviation": u[lm.CHIN, 0],
        "cheek_projection_r": depth[lm.NOSE_TIP] - depth[lm.CHEEK_PROBE_R],
        "cheek_projection_l": depth[lm.NOSE_TIP] - depth[lm.CHEEK_PROBE_L],
    }
    # every mirror pair's distance at once, then each region's mean (its own slice, as if alone)
    distances = np.linalg.norm(u[_PAIRS_RIGHT] - u[_PAIRS_LEFT] * np.array([-1.0, 1.0]), axis=1)
    for region, (start, end) in _PAIR_SLICES.items():
        out[f"asymmetry_{region}"] = float(np.mean(distances[start:end]))
    out.update(structure_metrics(frame))
    return {name: float(out[name]) for name in METRIC_NAMES if name in out}


def swap_sides(metrics: Mapping[str, float]) -> dict[str, float]:
    """The metrics of the mirror-image face: ``_r`` and ``_l`` exchanged, lateral offsets negated."""
    out: dict[str, float] = {}
    for name, value in metrics.items():
        spec = METRIC_SPECS.get(name)
        if name.endswith("_r"):
            out[name[:-2] + "_l"] = value
        elif name.endswith("_l"):
            out[name[:-2] + "_r"] = value
        else:
            out[name] = -value if spec is not None and spec.antisymmetric else value
    return out


def mirror_averaged(seen: Mapping[str, float], mirror_seen: Mapping[str, float]) -> dict[str, float]:
    """Average a photo's metrics with those of its mirror image (sides swapped back)."""
    back = swap_sides(mirror_seen)
    return {name: 0.5 * (seen[name] + back[name]) for name in METRIC_NAMES if name in seen and name in back}


def to_millimetres(metrics: Mapping[str, float], mm_per_ipd: float) -> dict[str, float]:
    """Length metrics in mm (IPD units times mm per IPD); ratios and angles are left out."""
    return {
        name: value * mm_per_ipd
        for name, value in metrics.items()
        if name in METRIC_SPECS and METRIC_SPECS[name].unit == UNIT_IPD
    }


def asymmetries(metrics: Mapping[str, float]) -> dict[str, float]:
    """Right-minus-left difference of every paired metric (IPD or degrees), e.g. ``brow_height``."""
    return {
        name[:-2]: metrics[name] - metrics[name[:-2] + "_l"]
        for name in metrics
        if name.endswith("_r") and name[:-2] + "_l" in metrics
    }
