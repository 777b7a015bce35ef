"""Not-seen watch: a set that has seen no rep after ``NOT_SEEN_S`` of visible face says so, once.

Either the person has not started, or the camera cannot see the movement (the spec's ``unseen_hint``
says what may hide it: glasses frames over the brows); a press the camera cannot see must not pass in
silence. Fed by the engine with idle frames of a visible face."""

from __future__ import annotations

NOT_SEEN_S = 15.0


class NotSeenWatch:
    def __init__(self) -> None:
        self._since: float | None = None
        self._said = False

    def watch(self, t_s: float, reps_done: int) -> bool:
        """True once, at the first idle frame ``NOT_SEEN_S`` after the first with no rep counted."""
        if self._since is None:
            self._since = t_s
        if self._said or reps_done or t_s - self._since < NOT_SEEN_S:
            return False
        self._said = True
        return True
