"""The study protocol file: the shipped example loads; each kind of mistake is one clear line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from facefit.study.definition import (
    EXAMPLE_PATH,
    StudyDefinitionError,
    load_study,
    parse_study,
)


def _example() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(StudyDefinitionError) as caught:
        parse_study(data, source="study.toml")
    return caught.value.problems


def test_example_study_loads_with_its_strata_and_windows() -> None:
    study = load_study(EXAMPLE_PATH)
    assert [a.id for a in study.arms] == ["exercise", "control"]
    assert study.control_arm.id == "control"
    assert study.strata() == ["age_band=40-49|sex=female", "age_band=40-49|sex=male",
                              "age_band=50-65|sex=female", "age_band=50-65|sex=male"]
    assert study.stratum(age=52, sex="female") == "age_band=50-65|sex=female"
    assert study.visit("week-8").window == (49, 63)
    assert study.endpoints.primary == "rater_age"
    assert len(study.sha256) == 64 and study.sha256 == load_study(EXAMPLE_PATH).sha256


def test_missing_arm_is_one_clear_line() -> None:
    data = _example()
    data["arms"] = [a for a in data["arms"] if a["id"] != "control"]
    problems = _problems(data)
    assert "study.toml: allocation.ratio: names arm 'control', which is not defined in [[arms]] " \
           "(arms: exercise)" in problems
    assert "study.toml: arms: a controlled trial needs at least two arms, got 1" in problems


def test_impossible_ratio_is_one_clear_line() -> None:
    data = _example()
    data["allocation"]["ratio"] = {"exercise": 2, "control": 1}
    assert _problems(data) == [
        "study.toml: allocation.block_sizes: a block of 4 cannot hold the ratio exercise:control = 2:1; "
        "block sizes must be multiples of 3"]
    data["allocation"]["ratio"] = {"exercise": 0, "control": 1}
    assert _problems(data) == [
        "study.toml: allocation.ratio.exercise: Input should be greater than or equal to 1"]


def test_overlapping_visit_windows_are_one_clear_line() -> None:
    data = _example()
    data["visits"][2]["day"] = 66
    assert _problems(data) == [
        "study.toml: visits.week-20: its window (days 59 to 80) overlaps week-8's (days 49 to 63): a photo "
        "could belong to either visit"]


def test_every_problem_is_listed_at_once() -> None:
    data = _example()
    data["arms"][0]["programme"] = "no-such-programme"
    data["endpoints"]["primary"] = "happiness"
    data["eligibility"]["age"] = [70, 40]
    data["colour"] = "blue"
    problems = _problems(data)
    assert problems == ["study.toml: colour: unknown field (check the spelling; see the example study file)"]
    del data["colour"]
    problems = _problems(data)
    assert len(problems) == 3, problems
    assert any("arms.exercise.programme: unknown programme 'no-such-programme'" in p for p in problems)
    assert any("endpoints: unknown endpoint 'happiness'" in p for p in problems)
    assert any("eligibility.age: the minimum 70 is above the maximum 40" in p for p in problems)


def test_unreadable_files_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = \n", encoding="utf-8")
    with pytest.raises(StudyDefinitionError, match=r"bad.toml: not valid TOML"):
        load_study(bad)
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(StudyDefinitionError, match=r"bad.toml: not a UTF-8 text file"):
        load_study(bad)
    with pytest.raises(StudyDefinitionError, match=r"missing.toml: cannot read the file"):
        load_study(tmp_path / "missing.toml")
