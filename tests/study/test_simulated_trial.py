"""The acceptance trial: 40 participants built from the available photos with the real Face Landmarker,
the real photo gate and the real age model; the exercising arm's later visits carry a known jaw change,
the controls none; some withdraw, some miss a visit, some are not eligible; three simulated raters.

Checked: the analysis recovers the jaw change inside its 95% CI (ITT, per protocol and mixed model), a
metric with no change has a CI that covers 0, the rater ICC recovers the simulated reliability, the
CONSORT boxes add up to the simulated flow, and the report, export and re-run behave.

Seed 2017 is the one the simulation was written and checked with (it is not a held-out figure; see
eval/README.md for the seeds the coverage was measured on). Renders and model answers are cached under
pytest's cache directory (``.pytest_cache/d/facefit-study-sim``), so a second run takes a fraction of
the first.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from facefit.store.db import Store, open_store
from facefit.study import verbs
from facefit.study.batch import analyze
from facefit.study.cache import CachedAgeModel, CachedLandmarker, DiskCache
from facefit.study.simulate import SimulatedTrial, TrialSpec, simulate_trial, start_faces

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # a cold cache renders ~350 photos
SPEC = TrialSpec()


@dataclass
class Trial:
    store: Store
    sim: SimulatedTrial
    results: verbs.Results
    models: tuple[Any, Any]
    home: Path


@pytest.fixture(scope="module")
def trial(request: pytest.FixtureRequest, real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("trial-home")
    patch = pytest.MonkeyPatch()
    patch.setenv("FACEFIT_HOME", str(home))
    cache = DiskCache(request.config.cache.mkdir("facefit-study-sim"))
    landmarker = CachedLandmarker(cache)
    models = (landmarker, CachedAgeModel(cache))
    store = open_store(f"sqlite:///{home / 'trial.db'}")
    faces = start_faces(landmarker, real_dir=real_data)
    sim = simulate_trial(
        store=store, faces=faces, landmarker=landmarker, cache=cache, spec=SPEC, age_model=models[1]
    )
    outcome = analyze(store=store, slug=sim.slug, workers=0, models=models)
    assert outcome.failed == {} and outcome.measured == sim.photos
    endpoints = [
        SPEC.effect_metric,
        SPEC.no_change_metric,
        "rater_age",
        "model_age",
        "upper_cheek",
        "adherence",
    ]
    found = verbs.results(store=store, slug=sim.slug, today=sim.today.date(), endpoints=endpoints)
    yield Trial(store, sim, found, models, home)
    landmarker.close()
    store.close()
    patch.undo()


def _itt(trial: Trial, endpoint: str) -> Any:
    [estimate] = trial.results.analysis.endpoints[endpoint].itt
    return estimate


def test_trial_is_built_as_specified(trial: Trial) -> None:
    assert len(trial.sim.arms) == SPEC.participants >= 40
    assert set(trial.sim.arms.values()) == {"exercise", "control"}
    assert trial.sim.photos >= 3 * (2 * SPEC.participants)  # baseline + at least one later visit each
    assert trial.sim.retakes < trial.sim.photos / 3, "the gate rejected most simulated re-takes"


def test_known_change_is_recovered_inside_its_95_ci(trial: Trial) -> None:
    truth = trial.sim.truth[SPEC.effect_metric]
    assert truth < -0.005, f"the warp should move {SPEC.effect_metric} clearly ({truth})"
    result = trial.results.analysis.endpoints[SPEC.effect_metric]
    for estimate in [*result.itt, *result.pp, *result.mixed]:
        assert estimate.covers(truth), (
            estimate.population,
            estimate.effect,
            estimate.ci_low,
            estimate.ci_high,
            truth,
        )
        assert estimate.ci_high < 0, f"{estimate.population}: the change is not detected"
    itt = _itt(trial, SPEC.effect_metric)
    assert itt.imputed == SPEC.withdraw_after_baseline + SPEC.withdraw_after_week8
    assert itt.n == SPEC.participants


def test_metric_without_change_has_a_ci_covering_zero(trial: Trial) -> None:
    """Eye aperture (the jaw warp leaves it alone) and the simulated raters (who are not shown the warp)."""
    assert abs(trial.sim.truth[SPEC.no_change_metric]) < 0.002
    for endpoint in (SPEC.no_change_metric, "rater_age"):
        estimate = _itt(trial, endpoint)
        assert estimate.covers(0.0), (endpoint, estimate.effect, estimate.ci_low, estimate.ci_high)


def test_model_age_follows_what_the_model_reads_of_the_warp(trial: Trial) -> None:
    """A narrower jaw is part of how old a face looks: the age model's own reading of the warp (paired
    re-takes) is its truth, not 0."""
    estimate = _itt(trial, "model_age")
    assert estimate.covers(trial.sim.truth["model_age"]), (
        estimate.effect,
        estimate.ci_low,
        estimate.ci_high,
        trial.sim.truth["model_age"],
    )


def test_rater_reliability_recovers_the_simulated_icc(trial: Trial) -> None:
    ages = trial.results.analysis.reliability["apparent_age"]
    inter = ages["inter"]
    assert inter["n_raters"] == SPEC.raters
    assert inter["ci_low"] <= trial.sim.expected_icc <= inter["ci_high"], (inter, trial.sim.expected_icc)
    assert ages["intra"] is not None and ages["intra"]["icc"] > 0.5
    assert 0.5 < ages["krippendorff_alpha"] <= 1


def test_consort_boxes_add_up_to_the_simulated_flow(trial: Trial) -> None:
    counts = trial.results.consort
    assert counts.add_up() == []
    assert counts.assessed == SPEC.participants + SPEC.ineligible
    assert counts.excluded == SPEC.ineligible and counts.randomised == SPEC.participants
    assert (
        sum(a.discontinued for a in counts.arms) == SPEC.withdraw_after_baseline + SPEC.withdraw_after_week8
    )
    assert (
        sum(a.completed for a in counts.arms)
        == SPEC.participants - counts.arms[0].discontinued - counts.arms[1].discontinued
    )
    assert sum(a.lost for a in counts.arms) == 0  # the ones who missed week 8 came back at week 20


def test_model_age_error_is_measured_and_changes_judged_against_it(trial: Trial) -> None:
    error = trial.results.analysis.model_age_error
    assert 0 < error["photo"]["sem"] < 5 and error["photo"]["groups"] > 100
    assert error["visit_mean"]["mdc95"] < error["photo"]["mdc95"]
    changes = trial.results.analysis.model_age_changes
    assert sum(c["measured"] for c in changes.values()) > 0
    assert all(c["younger"] + c["older"] + c["within_error"] == c["measured"] for c in changes.values())


def test_report_export_and_rerun(trial: Trial, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEFIT_HOME", str(trial.home))  # the trial's photos live in its own home
    from facefit.study.batch import analyze as run
    from facefit.study.report import build_study_report

    found = trial.results
    written = build_study_report(
        found.data,
        found.analysis,
        found.consort,
        out=tmp_path / "study.html",
        pdf=True,
        audit=found.audit,
        schedule_ok=found.schedule_ok,
    )
    html = written.html.read_text(encoding="utf-8")
    assert (
        "CONSORT" in html and "jaw_width_ratio" in html and "(the stored schedule still matches it)" in html
    )
    assert written.pdf is not None and written.pdf.read_bytes().startswith(b"%PDF")
    table, dictionary = verbs.export(
        store=trial.store, slug=trial.sim.slug, out=tmp_path / "tidy.csv", today=trial.sim.today.date()
    )
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    assert {r["schema"] for r in rows} == {"facefit.study.tidy/1"}
    assert len(rows) == len(found.data.tidy)
    assert len({(r["participant"], r["visit"], r["endpoint"]) for r in rows}) == len(rows)
    described = {r["name"] for r in csv.DictReader(io.StringIO(dictionary.read_text(encoding="utf-8")))}
    assert {r["endpoint"] for r in rows} <= described and set(rows[0]) <= described
    again = run(store=trial.store, slug=trial.sim.slug, workers=0, models=trial.models)
    assert (again.measured, again.skipped) == (0, trial.sim.photos)
    assert found.audit[1] and found.schedule_ok
