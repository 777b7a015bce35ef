"""The coaching engine: signal vectors in, typed events out. Pure numpy, no I/O, caller supplies the clock.

Per frame the engine turns the signal change from rest into a handful of features with one matrix
product (:mod:`facefit.coach.features`), smooths the drive feature, and runs a small state machine:
``idle`` -> ``active`` when the drive rises above ``enter``; back to ``idle`` when it falls below
``exit`` (hysteresis, the MediaPipe RepetitionCounter idea). A rise only counts as a rep when it
stayed up for ``min_active_s`` (debounce), which is what keeps blinks, talking and head sway out.
At the end of each rep the buffered frames give the numbers: amplitude per side, symmetry, peak
speed, hold length and stability, and the form faults. Safety checks (twitch at rest, in
:mod:`facefit.coach.twitch`; new asymmetry; fatigue, by the one rule of :mod:`facefit.coach.fatigue`;
overwork) stop the set: after a safety event the engine ignores further frames.

Also watched, each by a small watcher with its own state and rule: the wrong exercise (another
recognised shape held instead, :mod:`facefit.coach.wrong_exercise`), discouraged moves (cheek puff, lip
flapping, :mod:`facefit.coach.discouraged`), a set with no rep seen (:mod:`facefit.coach.not_seen`),
the head outside the operating range (:mod:`facefit.coach.pose_watch`: said once, no rep counted
there), the lips' share of a brow drive (:mod:`facefit.coach.decouple`), blinks (skipped where the spec
says they corrupt the drive) and, when no calibration is stored, the first still second as the rest
(:mod:`facefit.coach.rest`). What the engine says is in coach/specs.toml ``[messages]``; what it does
per exercise is that exercise's spec.

``update(values, t_ms)`` is the live path; ``run(series)`` computes the features of the whole
series at once and then steps the same state machine, so both paths give identical events.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np

from facefit.coach.decouple import MouthDecoupler
from facefit.coach.discouraged import DiscouragedWatch
from facefit.coach.events import (
    Event,
    EventKind,
    FaultEvent,
    HoldEvent,
    ProgressEvent,
    RepEvent,
    SafetyEvent,
)
from facefit.coach.fatigue import fatigue
from facefit.coach.features import FEATURE_INDEX, MATRIX, USED_SIGNALS
from facefit.coach.not_seen import NotSeenWatch
from facefit.coach.pose_watch import PoseWatch
from facefit.coach.quantiles import median, percentile
from facefit.coach.rest import RestFinder
from facefit.coach.shape import (
    RepShape,
    busy_share,
    hold_window,
    peak_speed,
    rep_shape,
    smooth3,
    zigzag_swings,
)
from facefit.coach.specs import ExerciseSpec, Limit, messages, pose_range_message, shapes, spec_for
from facefit.coach.twitch import TwitchWatch
from facefit.coach.wrong_exercise import WrongExerciseWatch
from facefit.signals.names import GEOMETRY_SIGNALS, SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries
from facefit.signals.stillness import noise_sd, step_sd

SMOOTH_TAU_S = 0.05
"""Time constant of the exponential smoothing of the drive (removes landmark jitter, ~50 ms lag)."""
LIVE_HOLD_FRACTION = 0.85
"""Live hold ring: the hold runs while the drive stays above this share of the rep's top so far."""
BLINK_EYE_IPD = 0.015
"""Frames where the eyes are on average this much more closed than at rest are mid-blink: skipped."""
EXIT_HOLD_S = 0.2
"""The drive must stay under ``exit`` this long to end a rep (a one-frame glitch does not split it)."""
PRE_ROLL_S = 1.5
"""Idle seconds kept before a rep starts, so its onset (rise time, start) is measured from rest."""
FAULT_COOLDOWN_S = 5.0
"""A fault of one kind is said at most once in this many seconds."""
REST_AGAIN_S = 1.0
"""A first-still-second rest whose witness read above the spec's ``rest_witness_max`` (a smile score over
0.5: someone already smiling when the coach started) is learned again when, before the first rep, the face
settles below it for this long: the drive under minus the midpoint of ``enter`` and ``exit``, the witness
down ``witness_min``, the spec's gate passed (the mouth narrower), the head inside the operating range.
Without it every smile after such a rest was measured from the smile and none was counted: a looped synth
clip the browser's coaching joined inside a smile's hold gave 0 of 100 reps (bench/bench_browser_fps.py, 4
of 11 runs); relaxed, its stronger corner read 0.039 IPD under that rest (enter 0.04), its mouth 0.135 IPD
narrower, and its smile score fell from 0.72 to 0.00. Only the spec's own witness says the rest was a rep:
a drive below the rest alone is everyday movement for a head tilt (looking down at the screen) or a brow
press (raised brows), and relearning on it lost real reps. Not recovered: an opening smile scoring 0.5 or
less (some faces' true smiles score 0.04-0.2), or a relaxed face scoring within 0.3 of it."""
REST_AGAIN_TAU_S = 0.25
"""The witness is judged smoothed over about this long (an exponential): per frame, a landmarker's smile
score jitters (review probe: at 0.05 SD a frame, 1 of 4 such streams was recovered when judged frame by
frame)."""
RUN_CHUNK = 900
"""``run`` makes the features of this many frames at a time while a rest may be learned again."""
REST_AGAIN_GAP_S = 0.5
"""Frames up to this far apart still add up to that second; a longer gap (the face lost) starts it over."""
REST_AGAIN_CAP_S = 10.0
"""For this long after a rest is learned again, a still second that reads like the smile given up is not
taken as the new rest (``_learn_rest_again``); after it any still second is, so a wrong call cannot leave
a set without a rest."""
MIN_HOLD_S = 0.3
"""A rep held at least this long also reports a hold event."""
MIN_REP_FRAMES = 3
"""A rise with fewer frames than this is not a rep (and fewer calibration rows give no noise estimate)."""
REP_LEAD_S = 0.2
"""A rep's own frames start this long before its drive crossed ``enter`` (the start of its rise); the
pre-roll before that may hold talking that ended before the rep, which is no fault of the rep."""
HOLD_FALLBACK_SHARE = 0.5
"""When the rep shape finds fewer than two hold frames, the hold is where the drive is above this share
of the rep's level."""
RELAX_PERCENTILE = 90
"""A relax limit is judged on this percentile of its feature over the rep (a single frame may spike)."""
ASYMMETRY_REPS_WITH_BASELINE = 2
"""With a stored symmetry baseline, this many reps in a row well below it are a new asymmetry."""
ASYMMETRY_OWN_BASELINE_REPS = 6
ASYMMETRY_BASELINE_REPS = 3
ASYMMETRY_REPS = 3
"""Without a stored baseline: after ``ASYMMETRY_OWN_BASELINE_REPS`` reps, the median symmetry of the
first ``ASYMMETRY_BASELINE_REPS`` is the baseline, and the last ``ASYMMETRY_REPS`` well below it are a
new asymmetry."""
OVERWORK_FACTOR = 2
"""This many times the target reps in one set is overwork (the message says "twice")."""
TALK_SWING_IPD = 0.015
TALK_MIN_SWINGS = 3
TALK_SWINGS_PER_S = 2.0
TALK_SWING_SHARE = 0.3
TALK_LIPS_PERCENTILE = 90
"""A rise with at least 3 lip open/close swings, at 2 per second or more, is speech; a swing is at least
0.015 IPD and at least 0.3 of the rise's 90th-percentile lip opening (big mouths swing bigger)."""
TALK_BUSY_STEP_IPD = 0.012
TALK_BUSY_SHARE = 0.25
TALK_BUSY_DT_S = 1.0 / 15.0
"""Brow presses (the lips have no part in them; a smile moves them, so not there): a hold in which a
quarter or more of the 1/15 s steps change the lip opening by 0.012 IPD is talking. Synthetic syllables
are 3-4 frames long at 15 fps, too short for the swing count above when speech and still stretches mix;
true brow holds stay at or under 0.17 (eval seeds 11, 2028-2032, noisiest clips), the talking rises that
passed as brow-smoothener reps on 2031 and 2032 were at 0.35 and 0.44 over their rise."""
TALK_NOISE_K = 3.5
TALK_NOISE_CAP = 2.5
"""Both speech checks' lip steps are at least ``TALK_NOISE_K`` x the lip opening's per-frame noise SD
measured over the rest second (``signals.stillness.noise_sd``), up to ``TALK_NOISE_CAP`` x their fixed
step: through a dark or heavily compressed webcam the lip landmarks jitter with an SD of 0.005-0.010 IPD
on a still face, so a quarter of the steps of a still brow hold passed 0.012 and every press was taken
for talking (wide seed 4001, eval/README.md). For white noise of SD s a 1/15 s step passes 3.5 s in 1.3%
of steps; the cap keeps the checks' teeth when a rest second was itself restless."""
ASYMMETRY_DROP = 30.0
WEAKER_SIDE_SHARE = 0.3
"""A mean-driven press held under enter counts when its stronger side held enter and its weaker side at
least this share of it (engine ``_uneven_press_held``): the synth's uneven press works one side at 40%; a brow
hidden behind glasses frames held 0-0.14 of the other side's drift (frontal seeds 2033/2034)."""
TURNED_YAW_DEG = 10.0
"""A rep held with the head turned this far (rest yaw plus change, median over the hold) is judged against
the spec's ``min_symmetry_turned``: on the issue-15 renders the landmarker read a symmetric smile's far
side up to 45% low at 11-20 deg of yaw (symmetry 54-98%, against 74-96% facing the camera)."""
NEAR_REST_DEG = 2.0
NEAR_REST_SHARE = 1 / 3
"""... and its sides are compared over the held frames whose pose is nearest the calibrated rest's
(``_near_rest_pose``): with the head turned, the far side's lift as the landmarker reads it follows the
head's sway. Seed 4107's astronaut at yaw +16 held symmetric smiles while nodding 4 degrees: the far corner
read 0.01 IPD below its rest at the bottom of the nod and 0.065 up near the rest pose, and two of its three
smiles came out at 35-37% (called uneven); over the frames near the rest pose they read 61-78%."""
_K = len(SIGNAL_NAMES)
_FACE = SIGNAL_INDEX["face_present"]
_F = FEATURE_INDEX
_USED_GEOMETRY = np.array([i for i in USED_SIGNALS if SIGNAL_NAMES[i] in GEOMETRY_SIGNALS])
_EYE_R, _EYE_L = _F["eye_r"], _F["eye_l"]
_MOUTH = _F["mouth_open"]
_YAW, _PITCH = _F["yaw"], _F["pitch"]
_YAW_COL, _PITCH_COL = SIGNAL_INDEX["head_yaw"], SIGNAL_INDEX["head_pitch"]
_MOUTH_COL = SIGNAL_INDEX["mouth_opening"]
_SMILE_R_COL, _SMILE_L_COL = SIGNAL_INDEX["mouth_corner_lift_r"], SIGNAL_INDEX["mouth_corner_lift_l"]
_BROW_R_COL, _BROW_L_COL = SIGNAL_INDEX["brow_lift_r"], SIGNAL_INDEX["brow_lift_l"]


class Engine:
    """Counts reps, times holds and judges form for one exercise spec (see module docstring)."""

    def __init__(
        self,
        spec: ExerciseSpec,
        *,
        rest: np.ndarray | None = None,
        reps_target: int | None = None,
        hold_target_s: float | None = None,
        baseline_symmetry: float | None = None,
        smoothed: bool = False,
    ) -> None:
        """``smoothed``: the landmarks come smoothed over time, as a face tracked alone does (the browser's
        ``face_model.js``); the rest's noise is then read from frames NOISE_LAG_S apart
        (signals/stillness.py), not from neighbouring frames, which share it."""
        if rest is not None:
            rest = np.asarray(rest, dtype=float)
            if rest.shape != (_K,):
                raise ValueError(f"rest: expected ({_K},), got {rest.shape}")
        if reps_target is not None and reps_target < 1:
            raise ValueError(f"reps_target must be >= 1, got {reps_target}")
        self.spec = spec
        self.reps_target = reps_target
        self.hold_target_s = hold_target_s
        self.baseline_symmetry = baseline_symmetry
        self.smoothed = smoothed
        # A rest stored before a signal the features read existed has NaN there: such a rest is only
        # completed by the first still second (its known columns are kept), never read as zeros.
        self._stored_rest = None if rest is None else np.nan_to_num(rest)
        self._partial_rest: np.ndarray | None = None
        if rest is not None and not np.isfinite(rest[_USED_GEOMETRY]).all():
            self._stored_rest, self._partial_rest = None, rest
        self._drive = _F[spec.drive]
        self._drive_column = int(np.flatnonzero(MATRIX[:, self._drive])[0])
        self._skip_blinks = spec.skip_blinks
        self._say = messages()
        sided = () if spec.sides is None else (_F[spec.sides[0]], _F[spec.sides[1]])
        self._drive_cols = sorted({self._drive, *sided})
        self._exit_share = spec.exit_share
        self._exit_hold_s = EXIT_HOLD_S if spec.exit_hold_s is None else spec.exit_hold_s
        self._tau = SMOOTH_TAU_S if spec.smooth_s is None else spec.smooth_s
        self._gate = [(_F[g.feature], float(g.min)) for g in spec.gate]  # type: ignore[arg-type]
        self._sides = None if spec.sides is None else (_F[spec.sides[0]], _F[spec.sides[1]])
        witness = spec.sides_witness_turned
        self._sides_witness = None if witness is None else (_F[witness[0]], _F[witness[1]])
        allowed = set(spec.allowed_shapes)
        self._shapes = [(s.id, s.label, _F[s.feature], s.min) for s in shapes() if s.id not in allowed]
        self._relax = [(_F[lim.feature], lim) for lim in spec.relax]
        self._require = [(_F[lim.feature], lim) for lim in spec.require]
        self._witness = None if spec.witness is None else _F[spec.witness]
        shallow = spec.shallow_witness  # its column and level; without one, a level no feature reaches
        self._shallow = 0 if shallow is None else _F[shallow.feature]
        self._shallow_min = math.inf if shallow is None else shallow.min
        self._diff = np.empty(MATRIX.shape[0])  # update()'s per-frame buffers
        self._feats = np.empty(MATRIX.shape[1])
        self.reset()

    @classmethod
    def for_exercise(
        cls,
        exercise_id: str,
        *,
        rest: np.ndarray | None = None,
        reps_target: int | None = None,
        hold_target_s: float | None = None,
        baseline_symmetry: float | None = None,
        smoothed: bool = False,
    ) -> Engine:
        """An engine for a catalog exercise; targets default to its catalog card."""
        spec = spec_for(exercise_id)
        if reps_target is None or hold_target_s is None:
            from facefit.catalog.loader import load_catalog

            card = load_catalog().exercise(exercise_id)
            reps_target = card.reps if reps_target is None else reps_target
            hold_target_s = (card.hold_s if card.hold_s is not None else card.duration_s) \
                if hold_target_s is None else hold_target_s
        return cls(spec, rest=rest, reps_target=reps_target, hold_target_s=hold_target_s,
                   baseline_symmetry=baseline_symmetry, smoothed=smoothed)

    # ------------------------------------------------------------------ state

    def reset(self) -> None:
        """Forget everything but the spec, targets and stored rest (a new set)."""
        self.rest: np.ndarray | None = self._stored_rest
        self._forget_rest_measures()
        self.calibration = "stored" if self._stored_rest is not None else "first-second"
        self._rest_finder = RestFinder(smoothed=self.smoothed)
        self.events: list[Event] = []
        self.reps: list[RepEvent] = []
        self.holds: list[HoldEvent] = []
        self.stopped: SafetyEvent | None = None
        self.frames = 0
        self.frames_without_face = 0
        self.first_t_s: float | None = None
        self.last_t_s: float | None = None
        self._active = False
        self._peak = 0.0
        self._spec_enter = self.spec.enter
        self._exit_since: float | None = None
        self._enter_t = 0.0
        self._buf_t: list[float] = []
        self._buf_f: list[list[float]] = []
        self._buf_d: list[float] = []
        self._hold: tuple[list[float], int, float, int] | None = None  # holding_s's run, kept between calls
        self._last_fault: dict[str, float] = {}
        # Each rep's effort (amplitude, or hold seconds when isometric) and symmetry, kept as the reps
        # come so the set's safety checks do not re-read every rep at every rep.
        self._efforts: list[float] = []
        self._symmetries: list[float] = []
        # A rep that is a head tilt moves pitch on purpose: the pose watch then judges yaw only.
        self._pose = PoseWatch(check_pitch=self._drive_column != _PITCH_COL)
        self._pending: list[Event] = []
        self._rest_angles = self._angles(self.rest)
        self._stronger_side = self._drive_from_stronger()
        self._twitch = TwitchWatch(turned=self._turned_rest())
        self._idle: deque[tuple[float, list[float], float]] = deque()
        self._discouraged = DiscouragedWatch()
        self._not_seen = NotSeenWatch()
        self._rest_witnessed = False  # the rest's witness read above rest_witness_max (it may be a held rep)
        self._witness_cap: float | None = None  # while a rest is learned again: the most its witness may read
        self._witness_cap_until = 0.0  # ... until this time (REST_AGAIN_CAP_S)
        self._witness_level, self._witness_t = 0.0, None  # the witness smoothed (REST_AGAIN_TAU_S), its frame
        self._below_s = 0.0  # seconds the face has settled below such a rest (REST_AGAIN_S), and the last
        self._below_t: float | None = None  # frame of them
        self.message: str | None = None

    # ------------------------------------------------------------------ input

    def update(self, values: np.ndarray, t_ms: float) -> list[Event]:
        """Feed one frame's signal vector (K,) at caller time ``t_ms``; returns the events it completed."""
        t_s = float(t_ms) / 1000.0
        if self._before(values, t_s):
            return self._take_pending()
        # ndarray.dot, not @: the same product (each feature sums at most two exact terms), at a third
        # of the per-call cost for one vector; into this engine's own buffers, which halves it again
        # (two arrays not made per frame; bench/bench_engine.py, the live path)
        diff, feats = self._diff, self._feats
        np.subtract(values, self.rest, out=diff)
        diff.dot(MATRIX, out=feats)
        return self._step(feats.tolist(), t_s)

    def run(self, series: SignalSeries) -> list[Event]:
        """Feed a whole series (batch path: features for all frames in one product); returns its events.

        Only the frames with a face reach the state machine, as lists of Python floats (its per-frame
        work is plain Python; numpy scalars cost more per operation). The frame counters that ``update``
        keeps frame by frame are settled once after the loop, up to the frame that stopped the set if
        one did, so both paths end with the same counts."""
        values = series.values
        t_all = np.asarray(series.t_ms, dtype=float) / 1000.0
        out: list[Event] = []
        start = 0
        n = len(t_all)
        while True:  # once, or again from the frame after a rest is learned again (REST_AGAIN_S)
            while self.rest is None and start < n:
                self._before(values[start], float(t_all[start]))
                start += 1
            out.extend(self._take_pending())
            if self.rest is None or self.stopped is not None:
                return out
            # while the rest may still be learned again, features are made a chunk at a time: each time
            # it is, the frames after it are measured from the new rest, not the whole remainder again
            relearnable = self._rest_witnessed and not self.reps
            end = min(n, start + RUN_CHUNK) if relearnable else n
            start += self._run_from(values[start:end], t_all[start:end], out)
            if self.stopped is not None or start >= n:
                return out

    def _run_from(self, values: np.ndarray, times: np.ndarray, out: list[Event]) -> int:
        """``run``'s state machine over frames with a rest, until the set stops or its rest is learned
        again (a rest-again event is always said, so the loop only looks when a frame gave events); the
        frames it went through are settled in bulk, and their number returned."""
        feats = (values - self.rest) @ MATRIX
        usable = (values[:, _FACE] > 0.5) & np.isfinite(feats[:, self._drive])
        step = self._step
        stopped_at = None
        for k, (row, t_s) in enumerate(zip(feats[usable].tolist(), times[usable].tolist(), strict=True)):
            events = step(row, t_s)
            if events:
                out.extend(events)
                if self.stopped is not None or self.rest is None:
                    stopped_at = k
                    break
        with_face = int(usable.sum()) if stopped_at is None else stopped_at + 1
        counted = len(times) if stopped_at is None else int(np.flatnonzero(usable)[stopped_at]) + 1
        if counted:
            self.frames += counted
            self.frames_without_face += counted - with_face
            if self.first_t_s is None:
                self.first_t_s = float(times[0])
            self.last_t_s = float(times[counted - 1])
        return counted

    def finish(self) -> list[Event]:
        """End of stream: a rep still in progress is closed as if the drive had fallen now."""
        if self._active and self.stopped is None and self.last_t_s is not None:
            return self._close_rep(self.last_t_s)
        return []

    def _before(self, values: np.ndarray, t_s: float) -> bool:
        """Book-keeping of one frame (every frame of ``update``; ``run``'s until a rest is found, the
        rest it counts in bulk); True when the frame is not for the state machine."""
        if self.stopped is not None:
            return True
        self.frames += 1
        self.last_t_s = t_s
        if self.first_t_s is None:
            self.first_t_s = t_s
        if not (values[_FACE] > 0.5 and math.isfinite(values[self._drive_column])):
            self.frames_without_face += 1
            return True
        if self.rest is None:
            self.rest = self._rest_finder.push(np.asarray(values, dtype=float), t_s)
            if self.rest is not None and not self._pose.rest_ok(self.rest):
                self._refuse_rest(t_s)  # outside the operating range: wait for a rest inside it
            if self.rest is not None and self._witness_cap is not None:
                if self._witness_of(self.rest) > self._witness_cap and t_s < self._witness_cap_until:
                    # the smile given up, held again (the next smile's hold): look again
                    self.rest = None
                    self._rest_finder = RestFinder(smoothed=self.smoothed)
                else:
                    self._witness_cap = None
            if self.rest is not None:
                if self._partial_rest is not None:
                    self.rest = np.where(np.isfinite(self._partial_rest), self._partial_rest, self.rest)
                self.rest = np.nan_to_num(self.rest)
                self._rest_witnessed = self._witness_above_max(self.rest)
                self._rest_angles = self._angles(self.rest)
                self._stronger_side = self._drive_from_stronger()
                self._twitch.set_turned(self._turned_rest())
                self._adapt_thresholds(self._rest_finder.rows)
            return True
        return False

    def _refuse_rest(self, t_s: float) -> None:
        """The still second found is outside the operating range: say so once, and look again."""
        self.rest = None
        self._rest_finder = RestFinder(smoothed=self.smoothed)
        if not self._pose.rest_refused:
            self._pose.rest_refused = True
            self._fault(self._pending, t_s, "face-camera", pose_range_message())

    def _witness_above_max(self, rest: np.ndarray) -> bool:
        """Whether a first-second rest's own witness reads above the spec's ``rest_witness_max``
        (REST_AGAIN_S): a smile score of a smile, so the rest may have been a held rep. A stored or partly
        stored rest is the person's calibration, never learned again."""
        limit = self.spec.rest_witness_max
        stored = self._stored_rest is not None or self._partial_rest is not None
        if limit is None or self._witness is None or stored:
            return False
        return self._witness_of(rest) > limit

    def _witness_of(self, rest: np.ndarray) -> float:
        """The spec's witness feature read absolutely at ``rest`` (features are changes from a rest)."""
        return float(np.nan_to_num(rest) @ MATRIX[:, self._witness])

    @staticmethod
    def _angles(rest: np.ndarray | None) -> tuple[float, float]:
        """The rest's absolute head yaw and pitch (features are changes from it)."""
        return (0.0, 0.0) if rest is None else (float(rest[_YAW_COL]), float(rest[_PITCH_COL]))

    def _turned_rest(self) -> bool:
        """Is the rest turned TURNED_YAW_DEG or more (the far side then reads smaller)?"""
        return abs(self._rest_angles[0]) >= TURNED_YAW_DEG

    def _drive_from_stronger(self) -> bool:
        """Whether the stronger side drives the rep, for this rest's pose (spec ``drive_from_turned``): on a
        rest turned TURNED_YAW_DEG or more the far side reads smaller (tuning seed 4001: obama's brow presses
        at 16.5 deg of yaw, far side 0.0074 IPD against the near side's 0.0114; enter 0.008)."""
        spec = self.spec
        turned = spec.drive_from_turned is not None and self._turned_rest()
        return (spec.drive_from_turned if turned else spec.drive_from) == "stronger-side"

    def _take_pending(self) -> list[Event]:
        """Events raised outside the state machine (a refused rest), handed out with the next frame."""
        if not self._pending:
            return []
        out, self._pending = self._pending, []
        self.events.extend(out)
        return out

    def _adapt_thresholds(self, rows: np.ndarray | None) -> None:
        """Raise the speech checks' lip steps above the lip noise seen at rest (TALK_NOISE_K), and
        enter/exit above the drive's (``noise_k`` x its noise SD) when the spec asks for it: a small
        isometric press must stand out of this camera's jitter.

        The drive's noise is its frame-to-frame jitter over the rest second (``step_sd``: a steady drift
        within that second does not count), as it comes out of the drive's smoothing, which is what the
        thresholds are compared with. The SD of the whole second's drive, used before,
        counted such a drift as noise: a low-light rest second that sagged 0.01 IPD raised a brow press's
        enter to 0.023 over presses held at 0.012-0.015 (tuning seed 4106, pyfeat_curly: 3 of 8 counted)."""
        if rows is None or self.rest is None or len(rows) < MIN_REP_FRAMES:
            return
        window = self._rest_finder.window
        lag = 1 if window is None else self._rest_finder.noise_lag(len(rows), window[1] - window[0])
        lips = noise_sd(rows[:, _MOUTH_COL], lag)
        self._talk_swing = _noise_step(TALK_SWING_IPD, lips)
        self._talk_busy = _noise_step(TALK_BUSY_STEP_IPD, lips)
        self._twitch.set_noise(noise_sd(rows[:, _SMILE_R_COL] - rows[:, _SMILE_L_COL], lag),
                               noise_sd(rows[:, _BROW_R_COL] - rows[:, _BROW_L_COL], lag))
        if self.spec.noise_k <= 0:
            return
        feats = (np.nan_to_num(rows) - self.rest) @ MATRIX
        drive = self._raw_drive(lambda index: feats[:, index])
        noise = step_sd(drive, lag) * _smoothing_gain(window, len(rows), self._tau)
        self._enter = max(self.spec.enter, self.spec.noise_k * noise)
        self._exit = self._enter * self.spec.exit / self.spec.enter
        # The stronger of two jittering sides sits above zero at rest, and so does a hold level taken
        # from it: on a camera noisy enough to raise the enter, a rep's level is judged above this (white
        # noise of 0.009 IPD a side at 15 frames a second: 22 false brow-smoothener reps in 5.3 min without
        # it, 1 with it). Facing a quiet camera it is ~0.001 IPD and stays out: frontal seed 2033's obama
        # held two weak presses 0.0058-0.0068 against the smoothener's enter of 0.006.
        if self._enter > self.spec.enter:
            self._rest_level = max(float(np.median(drive)), 0.0)
        self._shallow_enter = self._shallow_start()

    def _raw_drive(self, column: Callable[[int], np.ndarray]) -> np.ndarray:
        """The drive the state machine steps on, before smoothing, over many frames (``column`` gives one
        feature's values): the stronger side where the spec drives from it, else the drive feature. The rest
        second's noise and a rep's shape are both read from it; ``_step`` does the same per frame inline."""
        if self._stronger_side and self._sides is not None:
            return np.maximum(column(self._sides[0]), column(self._sides[1]))
        return column(self._drive)

    def _shallow_start(self) -> float:
        """The drive level past which a rep the shallow witness sees starts: halfway from exit to enter
        (infinite, so never, without one)."""
        return math.inf if self.spec.shallow_witness is None else 0.5 * (self._enter + self._exit)

    # ------------------------------------------------------------------ state machine

    def _step(self, f: list[float], t_s: float) -> list[Event]:
        if self._skip_blinks and f[_EYE_R] + f[_EYE_L] < -2 * BLINK_EYE_IPD:
            return []  # mid-blink: the pupils, and so the brow heights, are not where they seem
        if self._decoupler is not None:  # the lips' share out of the drive, learned while idle
            self._decoupler.apply(f, learn=not self._active)
        if self._prev_t is None:
            alpha = 1.0
        else:
            dt = t_s - self._prev_t  # a clock that steps back counts as no time: max(dt, 0.0) without a call
            alpha = 1.0 - math.exp(-(0.0 if dt < 0.0 else dt) / self._tau)
        self._prev_t = t_s
        sides = self._sides
        if self._stronger_side and sides:
            raw, other = f[sides[0]], f[sides[1]]
            if other > raw:  # max(raw, other), without the call
                raw = other
        else:
            raw = f[self._drive]
        drive = self._smooth = self._smooth + alpha * (raw - self._smooth)
        out: list[Event] = []
        if self._active:
            self._buf_t.append(t_s)
            self._buf_f.append(f)
            self._buf_d.append(drive)
            if drive > self._peak:
                self._peak = drive
            if drive >= self._exit and (self._exit_share is None or drive >= self._exit_share * self._peak):
                self._exit_since = None
            elif self._exit_since is None:
                self._exit_since = t_s
            if self._exit_since is not None and t_s - self._exit_since >= self._exit_hold_s:
                out.extend(self._close_rep(self._exit_since))
        else:
            if drive <= self._exit:
                self._below_since = t_s
            if drive <= self._spec_enter:
                self._under_enter_t = t_s
            idle = self._idle
            idle.append((t_s, f, drive))
            while t_s - idle[0][0] > PRE_ROLL_S:
                idle.popleft()
            rest_yaw, rest_pitch = self._rest_angles
            if self._pose.watch(f[_YAW] + rest_yaw, f[_PITCH] + rest_pitch, t_s):
                self._fault(out, t_s, "face-camera", pose_range_message())
            if self._pose.outside:
                self._below_t = None  # no rep starts while the head is outside the operating range
            elif (drive > self._enter
                  or (drive > self._shallow_enter and f[self._shallow] >= self._shallow_min)) \
                    and all(f[i] >= minimum for i, minimum in self._gate):
                self._active = True
                self._peak = drive
                self._exit_since = None
                self._enter_t = t_s
                self._below_t = None
                self._twitch.rep_started()
                self._buf_t = [s[0] for s in idle]
                self._buf_f = [s[1] for s in idle]
                self._buf_d = [s[2] for s in idle]
                idle.clear()
            else:
                if self._rest_witnessed and not self.reps and self._settled_below(f, t_s, drive):
                    self._learn_rest_again(out, t_s)
                    self.events.extend(out)
                    return out
                self._watch_twitch(f, t_s, drive, out)
                if not self.reps and self._not_seen.watch(t_s, 0):  # once a rep is seen it has nothing to say
                    hint = f" {self.spec.unseen_hint}" if self.spec.unseen_hint else ""
                    self._fault(out, t_s, "not-seen", self._say.not_seen.format(ask=self.spec.ask, hint=hint))
        if self._shapes:
            for label in self._wrong.watch(f, t_s, drive, self._enter):
                self._fault(out, t_s, "wrong-exercise",
                            self._say.wrong_exercise.format(label=label, ask=self.spec.ask))
        for kind in self._discouraged.watch(f, t_s):
            self._fault(out, t_s, kind, self._say.cheek_puff if kind == "cheek-puff" else self._say.lip_flap)
        if out:
            self.events.extend(out)
        return out

    def _settled_below(self, f: list[float], t_s: float, drive: float) -> bool:
        """One idle frame before the first rep, on a rest that may be a held rep: has the face now been below
        it for REST_AGAIN_S (module constant)? Below means that the old rest, measured from this face, is a
        smile: the corners above it, the smile score up ``witness_min`` and the spec's gate passed (the mouth
        wider): letting go of a smile narrows the mouth, a smiley face pulling its corners down does not."""
        witness = f[self._witness if self._witness is not None else self._drive]
        last_w = self._witness_t
        if last_w is None or not 0.0 <= t_s - last_w <= REST_AGAIN_GAP_S:
            self._witness_level = witness
        else:  # smoothed: a score jittering 0.05 a frame must not restart the second at every frame
            alpha = 1.0 - math.exp(-(t_s - last_w) / REST_AGAIN_TAU_S)
            self._witness_level += alpha * (witness - self._witness_level)
        self._witness_t = t_s
        settled = drive < -0.5 * (self._enter + self._exit) and self._witness_level <= -self.spec.witness_min
        if settled and all(f[i] <= -minimum for i, minimum in self._gate):
            last = self._below_t
            gap = REST_AGAIN_GAP_S + 1.0 if last is None else t_s - last
            self._below_s = self._below_s + gap if 0.0 <= gap <= REST_AGAIN_GAP_S else 0.0
            self._below_t = t_s
            return self._below_s >= REST_AGAIN_S
        self._below_t = None
        return False

    def _learn_rest_again(self, out: list[Event], t_s: float) -> None:
        """The rest was a held rep (REST_AGAIN_S): say so (always: each time is a new instruction, and
        ``run`` looks for it), and find the rest again from the next still second. What was seen and said is
        kept (frames, events, the faults' cooldowns, the not-seen clock, confirmed twitches, the pose watch);
        what was measured from the old rest is dropped. For REST_AGAIN_CAP_S a still second whose witness
        reads within half of ``witness_min`` of the smile given up, or above ``rest_witness_max``, is passed
        over: with smiles held 1 s and rests of 1.5 s, the next still second after the relaxed one was the
        next smile's hold, learned and given up in turn, and no rep was ever counted (tests/web/test_live.py);
        an opening smile broader than the exercise's smiles must not let theirs through either."""
        limit = self.spec.rest_witness_max or math.inf  # set for every spec that can get here
        self._witness_cap = min(self._witness_of(self.rest) - 0.5 * self.spec.witness_min, limit)
        self._witness_cap_until = t_s + REST_AGAIN_CAP_S
        self._last_fault["rest-again"] = t_s
        self.message = self._say.rest_again
        out.append(FaultEvent(t_s=t_s, fault="rest-again", message=self._say.rest_again))
        self.rest = None
        self._rest_finder = RestFinder(smoothed=self.smoothed)
        self._rest_witnessed = False
        self._below_s, self._below_t, self._witness_t = 0.0, None, None
        self._forget_rest_measures()
        self._idle.clear()
        self._twitch.rest_changed()

    def _forget_rest_measures(self) -> None:
        """What is measured from the rest, back to the spec's own: a new set, or a rest learned again."""
        self._enter, self._exit = self.spec.enter, self.spec.exit
        self._rest_level = 0.0  # the drive's level at rest (above 0 as the stronger of two jittering sides)
        self._shallow_enter = self._shallow_start()
        self._talk_swing, self._talk_busy = TALK_SWING_IPD, TALK_BUSY_STEP_IPD  # raised by a noisy rest
        self._prev_t: float | None = None
        self._smooth = 0.0
        self._below_since = 0.0
        self._under_enter_t = 0.0  # the last idle frame whose drive was at or under the spec's own enter
        self._wrong = WrongExerciseWatch(self._shapes)
        self._decoupler = MouthDecoupler(self._drive_cols) if self.spec.decouple_mouth else None

    def _watch_twitch(self, f: list[float], t_s: float, drive: float, out: list[Event]) -> None:
        """Twitch at rest (:mod:`facefit.coach.twitch`): the drive counts as moving once past exit, and a
        blink as moving too (on some faces the landmarker moves one mouth corner with the lids: eval seed
        2033, a 0.022 IPD one-sided jump in the frames of a blink)."""
        sides = self._sides
        moving = min(f[sides[0]], f[sides[1]]) > self._exit if sides else drive > self._exit
        if f[_EYE_R] + f[_EYE_L] < -2 * BLINK_EYE_IPD:
            moving = True
        if self._twitch.watch(f, t_s, moving):
            self._safety(out, t_s, "twitch", self._say.twitch)

    def _fault(self, out: list[Event], t_s: float, kind: str, message: str) -> bool:
        last = self._last_fault.get(kind)
        if last is not None and t_s - last < FAULT_COOLDOWN_S:
            return False
        self._last_fault[kind] = t_s
        self.message = message
        out.append(FaultEvent(t_s=t_s, fault=kind, message=message))
        return True

    def _safety(self, out: list[Event], t_s: float, kind: str, message: str) -> None:
        event = SafetyEvent(t_s=t_s, safety=kind, message=message)
        self.stopped = event
        self.message = message
        self._active = False
        out.append(event)

    # ------------------------------------------------------------------ rep analysis

    def _close_rep(self, t_end: float) -> list[Event]:
        spec = self.spec
        self._active = False
        t = np.asarray(self._buf_t)
        d = np.asarray(self._buf_d)
        feats = _Columns(self._buf_f)
        self._buf_t, self._buf_f, self._buf_d = [], [], []
        self._below_since = t_end
        self._twitch.rep_ended(t_end)
        # With enter raised for a noisy camera (spec noise_k) a press crosses it late, or only at its noise's
        # peaks: its active time runs from where it last passed the spec's own enter (within the pre-roll),
        # the crossing min_active_s was chosen for (tuning seed 4101: an astronaut's compressed presses held
        # 0.015-0.019 IPD under an enter raised to 0.020 were active 1.3 and 1.9 s of the 2.0 asked).
        started = self._enter_t
        if self._enter > spec.enter:
            started = max(self._under_enter_t, started - PRE_ROLL_S)
        if t_end - started < spec.min_active_s or len(t) < MIN_REP_FRAMES:
            return []
        since_enter = t >= self._enter_t - REP_LEAD_S  # the pre-roll may hold talking that ended before
        if spec.reject_speech:
            lips = smooth3(feats[_MOUTH][since_enter])
            big = percentile(np.abs(lips), TALK_LIPS_PERCENTILE)
            step = max(self._talk_swing, TALK_SWING_SHARE * big)
            swings = zigzag_swings(lips, step)
            if swings >= TALK_MIN_SWINGS and swings / max(t_end - self._enter_t, 1e-9) >= TALK_SWINGS_PER_S:
                return []  # the lips went up and down like speech: talking, not a rep
        out: list[Event] = []
        raw = self._raw_drive(feats.__getitem__)
        shape = rep_shape(t, raw, floor=self._enter, high=spec.hold_high,
                          plateau_median=spec.hold_level == "plateau-median", ramp_share=spec.ramp_share,
                          run_median=spec.hold_level == "run-median", bridge_s=spec.hold_gap_s)
        if self._witness is not None:
            shape = self._witness_hold(t, feats, shape)
        level, hold_s = shape.level, shape.hold_s
        # The hold level is a median over the hold, far steadier than the frames the noise-raised enter
        # guards: it is held to the spec's own enter (eval: 40%-sided presses on noisy clips sat between).
        in_hold = (t >= shape.hold_start_s) & (t <= shape.hold_end_s)
        if (level - self._rest_level < spec.enter and not self._witnessed(level, feats, in_hold, since_enter)
                and not self._uneven_press_held(level, feats, in_hold)) \
                or hold_s < spec.min_hold_s:
            return []  # a noise bump, or a press too short to be the held effort this exercise is
        if spec.reject_speech and spec.reject_busy_lips:
            lips_busy = busy_share(t[in_hold], feats[_MOUTH][in_hold], self._talk_busy, TALK_BUSY_DT_S)
            if lips_busy >= TALK_BUSY_SHARE:
                return []  # the lips have no part in a brow press and kept moving through the hold: talking
        if in_hold.sum() < 2:
            in_hold = d >= HOLD_FALLBACK_SHARE * level
        # A gate holds through the hold, not only at the frame the drive crossed enter: talking widens the
        # mouth for a moment. Frontal seed 2033: two talking rises (a head turned 9 deg, its stronger corner
        # 0.03 IPD up from sway) passed as smiles with a hold-median widening of 0.004 and 0.029 IPD (gate
        # 0.03); every true smile of 4001, 2033 and 2034 held 0.036 or more (292 reps).
        held = in_hold if in_hold.any() else slice(None)  # the hold's frames (all of the rep's if none)
        for index, minimum in self._gate:
            if median(feats[index][held]) < minimum:
                return []
        faults: list[str] = []
        sudden = spec.max_onset_speed is not None and shape.onset_speed > spec.max_onset_speed
        if (shape.rise_s is not None and shape.rise_s < spec.min_rise_s) or sudden:
            faults.append("jerky-onset")
            self._fault(out, t_end, "jerky-onset", self._say.jerky_onset)
        amp_r = amp_l = symmetry = None
        if self._sides is not None:
            limit, judged, turned = spec.min_symmetry, held, False
            if spec.min_symmetry_turned is not None:
                turned = abs(median(feats[_YAW][held]) + self._rest_angles[0]) >= TURNED_YAW_DEG
                if turned:
                    limit, judged = spec.min_symmetry_turned, _near_rest_pose(feats, held)
            amp_r = median(feats[self._sides[0]][judged])
            amp_l = median(feats[self._sides[1]][judged])
            symmetry = _evenness(amp_r, amp_l)
            if turned and symmetry is not None and symmetry < limit and self._sides_witnessed(feats, judged):
                # the geometry's reading of the far side is not a symmetry to show, judge or keep for the
                # new-asymmetry check against a frontal baseline
                symmetry = None
            if symmetry is not None and symmetry < limit:
                faults.append("asymmetry")
                weak = "left" if amp_l < amp_r else "right"
                self._fault(out, t_end, "asymmetry", self._say.asymmetry.format(weak=weak, symmetry=symmetry))
        if spec.isometric and spec.not_resisting is not None and level > spec.not_resisting:
            faults.append("not-resisting")
            self._fault(out, t_end, "not-resisting", self._say.not_resisting)
        for index, limit in self._require:
            value = median(feats[index][held])
            if not _within(limit, value):
                faults.append(limit.kind)
                self._fault(out, t_end, limit.kind, limit.message)
        for index, limit in self._relax:  # not the pre-roll: talking before a rep is no fault
            value = percentile(feats[index][since_enter], RELAX_PERCENTILE)
            if not _within(limit, value):
                faults.append(limit.kind)
                self._fault(out, t_end, limit.kind, limit.message)

        rep = RepEvent(
            t_s=t_end, index=len(self.reps) + 1, start_s=min(shape.onset_s, shape.peak_s),
            peak_s=shape.peak_s, end_s=t_end,
            amplitude=level, amplitude_r=amp_r, amplitude_l=amp_l, symmetry=symmetry,
            peak_speed=peak_speed(t, d), rise_s=shape.rise_s, hold_s=hold_s,
            faults=tuple(dict.fromkeys(faults)),
        )
        self.reps.append(rep)
        # The next press's search for where it passed the spec's own enter stops at this rep's end: a brow
        # settling back after a press (held-out seed 4107's single_face: 0.011 IPD for 0.7 s, over the raised
        # enter) was otherwise timed from inside the press before it and passed min_active_s as a rep of its
        # own. A bump that was no rep does not stop it: it may be the start of the press that follows.
        self._under_enter_t = t_end
        self._efforts.append(hold_s if spec.isometric else level)
        if symmetry is not None:
            self._symmetries.append(symmetry)
        out.append(rep)
        if hold_s >= MIN_HOLD_S:
            hold = HoldEvent(t_s=t_end, start_s=shape.hold_start_s, end_s=shape.hold_end_s, duration_s=hold_s,
                             stability=shape.stability)
            self.holds.append(hold)
            out.append(hold)
        out.append(ProgressEvent(t_s=t_end, reps_done=len(self.reps), reps_target=self.reps_target))
        self._check_set_safety(out, t_end)
        return out

    def _witness_hold(self, t: np.ndarray, feats: _Columns, shape: RepShape) -> RepShape:
        """The hold timed on the witness feature when it saw the rep (its plateau reaches ``witness_min``):
        the landmarker's smile score keeps a flat plateau through a held smile whose corner lift sags and
        drifts (a turned face at 320x240: a 4.2 s hold measured 0 s on the lift). Tuning seed 4001: cheek
        lifter hold error 0.74 -> 0.42 s; frontal 2033 / 2034 0.200 / 0.206 -> 0.151 / 0.185 s."""
        spec = self.spec
        level, start, end = hold_window(t, feats[self._witness], high=spec.hold_high)
        if not level >= spec.witness_min:  # also False for a NaN score (no blendshapes sent)
            return shape
        return dataclasses.replace(shape, hold_start_s=start, hold_end_s=end)

    def _witnessed(self, level: float, feats: _Columns, in_hold: np.ndarray, since_enter: np.ndarray) -> bool:
        """A rep whose hold level fell short of ``enter`` (but not of ``exit``) is still one when the spec's
        witness feature saw it: on the wide tuning seed 4001 true smiles held 0.037-0.039 IPD (enter 0.04) on
        a face turned 17 deg at 320x240 and on a compressed one, while the landmarker's smile score rose
        0.60-0.68; talking rises that passed the geometry rose it 0.04-0.07 (frontal seed 2033). Or when the
        shallow witness's median over the hold reaches its level (a smile that widens the mouth more than it
        lifts the corners: spec ``shallow_witness``)."""
        spec = self.spec
        if level < spec.exit:
            return False
        frames = in_hold if in_hold.sum() >= 2 else since_enter
        if self._witness is not None and median(feats[self._witness][frames]) >= spec.witness_min:
            return True
        if self.spec.shallow_witness is None:
            return False
        return median(feats[self._shallow][frames]) >= self._shallow_min

    def _sides_witnessed(self, feats: _Columns, judged: np.ndarray) -> bool:
        """With the head turned, the spec's second reading of the sides (``sides_witness_turned``: the
        landmarker's smile score per side) rose within ``sides_witness_symmetry`` percent of each other over
        the judged frames: the smile was even, whatever the far side's geometry read. Held-out seed 4108's
        astronaut at yaw +16-18: four symmetric smiles read 25-48% by their corners, 88-97% by their scores;
        the uneven smiles of turned heads on the spent wide seeds scored 62-68%. False without the witness,
        when the stronger score rose less than ``sides_witness_min`` (the smallest rise of a turned smile on
        those seeds was 0.05) or without blendshapes (NaN)."""
        if self._sides_witness is None:
            return False
        right = median(feats[self._sides_witness[0]][judged])
        left = median(feats[self._sides_witness[1]][judged])
        if not max(right, left) >= self.spec.sides_witness_min:  # also False for NaN
            return False
        even = _evenness(right, left)
        return even is not None and even >= self.spec.sides_witness_symmetry

    def _uneven_press_held(self, level: float, feats: _Columns, in_hold: np.ndarray) -> bool:
        """A press driven by the mean of its sides whose mean held short of ``enter`` (but not of ``exit``) is
        still one when its stronger side's hold median reaches ``enter`` and the weaker side's at least
        WEAKER_SIDE_SHARE of it: an uneven press (tuning seeds 4001/4104: the forehead relaxer's sides held
        0.0087/0.0037 and 0.0087/0.0081 IPD, means 0.006 and 0.0069 against enter 0.008). One side alone does
        not: behind glasses frames one brow's landmarks stay put while the other's drift (frontal seeds
        2033/2034, grace_hopper: the other side -0.006 to 0.003 against 0.015-0.019)."""
        sides = self._sides
        if self._stronger_side or sides is None or level < self.spec.exit or in_hold.sum() < 2:
            return False
        a, b = median(feats[sides[0]][in_hold]), median(feats[sides[1]][in_hold])
        stronger, weaker = (a, b) if a >= b else (b, a)
        return stronger >= self.spec.enter and weaker >= WEAKER_SIDE_SHARE * stronger

    def _check_set_safety(self, out: list[Event], t_s: float) -> None:
        # In an isometric press the brow movement is the leak, not the effort (a smaller one means
        # firmer resistance), so there fatigue shows as holds getting shorter instead (the efforts are
        # hold seconds then). The one rule is coach/fatigue.py's.
        tired = self._say.fatigue_isometric if self.spec.isometric else self._say.fatigue
        if fatigue(self._efforts, isometric=self.spec.isometric) is not None:
            self._safety(out, t_s, "fatigue", tired)
            return
        syms = self._symmetries
        if syms:
            baseline = self.baseline_symmetry
            needed = ASYMMETRY_REPS_WITH_BASELINE
            if baseline is None and len(syms) >= ASYMMETRY_OWN_BASELINE_REPS:
                baseline, needed = median(syms[:ASYMMETRY_BASELINE_REPS]), ASYMMETRY_REPS
            if baseline is not None and len(syms) >= needed and \
                    all(s < baseline - ASYMMETRY_DROP for s in syms[-needed:]):
                self._safety(out, t_s, "new-asymmetry",
                             self._say.new_asymmetry.format(symmetry=syms[-1], baseline=baseline))
                return
        if self.reps_target is not None and len(self.reps) >= OVERWORK_FACTOR * self.reps_target:
            self._safety(out, t_s, "overwork", self._say.overwork.format(target=self.reps_target))

    # ------------------------------------------------------------------ output

    @property
    def holding_s(self) -> float:
        """Seconds the current rep has been near its peak (for a live hold ring); 0 when idle: from the
        first frame of the trailing run of frames whose drive is at least ``LIVE_HOLD_FRACTION`` of the
        rep's top, to the last frame.

        The live server reads it for every frame of every active stream (the page's hold ring), and a
        rep's buffer grows by a frame each time: the run is kept from the last call (``_hold``: the
        buffer it was for, its length then, the top and where the run starts) and only the frames added
        since are looked at while the top stays; a new top only shortens the run, so only the frames
        from the run's old start are looked at; a new buffer or a NaN top takes the whole scan. The same
        numbers as the scan every time (tests/coach/test_holding_s.py)."""
        d = self._buf_d
        if not self._active or not d:
            return 0.0
        t, n = self._buf_t, len(d)
        kept = self._hold
        if kept is not None and kept[0] is d and kept[1] <= n:
            _, seen, top, start = kept
            new_top = top  # max(d), continued over the new frames as max() runs (NaN is never greater)
            for k in range(seen, n):
                if d[k] > new_top:
                    new_top = d[k]
            if new_top > top:
                # A higher top raises the threshold, so the run can only shrink: the frame before its old
                # start was under the old threshold, so only the frames from the old start are looked at.
                threshold = LIVE_HOLD_FRACTION * new_top
                for k in range(n - 1, start - 1, -1):
                    if d[k] < threshold:
                        start = k + 1
                        break
            else:
                threshold = LIVE_HOLD_FRACTION * top
                for k in range(seen, n):
                    if d[k] < threshold:
                        start = k + 1
            self._hold = (d, n, new_top, start)
            return t[-1] - (t[start] if start < n else t[-1])
        top = max(d)
        threshold = LIVE_HOLD_FRACTION * top
        since, start = t[-1], n
        for k in range(n - 1, -1, -1):
            if d[k] < threshold:
                break
            since, start = t[k], k
        self._hold = (d, n, top, start) if top == top else None
        return t[-1] - since

    @property
    def active(self) -> bool:
        return self._active

    def summary(self) -> dict[str, Any]:
        """Counts and events so far, in the ``facefit analyze --json`` shape (without file facts)."""
        faults = [e.to_summary() for e in self.events if isinstance(e, FaultEvent)]
        safety = [e.to_summary() for e in self.events if isinstance(e, SafetyEvent)]
        return {
            "exercise": self.spec.exercise,
            "calibration": self.calibration,
            "reps_done": len(self.reps),
            "reps_target": self.reps_target,
            "hold_target_s": self.hold_target_s,
            "hold_total_s": round(sum(h.duration_s for h in self.holds), 3),
            "status": "stopped" if self.stopped is not None else "completed",
            "reps": [r.to_summary() for r in self.reps],
            "holds": [h.to_summary() for h in self.holds],
            "faults": faults,
            "safety": safety,
        }

    def events_of(self, kind: EventKind) -> list[Event]:
        return [e for e in self.events if e.kind == kind]


class _Columns:
    """A rep's buffered feature rows, read column by column: each column becomes an array when first
    read. A rep reads 3 to 9 of the 24 features; turning all its rows into one (frames, features) array
    first cost more than the rest of its analysis's conversions and medians together."""

    def __init__(self, rows: Sequence[list[float]]) -> None:
        self._rows = rows
        self._columns: dict[int, np.ndarray] = {}

    def __getitem__(self, index: int) -> np.ndarray:
        column = self._columns.get(index)
        if column is None:
            column = np.fromiter(map(itemgetter(index), self._rows), float, len(self._rows))
            self._columns[index] = column
        return column


def _evenness(right: float, left: float) -> float | None:
    """The weaker side's rise as a percentage of the stronger's (a fall counts as 0); None when neither
    rose (or a side is NaN)."""
    big, small = max(right, left), min(right, left)
    return 100.0 * max(small, 0.0) / big if big > 0 else None


def _near_rest_pose(feats: _Columns, held: np.ndarray | slice) -> np.ndarray:
    """Indices of the held frames whose head pose is nearest the calibrated rest's: those within
    ``NEAR_REST_DEG`` of it (yaw and pitch change together), or the nearest ``NEAR_REST_SHARE`` of them when
    fewer are."""
    frames = np.flatnonzero(held) if isinstance(held, np.ndarray) else np.arange(len(feats[_YAW]))
    away = np.hypot(feats[_YAW][frames], feats[_PITCH][frames])  # features are changes from the rest
    cut = max(NEAR_REST_DEG, float(np.quantile(away, NEAR_REST_SHARE)))
    return frames[away <= cut]


def _smoothing_gain(window: tuple[float, float] | None, frames: int, tau_s: float) -> float:
    """How much of white per-frame noise's SD passes the drive's exponential smoothing at the frame rate
    of the rest second (``frames`` frames over ``window``): sqrt(alpha / (2 - alpha)), alpha its
    per-frame weight (1 at no smoothing; 0.47 for 0.15 s at 15 frames a second, 0.33 at 30)."""
    start, end = window if window is not None else (0.0, 0.0)
    if frames < 2 or end <= start:
        return 1.0
    alpha = 1.0 - math.exp(-(end - start) / (frames - 1) / tau_s)
    return math.sqrt(alpha / (2.0 - alpha))


def _noise_step(step: float, noise: float) -> float:
    """A speech check's lip step for a camera whose lip noise SD at rest is ``noise`` (TALK_NOISE_K)."""
    return min(TALK_NOISE_CAP * step, max(step, TALK_NOISE_K * noise))


def _within(limit: Limit, value: float) -> bool:
    if limit.min is not None:
        return value >= limit.min
    assert limit.max is not None
    return value <= limit.max
