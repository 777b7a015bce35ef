"""Broken catalog files give one line per problem naming file, entry and field; nothing is half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from facefit.catalog.loader import builtin_paths, check_paths, load_catalog, validate_paths
from facefit.cli import app
from facefit.errors import CatalogError

ROUTINE_WITH_MISSING_EXERCISE = """
[[routine]]
id = "mine"
name = "Mine"
description = "A routine naming an exercise that does not exist."
steps = [ { exercise = "cheek-lifter" }, { exercise = "chin-wobble" } ]
"""

ROUTINE = '[[routine]]\nid = "r"\nname = "R"\ndescription = "d"\n'
GOOD_EXERCISE = """
[[exercise]]
id = "{id}"
name = "Lip press"
goal = "tone"
cue = "Press the lips together."
instructions = ["Press the lips together gently."]
reps = {reps}
hold_s = 3
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def lines(issues: list[object]) -> list[str]:
    return [str(issue) for issue in issues]


def test_cli_acceptance_missing_exercise_is_one_line_naming_file_routine_exercise(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.toml", ROUTINE_WITH_MISSING_EXERCISE)
    result = CliRunner().invoke(app, ["catalog", "validate", str(broken)])
    assert result.exit_code == 1
    problem_lines = [line for line in result.stderr.splitlines() if "chin-wobble" in line]
    assert problem_lines == [f"{broken}: routine 'mine': steps[2].exercise: unknown exercise 'chin-wobble'"]


def test_cli_validate_builtin_catalog_is_clean() -> None:
    result = CliRunner().invoke(app, ["catalog", "validate"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout


@pytest.mark.parametrize(
    ("text", "entry", "field", "message"),
    [
        (GOOD_EXERCISE.format(id="lip-press", reps=-3), "exercise 'lip-press'", "reps",
         "greater than or equal to 1"),
        (GOOD_EXERCISE.format(id="lip-press", reps=5).replace('goal = "tone"\n', ""),
         "exercise 'lip-press'", "goal", "Field required"),
        (GOOD_EXERCISE.format(id="lip-press", reps=5) + 'colour = "red"\n', "exercise 'lip-press'", "colour",
         "Extra inputs are not permitted"),
        (GOOD_EXERCISE.format(id="Lip Press", reps=5), "exercise 'Lip Press'", "id", "should match pattern"),
        (GOOD_EXERCISE.format(id="lip-press", reps=5).replace("hold_s = 3", "duration_s = 30"),
         "exercise 'lip-press'", "-", "exactly one of reps"),
        (GOOD_EXERCISE.format(id="lip-press", reps=5) + 'contraindications = ["flu"]\n',
         "exercise 'lip-press'", "contraindications[1]", "unknown condition 'flu'"),
        (GOOD_EXERCISE.format(id="cheek-lifter", reps=5), "exercise 'cheek-lifter'", "id", "duplicate id"),
        (ROUTINE + 'steps = [{ exercise = "cheek-lifter", reps = 0 }]\n',
         "routine 'r'", "steps[1].reps", "greater than or equal to 1"),
        (ROUTINE + 'steps = [{ exercise = "cheek-puff" }]\n',
         "routine 'r'", "steps[1].exercise", "discouraged"),
        (ROUTINE + 'steps = [{ exercise = "skin-prep", reps = 4 }]\n',
         "routine 'r'", "steps[1]", "is timed"),
        ('[[programme]]\nid = "p"\nname = "P"\ndescription = "d"\nweeks = 4\n'
         'phases = [{ first_week = 1, last_week = 4, routine = "ghost", days_per_week = 5 }]\n',
         "programme 'p'", "phases[1].routine", "unknown routine 'ghost'"),
        ('[[programme]]\nid = "p"\nname = "P"\ndescription = "d"\nweeks = 4\n'
         'phases = [{ first_week = 1, last_week = 2, routine = "starter", days_per_week = 5 }]\n',
         "programme 'p'", "-", "phases end at week 2"),
        ('[[programme]]\nid = "p"\nname = "P"\ndescription = "d"\nweeks = 2\n'
         'phases = [{ first_week = 1, last_week = 2, routine = "starter", days_per_week = 9 }]\n',
         "programme 'p'", "phases[1].days_per_week", "less than or equal to 7"),
        ('[[exercises]]\nid = "x"\n', "exercises", "-", "unknown section"),
        ('exercise = "cheek"\n', "exercise", "-", "array of tables"),
    ],
)
def test_each_kind_of_problem_names_file_entry_and_field(
    tmp_path: Path, text: str, entry: str, field: str, message: str
) -> None:
    path = write(tmp_path, "user.toml", text)
    found = lines(validate_paths([path]))
    assert any(line.startswith(f"{path}: {entry}: {field}: ") and message in line for line in found), found


def test_one_bad_value_is_one_line_with_its_real_cause(tmp_path: Path) -> None:
    path = write(tmp_path, "user.toml", ROUTINE + 'steps = [{ exercise = "cheek-lifter", hold_s = nan }]\n')
    expected = f"{path}: routine 'r': steps[1].hold_s: Input should be a finite number (got nan)"
    assert lines(validate_paths([path])) == [expected]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x = [1,\n", "bad TOML"),
        (b"", "defines nothing"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = write(tmp_path, "odd.toml", content)
    found = lines(validate_paths([path]))
    assert len(found) == 1 and found[0].startswith(f"{path}: -: -: ") and message in found[0], found


def test_missing_file_and_directory(tmp_path: Path) -> None:
    found = lines(validate_paths([tmp_path / "nope.toml", tmp_path]))
    assert found == [f"{tmp_path / 'nope.toml'}: -: -: file not found",
                     f"{tmp_path}: -: -: is a directory, not a TOML file"]


def test_all_problems_are_reported_not_just_the_first(tmp_path: Path) -> None:
    text = GOOD_EXERCISE.format(id="a", reps=-1) + GOOD_EXERCISE.format(id="a", reps=0)
    text += ROUTINE_WITH_MISSING_EXERCISE.replace('"mine"', '"m"').replace("cheek-lifter", "nope")
    path = write(tmp_path, "many.toml", text)
    found = lines(validate_paths([path]))
    assert sum("greater than or equal to 1" in line for line in found) == 2
    assert any("duplicate id" in line for line in found)
    assert any("unknown exercise 'nope'" in line for line in found)
    assert any("unknown exercise 'chin-wobble'" in line for line in found)


def test_alone_checks_without_the_builtin_catalog(tmp_path: Path) -> None:
    path = write(tmp_path, "r.toml", ROUTINE_WITH_MISSING_EXERCISE)
    alone = lines(validate_paths([path], with_builtin=False))
    assert any("unknown exercise 'cheek-lifter'" in line for line in alone)
    mine = write(tmp_path, "ex.toml", GOOD_EXERCISE.format(id="lip-press", reps=5))
    assert validate_paths([mine], with_builtin=False) == []


def test_a_valid_user_file_extends_the_catalog(tmp_path: Path) -> None:
    extra = write(tmp_path, "extra.toml", GOOD_EXERCISE.format(id="lip-press", reps=5)
                  + '\n[[routine]]\nid = "lips"\nname = "Lips"\ndescription = "d"\n'
                  'steps = [{ exercise = "lip-press", sets = 2 }, { exercise = "cheek-lifter" }]\n')
    catalog = load_catalog([*builtin_paths(), extra])
    assert catalog.routine("lips").steps[0].sets == 2
    assert "lip-press" in catalog.exercises and "cheek-lifter" in catalog.exercises


def test_load_refuses_an_invalid_catalog_and_lists_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", ROUTINE_WITH_MISSING_EXERCISE)
    with pytest.raises(CatalogError, match=r"(?s)1 problem.*chin-wobble"):
        load_catalog([*builtin_paths(), path])
    catalog, issues = check_paths([*builtin_paths(), path])
    assert catalog is None and len(issues) == 1


def test_the_same_file_twice_is_read_once() -> None:
    assert validate_paths(builtin_paths()) == []
