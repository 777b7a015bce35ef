"""Wrong-exercise watch: another recognised shape (``[[shape]]`` in specs.toml) held while this
exercise's drive is not active, for ``SHAPE_PERSIST_S``. Pure Python over the engine's feature rows."""

from __future__ import annotations

from collections.abc import Sequence

SHAPE_PERSIST_S = 0.8

_NONE: tuple[str, ...] = ()
Shape = tuple[str, str, int, float]
"""(id, label, feature column, minimum): the shape is held while the feature is above the minimum."""


class WrongExerciseWatch:
    """The shapes this exercise does not allow, and since when each has been held."""

    def __init__(self, shapes: Sequence[Shape]) -> None:
        self.shapes = list(shapes)
        self._since: dict[str, float] = {}

    def watch(self, f: list[float], t_s: float, drive: float, enter: float) -> Sequence[str]:
        """Labels of the shapes held long enough at this frame while the drive is under ``enter``."""
        # This runs every frame: the common cases (the exercise's own drive up, no shape held) cost no call.
        held_since = self._since
        if not drive < enter:  # the exercise itself is moving (or its drive is unknown): nothing held instead
            if held_since:
                held_since.clear()
            return _NONE
        held: list[str] | None = None  # built only when a shape is held long enough
        for shape_id, label, index, minimum in self.shapes:
            if f[index] > minimum:
                since = held_since.setdefault(shape_id, t_s)
                if t_s - since >= SHAPE_PERSIST_S:
                    held = [label] if held is None else [*held, label]
            elif held_since:
                held_since.pop(shape_id, None)
        return held or _NONE
