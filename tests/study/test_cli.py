"""`facefit study ...` as a coordinator types it: one clear line for each mistake, the same verdicts as
the web app (both call facefit.study)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import baseline_done_without_photos
from typer.testing import CliRunner

from facefit.cli import app
from facefit.safety.conditions import CONDITION_IDS
from facefit.store.db import open_store
from facefit.study.definition import EXAMPLE_PATH

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["study", *args])
    return result.exit_code, result.output


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("FACEFIT_DB_URL", url)
    return url


def test_create_enrol_randomise_status_verify(database: str, tmp_path: Path) -> None:
    code, out = _run("create", str(EXAMPLE_PATH))
    assert code != 0 and "Give the allocation seed with --seed N, or --seed-out FILE" in str(
        runner.invoke(app, ["study", "create", str(EXAMPLE_PATH)]).exception or out
    )
    seed_file = tmp_path / "seed.txt"
    code, out = _run("create", str(EXAMPLE_PATH), "--seed-out", str(seed_file), "--json")
    assert code == 0, out
    created = json.loads(out)
    assert created["created"] and oct(seed_file.stat().st_mode & 0o777) == "0o600"
    seed = seed_file.read_text().strip()
    assert seed not in out  # the seed is never printed or stored
    assert json.loads(_run("create", str(EXAMPLE_PATH), "--seed", seed, "--json")[1])["created"] is False

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(CONDITION_IDS, "no")))
    store = open_store(database)
    with store.transaction() as session:
        from facefit.safety.service import record_screening
        from facefit.store.profiles import get_or_create_profile

        record_screening(
            session=session,
            profile_id=get_or_create_profile(session=session, name="ada").id,
            answers=dict.fromkeys(CONDITION_IDS, False),
        )
    code, out = _run("enrol", "face-exercise-rct", "--profile", "ada", "--age", "52", "--sex", "female")
    assert code == 0 and "P0001 enrolled" in out, out
    code, out = _run("enrol", "face-exercise-rct", "--profile", "old", "--age", "80", "--sex", "female")
    assert code == 1 and "not eligible" in out and "age 80 is outside 40-65" in out and "not screened" in out
    code, out = _run("randomise", "face-exercise-rct", "P0001")
    assert code != 0
    baseline_done_without_photos(store, "face-exercise-rct", "P0001", datetime.now(UTC))
    code, out = _run("status", "face-exercise-rct", "P0001", "--json")
    assert json.loads(out)["arm"] is None  # sealed until randomised
    code, out = _run("randomise", "face-exercise-rct", "P0001", "--json")
    arm = json.loads(out)["arm"]
    assert code == 0 and arm in ("exercise", "control")
    assert json.loads(_run("randomise", "face-exercise-rct", "P0001", "--json")[1])["already"] is True
    code, out = _run("verify", "face-exercise-rct", "--seed", seed)
    assert code == 0 and "matches seed: yes" in out and "audit chain intact: yes" in out
    code, out = _run("verify", "face-exercise-rct", "--seed", str(int(seed) + 1))
    assert code == 1 and "matches seed: NO" in out
    code, out = _run("withdraw", "face-exercise-rct", "P0001", "--reason", "moved away")
    assert code == 0
    code, out = _run("report", "face-exercise-rct", "--json")
    assert code == 0 and json.loads(out)["consort"]["arms"]
    store.close()


def test_bad_input_is_one_clear_line(database: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EXAMPLE_PATH.read_text().replace(
            "ratio = { exercise = 1, control = 1 }", "ratio = { exercise = 2, control = 1 }"
        )
    )
    result = runner.invoke(app, ["study", "create", str(bad), "--seed", "1"])
    assert result.exit_code != 0
    assert "a block of 4 cannot hold the ratio exercise:control = 2:1" in str(result.exception)
    result = runner.invoke(
        app, ["study", "enrol", "nope", "--profile", "x", "--age", "50", "--sex", "female"]
    )
    assert "There is no study 'nope'" in str(result.exception)
    result = runner.invoke(app, ["study", "analyze", "nope", "--scheduler", "localhost:1"])
    assert "The --scheduler value must look like tcp://HOST:PORT" in str(result.exception)


def test_power_calculator() -> None:
    code, out = _run("power", "--effect", "3", "--sd", "6", "--json")
    assert code == 0 and json.loads(out)["per_arm_t_test"] == [64, 64]
    code, out = _run("power", "--effect", "3", "--sd", "6", "--baseline-r", "0.7", "--dropout", "0.41")
    assert code == 0 and "ANCOVA (r = 0.7) 33 + 33" in out and "enrol 56 + 56 = 112" in out
    result = runner.invoke(app, ["study", "power", "--effect", "3", "--sd", "0"])
    assert "sd must be above 0" in str(result.exception)


def test_a_study_nobody_has_joined_yet_reports_without_error(database: str, tmp_path: Path) -> None:
    """Right after `study create`, before anyone is assessed, the analysis and the report are empty, not a
    KeyError (the web's results and report call the same verbs)."""
    assert _run("create", str(EXAMPLE_PATH), "--seed", "7")[0] == 0
    code, out = _run("report", "face-exercise-rct", "--json", "--out", str(tmp_path / "report.html"))
    assert code == 0, out
    assert json.loads(out[:out.rindex("}") + 1])["study"] == "face-exercise-rct"
    assert (tmp_path / "report.html").stat().st_size > 0


def test_the_command_a_missing_raters_error_names_adds_the_rater(database: str) -> None:
    """The terminal's way out for an unknown rater is a command to type: typed as printed (NAME filled
    in) it must add the rater. It once read '--add-rater NAME', which Typer refuses ('--add-rater' is a
    flag; the name goes with --rater)."""
    import shlex

    from facefit.cli._steps import error_text
    from facefit.study.rating import NotARaterError

    assert _run("create", str(EXAMPLE_PATH), "--seed", "7")[0] == 0
    refused = runner.invoke(app, ["study", "rate", "face-exercise-rct", "--rater", "ann", "--open"])
    assert isinstance(refused.exception, NotARaterError), refused.output
    command = error_text(refused.exception).split("`")[1]
    words = shlex.split(command.replace("NAME", "ann"))
    assert words[:2] == ["facefit", "study"], command
    code, out = _run(*words[2:])
    assert code == 0, (command, out)
    code, out = _run("rate", "face-exercise-rct", "--rater", "ann", "--open")
    assert code == 0 and "nothing left to rate" in out, out
