"""Discouraged-moves watch: cheek puffing and lip flapping (the catalog's guidance.toml), every frame.

Cheek puffing is the cheek-puff score above ``CHEEK_PUFF_SCORE`` for ``CHEEK_PUFF_S``. Lip flapping is
``LIP_FLAP_FLIPS`` open/close reversals of the lips of ``LIP_FLAP_STEP_IPD`` within ``LIP_FLAP_WINDOW_S``
(10 Hz: faster than speech syllables). Pure Python over the engine's feature rows; the engine says it.
"""

from __future__ import annotations

from collections import deque

from facefit.coach.features import FEATURE_INDEX

CHEEK_PUFF_SCORE = 0.3
CHEEK_PUFF_S = 0.5
LIP_FLAP_STEP_IPD = 0.02
LIP_FLAP_FLIPS = 20
LIP_FLAP_WINDOW_S = 2.0

_PUFF, _MOUTH = FEATURE_INDEX["cheek_puff"], FEATURE_INDEX["mouth_open"]
_NONE: tuple[str, ...] = ()


class DiscouragedWatch:
    """State of the watch over one set; :meth:`watch` names the discouraged moves a frame completes."""

    def __init__(self) -> None:
        self._puff_since: float | None = None
        self._lip_dir = 0
        self._lip_ext = 0.0
        self._flips: deque[float] = deque()

    def watch(self, f: list[float], t_s: float) -> tuple[str, ...]:
        """The fault kinds (``cheek-puff``, ``lip-flap``) this frame's features show, in that order."""
        found = _NONE
        if f[_PUFF] > CHEEK_PUFF_SCORE:
            self._puff_since = t_s if self._puff_since is None else self._puff_since
            if t_s - self._puff_since >= CHEEK_PUFF_S:
                found = ("cheek-puff",)
        else:
            self._puff_since = None
        lips = f[_MOUTH]
        direction, extreme = self._lip_dir, self._lip_ext
        if direction == 0:
            if abs(lips - extreme) >= LIP_FLAP_STEP_IPD:
                self._lip_dir, self._lip_ext = (1 if lips > extreme else -1), lips
            return found
        if (lips - extreme) * direction > 0:
            self._lip_ext = lips
        elif abs(lips - extreme) >= LIP_FLAP_STEP_IPD:
            self._lip_dir, self._lip_ext = -direction, lips
            flips = self._flips
            flips.append(t_s)
            while t_s - flips[0] > LIP_FLAP_WINDOW_S:
                flips.popleft()
            if len(flips) >= LIP_FLAP_FLIPS:
                found = (*found, "lip-flap")
        return found
