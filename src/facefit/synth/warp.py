"""Thin-plate-spline image warps from landmark motion: expression and head rotation, cached apart.

``cv2.remap`` needs, for every output pixel, where to sample the rest frame (a backward map). It is
built in two cached parts, each on a coarse grid (every ``step`` pixels), composed on that grid and
upsampled to full resolution once per frame with a corner-aligned bilinear remap (~2 ms at 640x480):

- Expression (smile, "O", brows, blink...): an exact backward TPS fitted with centres at the
  *destination* landmarks and source-minus-destination offsets as values, so lips that part (13 and 14
  move apart) stay well posed. Cached by the quantised expression, so a rep's ramp costs one fit per
  level and every later rep reuses it.
- Head rotation (pitch, yaw, roll): smooth, so a forward TPS with centres fixed at the rest landmarks
  is linear in their motion: ``field = G @ motion`` with ``G`` precomputed once per clip, then
  inverted on the grid by fixed-point iteration. Cached by quantised angles.

Fixed anchors on the image border and on a ring around the face keep the background still. Composing
"expression in the rest head, then rotate" is a first-order approximation of rotating the expressed
face; the painted mouth uses the composed positions, so paint and pixels agree.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from facefit.synth.face import FACE_OVAL
from facefit.synth.poses import (
    LEFT_LOWER_LID,
    LEFT_UPPER_LID,
    LOWER_OUTER_LIP,
    N_MESH,
    RIGHT_LOWER_LID,
    RIGHT_UPPER_LID,
    UPPER_OUTER_LIP,
    FaceRig,
    PoseState,
)

RING_SCALE = 1.5
RING_POINTS = 28
BORDER_SPACING = 64
DEFAULT_STEP = 8
PATCH_STEP = 2
MOVING_PX = 0.05  # landmarks moving less are pinned by a sparse subset instead of all being centres
CACHE_ENTRIES = 512
ROTATION_CENTRE_STRIDE = 3
INVERSION_ITERATIONS = 12


def anchor_points(rest: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Fixed points: the image border and an ellipse 1.5x the face oval (inside the image)."""
    width, height = size
    xs = np.linspace(0, width - 1, max(2, round(width / BORDER_SPACING) + 1))
    ys = np.linspace(0, height - 1, max(2, round(height / BORDER_SPACING) + 1))
    border = np.concatenate(
        [
            np.stack([xs, np.zeros_like(xs)], 1),
            np.stack([xs, np.full_like(xs, height - 1)], 1),
            np.stack([np.zeros_like(ys[1:-1]), ys[1:-1]], 1),
            np.stack([np.full_like(ys[1:-1], width - 1), ys[1:-1]], 1),
        ]
    )
    oval = rest[list(FACE_OVAL), :2]
    centre = oval.mean(axis=0)
    radii = 0.5 * (oval.max(axis=0) - oval.min(axis=0)) * RING_SCALE
    angles = np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
    ring = centre + np.stack([np.cos(angles), np.sin(angles)], 1) * radii
    margin = 0.02 * min(width, height)
    inside = (
        (ring[:, 0] > margin)
        & (ring[:, 0] < width - 1 - margin)
        & (ring[:, 1] > margin)
        & (ring[:, 1] < height - 1 - margin)
    )
    return np.concatenate([border, ring[inside]])


def _tps_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """r^2 log r between every row of ``a`` and of ``b`` (the 2D thin-plate kernel)."""
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    np.maximum(d2, 1e-30, out=d2)
    return 0.5 * d2 * np.log(d2)


def _tps_system(centres: np.ndarray, smoothing: float) -> np.ndarray:
    """The (n+3, n+3) TPS interpolation matrix with an affine part (degree 1)."""
    n = len(centres)
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = _tps_kernel(centres, centres) + smoothing * np.eye(n)
    system[:n, n] = system[n, :n] = 1.0
    system[:n, n + 1 :] = centres
    system[n + 1 :, :n] = centres.T
    return system


class _Lru(OrderedDict[tuple[int, ...], Any]):
    def fetch(self, key: tuple[int, ...]) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def store(self, key: tuple[int, ...], value: Any) -> None:
        self[key] = value
        if len(self) > CACHE_ENTRIES:
            self.popitem(last=False)


class Warper:
    """Backward maps for one posed face: :meth:`map_for` -> (full map, painted landmark positions)."""

    def __init__(self, rig: FaceRig, size: tuple[int, int], *, step: int = DEFAULT_STEP) -> None:
        import cv2

        self._cv2 = cv2
        self.rig = rig
        self.size = size
        self.step = step
        width, height = size
        self.rest = rig.rest[:N_MESH, :2].astype(np.float64)
        self.anchors = anchor_points(rig.rest, size)
        self.scale = float(max(width, height))
        self.grid_w = int(np.ceil((width - 1) / step)) + 1
        self.grid_h = int(np.ceil((height - 1) / step)) + 1
        gx = np.arange(self.grid_w, dtype=np.float64) * step
        gy = np.arange(self.grid_h, dtype=np.float64) * step
        self._grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
        self._grid_image = self._grid.reshape(self.grid_h, self.grid_w, 2).astype(np.float32)
        # Fractional grid index of every full-resolution pixel (corner aligned), for upsampling.
        ix, iy = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
        self._up_x = ix / step
        self._up_y = iy / step
        self._face_window = self._window(rig.rest, size)
        self._patch_boxes = self._patches(rig.rest, size)
        self._patch_grids = [self._patch_points(box) for box in self._patch_boxes]
        self._patch_up = [
            (
                (np.arange(x1 - x0 + 1, dtype=np.float32)[None, :] / PATCH_STEP).repeat(y1 - y0 + 1, 0),
                (np.arange(y1 - y0 + 1, dtype=np.float32)[:, None] / PATCH_STEP).repeat(x1 - x0 + 1, 1),
            )
            for x0, y0, x1, y1 in self._patch_boxes
        ]
        self._expressions = _Lru()
        self._rotations = _Lru()
        self.fits = 0
        self.hits = 0
        self._rotation_centres = np.arange(0, N_MESH, ROTATION_CENTRE_STRIDE)
        self._rotation_operator = self._forward_operator(
            np.concatenate([self.rest[self._rotation_centres], self.anchors])
        )

    def _window(self, rest: np.ndarray, size: tuple[int, int]) -> tuple[slice, slice]:
        """Grid rows/columns covering the anchor ring plus a margin (where expressions move pixels)."""
        oval = rest[list(FACE_OVAL), :2]
        centre = oval.mean(axis=0)
        half = 0.5 * (oval.max(axis=0) - oval.min(axis=0)) * RING_SCALE * 1.3
        low = np.floor((centre - half) / self.step).astype(int)
        high = np.ceil((centre + half) / self.step).astype(int) + 1
        return (
            slice(max(low[1], 0), min(high[1], self.grid_h)),
            slice(max(low[0], 0), min(high[0], self.grid_w)),
        )

    def _patches(self, rest: np.ndarray, size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
        """Full-resolution boxes (x0, y0, x1, y1) around the eyes and mouth, where the warp is steep.

        A blink squeezes ~10 px of eye into 1 px and lips part over a few pixels: an 8 px grid cannot
        hold that, so these boxes get their own 2 px grid (generous enough for the lips' travel).
        """
        s = self.rig.s
        width, height = size
        boxes = []
        for lids, (left, up, right, down) in (
            (RIGHT_UPPER_LID + RIGHT_LOWER_LID, (0.15, 0.25, 0.15, 0.15)),
            (LEFT_UPPER_LID + LEFT_LOWER_LID, (0.15, 0.25, 0.15, 0.15)),
            (UPPER_OUTER_LIP + LOWER_OUTER_LIP, (0.25, 0.2, 0.25, 0.4)),
        ):
            pts = rest[list(lids), :2]
            x0, y0 = pts.min(axis=0) - np.array([left, up]) * s
            x1, y1 = pts.max(axis=0) + np.array([right, down]) * s
            x0, y0 = max(int(x0) // PATCH_STEP * PATCH_STEP, 0), max(int(y0) // PATCH_STEP * PATCH_STEP, 0)
            x1 = min(x0 + int(np.ceil((x1 - x0) / PATCH_STEP)) * PATCH_STEP, width - 1)
            y1 = min(y0 + int(np.ceil((y1 - y0) / PATCH_STEP)) * PATCH_STEP, height - 1)
            x1 -= (x1 - x0) % PATCH_STEP
            y1 -= (y1 - y0) % PATCH_STEP
            if x1 > x0 and y1 > y0:
                boxes.append((x0, y0, x1, y1))
        return boxes

    def _patch_points(self, box: tuple[int, int, int, int]) -> np.ndarray:
        x0, y0, x1, y1 = box
        xs = np.arange(x0, x1 + 1, PATCH_STEP, dtype=np.float64)
        ys = np.arange(y0, y1 + 1, PATCH_STEP, dtype=np.float64)
        return np.stack(np.meshgrid(xs, ys), axis=-1)

    # ------------------------------------------------------------- expression
    def _expression_fit(
        self, destination: np.ndarray, state: PoseState
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Absolute source positions on the coarse grid and on the fine patches the pose needs.

        Centres at the destination landmarks; only grid points near the face are evaluated (beyond the
        fixed ring the offsets are ~0). Eye patches only for blinks, the mouth patch only when the lips
        part or the jaw moves: elsewhere the coarse grid is accurate and 3x cheaper.
        """
        from scipy.interpolate import RBFInterpolator

        dst = destination[:N_MESH, :2]
        offsets = self.rest - dst
        moving = np.abs(offsets).max(axis=1) > MOVING_PX
        # Fixed landmarks pin the face where nothing moves; a sparse subset of them is enough.
        keep = moving | (np.arange(N_MESH) % 4 == 0)
        centres = np.concatenate([dst[keep], self.anchors])
        values = np.concatenate([offsets[keep], np.zeros_like(self.anchors)])
        centres, unique = np.unique(np.round(centres, 2), axis=0, return_index=True)
        field = self._grid_image.copy()
        window = self._face_window
        wanted = self._wanted_patches(state)
        fine = [grid for grid, use in zip(self._patch_grids, wanted, strict=True) if use]
        grids = [self._grid_image[window].astype(np.float64), *fine]
        points = np.concatenate([g.reshape(-1, 2) for g in grids])
        spline = RBFInterpolator(
            centres / self.scale, values[unique], kernel="thin_plate_spline", degree=1, smoothing=1e-7
        )
        absolute = (points + spline(points / self.scale)).astype(np.float32)
        pieces = []
        start = 0
        for grid in grids:
            count = grid.shape[0] * grid.shape[1]
            pieces.append(absolute[start : start + count].reshape(grid.shape))
            start += count
        field[window] = pieces[0]
        rest = iter(pieces[1:])
        return field, [next(rest) if use else None for use in wanted]

    def _wanted_patches(self, state: PoseState) -> list[bool]:
        mouth = bool(state.jaw_open or state.o_mouth or state.lip_raise or state.jaw_forward)
        return [bool(state.blink), bool(state.blink), mouth][: len(self._patch_boxes)]

    def _full_expression(self, coarse: np.ndarray, patches: list[np.ndarray | None]) -> np.ndarray:
        """Full-resolution absolute map: the coarse grid upsampled, fine patches pasted over it."""
        cv2 = self._cv2
        mode = cv2.BORDER_REPLICATE
        full = cv2.remap(coarse, self._up_x, self._up_y, cv2.INTER_LINEAR, borderMode=mode)
        for (x0, y0, x1, y1), patch, (fx, fy) in zip(self._patch_boxes, patches, self._patch_up, strict=True):
            if patch is None:
                continue
            full[y0 : y1 + 1, x0 : x1 + 1] = cv2.remap(patch, fx, fy, cv2.INTER_LINEAR, borderMode=mode)
        return full

    # --------------------------------------------------------------- rotation
    def _forward_operator(self, centres: np.ndarray) -> np.ndarray:
        """G (grid points, centres): TPS displacement on the grid = G @ displacement at the centres."""
        n = len(centres)
        c = centres / self.scale
        g = self._grid / self.scale
        solve = np.linalg.inv(_tps_system(c, 1e-7))[:, :n]
        evaluation = np.concatenate([_tps_kernel(g, c), np.ones((len(g), 1)), g], axis=1)
        return evaluation @ solve

    def _rotation_fields(self, state: PoseState) -> tuple[np.ndarray, np.ndarray]:
        """(forward displacement, backward absolute map) on the grid for the state's head angles."""
        key = state.angles_key()
        cached = self._rotations.fetch(key)
        if cached is not None:
            return cached[0], cached[1]
        motion = self.rig.rotation_offsets(state)[self._rotation_centres]
        motion = np.concatenate([motion, np.zeros_like(self.anchors)])
        forward = (self._rotation_operator @ motion).astype(np.float32).reshape(self.grid_h, self.grid_w, 2)
        # Backward map b(y): solve b + f(b) = y by fixed-point iteration (f is smooth and small-slope).
        target = self._grid_image
        backward = target - forward
        for _ in range(INVERSION_ITERATIONS):
            backward = target - self._sample(forward, backward)
        pair = np.stack([forward, backward])
        self._rotations.store(key, pair)
        return forward, backward

    # ---------------------------------------------------------------- frames
    def map_for(
        self, state: PoseState, shift: tuple[float, float] = (0.0, 0.0)
    ) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution backward map (H, W, 2) float32 and where the landmarks are drawn (478, 2).

        ``shift`` moves the whole picture by that many pixels (camera shake).
        """
        cv2 = self._cv2
        expression = state.expression()
        destination = self.rig.destination(expression)
        key = expression.key()
        entry = self._expressions.fetch(key)
        if entry is None:
            self.fits += 1
            entry = (
                (self._grid_image, [None] * len(self._patch_boxes))
                if expression.neutral
                else self._expression_fit(destination, expression)
            )
            self._expressions.store(key, entry)
        else:
            self.hits += 1
        full = self._full_expression(*entry)
        if state.rotated:
            forward, backward = self._rotation_fields(state)
            mode = cv2.BORDER_REPLICATE
            backward_full = cv2.remap(backward, self._up_x, self._up_y, cv2.INTER_LINEAR, borderMode=mode)
            full = cv2.remap(full, backward_full, None, cv2.INTER_LINEAR, borderMode=mode)
            moved = self._sample(forward, destination[:, None, :].astype(np.float32))
            destination = destination + moved[:, 0, :]
        if shift != (0.0, 0.0):
            full -= np.array(shift, dtype=np.float32)
            destination = destination + np.array(shift)
        return full, destination

    def _sample(self, grid_field: np.ndarray, at_pixels: np.ndarray) -> np.ndarray:
        """Bilinear sample of a coarse-grid field at pixel positions (..., 2) float32."""
        cv2 = self._cv2
        at = at_pixels / self.step
        mode = cv2.BORDER_REPLICATE
        return cv2.remap(grid_field, at[..., 0], at[..., 1], cv2.INTER_LINEAR, borderMode=mode)

    def warp(self, image: np.ndarray, backward_map: np.ndarray) -> np.ndarray:
        """Sample ``image`` through ``backward_map`` (bilinear, edges replicated)."""
        cv2 = self._cv2
        return cv2.remap(image, backward_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
