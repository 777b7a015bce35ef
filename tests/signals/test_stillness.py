"""One definition of a still face: the calibration and the coach's first-still-second rest agree on it."""

from __future__ import annotations

import numpy as np
import pytest

from facefit.coach.rest import RestFinder
from facefit.signals.calibration import RestRejectedError, calibrate_from_series, find_still_window
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries
from facefit.signals.stillness import STILL_TOLERANCE_DEG, STILL_TOLERANCE_IPD, motion, noise_sd, step_sd

FPS = 15


def _series(column: str, amplitude: float, seconds: float = 2.0) -> SignalSeries:
    """A neutral face whose one ``column`` oscillates with peak-to-peak ``amplitude``; the rest is still."""
    n = int(seconds * FPS)
    t = np.arange(n) / FPS
    values = np.zeros((n, len(SIGNAL_NAMES)))
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    values[:, SIGNAL_INDEX["mouth_width"]] = 0.9
    values[:, SIGNAL_INDEX["scale"]] = 0.2
    values[:, SIGNAL_INDEX[column]] += 0.5 * amplitude * np.sin(2 * np.pi * 1.0 * t)
    return SignalSeries(t * 1000.0, values)


def _coach_still(series: SignalSeries) -> bool:
    finder = RestFinder()
    for row, t_ms in zip(series.values, series.t_ms, strict=True):
        finder.push(row, t_ms / 1000.0)
    return finder.still


@pytest.mark.parametrize(
    ("column", "limit"),
    [("head_roll", STILL_TOLERANCE_DEG), ("head_yaw", STILL_TOLERANCE_DEG),
     ("brow_lift_r", STILL_TOLERANCE_IPD), ("mouth_width", STILL_TOLERANCE_IPD)],
)
def test_calibration_and_coach_call_the_same_faces_still(column: str, limit: float) -> None:
    # The 5th-95th percentile range of a sine is ~0.98 of its peak-to-peak: just inside and well outside.
    for amplitude, still in ((0.9 * limit, True), (1.5 * limit, False)):
        series = _series(column, amplitude)
        window = find_still_window(series)
        assert (window.score <= 1.0) is still, (column, amplitude, window)
        assert _coach_still(series) is still, (column, amplitude)
        if not still:
            assert window.worst == column
            with pytest.raises(RestRejectedError, match="You moved during the rest"):
                calibrate_from_series(series)


def test_missing_head_pose_counts_as_still_and_says_which_signal_moved() -> None:
    block = _series("mouth_opening", 0.05).values[:FPS]
    block[:, SIGNAL_INDEX["head_pitch"] : SIGNAL_INDEX["head_roll"] + 1] = np.nan
    score, worst = motion(block)
    assert worst == "mouth_opening" and score > 1.0


def test_noise_sd_reads_the_jitter_not_the_held_level() -> None:
    """The speech checks' noise floor (coach/engine.py): white jitter of SD 0.008 reads as ~0.008 with or
    without a held step in the middle of the stretch; a still signal reads 0."""
    rng = np.random.default_rng(3)
    jitter = rng.normal(0.0, 0.008, 300)
    held = jitter + np.where(np.arange(300) >= 150, 0.05, 0.0)
    assert noise_sd(jitter) == pytest.approx(0.008, rel=0.15)
    assert noise_sd(held) == pytest.approx(noise_sd(jitter), rel=0.05)
    assert noise_sd(np.full(30, 0.2)) == 0.0
    assert noise_sd(np.array([0.1])) == 0.0


def test_step_sd_reads_a_cameras_jitter_and_not_a_steady_drift() -> None:
    """A rest second that drifts 0.01 IPD (a dark webcam settling) has the jitter of a still one: the SD of
    the second counts the drift, the SD of its steps does not (coach/engine.py's noise-raised enter)."""
    rng = np.random.default_rng(0)
    by_steps, whole = [], []
    for _ in range(400):
        jitter = rng.normal(0.0, 0.004, 16)
        drifting = jitter + np.linspace(0.0, -0.01, 16)
        assert step_sd(drifting) == pytest.approx(step_sd(jitter))
        by_steps.append(step_sd(drifting))
        whole.append(float(np.std(drifting)))
    assert np.median(by_steps) == pytest.approx(0.004, rel=0.05)
    assert np.median(whole) > 1.2 * 0.004
    assert step_sd(np.array([0.1, 0.2])) == 0.0 and step_sd(np.array([np.nan] * 5)) == 0.0


def test_noise_is_read_from_steps_a_fifth_of_a_second_apart_when_neighbours_share_it() -> None:
    """Smoothed landmarks (a tracked face: signals/stillness.py NOISE_LAG_S) share their noise with the
    next frame: neighbouring steps read a fraction of the level's wander, steps 0.2 s apart most of it.
    White noise reads the same either way, and never lower for the lag."""
    from facefit.signals.stillness import lag_frames

    rng = np.random.default_rng(4)
    fps, level_sd = 30, 0.01
    alpha = 1.0 - np.exp(-1.0 / (fps * 0.15))
    white = rng.normal(0.0, level_sd / np.sqrt(alpha / (2.0 - alpha)), 3000)
    smoothed = np.zeros_like(white)
    for k in range(1, len(white)):
        smoothed[k] = smoothed[k - 1] + alpha * (white[k] - smoothed[k - 1])
    lag = lag_frames(fps + 1, 1.0)
    assert lag == 6
    assert noise_sd(smoothed) < 0.5 * level_sd
    assert noise_sd(smoothed, lag) == pytest.approx(level_sd, rel=0.3)
    assert step_sd(smoothed, lag) == pytest.approx(level_sd, rel=0.3)
    plain = rng.normal(0.0, level_sd, 3000)
    assert noise_sd(plain, lag) == pytest.approx(noise_sd(plain), rel=0.1)
    assert noise_sd(plain, lag) >= noise_sd(plain) and step_sd(plain, lag) >= step_sd(plain)
    assert lag_frames(16, 1.0) == 3 and lag_frames(1, 1.0) == 1 and lag_frames(10, 0.0) == 1
