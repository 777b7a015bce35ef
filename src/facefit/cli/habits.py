"""Safety and habits commands: ``screen``, ``safety``, ``ack``, ``enrol``, ``plan``, ``today``, ``log``,
``remind`` and ``report``.

Thin adapters: parse input, call a verb in ``facefit.safety`` / ``facefit.habits`` /
``facefit.reports`` inside one store transaction, render the result. Validation happens before the
transaction writes anything, so a bad value leaves the store as it was.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from facefit.cli._common import DEFAULT_PROFILE, console, profile_transaction, store
from facefit.errors import InputError

if TYPE_CHECKING:  # the safety and catalog stages load inside commands, so `facefit --help` stays fast
    from facefit.catalog.loader import Catalog
    from facefit.safety.screening import Clearance

ProfileOpt = Annotated[str, typer.Option(help="Whose data this is.")]


def _parse_date(text: str | None, what: str) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"The {what} value must be a date like 2026-01-31, got {text!r}.") from None


def _print_clearance(clearance: Clearance, catalog: Catalog) -> None:
    from facefit.safety.conditions import RULES_BY_ID, Level
    from facefit.safety.routine_filter import exclusion_reason

    colour = {Level.OK: "green", Level.MODIFIED: "yellow", Level.CONSULT_FIRST: "red"}[clearance.level]
    lines = [clearance.summary()]
    for cid in clearance.conditions:
        lines.append(f"- {RULES_BY_ID[cid].name}: {RULES_BY_ID[cid].advice}")
    ruled_out = []
    for exercise in catalog.exercises.values():
        reason = exclusion_reason(exercise, clearance.conditions)
        if reason:
            ruled_out.append(f"- {exercise.name} ({exercise.id}): {reason}")
    if ruled_out:
        lines += ["", "Left out of your routines (replaced by a safe exercise where one fits):", *ruled_out]
    if clearance.needs_acknowledgement:
        lines += ["", "Before starting a programme, talk to a clinician. Once cleared, run "
                  "`facefit ack --clinician-cleared` (or enrol with --clinician-cleared)."]
    if clearance.rescreen_at:
        lines.append(f"\nScreen again by {clearance.rescreen_at:%Y-%m-%d}, or after any pain, twitching or "
                     "new asymmetry.")
    console.print(Panel("\n".join(lines), title=f"clearance: {clearance.level.value}", border_style=colour,
                        expand=False), highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen(
        answers: Annotated[Path | None, typer.Option(
            "--answers", help="JSON file mapping each question id to yes/no (for scripts); without it the "
            "questions are asked one by one.")] = None,
        show_questions: Annotated[bool, typer.Option(
            "--questions", help="List the question ids and questions, then exit.")] = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Health screening before practice: ok, modified (what is skipped and why) or consult first."""
        from facefit.catalog.loader import load_catalog
        from facefit.safety.conditions import RULES
        from facefit.safety.screening import load_answers, parse_answers
        from facefit.safety.service import record_screening

        if show_questions:
            for rule in RULES:
                console.print(f"[bold]{rule.id}[/bold]: {rule.question}", highlight=False)
            return
        if answers is not None:
            given = load_answers(answers)
        else:
            console.print("Answer each question yes or no. Your answers stay on this computer.")
            given = parse_answers({rule.id: typer.confirm(rule.question, default=None) for rule in RULES})
        with profile_transaction(profile) as (session, profile_id):
            clearance = record_screening(session=session, profile_id=profile_id, answers=given)
        _print_clearance(clearance, load_catalog())

    @app.command("safety")
    def safety(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Show your clearance, safety events waiting for acknowledgement, and whether to screen again."""
        from facefit.safety.service import safety_events, safety_status

        with profile_transaction(profile) as (session, profile_id):
            status = safety_status(session=session, profile_id=profile_id)
            events = safety_events(session=session, profile_id=profile_id)
        if as_json:
            typer.echo(json.dumps({
                "clearance": None if status.clearance is None else status.clearance.level.value,
                "conditions": [] if status.clearance is None else list(status.clearance.conditions),
                "consult_acknowledged": bool(status.clearance and status.clearance.consult_acknowledged),
                "pending": [e.describe() for e in status.pending], "rescreen": status.rescreen,
                "can_start": status.can_start, "events": [e.describe() for e in events],
            }, indent=2))
            return
        console.print(f"clearance: {status.clearance.summary() if status.clearance else 'not screened'}",
                      highlight=False)
        if status.rescreen:
            console.print(f"[yellow]screen again:[/yellow] {status.rescreen} Run `facefit screen`.",
                          highlight=False)
        for event in status.pending:
            console.print(Panel(f"{event.describe()}\n{event.what_to_do}", title="waiting for `facefit ack`",
                                border_style="red", expand=False), highlight=False)
        if events and not status.pending:
            console.print(f"{len(events)} safety event(s) recorded, all acknowledged or warnings only.")
        console.print("practice may start." if status.can_start else "[red]practice is paused.[/red]")

    @app.command("ack")
    def ack(
        clinician_cleared: Annotated[bool, typer.Option(
            "--clinician-cleared", help="Confirm that a clinician has cleared you to start despite a "
            "consult-first screening.")] = False,
        note: Annotated[str | None, typer.Option(help="A note stored with the acknowledgement.")] = None,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Acknowledge safety events (pain, twitching, new asymmetry) after reading what to do."""
        from facefit.safety.service import acknowledge_consult, acknowledge_safety

        with profile_transaction(profile) as (session, profile_id):
            if clinician_cleared:
                acknowledge_consult(session=session, profile_id=profile_id, note=note)
            covered = acknowledge_safety(session=session, profile_id=profile_id, note=note)
        if clinician_cleared:  # said only once the transaction has committed
            console.print("Recorded: a clinician has cleared you to start. Exercises your screening "
                          "rules out stay left out.")
        for event in covered:
            console.print(f"acknowledged {event.describe()}\n  {event.what_to_do}", highlight=False)
        if not covered and not clinician_cleared:
            console.print("No safety event is waiting for acknowledgement.")
        elif covered:
            console.print("Please screen again (`facefit screen`) before your next session.")

    @app.command("enrol")
    def enrol(
        programme: Annotated[str, typer.Argument(help="Programme id, e.g. twelve-week (see `facefit catalog "
                                                 "list`).")] = "twelve-week",
        start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default today).")] = None,
        days: Annotated[str | None, typer.Option(help="Weekdays you can practise, e.g. mon,tue,wed,thu,fri "
                                                 "(default: any day).")] = None,
        at: Annotated[str, typer.Option("--time", help="Reminder time HH:MM for `facefit remind`.")
                      ] = "08:00",
        clinician_cleared: Annotated[bool, typer.Option(
            "--clinician-cleared", help="Needed after a consult-first screening: a clinician has cleared "
            "you to start.")] = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Enrol in a programme from a start date on the weekdays you choose (needs a screening)."""
        from facefit.catalog.loader import load_catalog
        from facefit.catalog.schedule import parse_weekdays
        from facefit.habits.service import enrol as enrol_verb
        from facefit.habits.service import enrolment_plan

        try:
            weekdays = None if days is None else parse_weekdays(days)
        except ValueError as error:
            raise InputError(str(error)) from None
        first = _parse_date(start, "--start")
        catalog = load_catalog()
        with profile_transaction(profile) as (session, profile_id):
            view = enrol_verb(session=session, profile_id=profile_id, programme_id=programme, start=first,
                              weekdays=weekdays, reminder_time=at, consult_acknowledged=clinician_cleared,
                              catalog=catalog)
        days_planned = [d for d in enrolment_plan(view, catalog) if not d.is_rest]
        console.print(f"Enrolled in {catalog.programme(programme).name} from {view.start_date}: "
                      f"{len(days_planned)} practice days, last on {days_planned[-1].date}.", highlight=False)

    @app.command("plan")
    def plan_cmd(
        weeks: Annotated[bool, typer.Option("--weeks/--days", help="Week summary (default) or every day.")
                         ] = True,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Planned vs done: adherence per programme week, minutes, days practised against 5-7, streaks."""
        from facefit.habits.adherence import FREQUENCY_TARGET
        from facefit.habits.figures import habit_figures

        with profile_transaction(profile) as (session, profile_id):
            figures = habit_figures(session=session, profile_id=profile_id, today=date.today())
        stats, recs, runs = figures.weeks, figures.records, figures.streak
        if as_json:
            typer.echo(json.dumps(figures.to_dict(), indent=2))
            return
        if weeks:
            table = Table(title=f"{figures.programme_id} from {figures.start}")
            for column in ("week", "dates", "planned", "practised", "adherence", "minutes", "5-7 days"):
                table.add_column(column)
            for w in stats:
                low, high = FREQUENCY_TARGET
                freq = "yes" if w.frequency_ok else (f"below {low}" if w.practised < low else f"over {high}")
                adherence = f"{w.adherence:.0f}%" if w.planned else "-"
                table.add_row(str(w.week), f"{w.first:%d %b}-{w.last:%d %b}", str(w.planned),
                              str(w.practised), adherence, f"{w.minutes:.0f}",
                              freq if w.complete else "(this week)")
        else:
            table = Table(title=f"{figures.programme_id} day by day")
            for column in ("date", "routine", "status", "minutes"):
                table.add_column(column)
            for r in recs:
                table.add_row(f"{r.date:%a %Y-%m-%d}", r.routine_id or "rest", r.status,
                              f"{r.practice.minutes:.0f}")
        console.print(table)
        console.print(f"adherence so far {figures.adherence_text}"
                      f"{'' if figures.adherence is not None else ' (no planned day has passed yet)'}, "
                      f"streak {runs.current} day(s), longest {runs.longest}.", highlight=False)

    @app.command("today")
    def today_cmd(profile: ProfileOpt = DEFAULT_PROFILE) -> None:
        """Today's plan, your streak, gentle catch-up ideas after missed days, and any safety notice."""
        from rich.markup import escape

        from facefit.cli._practice import refusal_text, warning_text
        from facefit.habits.catchup import catch_up
        from facefit.habits.figures import habit_figures
        from facefit.practice.start import Refusal, practice_gate

        today = date.today()
        with profile_transaction(profile) as (session, profile_id):
            gate = practice_gate(session=session, profile_id=profile_id)  # the practice page's verdict
            figures = habit_figures(session=session, profile_id=profile_id, today=today)
        paused = isinstance(gate, Refusal)
        day = figures.today_record
        if day is None:
            console.print(f"Today is outside your {figures.programme_id} programme (from {figures.start}).")
        elif day.routine_id is None:
            console.print(f"Today is a {figures.today_text}.")
        else:
            start = "" if paused else f" Start with `facefit routine {day.routine_id}`."
            console.print(f"Today: {day.routine_id} ({day.planned_minutes:.0f} min), {figures.today_text}."
                          f"{start}", highlight=False)
        runs = figures.streak
        console.print(f"streak {runs.current} day(s), longest {runs.longest}; adherence so far "
                      f"{figures.adherence_text}.")
        for tip in catch_up(figures.records, today):
            console.print(f"- {tip.message}", highlight=False)
        if isinstance(gate, Refusal):
            text = refusal_text(gate)
            console.print(f"[red]{escape(text[:1].upper() + text[1:])}[/red]", highlight=False)
        else:
            for warning in gate.warnings:
                console.print(f"[yellow]warning:[/yellow] {escape(warning_text(warning))}", highlight=False)

    @app.command("log")
    def log(
        values: Annotated[list[str] | None, typer.Argument(
            help="field=value pairs: spf=yes sleep=7.5h water=1.8l calcium=1100mg vitamin_d=800iu "
            "smoking=no moisturiser=yes")] = None,
        file: Annotated[Path | None, typer.Option("--file", help="JSON object of field: value.")] = None,
        on: Annotated[str | None, typer.Option("--date", help="Day to log, YYYY-MM-DD (default today).")
                      ] = None,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Lifestyle log for a day: SPF, sleep, water, calcium, vitamin D, smoking, moisturiser.

        Values are checked (units, ranges, known fields) before anything is saved; then this week's days
        on target are shown.
        """
        from facefit.habits.lifestyle import LifestyleInputError, load_file, parse_pairs, weekly_summary
        from facefit.habits.service import lifestyle_days, log_lifestyle

        if bool(values) == (file is not None):
            raise LifestyleInputError("Give field=value pairs or --file, not both or neither "
                                      "(e.g. facefit log sleep=7.5h spf=yes).")
        given = load_file(file) if file is not None else parse_pairs(values or [])
        day = _parse_date(on, "--date")
        first = day - timedelta(days=day.weekday())
        with profile_transaction(profile) as (session, profile_id):
            log_lifestyle(session=session, profile_id=profile_id, day=day, raw=given)
            week = lifestyle_days(session=session, profile_id=profile_id, first=first,
                                  last=first + timedelta(days=6))
        console.print(f"logged {', '.join(given)} for {day}.")
        table = Table(title=f"week of {first:%d %b}: days on target")
        table.add_column("target")
        table.add_column("on target / logged")
        for row in weekly_summary(week, first, first + timedelta(days=6)):
            table.add_row(row.text, f"{row.met}/{row.logged}")
        console.print(table)

    @app.command("remind")
    def remind(
        ics: Annotated[Path, typer.Option("--ics", help="Write the practice days to this iCalendar file.")],
        alarm: Annotated[int, typer.Option(min=0, max=1440, help="Alarm this many minutes before.")] = 15,
        from_today: Annotated[bool, typer.Option(
            "--from-today/--whole-programme", help="Only days from today on (default) or all of them.")
        ] = True,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Export your programme's practice days as calendar events with reminder alarms (.ics)."""
        from facefit.catalog.loader import load_catalog
        from facefit.fileio import write_atomic
        from facefit.habits.ics import build_calendar
        from facefit.habits.service import enrolment_plan, require_enrolment

        catalog = load_catalog()
        with profile_transaction(profile) as (session, profile_id):
            enrolment = require_enrolment(session=session, profile_id=profile_id)
        cal = build_calendar(
            enrolment_plan(enrolment, catalog), programme_id=enrolment.programme_id,
            programme_name=catalog.programme(enrolment.programme_id).name,
            reminder_time=enrolment.reminder_time, alarm_minutes=alarm,
            routine_names={k: r.name for k, r in catalog.routines.items()},
            first=date.today() if from_today else None,
        )
        write_atomic(ics, cal.to_ical())
        count = len(cal.walk("VEVENT"))
        console.print(f"wrote {count} practice reminder(s) to {ics}", highlight=False)

    @app.command("report")
    def report(
        out: Annotated[Path, typer.Option("--out", help="HTML file to write (self-contained).")],
        week: Annotated[bool, typer.Option("--week", help="The last 7 days.")] = False,
        month: Annotated[bool, typer.Option("--month", help="The last 30 days.")] = False,
        all_time: Annotated[bool, typer.Option("--all", help="Everything (the default).")] = False,
        pdf: Annotated[bool, typer.Option("--pdf", help="Also write a PDF next to the HTML.")] = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Progress report: adherence calendar, minutes, reps, form, safety, photos, lifestyle, outlook."""
        from rich.progress import Progress

        from facefit.reports.build import build_report

        if week + month + all_time > 1:
            raise InputError("Choose one of --week, --month or --all.")
        span = "week" if week else "month" if month else "all"
        db = store()
        try:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("building report", total=None)
                result = build_report(db, profile=profile, span=span, out=out, pdf=pdf,
                                      on_step=lambda label, done, total: progress.update(
                                          task, description=label, completed=done, total=total))
        finally:
            db.close()
        console.print(f"wrote {result.html}" + (f" and {result.pdf}" if result.pdf else ""), highlight=False)
        if result.note:
            console.print(f"[yellow]{result.note}[/yellow]", highlight=False)
