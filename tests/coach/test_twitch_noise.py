"""The twitch watch against the camera's noise (coach/twitch.py): thresholds follow the measured jitter, a
step that stays is no twitch, and brief one-sided blips well above the jitter still stop the set."""

from __future__ import annotations

import numpy as np

from facefit.coach.features import FEATURE_INDEX, FEATURE_NAMES
from facefit.coach.twitch import TwitchWatch

FPS = 30.0


def _frames(d_smile: np.ndarray) -> list[list[float]]:
    """Idle feature rows whose only movement is the right mouth corner against the left."""
    rows = []
    for d in d_smile.tolist():
        f = [0.0] * len(FEATURE_NAMES)
        f[FEATURE_INDEX["smile_r"]] = d
        rows.append(f)
    return rows


def _stops(watch: TwitchWatch, d_smile: np.ndarray) -> bool:
    return any(watch.watch(f, k / FPS, False) for k, f in enumerate(_frames(d_smile)))


def _blips(n: int, at_s: list[float], height: float) -> np.ndarray:
    d = np.zeros(n)
    for t in at_s:
        k = int(t * FPS)
        d[k : k + 4] = height  # 0.13 s
    return d


def test_noisy_camera_jitter_is_not_a_twitch_once_its_noise_is_known() -> None:
    rng = np.random.default_rng(7)
    jitter = rng.normal(0.0, 0.007, int(60 * FPS))  # a dark webcam's mouth-corner difference, SD 0.007 IPD
    assert (np.abs(jitter) > 0.015).sum() >= 30  # the fixed 0.015 IPD step alone is crossed by this noise
    watch = TwitchWatch()
    watch.set_noise(0.007, 0.007)
    assert not _stops(watch, jitter)


def test_the_running_noise_estimate_catches_up_with_a_rest_second_that_was_too_quiet() -> None:
    rng = np.random.default_rng(8)
    jitter = rng.normal(0.0, 0.005, int(60 * FPS))
    watch = TwitchWatch()
    watch.set_noise(0.002, 0.002)  # the rest second read less jitter than the camera has
    jitter[: int(10 * FPS)] *= 0.4
    assert not _stops(watch, jitter)


def test_brief_blips_stop_the_set_and_a_step_that_stays_does_not() -> None:
    n = int(20 * FPS)
    watch = TwitchWatch()
    watch.set_noise(0.001, 0.001)
    assert _stops(watch, _blips(n, [4.0, 9.0], 0.02))
    step = np.zeros(n)
    step[int(4 * FPS) : int(4 * FPS) + 3] = 0.02
    step[int(4 * FPS) + 3 :] = 0.012  # the head starts to move: the difference stays half-way
    step[int(9 * FPS) : int(9 * FPS) + 3] = 0.032
    watch = TwitchWatch()
    watch.set_noise(0.001, 0.001)
    assert not _stops(watch, step)


def test_a_turned_face_s_far_corner_twitches_stop_the_set() -> None:
    """With the rest turned the landmarker reads the far mouth corner low: half-strength twitches of it read
    0.009-0.013 IPD (tuning seed 4108's astronaut at yaw -14.7). Facing the camera such blips stay under the
    0.015 floor; turned, the floor is 0.009 and two of them stop the set."""
    n = int(20 * FPS)
    blips = -_blips(n, [4.0, 9.0], 0.011)  # the left (far) corner twitching: right minus left drops
    frontal = TwitchWatch()
    frontal.set_noise(0.001, 0.001)
    assert not _stops(frontal, blips)
    turned = TwitchWatch(turned=True)
    turned.set_noise(0.001, 0.001)
    assert _stops(turned, blips)
    found_later = TwitchWatch()  # a first-still-second rest, found turned
    found_later.set_turned(True)
    found_later.set_noise(0.001, 0.001)
    assert _stops(found_later, blips)


def test_a_turned_face_s_noise_still_sets_the_threshold() -> None:
    rng = np.random.default_rng(11)
    jitter = rng.normal(0.0, 0.004, int(60 * FPS))  # 5 SD = 0.02 IPD, above the turned floor
    watch = TwitchWatch(turned=True)
    watch.set_noise(0.004, 0.004)
    assert not _stops(watch, jitter)


def test_the_engine_lowers_the_floor_for_a_turned_rest_stored_or_found() -> None:
    """A stored calibration's rest (live, CLI) and a first-still-second rest both reach the watch."""
    from facefit.coach.engine import Engine
    from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES

    rest = np.zeros(len(SIGNAL_NAMES))
    rest[SIGNAL_INDEX["head_yaw"]] = -15.0
    assert Engine.for_exercise("cheek-lifter", rest=rest)._twitch._smile_floor < 0.01
    rest[SIGNAL_INDEX["head_yaw"]] = -5.0
    assert Engine.for_exercise("cheek-lifter", rest=rest)._twitch._smile_floor == 0.015

    engine = Engine.for_exercise("cheek-lifter")
    row = np.full(len(SIGNAL_NAMES), 0.5)
    row[SIGNAL_INDEX["face_present"]] = 1.0
    row[SIGNAL_INDEX["head_yaw"]] = 15.0
    row[SIGNAL_INDEX["head_pitch"]] = 0.0
    for k in range(40):
        engine.update(row, 1000.0 * k / FPS)
    assert engine.rest is not None and engine._twitch._smile_floor < 0.01
