"""Known error: SEM/MDC95 from simulated re-takes; compare says "no measurable change" unless > MDC95."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from facefit.cli import app
from facefit.photos.compare import NO_CHANGE, compare_metrics
from facefit.photos.gate import Reference, evaluate
from facefit.photos.measure import PhotoMeasurement, measure_photo
from facefit.photos.metrics import METRIC_NAMES, METRIC_SPECS
from facefit.photos.perturb import narrow_jaw
from facefit.photos.repeatability import (
    MetricError,
    mdc95,
    pooled_sem,
    repeatability_table,
)

runner = CliRunner()


def test_mdc95_formula() -> None:
    assert mdc95(1.0) == pytest.approx(1.96 * math.sqrt(2))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=2, max_size=30))
def test_pooled_sem_of_one_group_is_its_sample_sd(values: list[float]) -> None:
    group = [dict.fromkeys(METRIC_NAMES, v) for v in values]
    sem, n = pooled_sem([group])["jaw_width_ratio"]
    assert n == len(values)
    assert sem == pytest.approx(float(np.std(values, ddof=1)), abs=1e-9)


def test_pooled_sem_ignores_differences_between_groups() -> None:
    """Two days at very different values but equal spread: the pooled SEM is the within-day spread."""
    day1 = [dict.fromkeys(METRIC_NAMES, v) for v in (1.0, 1.2)]
    day2 = [dict.fromkeys(METRIC_NAMES, v) for v in (5.0, 5.2)]
    sem, _ = pooled_sem([day1, day2, [dict.fromkeys(METRIC_NAMES, 9.0)]])["brow_height_r"]
    assert sem == pytest.approx(float(np.std([1.0, 1.2], ddof=1)))


def test_real_repeats_raise_the_error_when_larger() -> None:
    perturbed = [dict.fromkeys(METRIC_NAMES, v) for v in (0.0, 0.001, -0.001)]
    repeats = [[dict.fromkeys(METRIC_NAMES, v) for v in (0.0, 0.05)]]
    table = repeatability_table(perturbed, repeats)
    assert table["jaw_width_ratio"].sem == pytest.approx(float(np.std([0.0, 0.05], ddof=1)))
    assert "repeats" in table["jaw_width_ratio"].source


def test_grace_table_is_finite_and_small(
    grace_errors: dict[str, MetricError], grace: PhotoMeasurement
) -> None:
    assert set(grace_errors) == set(grace.metrics)  # every metric she has a number for (not hidden lines)
    for name, error in grace_errors.items():
        assert np.isfinite(error.sem) and error.sem > 0, name
        assert error.mdc95 == pytest.approx(mdc95(error.sem))
    assert grace_errors["brow_height_r"].mdc95 < 0.06  # under ~3.5 mm
    assert grace_errors["jaw_width_ratio"].mdc95 < 0.03


def test_same_face_recompressed_is_no_measurable_change(
    grace: PhotoMeasurement,
    grace_rgb: np.ndarray,
    image_landmarker: object,
    grace_errors: dict[str, MetricError],
) -> None:
    import cv2

    _ok, data = cv2.imencode(".jpg", grace_rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 80])
    again = measure_photo(
        np.ascontiguousarray(cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]), image_landmarker
    )
    assert evaluate(again, Reference.from_measurement(grace)).accepted
    result = compare_metrics(grace.metrics, again.metrics, grace_errors)
    assert result.verdict == NO_CHANGE
    assert len(result.changes) == len(grace.metrics)


@pytest.fixture(scope="session")
def narrowed(
    grace: PhotoMeasurement,
    grace_rgb: np.ndarray,
    grace_errors: dict[str, MetricError],
    image_landmarker: object,
) -> tuple[np.ndarray, PhotoMeasurement]:
    rgb = narrow_jaw(grace_rgb, grace.landmarks, 0.12)
    return rgb, measure_photo(rgb, image_landmarker)


def test_narrowed_jaw_is_reported_beyond_mdc(
    grace: PhotoMeasurement,
    narrowed: tuple[np.ndarray, PhotoMeasurement],
    grace_errors: dict[str, MetricError],
) -> None:
    _, after = narrowed
    assert evaluate(after, Reference.from_measurement(grace)).accepted  # comparable photo
    drop = grace.metrics["jaw_width_ratio"] - after.metrics["jaw_width_ratio"]
    assert drop > grace_errors["jaw_width_ratio"].mdc95  # the warp narrowed it by more than the MDC
    result = compare_metrics(grace.metrics, after.metrics, grace_errors)
    assert result.verdict != NO_CHANGE
    jaw = next(c for c in result.changes if c.metric == "jaw_width_ratio")
    assert jaw.measurable and jaw.change < 0 and jaw.ratio > 1
    assert "jaw width (to the cheekbones): smaller" in result.verdict  # plain words, change and MDC95


def test_compare_cli_on_stored_photos(
    grace_path: Path, narrowed: tuple[np.ndarray, PhotoMeasurement], tmp_path: Path, grace: PhotoMeasurement
) -> None:
    """Baseline and a re-encoded copy on the same day (a real repeat), the narrowed jaw later."""
    from PIL import Image

    same = tmp_path / "same.jpg"
    Image.open(grace_path).save(same, quality=85)
    jaw = tmp_path / "jaw.png"
    Image.fromarray(narrowed[0]).save(jaw)
    for path, day in ((grace_path, "2025-01-01"), (same, "2025-01-01"), (jaw, "2025-03-01")):
        result = runner.invoke(app, ["photo", "add", str(path), "--date", day])
        assert result.exit_code == 0, result.output
    table = runner.invoke(app, ["photo", "repeatability", "--samples", "10", "--json"])
    assert table.exit_code == 0, table.output
    report = json.loads(table.stdout)
    assert "1 same-day groups of real repeats" in report["source"]  # photos 1 and 2: same day
    rows = report["metrics"]
    assert all("perturbations" in r["source"] and "repeats" in r["source"] for r in rows)
    assert {r["metric"] for r in rows} == set(grace.metrics)
    assert all(r["mdc95"] == pytest.approx(1.96 * math.sqrt(2) * r["sem"]) for r in rows)
    unchanged = runner.invoke(app, ["photo", "compare", "1", "2"])
    assert unchanged.exit_code == 0, unchanged.output
    assert NO_CHANGE in unchanged.stdout
    changed = json.loads(runner.invoke(app, ["photo", "compare", "1", "3", "--json"]).stdout)
    assert changed["measurable"] is True
    jaw_row = next(c for c in changed["changes"] if c["metric"] == "jaw_width_ratio")
    assert jaw_row["measurable"] and jaw_row["change_over_mdc95"] > 1


def test_repeatability_of_a_photo_outside_the_protocol_is_refused(tmp_path: Path) -> None:
    """skimage's astronaut: smiling, chin down, 43 px between pupils. No re-take passes, so no table."""
    from PIL import Image
    from skimage import data

    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    result = runner.invoke(app, ["photo", "repeatability", "--file", str(path), "--samples", "4"])
    assert result.exit_code != 0
    assert "too few to estimate the error" in str(result.exception)


def test_repeatability_of_a_faceless_photo_or_two_sources_is_one_error(tmp_path: Path) -> None:
    from PIL import Image

    from facefit.errors import InputError, NoFaceError

    path = tmp_path / "grey.png"
    Image.new("RGB", (400, 400), (128, 128, 128)).save(path)
    faceless = runner.invoke(app, ["photo", "repeatability", "--file", str(path), "--samples", "4"])
    assert isinstance(faceless.exception, NoFaceError)
    assert "grey.png: no face found" in str(faceless.exception)
    both = runner.invoke(app, ["photo", "repeatability", "--file", str(path), "--video", str(path)])
    assert isinstance(both.exception, InputError) and "not both" in str(both.exception)


def test_new_asymmetry_is_flagged_to_safety_and_symmetric_change_is_not(
    grace_path: Path,
    grace: PhotoMeasurement,
    grace_rgb: np.ndarray,
    narrowed: tuple[np.ndarray, PhotoMeasurement],
    tmp_path: Path,
) -> None:
    """A drooping left mouth corner (warp) raises a blocking `new-asymmetry` safety event; the narrowed
    jaw (symmetric) and a re-encoded copy do not."""
    from PIL import Image

    from facefit.photos.perturb import droop
    from facefit.safety.service import pending_safety_blocks
    from facefit.store.db import open_store
    from facefit.store.profiles import get_or_create_profile

    droop_file, jaw_file, same = tmp_path / "droop.png", tmp_path / "jaw.png", tmp_path / "same.jpg"
    Image.fromarray(droop(grace_rgb, grace.landmarks, 0.14, side="left")).save(droop_file)
    Image.fromarray(narrowed[0]).save(jaw_file)
    Image.open(grace_path).save(same, quality=85)
    assert runner.invoke(app, ["photo", "add", str(grace_path)]).exit_code == 0
    assert runner.invoke(app, ["photo", "repeatability", "--samples", "8"]).exit_code == 0

    def blocks() -> list[str]:
        store = open_store()
        try:
            with store.transaction() as session:
                profile_id = get_or_create_profile(session=session).id
                return [e.kind for e in pending_safety_blocks(session=session, profile_id=profile_id)]
        finally:
            store.close()

    for quiet in (same, jaw_file):
        result = runner.invoke(app, ["photo", "add", str(quiet)])
        assert result.exit_code == 0 and "new asymmetry" not in result.stdout, result.output
    assert blocks() == []
    result = runner.invoke(app, ["photo", "add", str(droop_file)])
    assert result.exit_code == 0, result.output
    assert "new asymmetry" in result.stdout
    assert blocks() == ["new-asymmetry"]


def test_real_repeats_from_video_frames(real_data: Path) -> None:
    """Frames of a real video that pass the gate against its first frame give a real-repeat table."""
    result = runner.invoke(
        app, ["photo", "repeatability", "--video", str(real_data / "single_face.mp4"), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "passed the gate against the first" in report["source"]
    rows = {r["metric"]: r for r in report["metrics"]}
    assert set(rows) == set(METRIC_NAMES)
    assert all(r["source"].startswith("repeats") and r["n"] >= 2 and r["sem"] > 0 for r in rows.values())
    # a line region without lines barely spreads: its SEM is held at the index's floor (and says so)
    floored = [r for r in rows.values() if r["source"] == "repeats, floor"]
    assert all(r["sem"] == METRIC_SPECS[r["metric"]].sem_floor for r in floored)
