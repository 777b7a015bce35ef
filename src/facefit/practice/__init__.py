"""The practice layer: the one way a practice session begins and runs, whatever the door.

Every door (``facefit routine``, ``facefit routine --coach``, ``facefit coach``, the web practice page,
its routine player and ``/ws/coach``) calls :func:`facefit.practice.start.start_practice` first and
renders its verdict: a :class:`~facefit.practice.start.PracticePlan` (the routine filtered for the
screening, warnings, the stored rest) or a :class:`~facefit.practice.start.Refusal` (what is wrong and
what to do). Sets are then run by :mod:`facefit.practice.sets` over a signal stream
(:mod:`facefit.signals.stream`) and written through one recorder protocol
(:mod:`facefit.practice.recorder`). See docs/design.md, "The practice lifecycle".
"""
