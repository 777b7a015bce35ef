"""``facefit catalog``: list, show and validate exercises, routines and programmes; plan a programme."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from facefit.catalog.durations import duration_note, resolve_routine, routine_seconds
from facefit.catalog.loader import Catalog, builtin_paths, load_catalog, validate_paths
from facefit.catalog.models import Exercise, Phase, Programme, Routine
from facefit.catalog.schedule import parse_weekdays, plan
from facefit.cli._common import console
from facefit.errors import CatalogError, InputError

catalog_app = typer.Typer(
    help="The exercise catalog: exercises, routines, programmes, and what to avoid.", no_args_is_help=True
)


def _reps_text(exercise: Exercise) -> str:
    if exercise.timed:
        return f"{exercise.duration_s:g} s"
    return f"{exercise.sets}x{exercise.reps}, hold {exercise.hold_s:g} s"


@catalog_app.command("list")
def list_items(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """List every exercise, routine, programme and discouraged move."""
    cat = load_catalog()
    if as_json:
        typer.echo(json.dumps({
            "exercises": [e.model_dump(mode="json") | {"jaw_glide": e.jaw_glide}
                          for e in cat.exercises.values()],
            "routines": [r.model_dump(mode="json")
                         | {"computed_minutes": round(routine_seconds(r, cat) / 60, 2)}
                         for r in cat.routines.values()],
            "programmes": [p.model_dump(mode="json") for p in cat.programmes.values()],
            "discouraged": [d.model_dump(mode="json") for d in cat.discouraged.values()],
        }, indent=2))
        return
    table = Table(title="Exercises")
    table.add_column("id", no_wrap=True)
    for column in ("name", "goal", "target muscles", "dose", "jaw glide"):
        table.add_column(column)
    for ex in cat.exercises.values():
        table.add_row(ex.id, ex.name, ex.goal, ", ".join(ex.target_muscles) or "-", _reps_text(ex),
                      "yes" if ex.jaw_glide else "")
    console.print(table)
    routines = Table(title="Routines")
    routines.add_column("id", no_wrap=True)
    for column in ("name", "steps", "duration"):
        routines.add_column(column)
    for r in cat.routines.values():
        routines.add_row(r.id, r.name, str(len(r.steps)), duration_note(r, cat))
    console.print(routines)
    programmes = Table(title="Programmes")
    for column in ("id", "name", "weeks", "phases"):
        programmes.add_column(column)
    for p in cat.programmes.values():
        programmes.add_row(p.id, p.name, str(p.weeks), "; ".join(_phase_text(ph) for ph in p.phases))
    console.print(programmes)
    discouraged = Table(title="Discouraged (do not do these)")
    discouraged.add_column("id")
    discouraged.add_column("why")
    for d in cat.discouraged.values():
        discouraged.add_row(d.id, d.reason)
    console.print(discouraged)
    if cat.guidance:
        console.print(f"[bold]Relax, don't train:[/bold] {cat.guidance.relax_not_train.statement}")


def _phase_text(phase: Phase) -> str:
    often = (f"{phase.days_per_week} days/week" if phase.days_per_week
             else "daily" if phase.every_n_days == 1 else f"every {phase.every_n_days} days")
    return f"weeks {phase.first_week}-{phase.last_week}: {phase.routine}, {often}"


def _exercise_card(ex: Exercise, cat: Catalog) -> Panel:
    lines = [f"[bold]{ex.name}[/bold]  ({ex.id}, goal: {ex.goal})"]
    lines.append(f"Target muscles: {', '.join(ex.target_muscles) or '-'}")
    if ex.timed:
        lines.append(f"Dose: {ex.duration_s:g} s")
    else:
        rep_s = ex.tempo.up_s + (ex.hold_s or 0) + ex.tempo.down_s
        lines.append(f"Dose: {ex.sets} set(s) x {ex.reps} reps, hold {ex.hold_s:g} s, tempo "
                     f"{ex.tempo.up_s:g} s in / {ex.tempo.down_s:g} s out ({rep_s:g} s per rep)")
    lines.append(f"Resistance: {ex.resistance}   Movements: {', '.join(ex.movements) or '-'}"
                 + ("   [yellow]jaw glide[/yellow]" if ex.jaw_glide else ""))
    lines.append(f"Cue: {ex.cue}")
    lines.append("Instructions:")
    lines += [f"  {i}. {text}" for i, text in enumerate(ex.instructions, start=1)]
    if ex.cautions:
        lines.append("Cautions:")
        lines += [f"  - {text}" for text in ex.cautions]
    if ex.contraindications:
        names = [cat.conditions[c].name if c in cat.conditions else c for c in ex.contraindications]
        lines.append("Do not do this with: " + "; ".join(names))
    return Panel("\n".join(lines), title="exercise", expand=False)


def _routine_card(r: Routine, cat: Catalog) -> Table:
    table = Table(title=f"{r.name} ({r.id}): {duration_note(r, cat)}", caption=r.description)
    for column in ("#", "exercise", "sets", "reps / time", "hold", "minutes"):
        table.add_column(column)
    for step in resolve_routine(r, cat):
        table.add_row(str(step.position), step.exercise.name, str(step.sets),
                      f"{step.reps} reps" if step.reps else f"{step.set_s:g} s",
                      f"{step.hold_s:g} s" if step.reps else "-", f"{step.total_s / 60:.1f}")
    return table


def _programme_card(p: Programme, cat: Catalog) -> Table:
    table = Table(title=f"{p.name} ({p.id}), {p.weeks} weeks", caption=p.description)
    for column in ("weeks", "routine", "how often", "min/session", "min/week"):
        table.add_column(column)
    days = plan(p, date(2000, 1, 3), catalog=cat)  # a Monday; only the weekly totals are used here
    for phase in p.phases:
        week_minutes = sum(d.planned_minutes for d in days if d.week == phase.first_week)
        minutes = routine_seconds(cat.routine(phase.routine), cat) / 60
        often = _phase_text(phase).split(", ")[-1]
        table.add_row(f"{phase.first_week}-{phase.last_week}", phase.routine, often,
                      f"{minutes:.1f}", f"{week_minutes:.0f}")
    return table


@catalog_app.command("show")
def show(
    item_id: Annotated[str, typer.Argument(help="Exercise, routine, programme or discouraged-move id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a card.")] = False,
) -> None:
    """Show the full card of one exercise, routine, programme or discouraged move."""
    cat = load_catalog()
    for table, render in ((cat.exercises, _exercise_card), (cat.routines, _routine_card),
                          (cat.programmes, _programme_card)):
        if item_id in table:
            item = table[item_id]
            if as_json:
                extra = {"jaw_glide": item.jaw_glide} if isinstance(item, Exercise) else {}
                typer.echo(json.dumps(item.model_dump(mode="json") | extra, indent=2))
            else:
                console.print(render(item, cat))  # type: ignore[operator]
            return
    if item_id in cat.discouraged:
        move = cat.discouraged[item_id]
        if as_json:
            typer.echo(json.dumps(move.model_dump(mode="json"), indent=2))
        else:
            console.print(Panel(f"[bold red]Discouraged:[/bold red] {move.name}\nWhy: {move.reason}\n"
                                f"Instead: {move.instead}", expand=False))
        return
    known = sorted([*cat.exercises, *cat.routines, *cat.programmes, *cat.discouraged])
    raise CatalogError(f"Nothing in the catalog is called {item_id!r}; known ids: {', '.join(known)}.")


@catalog_app.command("guidance")
def guidance() -> None:
    """Show the do's and don'ts, the risks, and which muscles to relax rather than train."""
    cat = load_catalog()
    if cat.guidance is None:
        raise CatalogError("The catalog has no guidance section.")
    g = cat.guidance
    console.print(f"[bold]Relax, don't train[/bold] ({', '.join(g.relax_not_train.muscles)}): "
                  f"{g.relax_not_train.statement}")
    table = Table(title="Do's and don'ts")
    for column in ("", "do", "don't"):
        table.add_column(column)
    for row in g.do_dont:
        table.add_row(row.topic, row.do, row.dont)
    console.print(table)
    risks = Table(title="Risks")
    for column in ("risk", "what happens", "how to avoid it"):
        risks.add_column(column)
    for risk in g.risk:
        risks.add_row(risk.name, risk.description, risk.prevention)
    console.print(risks)


@catalog_app.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="TOML files to check (default: the built-in catalog).")
    ] = None,
    alone: Annotated[bool, typer.Option(
        "--alone", help="Check the files on their own, without the built-in catalog "
        "(routines may then only name exercises in these files).")] = False,
) -> None:
    """Check catalog files; print one line per problem naming file, entry and field; exit 1 if any."""
    issues = validate_paths(paths or [], with_builtin=not alone)
    if issues:
        for issue in issues:
            typer.echo(str(issue), err=True)
        typer.echo(f"{len(issues)} problem(s) found.", err=True)
        raise typer.Exit(1)
    if not paths:
        typer.echo(f"ok: the built-in catalog ({len(builtin_paths())} files) is valid.")
        return
    scope = "" if alone else " together with the built-in catalog"
    typer.echo(f"ok: {len(paths)} file(s) valid{scope}.")


@catalog_app.command("plan")
def plan_command(
    programme: Annotated[str, typer.Argument(help="Programme id, e.g. twelve-week.")],
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default: today).")] = None,
    weekdays: Annotated[
        str | None, typer.Option(help="Days you can practise, e.g. mon,tue,thu,fri,sat.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a programme as dated days: routine or rest, and the planned minutes."""
    try:
        first = date.fromisoformat(start) if start else date.today()
        allowed = None if weekdays is None else parse_weekdays(weekdays)
    except ValueError as error:
        raise InputError(f"Bad --start or --weekdays: {error}.") from None
    days = plan(programme, first, allowed)
    if as_json:
        typer.echo(json.dumps([d.to_dict() for d in days], indent=2))
        return
    table = Table(title=f"{programme} from {first.isoformat()}")
    for column in ("week", "days", "practice days", "minutes"):
        table.add_column(column)
    for week in sorted({d.week for d in days}):
        in_week = [d for d in days if d.week == week]
        practice = [d for d in in_week if not d.is_rest]
        table.add_row(str(week), f"{in_week[0].date:%a %d %b}-{in_week[-1].date:%a %d %b}",
                      " ".join(f"{d.date:%a}" for d in practice) + f" ({len(practice)})",
                      f"{sum(d.planned_minutes for d in practice):.0f}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
