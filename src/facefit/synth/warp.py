"""Thin-plate-spline image warps from landmark motion: expression and head rotation, cached apart.

``cv2.remap`` needs, for every output pixel, where to sample the rest frame (a backward map). It is
built in two cached parts, each on a coarse grid (about every ``step`` pixels, laid out so that
``cv2.resize`` upsamples it exactly bilinearly, ~1 ms at 640x480), composed on that grid, with finer
2 px grids over the eyes and mouth where the warp is steep (a blink squeezes ~10 px into 1 px):

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

Grids hold *offsets* (source minus position), which are ~0 at the image border, so the edge clamping
of ``cv2.resize`` costs nothing there.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from facefit.synth.poses import FaceRig, PoseState
from facefit.vision.mesh import (
    FACE_OVAL,
    LOWER_LID_L,
    LOWER_LID_R,
    LOWER_OUTER_LIP,
    N_MESH,
    UPPER_LID_L,
    UPPER_LID_R,
    UPPER_OUTER_LIP,
)

RING_SCALE = 1.5
RING_POINTS = 28
BORDER_SPACING = 64
DEFAULT_STEP = 8
PATCH_STEP = 2
MOVING_PX = 0.4  # landmarks moving less are pinned by a sparse subset instead of all being centres
PIN_STRIDE = 5
CACHE_ENTRIES = 512
ROTATION_CENTRE_STRIDE = 3
INVERSION_ITERATIONS = 8


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


class Grid:
    """Points laid out like ``cv2.resize``'s sample positions: (i + 0.5) * scale - 0.5 per axis.

    Upsampling values on such a grid with ``cv2.resize(INTER_LINEAR)`` to ``width x height`` is exact
    bilinear interpolation between the points, which is ~5x faster than an equivalent remap.
    """

    def __init__(self, x0: float, y0: float, width: int, height: int, columns: int, rows: int) -> None:
        self.x0, self.y0, self.width, self.height = x0, y0, width, height
        self.columns, self.rows = columns, rows
        self.sx, self.sy = width / columns, height / rows
        xs = x0 + (np.arange(columns) + 0.5) * self.sx - 0.5
        ys = y0 + (np.arange(rows) + 0.5) * self.sy - 0.5
        self.points = np.stack(np.meshgrid(xs, ys), axis=-1)  # (rows, columns, 2) float64

    def index(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (column, row) indices of pixel positions (..., 2)."""
        column = (pixels[..., 0] - self.x0 + 0.5) / self.sx - 0.5
        row = (pixels[..., 1] - self.y0 + 0.5) / self.sy - 0.5
        return column, row

    def sample(self, values: np.ndarray, pixels: np.ndarray) -> np.ndarray:
        """Bilinear sample of grid ``values`` (rows, columns, 2) at pixel positions, edges clamped.

        Plain numpy on purpose: ``cv2.remap`` rounds positions to 1/32 of a cell, which here would
        be 0.25 px and leave the rotation inverse ~0.4 px off.
        """
        column, row = self.index(np.asarray(pixels, dtype=np.float64))
        column = np.minimum(np.maximum(column, 0.0), self.columns - 1.0)  # np.clip is 3x slower here
        row = np.minimum(np.maximum(row, 0.0), self.rows - 1.0)
        c0 = np.minimum(np.floor(column).astype(np.intp), self.columns - 2) if self.columns > 1 else 0
        r0 = np.minimum(np.floor(row).astype(np.intp), self.rows - 2) if self.rows > 1 else 0
        wc = (column - c0)[..., None]
        wr = (row - r0)[..., None]
        top = values[r0, c0] * (1 - wc) + values[r0, c0 + 1] * wc
        bottom = values[r0 + 1, c0] * (1 - wc) + values[r0 + 1, c0 + 1] * wc
        return (top * (1 - wr) + bottom * wr).astype(values.dtype, copy=False)

    def upsample(self, values: np.ndarray) -> np.ndarray:
        """Grid values -> (height, width, 2) per pixel."""
        import cv2

        return cv2.resize(values, (self.width, self.height), interpolation=cv2.INTER_LINEAR)

    def contains(self, pixels: np.ndarray) -> np.ndarray:
        x, y = pixels[..., 0], pixels[..., 1]
        inside_x = (x >= self.x0) & (x <= self.x0 + self.width - 1)
        return inside_x & (y >= self.y0) & (y <= self.y0 + self.height - 1)


def patch_grid(box: tuple[int, int, int, int]) -> Grid:
    """A 2 px grid over a pixel box (x0, y0, x1, y1), end exclusive, sides even."""
    x0, y0, x1, y1 = box
    return Grid(x0, y0, x1 - x0, y1 - y0, (x1 - x0) // PATCH_STEP, (y1 - y0) // PATCH_STEP)


class Warper:
    """Backward maps for one posed face: :meth:`map_for` -> (full map, painted landmark positions)."""

    def __init__(self, rig: FaceRig, size: tuple[int, int], *, step: int = DEFAULT_STEP) -> None:
        import cv2

        self._cv2 = cv2
        self.rig = rig
        self.size = size
        width, height = size
        self.rest = rig.rest[:N_MESH, :2].astype(np.float64)
        self.anchors = anchor_points(rig.rest, size)
        self.scale = float(max(width, height))
        self.grid = Grid(0, 0, width, height, int(np.ceil(width / step)), int(np.ceil(height / step)))
        ix, iy = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
        self._identity = np.stack([ix, iy], axis=-1)
        self._window = self._face_window()
        self._patch_boxes = self._patches()
        self._patches_fine = [patch_grid(box) for box in self._patch_boxes]
        self._expressions = _Lru()
        self._rotations = _Lru()
        self.fits = 0
        self.hits = 0
        self._rotation_centres = np.arange(0, N_MESH, ROTATION_CENTRE_STRIDE)
        self._rotation_operator = self._forward_operator(
            np.concatenate([self.rest[self._rotation_centres], self.anchors])
        )

    def _face_window(self) -> tuple[slice, slice]:
        """Grid rows/columns covering the anchor ring plus a margin (where expressions move pixels)."""
        oval = self.rig.rest[list(FACE_OVAL), :2]
        centre = oval.mean(axis=0)
        half = 0.5 * (oval.max(axis=0) - oval.min(axis=0)) * RING_SCALE * 1.3
        low_c, low_r = self.grid.index(centre - half)
        high_c, high_r = self.grid.index(centre + half)
        return (
            slice(max(int(np.floor(low_r)), 0), min(int(np.ceil(high_r)) + 1, self.grid.rows)),
            slice(max(int(np.floor(low_c)), 0), min(int(np.ceil(high_c)) + 1, self.grid.columns)),
        )

    def _patches(self) -> list[tuple[int, int, int, int]]:
        """Pixel boxes (x0, y0, x1, y1) around the eyes and mouth, where the warp is steep.

        A blink squeezes ~10 px of eye into 1 px and lips part over a few pixels: an 8 px grid cannot
        hold that, so these boxes get their own 2 px grid (generous enough for the lips' travel).
        """
        s = self.rig.s
        boxes = []
        for lids, (left, up, right, down) in (
            (UPPER_LID_R + LOWER_LID_R, (0.15, 0.25, 0.15, 0.15)),
            (UPPER_LID_L + LOWER_LID_L, (0.15, 0.25, 0.15, 0.15)),
            (UPPER_OUTER_LIP + LOWER_OUTER_LIP, (0.25, 0.2, 0.25, 0.4)),
        ):
            pts = self.rig.rest[list(lids), :2]
            low = pts.min(axis=0) - np.array([left, up]) * s
            box = self._even_box(low, pts.max(axis=0) + np.array([right, down]) * s)
            if box is not None:
                boxes.append(box)
        return boxes

    def _even_box(self, low: np.ndarray, high: np.ndarray) -> tuple[int, int, int, int] | None:
        """Integer box inside the image with even sides, or None when nothing is left."""
        width, height = self.size
        x0, y0 = max(int(np.floor(low[0])), 0), max(int(np.floor(low[1])), 0)
        x1, y1 = min(int(np.ceil(high[0])), width), min(int(np.ceil(high[1])), height)
        x1 -= (x1 - x0) % PATCH_STEP
        y1 -= (y1 - y0) % PATCH_STEP
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    # ------------------------------------------------------------- expression
    def _expression_fit(
        self, destination: np.ndarray, state: PoseState
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Offsets (source minus point) on the coarse grid and on the fine patches the pose needs.

        Centres at the destination landmarks; only grid points near the face are evaluated (beyond the
        fixed ring the offsets are ~0). Eye patches only for blinks, the mouth patch only when the lips
        part or the jaw moves: elsewhere the coarse grid is accurate and 3x cheaper.
        """
        from scipy.interpolate import RBFInterpolator

        dst = destination[:N_MESH, :2]
        offsets = self.rest - dst
        moving = np.abs(offsets).max(axis=1) > MOVING_PX
        # Fixed landmarks pin the face where nothing moves; a sparse subset of them is enough.
        keep = moving | (np.arange(N_MESH) % PIN_STRIDE == 0)
        centres = np.concatenate([dst[keep], self.anchors])
        values = np.concatenate([offsets[keep], np.zeros_like(self.anchors)])
        centres, unique = np.unique(np.round(centres, 2), axis=0, return_index=True)
        wanted = self._wanted_patches(state)
        fine = [g.points for g, use in zip(self._patches_fine, wanted, strict=True) if use]
        grids = [self.grid.points[self._window], *fine]
        points = np.concatenate([g.reshape(-1, 2) for g in grids])
        spline = RBFInterpolator(
            centres / self.scale, values[unique], kernel="thin_plate_spline", degree=1, smoothing=1e-7
        )
        evaluated = spline(points / self.scale).astype(np.float32)
        pieces = []
        start = 0
        for grid in grids:
            count = grid.shape[0] * grid.shape[1]
            pieces.append(evaluated[start : start + count].reshape(grid.shape))
            start += count
        coarse = np.zeros((self.grid.rows, self.grid.columns, 2), dtype=np.float32)
        coarse[self._window] = pieces[0]
        rest = iter(pieces[1:])
        return coarse, [next(rest) if use else None for use in wanted]

    def _wanted_patches(self, state: PoseState) -> list[bool]:
        mouth = bool(state.jaw_open or state.o_mouth or state.lip_raise or state.jaw_forward)
        return [bool(state.blink), bool(state.blink), mouth][: len(self._patch_boxes)]

    def _expression(
        self, state: PoseState, destination: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Cached expression offsets (coarse, fine patches) for an unrotated pose."""
        key = state.key()
        entry = self._expressions.fetch(key)
        if entry is None:
            self.fits += 1
            if state.neutral:
                coarse = np.zeros((self.grid.rows, self.grid.columns, 2), dtype=np.float32)
                entry = (coarse, [None] * len(self._patch_boxes))
            else:
                entry = self._expression_fit(destination, state)
            self._expressions.store(key, entry)
        else:
            self.hits += 1
        return entry

    # --------------------------------------------------------------- rotation
    def _forward_operator(self, centres: np.ndarray) -> np.ndarray:
        """G (grid points, centres): TPS displacement on the grid = G @ displacement at the centres."""
        n = len(centres)
        c = centres / self.scale
        g = self.grid.points.reshape(-1, 2) / self.scale
        solve = np.linalg.inv(_tps_system(c, 1e-7))[:, :n]
        evaluation = np.concatenate([_tps_kernel(g, c), np.ones((len(g), 1)), g], axis=1)
        return evaluation @ solve

    def _rotation_fields(self, state: PoseState) -> tuple[np.ndarray, np.ndarray]:
        """Forward displacement and backward *offset* on the coarse grid for the state's head angles."""
        key = state.angles_key()
        cached = self._rotations.fetch(key)
        if cached is not None:
            return cached[0], cached[1]
        motion = self.rig.rotation_offsets(state)[self._rotation_centres]
        motion = np.concatenate([motion, np.zeros_like(self.anchors)])
        shape = (self.grid.rows, self.grid.columns, 2)
        forward = (self._rotation_operator @ motion).astype(np.float32).reshape(shape)
        backward = self._invert(forward)
        pair = np.stack([forward, backward])
        self._rotations.store(key, pair)
        return forward, backward

    def _invert(self, forward: np.ndarray) -> np.ndarray:
        """Backward offsets d on the grid with b = y + d solving b + f(b) = y (Newton's method).

        The Jacobian of f comes from finite differences on the grid; a few steps reach 1e-3 px where
        plain fixed-point iteration needs ~30 (f's slope reaches ~0.7 at the face's edge).
        """
        grid = self.grid
        d_dy, d_dx = np.gradient(forward.astype(np.float64), grid.sy, grid.sx, axis=(0, 1))
        jacobian = np.concatenate([d_dx, d_dy], axis=-1)  # fx/dx, fy/dx, fx/dy, fy/dy
        target = grid.points
        b = target - forward
        for _ in range(INVERSION_ITERATIONS):
            residual = b + grid.sample(forward, b) - target
            if np.abs(residual).max() < 1e-3:
                break
            j = grid.sample(jacobian, b)
            a11, a21, a12, a22 = 1.0 + j[..., 0], j[..., 1], j[..., 2], 1.0 + j[..., 3]
            det = a11 * a22 - a12 * a21
            step_x = (a22 * residual[..., 0] - a12 * residual[..., 1]) / det
            step_y = (a11 * residual[..., 1] - a21 * residual[..., 0]) / det
            b = b - np.stack([step_x, step_y], axis=-1)
        return (b - target).astype(np.float32)

    def _compose_patch(
        self, index: int, patch: np.ndarray, coarse: np.ndarray, backward: np.ndarray, forward: np.ndarray
    ) -> tuple[Grid, np.ndarray] | None:
        """A fine expression patch seen through the head rotation: (output grid, offsets on it)."""
        x0, y0, x1, y1 = self._patch_boxes[index]
        centre = np.array([[0.5 * (x0 + x1), 0.5 * (y0 + y1)]], dtype=np.float32)
        shift = self.grid.sample(forward, centre[None])[0, 0]
        margin = 4.0
        box = self._even_box(np.array([x0, y0]) + shift - margin, np.array([x1, y1]) + shift + margin)
        if box is None:
            return None
        out = patch_grid(box)
        y = out.points.astype(np.float32)
        b = y + self.grid.sample(backward, y)
        source = self._patches_fine[index]
        fine = source.sample(patch, b)
        rough = self.grid.sample(coarse, b)
        offsets = np.where(source.contains(b)[..., None], fine, rough)
        return out, b + offsets - y

    # ---------------------------------------------------------------- frames
    def drawn_landmarks(self, state: PoseState) -> np.ndarray:
        """(478, 2) where :meth:`map_for` draws each landmark (no shake), without building the map."""
        expression = state.expression()
        destination = self.rig.destination(expression)
        if state.rotated:
            forward, _backward = self._rotation_fields(state)
            moved = self.grid.sample(forward, destination[:, None, :].astype(np.float32))
            destination = destination + moved[:, 0, :]
        return destination

    def map_for(
        self, state: PoseState, shift: tuple[float, float] = (0.0, 0.0)
    ) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution backward map (H, W, 2) float32 and where the landmarks are drawn (478, 2).

        ``shift`` moves the whole picture by that many pixels (camera shake).
        """
        expression = state.expression()
        destination = self.rig.destination(expression)
        coarse, patches = self._expression(expression, destination)
        pairs = zip(self._patches_fine, patches, strict=True)
        fine: list[tuple[Grid, np.ndarray]] = [(grid, patch) for grid, patch in pairs if patch is not None]
        if state.rotated:
            forward, backward = self._rotation_fields(state)
            y = self.grid.points.astype(np.float32)
            b = y + backward
            composed = b + self.grid.sample(coarse, b) - y
            fine = []
            for index, patch in enumerate(patches):
                if patch is not None:
                    seen = self._compose_patch(index, patch, coarse, backward, forward)
                    fine += [seen] if seen is not None else []
            coarse = composed
            moved = self.grid.sample(forward, destination[:, None, :].astype(np.float32))
            destination = destination + moved[:, 0, :]
        offsets = self.grid.upsample(coarse.astype(np.float32, copy=False))
        for grid, values in fine:
            x0, y0 = int(grid.x0), int(grid.y0)
            offsets[y0 : y0 + grid.height, x0 : x0 + grid.width] = grid.upsample(values.astype(np.float32))
        if shift != (0.0, 0.0):
            offsets -= np.array(shift, dtype=np.float32)
            destination = destination + np.array(shift)
        return self._identity + offsets, destination

    def warp(self, image: np.ndarray, backward_map: np.ndarray) -> np.ndarray:
        """Sample ``image`` through ``backward_map`` (bilinear, edges replicated)."""
        cv2 = self._cv2
        return cv2.remap(image, backward_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
