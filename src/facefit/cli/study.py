"""``facefit study ...``: run a controlled trial (create, enrol, randomise, visit, rate, analyze, report,
power) from the terminal. Thin adapter over :mod:`facefit.study.verbs` and the study modules.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from facefit.cli._common import console, err_console, store

study_app = typer.Typer(
    help="Study mode: a randomised, rater-blinded trial with concealed allocation and a CONSORT report.",
    no_args_is_help=True,
)

StudyArg = Annotated[str, typer.Argument(help="Study id (the protocol file's id).")]
CodeArg = Annotated[str, typer.Argument(help="Participant code, e.g. P0001.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
AsOpt = Annotated[str | None, typer.Option("--as", help="Who is acting (recorded in the audit log).")]


def _actor(name: str | None) -> str:
    return (name or f"cli:{getpass.getuser()}")[:120]


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))


def _when(text: str | None) -> datetime | None:
    from facefit.photos.library import parse_date

    return parse_date(text)


@study_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="Study protocol (TOML; see `facefit study example`).")],
    seed: Annotated[int | None, typer.Option("--seed", help="Allocation seed (keep it sealed).")] = None,
    seed_out: Annotated[
        Path | None,
        typer.Option("--seed-out", help="Draw a random seed and write it to this file (mode 0600) instead."),
    ] = None,
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a study from its protocol file and generate its whole allocation schedule up front.

    The seed is not stored: whoever holds it can work out every allocation, so the statistician keeps it.
    Creating the same study again with the same file and seed changes nothing.
    """
    from facefit.errors import InputError
    from facefit.fileio import write_atomic
    from facefit.study.allocation import MAX_SEED
    from facefit.study.definition import load_study
    from facefit.study.service import create_study

    if (seed is None) == (seed_out is None):
        raise InputError(
            "Give the allocation seed with --seed N, or --seed-out FILE to draw one and keep it "
            "in that file (it is never stored in the database)."
        )
    definition = load_study(file)
    if seed_out is not None:
        if seed_out.exists():
            raise InputError(f"{seed_out} exists; a seed file is never overwritten (choose a new name).")
        seed = secrets.randbelow(MAX_SEED)
        write_atomic(seed_out, f"{seed}\n".encode(), mode=0o600)
    assert seed is not None
    db = store()
    with db.transaction() as session:
        study, created = create_study(session=session, definition=definition, seed=seed, actor=_actor(actor))
        out = {
            "study": study.slug,
            "created": created,
            "schedule_sha256": study.row.schedule_sha256,
            "strata": definition.strata(),
        }
    if as_json:
        _print_json(out)
        return
    verb = "created" if created else "already exists (unchanged)"
    console.print(f"study {study.slug} {verb}; allocation schedule digest {out['schedule_sha256']}")
    if seed_out is not None:
        console.print(f"the seed is in {seed_out} only: keep it sealed until the trial is analysed")


@study_app.command("example")
def example() -> None:
    """Print the example protocol file (arms, allocation, visits, eligibility, endpoints)."""
    from facefit.study.definition import EXAMPLE_PATH

    typer.echo(EXAMPLE_PATH.read_text(encoding="utf-8"), nl=False)


@study_app.command("enrol")
def enrol(
    study: StudyArg,
    profile: Annotated[str, typer.Option("--profile", help="The person's FaceFit profile name.")],
    age: Annotated[int, typer.Option("--age", help="Age in years.")],
    sex: Annotated[str, typer.Option("--sex", help="female, male or other.")],
    actor: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assess a person for the study (eligibility: age, sex, screening) and enrol them if eligible."""
    from facefit.store.profiles import get_or_create_profile
    from facefit.study import service

    db = store()
    with db.transaction() as session:
        loaded = service.load(session=session, slug=study)
        profile_id = get_or_create_profile(session=session, name=profile).id
        outcome = service.enrol(
            session=session, study=loaded, profile_id=profile_id, age=age, sex=sex, actor=_actor(actor)
        )
    if as_json:
        _print_json(
            {
                "code": outcome.code,
                "eligible": outcome.eligible,
                "reasons": list(outcome.reasons),
                "already": outcome.already,
            }
        )
    elif outcome.eligible:
        console.print(
            f"{outcome.code} {'was already enrolled' if outcome.already else 'enrolled'}; next: the "
            f"baseline visit (`facefit study visit {study} {outcome.code} baseline PHOTO...`)"
        )
    else:
        console.print(
            f"[red]not eligible[/red] ({outcome.code}, recorded for the CONSORT diagram): "
            + "; ".join(outcome.reasons)
        )
    if not outcome.eligible:
        raise typer.Exit(1)


@study_app.command("randomise")
def randomise(study: StudyArg, code: CodeArg, actor: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Randomise a participant whose baseline visit is complete: reveals their arm, and only theirs."""
    from facefit.study import service

    db = store()
    with db.transaction() as session:
        result = service.randomise(
            session=session, study=service.load(session=session, slug=study), code=code, actor=_actor(actor)
        )
    if as_json:
        _print_json(
            {
                "code": result.code,
                "arm": result.arm,
                "arm_label": result.arm_label,
                "randomised_at": result.randomised_at.isoformat(),
                "already": result.already,
            }
        )
        return
    note = " (randomised before; unchanged)" if result.already else ""
    console.print(f"{result.code}: {result.arm} - {result.arm_label}{note}")


@study_app.command("visit")
def visit(
    study: StudyArg,
    code: CodeArg,
    visit_id: Annotated[str, typer.Argument(metavar="VISIT", help="Visit id, e.g. baseline, week-8.")],
    photos: Annotated[
        list[Path] | None, typer.Argument(help="Photos of the visit (each goes through the gate).")
    ] = None,
    when: Annotated[
        str | None, typer.Option("--date", help="When the photos were taken (YYYY-MM-DD).")
    ] = None,
    missed: Annotated[
        str | None, typer.Option("--missed", help="Record the visit as missed, with the reason.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Add a visit's photos through the photo gate (complete at the protocol's count), or mark it missed."""
    from facefit.errors import InputError
    from facefit.study import service
    from facefit.study.visits import VisitPhotoRejected, add_visit_photo, mark_missed

    db = store()
    if missed is not None:
        with db.transaction() as session:
            mark_missed(
                session=session,
                study=service.load(session=session, slug=study),
                code=code,
                visit=visit_id,
                reason=missed,
                actor=_actor(actor),
                now=_when(when),
            )
        console.print(f"{code}: {visit_id} recorded as missed")
        return
    if not photos:
        raise InputError("Give the visit's photos, or --missed REASON.")
    from facefit.vision.landmarker import Landmarker, RunningMode

    os.environ.setdefault("GLOG_minloglevel", "2")
    rejected = 0
    with Landmarker(RunningMode.IMAGE) as landmarker:
        for path in photos:
            try:
                result = add_visit_photo(
                    store=db,
                    slug=study,
                    code=code,
                    visit=visit_id,
                    photo=path,
                    landmarker=landmarker,
                    actor=_actor(actor),
                    taken_at=_when(when),
                )
            except VisitPhotoRejected as error:
                rejected += 1
                err_console.print(f"[red]rejected:[/red] {error}", highlight=False)
                continue
            status = "visit complete" if result.complete else f"{result.position} of {result.needed}"
            window = " (outside the visit window: recorded as a deviation)" if result.outside_window else ""
            console.print(f"{path.name}: accepted, {status}{window}")
    if rejected:
        raise typer.Exit(1)


@study_app.command("withdraw")
def withdraw(
    study: StudyArg,
    code: CodeArg,
    reason: Annotated[str, typer.Option("--reason", help="Why (reported in the CONSORT diagram).")],
    actor: AsOpt = None,
) -> None:
    """Record that a participant stopped taking part (they stay in the intention-to-treat analysis)."""
    from facefit.study import service

    with store().transaction() as session:
        service.withdraw(
            session=session,
            study=service.load(session=session, slug=study),
            code=code,
            reason=reason,
            actor=_actor(actor),
        )
    console.print(f"{code}: withdrawn ({reason})")


@study_app.command("deviation")
def deviation(
    study: StudyArg,
    code: CodeArg,
    description: Annotated[str, typer.Option("--description", help="What deviated from the protocol.")],
    severity: Annotated[
        str, typer.Option("--severity", help="minor or major (major: out of per-protocol).")
    ] = "minor",
    visit_id: Annotated[str | None, typer.Option("--visit", help="The visit it concerns, if any.")] = None,
    actor: AsOpt = None,
) -> None:
    """Record a protocol deviation."""
    from facefit.study import service

    with store().transaction() as session:
        service.record_deviation(
            session=session,
            study=service.load(session=session, slug=study),
            code=code,
            severity=severity,
            description=description,
            visit=visit_id,
            actor=_actor(actor),
        )
    console.print(f"{code}: {severity} deviation recorded")


@study_app.command("status")
def status(
    study: StudyArg,
    code: Annotated[str | None, typer.Argument(help="One participant.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Participants, their visits and adherence (arms only of the randomised), and rating progress."""
    from facefit.study.verbs import coordinator_overview, participant_overview

    db = store()
    if code is not None:
        found = participant_overview(store=db, slug=study, code=code)
        if as_json:
            _print_json(found)
            return
        console.print(
            f"{found['code']}: {found['status']}, arm {found['arm'] or '(sealed until randomised)'}"
        )
        for v in found["visits"]:
            console.print(
                f"  {v['visit']}: {v['status']} ({v['photos']}/{v['needed']} photos)"
                + (f", window {v['opens']} to {v['closes']}" if v["opens"] else "")
            )
        return
    overview = coordinator_overview(store=db, slug=study)
    if as_json:
        _print_json(overview)
        return
    from rich.table import Table

    table = Table(title=f"{overview['title']} ({overview['study']})", title_justify="left")
    for column in ("code", "status", "arm", "visits", "adherence"):
        table.add_column(column)
    for p in overview["participants"]:
        visits = ", ".join(f"{v['visit']} {v['status']}" for v in p["visits"])
        percent = p["adherence"]["percent"]
        table.add_row(
            p["code"], p["status"], p["arm"] or "-", visits, "-" if percent is None else f"{percent:.0f}%"
        )
    console.print(table)
    for r in overview["raters"]:
        console.print(f"rater {r['name']}: {r['rated']} of {r['queued']} rated")


@study_app.command("rate")
def rate(
    study: StudyArg,
    rater_name: Annotated[str, typer.Option("--rater", help="The rater's name.")],
    add: Annotated[bool, typer.Option("--add-rater", help="Add this rater to the study.")] = False,
    open_queue: Annotated[
        bool, typer.Option("--open", help="Queue every rateable photo for this rater.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Directory for the next blinded photo.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="The item being rated.")] = None,
    age: Annotated[int | None, typer.Option("--age", help="Apparent age in years.")] = None,
    upper: Annotated[int | None, typer.Option("--upper", help="Upper cheek fullness 0 (full) - 4.")] = None,
    lower: Annotated[int | None, typer.Option("--lower", help="Lower cheek fullness 0 (full) - 4.")] = None,
    actor: AsOpt = None,
) -> None:
    """Blinded rating from the terminal: the next photo is written as <token>.jpg (no date, no name);
    rate it with --token T --age N --upper N --lower N."""
    from facefit.errors import InputError
    from facefit.fileio import write_atomic
    from facefit.study import rating, service

    db = store()
    with db.transaction() as session:
        loaded = service.load(session=session, slug=study)
        if add:
            rating.add_rater(session=session, study=loaded, name=rater_name, actor=_actor(actor))
        staff = rating.rater(session=session, study=loaded, name=rater_name)
        if open_queue:
            added = rating.open_queue(session=session, study=loaded, name=rater_name, actor=_actor(actor))
            console.print(f"{added} photos queued for {rater_name}")
        if token is not None:
            if None in (age, upper, lower):
                raise InputError("Give --age, --upper and --lower with --token.")
            rating.submit(
                session=session,
                study=loaded,
                staff=staff,
                token=token,
                apparent_age=age,
                upper_cheek=upper,
                lower_cheek=lower,
            )
            console.print("rating saved")
        item = rating.next_item(session=session, staff=staff)
        if item is None:
            console.print("nothing left to rate")
            return
        console.print(f"next: item {item.number} of {item.total}, token {item.token}")
        if out is not None:
            path = out / f"{item.token}.jpg"
            write_atomic(path, rating.blinded_jpeg(session=session, staff=staff, token=item.token))
            console.print(f"photo: {path}")


@study_app.command("analyze")
def analyze(
    study: StudyArg,
    workers: Annotated[
        int, typer.Option("--workers", help="LocalCluster worker processes (0: this process).")
    ] = 2,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="An existing Dask scheduler, tcp://HOST:PORT.")
    ] = None,
    redo: Annotated[bool, typer.Option("--redo", help="Measure every photo again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Measure every visit photo (photo metrics and the model's apparent age) on Dask; a re-run measures
    only what is missing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from facefit.errors import InputError

    if workers < 0 or workers > 64:
        raise InputError(f"The --workers value must be 0-64, got {workers}.")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise InputError(f"The --scheduler value must look like tcp://HOST:PORT, got {scheduler!r}.")
    os.environ.setdefault("GLOG_minloglevel", "2")
    if workers and scheduler is None:
        from facefit.study.forkserver import start_fork_server

        start_fork_server()  # the workers' imports run on the other core while this one loads Dask
    from facefit.study.batch import analyze as run

    columns = (TextColumn("measuring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task("measuring", total=None)
        result = run(
            store=store(),
            slug=study,
            workers=workers,
            scheduler=scheduler,
            redo=redo,
            on_start=lambda n: progress.update(task, total=n),
            on_result=lambda _r: progress.advance(task),
        )
    summary = {
        "measured": result.measured,
        "already_measured": result.skipped,
        "failed": result.failed,
        "rows": result.rows,
        "mode": result.mode,
        "workers": result.workers,
    }
    if as_json:
        _print_json(summary)
    else:
        console.print(
            f"{result.measured} photos measured ({result.mode}), {result.skipped} already measured"
            + (f", {len(result.failed)} failed: {result.failed}" if result.failed else "")
        )
    if result.failed:
        raise typer.Exit(1)


@study_app.command("report")
def report(
    study: StudyArg,
    out: Annotated[Path | None, typer.Option("--out", help="HTML report to write.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write a PDF beside the HTML.")] = False,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Also write the tidy CSV (and its data dictionary beside it)."),
    ] = None,
    today: Annotated[str | None, typer.Option("--today", help="Report as of this date (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Analyse the study (ANCOVA, mixed model, ITT and per protocol, reliability) and write the report."""
    from facefit.errors import InputError
    from facefit.study import verbs

    day = _when(today).date() if today else date.today()
    db = store()
    if out is None and export is None and not as_json:
        raise InputError("Give --out report.html, --export tidy.csv or --json.")
    if as_json:
        _print_json(verbs.results(store=db, slug=study, today=day).to_dict())
    if out is not None:
        written = verbs.report(store=db, slug=study, out=out, pdf=pdf, today=day)
        err_console.print(f"report: {written.html}" + (f" and {written.pdf}" if written.pdf else ""))
    if export is not None:
        table, dictionary = verbs.export(store=db, slug=study, out=export, today=day)
        err_console.print(f"export: {table} (data dictionary {dictionary})")


@study_app.command("verify")
def verify(
    study: StudyArg,
    seed: Annotated[int | None, typer.Option("--seed", help="The sealed seed.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the stored schedule against its digest (and, once revealed, the seed) and the audit chain."""
    from facefit.store import study as db_study
    from facefit.study import service

    with store().transaction() as session:
        loaded = service.load(session=session, slug=study)
        found = service.verify_schedule(session=session, study=loaded, seed=seed)
        found["audit_chain_intact"] = db_study.audit_chain_intact(
            db_study.audit_entries(session=session, study_id=loaded.id)
        )
    if as_json:
        _print_json(found)
    else:
        for name, ok in found.items():
            console.print(f"{name.replace('_', ' ')}: {'yes' if ok else '[red]NO[/red]'}")
    if not all(found.values()):
        raise typer.Exit(1)


@study_app.command("power")
def power(
    effect: Annotated[
        float, typer.Option("--effect", help="Difference to detect (endpoint unit, e.g. years).")
    ],
    sd: Annotated[float, typer.Option("--sd", help="Between-person SD of the endpoint.")],
    alpha: Annotated[float, typer.Option("--alpha", help="Two-sided significance level.")] = 0.05,
    target: Annotated[float, typer.Option("--power", help="Power.")] = 0.8,
    ratio: Annotated[float, typer.Option("--ratio", help="Treated per control participant.")] = 1.0,
    baseline_r: Annotated[
        float, typer.Option("--baseline-r", help="Correlation of baseline and final values (ANCOVA gain).")
    ] = 0.0,
    dropout: Annotated[
        float, typer.Option("--dropout", help="Expected share lost (the 2018 study: 0.41).")
    ] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Sample size per arm for a two-arm trial analysed by ANCOVA, inflated for dropout."""
    from facefit.study.power import sample_size

    result = sample_size(
        effect=effect, sd=sd, alpha=alpha, power=target, ratio=ratio, baseline_r=baseline_r, dropout=dropout
    )
    if as_json:
        _print_json(result.to_dict())
        return
    console.print(
        f"d = {result.d:.2f}: t-test {result.per_arm_t_test[0]} + {result.per_arm_t_test[1]}; "
        f"ANCOVA (r = {baseline_r}) {result.per_arm_ancova[0]} + {result.per_arm_ancova[1]}; "
        f"enrol {result.to_enrol[0]} + {result.to_enrol[1]} = {result.total} for {dropout:.0%} dropout"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(study_app, name="study")
