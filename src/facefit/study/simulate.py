"""A simulated trial with known truth, built from the available photos (tests, benchmark, evaluation).

- Start faces: the public photos that pass the photo gate as a baseline (a smiling one is first
  relaxed with the landmark warp of ``photos.perturb.smile``, strength -1.5).
- A participant is a start face with a person-level shape of their own (brows, jaw width, chin moved
  by up to 0.02 IPD), so baselines differ between people as they do in a real trial.
- Every visit photo is a re-take from the photo perturbation model (head pose, roll, scale, shift,
  light, noise, JPEG; ``photos.perturb.Perturbation``), rendered in one landmark warp together with the
  person's shape and, in the exercising arm's later visits, a known change: both gonia moved toward
  the midline by ``effect_gonion_ipd`` at the final visit (half of it at week 8). Controls are unchanged.
  After a participant's first photo, the others are taken like it (distance within 1.5%, head pose within
  2 degrees: the ghost overlay of the first photo guides them). A re-take the gate rejects is taken
  again, as a participant would.
- The change the analysis should find is what the instrument reads for that warp: each exercising
  participant's face measured with and without the final warp, no perturbation, averaged
  (``SimulatedTrial.truth``). MediaPipe follows only about a third of a jaw warp's geometric size, so
  the geometric size would be the wrong yardstick.
- Some participants withdraw (after baseline, after week 8), some miss week 8, a few are not eligible,
  one week-8 visit is outside its window; practice sessions give the exercising arm a known adherence.
- Raters are simulated: rating = the person's true apparent age + the rater's bias + noise; a repeat
  adds new noise. No effect on apparent age is simulated (the warp changes the jaw only).

Rendered photos and model answers are cached by content (:mod:`facefit.study.cache`) so a second run
skips every warp and model call.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from facefit.store.db import Store
from facefit.study.cache import DiskCache
from facefit.vision import mesh as lm

SIM_VERSION = "1"
T_START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
REAL_NAMES = ("15-f13-anc-ph.jpg", "0-f15-hao-ph.jpg", "single_face.jpg", "0-f1-su-ph.jpg", "obama.jpg")
RELAX_SMILE = -1.5


@dataclass(frozen=True)
class StartFace:
    name: str
    rgb: np.ndarray
    landmarks: np.ndarray  # (478, 3) normalised


@dataclass(frozen=True)
class TrialSpec:
    participants: int = 40
    seed: int = 2017
    effect_metric: str = "jaw_width_ratio"
    effect_gonion_ipd: float = 0.04
    no_change_metric: str = "eye_aperture_l"
    withdraw_after_baseline: int = 2
    withdraw_after_week8: int = 3
    miss_week8: int = 2
    ineligible: int = 3
    raters: int = 3
    rater_bias_sd: float = 2.0
    rater_noise_sd: float = 3.0
    adherence_mean: float = 0.75


@dataclass
class SimulatedTrial:
    slug: str
    spec: TrialSpec
    today: datetime
    truth: dict[str, float]
    arms: dict[str, str] = field(default_factory=dict)
    retakes: int = 0
    photos: int = 0
    expected_icc: float = float("nan")


def _downscale(rgb: np.ndarray, max_side: int) -> np.ndarray:
    import cv2

    scale = max_side / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    return np.ascontiguousarray(cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))


def _candidates(real_dir: Path | None) -> list[tuple[str, Path]]:
    import matplotlib.cbook

    out = [("grace_hopper", Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))]
    if real_dir is not None:
        out += [
            (name.rsplit(".", 1)[0], real_dir / name) for name in REAL_NAMES if (real_dir / name).is_file()
        ]
    return out


def start_faces(landmarker: Any, *, real_dir: Path | None = None, max_side: int = 480) -> list[StartFace]:
    """The candidate photos that pass the gate as a baseline (relaxing a smile first if that is all)."""
    from facefit.photos.files import load_photo
    from facefit.photos.gate import evaluate
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import smile

    faces = []
    for name, path in _candidates(real_dir):
        rgb = _downscale(load_photo(path).rgb, max_side)
        measured = measure_photo(rgb, landmarker)
        if not measured.present or measured.landmarks is None:
            continue
        verdict = evaluate(measured)
        if not verdict.accepted and [c.name for c in verdict.failed] == ["expression"]:
            rgb = smile(rgb, measured.landmarks, RELAX_SMILE)
            name = f"{name}-relaxed"
            measured = measure_photo(rgb, landmarker)
            verdict = evaluate(measured)
        if not verdict.accepted or measured.landmarks is None:
            continue
        face = StartFace(name, rgb, measured.landmarks)
        if _retakes_pass(face, landmarker):
            faces.append(face)
    return faces


def _retakes_pass(face: StartFace, landmarker: Any, tries: int = 3) -> bool:
    """Whether re-takes of the face pass the gate, as a first photo and against the face itself (a small
    or soft photo can pass alone and fail once perturbed, which would make most visit photos re-takes);
    two in three is enough (a participant re-takes the odd rejected photo too)."""
    from facefit.photos.gate import Reference, evaluate
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import Perturbation

    reference = Reference.from_measurement(measure_photo(face.rgb, landmarker))
    passed = 0
    for k in range(tries):
        rng = np.random.default_rng([k, 99])
        measured = measure_photo(render(face, (), Perturbation.draw(rng), rng), landmarker)
        passed += evaluate(measured).accepted and evaluate(measured, reference).accepted
    return passed * 3 >= tries * 2


# --- rendering -------------------------------------------------------------------------------------------


Moves = tuple[tuple[int, float, float, float], ...]  # (landmark, du, dv, sigma_ipd)


def person_moves(rng: np.random.Generator) -> Moves:
    """A person's own shape: brows up/down, jaw wider/narrower, chin lower/higher (IPD units)."""
    brow, jaw, chin = (float(v) for v in rng.uniform(-0.02, 0.02, 3))
    return (
        (lm.BROW_UPPER_R[1], 0.0, brow, 0.12),
        (lm.BROW_UPPER_L[1], 0.0, brow, 0.12),
        (lm.GONION_R, jaw, 0.0, 0.25),
        (lm.GONION_L, -jaw, 0.0, 0.25),
        (lm.CHIN, 0.0, chin, 0.2),
    )


def effect_moves(gonion_ipd: float) -> Moves:
    """The known change: both gonia toward the midline (as ``photos.perturb.narrow_jaw``)."""
    if gonion_ipd == 0:
        return ()
    return ((lm.GONION_R, gonion_ipd, 0.0, 0.25), (lm.GONION_L, -gonion_ipd, 0.0, 0.25))


def _destination(face: StartFace, moves: Moves) -> np.ndarray:
    from facefit.photos.perturb import displace_near, landmark_pixels

    size = (face.rgb.shape[1], face.rgb.shape[0])
    src = landmark_pixels(face.landmarks, size)[:, :2]
    dst = src.copy()
    for index, du, dv, sigma in moves:
        dst += displace_near(face.landmarks, size, {index: (du, dv)}, sigma_ipd=sigma) - src
    return dst


def render(face: StartFace, moves: Moves, take: Any | None, rng: np.random.Generator | None) -> np.ndarray:
    """The face with ``moves`` applied and, for a re-take, turned and perturbed, in one warp."""
    from facefit.photos.perturb import landmark_pixels, rotated_points, warp_to

    size = (face.rgb.shape[1], face.rgb.shape[0])
    points = landmark_pixels(face.landmarks, size)
    moved = points.copy()
    moved[:, :2] = _destination(face, moves)
    if take is not None:
        moved = rotated_points(moved, yaw=take.yaw, pitch=take.pitch)
    out = warp_to(face.rgb, points[:, :2], moved[:, :2]) if moves or take is not None else face.rgb
    return take.finish(out, face.landmarks, rng) if take is not None else out


def _jpeg(cache: DiskCache, recipe: dict[str, Any], make: Any) -> bytes:
    from facefit.photos.files import encode_jpeg

    return cache.bytes_for("renders", json.dumps(recipe, sort_keys=True), lambda: encode_jpeg(make()), ".jpg")


# --- the trial -------------------------------------------------------------------------------------------


@dataclass
class _Person:
    index: int
    name: str
    face: StartFace
    moves: Moves
    age: int
    sex: str
    fate: str  # complete | withdraw-baseline | withdraw-week8 | miss-week8
    enrolled: datetime
    apparent: float
    cheeks: tuple[int, int]
    adherence: float
    first_take: Any = None  # the perturbation of the first accepted photo, matched afterwards
    code: str = ""
    arm: str = ""
    randomised: datetime | None = None


def _people(spec: TrialSpec, faces: list[StartFace], rng: np.random.Generator) -> list[_Person]:
    fates = (
        ["withdraw-baseline"] * spec.withdraw_after_baseline
        + ["withdraw-week8"] * spec.withdraw_after_week8
        + ["miss-week8"] * spec.miss_week8
    )
    fates += ["complete"] * (spec.participants - len(fates))
    order = rng.permutation(len(fates))
    people = []
    for i in range(spec.participants):
        age = int(rng.integers(40, 66))
        people.append(
            _Person(
                index=i,
                name=f"sim-{spec.seed}-{i:03d}",
                face=faces[i % len(faces)],
                moves=person_moves(rng),
                age=age,
                sex=str(rng.choice(["female", "male"])),
                fate=fates[order[i]],
                enrolled=T_START + timedelta(days=2 * i),
                apparent=float(age + rng.normal(0, 3)),
                cheeks=(int(rng.integers(0, 5)), int(rng.integers(0, 5))),
                adherence=float(np.clip(rng.beta(6, 2) * spec.adherence_mean / 0.75, 0.05, 1.0)),
            )
        )
    return people


def retake_jpeg(
    cache: DiskCache, seed: int, person: _Person, visit: str, attempt: int, effect: float
) -> bytes:
    """Re-take ``attempt`` of ``visit`` as JPEG bytes (the same take and noise whatever the ``effect``, so a
    photo can be rendered again without the change to see what the instrument reads for it alone).

    Once the participant has a first photo, later ones are taken like it, as the ghost overlay of the first
    photo guides a person: distance within 1.5%, head yaw/pitch/roll within 2 degrees of it. Two
    independent draws of the perturbation model (made for re-takes of one original) can be 6% and 6 deg
    apart, more than the gate allows between two photos, and a person told "move closer" does.
    """
    import dataclasses

    from facefit.photos.perturb import Perturbation

    label = zlib.crc32(visit.encode())
    rng = np.random.default_rng([seed, person.index, label, attempt])
    take = Perturbation.draw(rng)
    if person.first_take is not None:
        first = person.first_take
        turn = rng.uniform(-2.0, 2.0, 3)
        take = dataclasses.replace(
            take,
            scale=first.scale * float(rng.uniform(0.985, 1.015)),
            yaw=first.yaw + float(turn[0]),
            pitch=first.pitch + float(turn[1]),
            roll=first.roll + float(turn[2]),
        )
    recipe = {
        "v": SIM_VERSION,
        "face": person.face.name,
        "moves": person.moves,
        "effect": effect,
        "take": [
            take.yaw,
            take.pitch,
            take.roll,
            take.scale,
            list(take.shift),
            take.gain,
            take.gradient,
            take.jpeg_quality,
            take.noise,
        ],
        "noise": [seed, person.index, visit, attempt],
    }
    noise = np.random.default_rng([seed, person.index, label, attempt, 7])
    moves = person.moves + effect_moves(effect)
    return _jpeg(cache, recipe, lambda: render(person.face, moves, take, noise))


class _Photographer:
    """Takes a participant's visit photos: re-takes until the gate accepts three."""

    def __init__(self, store: Store, slug: str, landmarker: Any, cache: DiskCache, seed: int) -> None:
        self.store, self.slug, self.landmarker, self.cache, self.seed = store, slug, landmarker, cache, seed
        self.retakes = self.photos = 0
        self.accepted: dict[tuple[int, str], list[int]] = {}  # (person, visit) -> attempts the gate accepted

    def first_take(self, person: _Person, visit: str, attempt: int) -> Any:
        from facefit.photos.perturb import Perturbation

        rng = np.random.default_rng([self.seed, person.index, zlib.crc32(visit.encode()), attempt])
        return Perturbation.draw(rng)

    def visit(self, person: _Person, visit: str, effect: float, when: datetime, needed: int) -> None:
        from facefit.photos.files import decode_photo
        from facefit.study.visits import VisitPhotoRejected, add_visit_photo

        added = attempt = 0
        last = ""
        while added < needed:
            attempt += 1
            if attempt > 4 * needed:
                raise RuntimeError(
                    f"{person.name}: the gate kept rejecting simulated re-takes at {visit}: {last}"
                )
            data = retake_jpeg(self.cache, self.seed, person, visit, attempt, effect)
            try:
                add_visit_photo(
                    store=self.store,
                    slug=self.slug,
                    code=person.code,
                    visit=visit,
                    photo=decode_photo(data, f"{visit}-{attempt}.jpg"),
                    landmarker=self.landmarker,
                    actor="simulation",
                    taken_at=when + timedelta(minutes=attempt),
                    source_name=f"{visit}-{attempt}.jpg",
                )
                added += 1
                self.photos += 1
                self.accepted.setdefault((person.index, visit), []).append(attempt)
                if person.first_take is None:
                    person.first_take = self.first_take(person, visit, attempt)
            except VisitPhotoRejected as error:
                self.retakes += 1
                last = str(error)


def _practice(
    store: Store, person: _Person, start: datetime, end: datetime, rng: np.random.Generator
) -> None:
    """Coached sessions on a share of the arm's planned days (camera-verified adherence)."""
    from facefit.catalog.loader import load_catalog
    from facefit.catalog.schedule import plan
    from facefit.habits.service import routine_requirements
    from facefit.store.models import PracticeSession, SessionStep

    # Every counted set of the day's routine, so a simulated practice day is a practised day
    # (facefit.habits.adherence); 30 minutes in all.
    need = routine_requirements(load_catalog(), None)["study-30"]
    total_sets = sum(need.values())
    with store.transaction() as session:
        profile_id = _profile_id(session, person.name)
        rows = []
        for day in plan("study-20-week", start.date()):
            moment = datetime(day.date.year, day.date.month, day.date.day, 18, 0, tzinfo=UTC)
            if day.routine_id is None or moment > end or rng.random() > person.adherence:
                continue
            row = PracticeSession(
                profile_id=profile_id,
                kind="coach",
                source="web",
                exercise_id="cheek-lifter",
                started_at=moment,
                ended_at=moment + timedelta(minutes=30),
                status="completed",
                summary={},
            )
            for position, (exercise_id, sets) in enumerate(need.items(), start=1):
                for set_index in range(1, sets + 1):
                    row.steps.append(
                        SessionStep(
                            position=position,
                            exercise_id=exercise_id,
                            set_index=set_index,
                            reps_done=10,
                            duration_s=1800.0 / total_sets,
                            completed_at=moment + timedelta(minutes=30),
                        )
                    )
            rows.append(row)
        session.add_all(rows)


def _profile_id(session: Any, name: str) -> int:
    from facefit.store.profiles import get_or_create_profile

    return get_or_create_profile(session=session, name=name).id


def _screen(session: Any, profile_id: int, conditions: tuple[str, ...] = ()) -> None:
    from facefit.safety.conditions import CONDITION_IDS
    from facefit.safety.service import record_screening

    record_screening(
        session=session,
        profile_id=profile_id,
        answers={c: c in conditions for c in CONDITION_IDS},
        now=T_START,
    )


def _rate(
    store: Store,
    slug: str,
    spec: TrialSpec,
    people: dict[str, _Person],
    rng: np.random.Generator,
    when: datetime,
) -> list[float]:
    """Every rater works through their queue; ratings from the person's truth plus bias and noise.
    Returns the raters' biases."""
    from facefit.store import study as db
    from facefit.study import rating
    from facefit.study.service import load

    with store.transaction() as session:
        study = load(session=session, slug=slug)
        for r in range(spec.raters):
            rating.add_rater(
                session=session, study=study, name=f"rater-{r + 1}", actor="simulation", now=when
            )
            rating.open_queue(
                session=session, study=study, name=f"rater-{r + 1}", actor="simulation", now=when
            )
        owner = {}
        for participant in db.list_participants(session=session, study_id=study.id):
            for visit in db.list_visits(session=session, participant_ids=[participant.id]):
                for link in db.visit_photos(session=session, visit_ids=[visit.id]):
                    owner[link.id] = participant.code
        biases: list[float] = []
        for r in range(spec.raters):
            staff = rating.rater(session=session, study=study, name=f"rater-{r + 1}")
            bias = float(rng.normal(0, spec.rater_bias_sd))
            biases.append(bias)
            for item in db.rating_items(session=session, rater_id=staff.id):
                person = people[owner[item.visit_photo_id]]
                # The queue's order is unpredictable by design (rating.open_queue shuffles with the system's
                # randomness), so a rating's noise is drawn for its rater and photo, not for its place in the
                # queue: drawn in queue order the same seed gave different ratings on every run, and a null
                # endpoint's 95% interval missed 0 on about one run in twenty (fresh-clone CI, session 10).
                noise = np.random.default_rng([spec.seed, r, item.visit_photo_id])
                age = int(
                    np.clip(round(person.apparent + bias + noise.normal(0, spec.rater_noise_sd)), 18, 100)
                )
                upper, lower = (int(np.clip(round(c + noise.normal(0, 0.6)), 0, 4)) for c in person.cheeks)
                rating.submit(
                    session=session,
                    study=study,
                    staff=staff,
                    token=item.token,
                    apparent_age=age,
                    upper_cheek=upper,
                    lower_cheek=lower,
                    now=when,
                )
    return biases


def _truth(
    people: list[_Person],
    spec: TrialSpec,
    landmarker: Any,
    photographer: _Photographer,
    final: str,
    age_model: Any = None,
) -> dict[str, float]:
    """What the instruments read for the final warp: each exercising participant's accepted final-visit
    re-takes measured as taken and rendered again without the change (same pose, light, noise), averaged;
    the model's apparent age too when ``age_model`` is given (a jaw is part of how old a face looks).

    Paired re-takes, not clean renders: a perturbed photo shows a slightly smaller response than a clean
    one (about 7% for the jaw warp), and the trial's photos are perturbed.
    """
    from facefit.photos.files import decode_photo
    from facefit.photos.measure import measure_photo

    changes: dict[str, list[float]] = {}
    for person in people:
        if person.arm != "exercise":
            continue
        for attempt in photographer.accepted.get((person.index, final), []):
            cache, seed = photographer.cache, photographer.seed
            pair = []
            for effect in (spec.effect_gonion_ipd, 0.0):
                rgb = decode_photo(retake_jpeg(cache, seed, person, final, attempt, effect), "t").rgb
                measured = measure_photo(rgb, landmarker)
                values = dict(measured.metrics)
                if age_model is not None and measured.landmarks is not None:
                    values["model_age"] = age_model.read(rgb, measured.landmarks).value
                pair.append(values)
            for name in pair[0]:
                changes.setdefault(name, []).append(pair[0][name] - pair[1].get(name, float("nan")))
    return {name: float(np.nanmean(values)) for name, values in changes.items()}


def simulate_trial(
    *,
    store: Store,
    faces: list[StartFace],
    landmarker: Any,
    cache: DiskCache,
    spec: TrialSpec | None = None,
    definition: Any = None,
    age_model: Any = None,
) -> SimulatedTrial:
    """Run a whole trial on ``store`` (the example protocol unless ``definition``) and return its truth
    (with ``age_model``, the truth of the model's apparent age too).

    Nothing is analysed here: call ``facefit.study.batch.analyze`` and ``facefit.study.analysis``.
    """
    from facefit.study import service, visits
    from facefit.study.definition import EXAMPLE_PATH, load_study

    spec = spec or TrialSpec()
    definition = definition or load_study(EXAMPLE_PATH)
    rng = np.random.default_rng(spec.seed)
    people = _people(spec, faces, rng)
    with store.transaction() as session:
        study, _ = service.create_study(
            session=session, definition=definition, seed=spec.seed, actor="simulation", now=T_START
        )
        slug = study.slug
        for k in range(spec.ineligible):  # assessed, not eligible: too old, or consult-first not cleared
            profile_id = _profile_id(session, f"sim-{spec.seed}-x{k}")
            _screen(session, profile_id, ("recent-procedure",) if k % 2 else ())
            service.enrol(
                session=session,
                study=study,
                profile_id=profile_id,
                age=70 if k % 2 == 0 else 50,
                sex="female",
                actor="simulation",
                now=T_START,
            )
        for person in people:
            profile_id = _profile_id(session, person.name)
            _screen(session, profile_id)
            person.code = service.enrol(
                session=session,
                study=study,
                profile_id=profile_id,
                age=person.age,
                sex=person.sex,
                actor="simulation",
                now=person.enrolled,
            ).code
    photographer = _Photographer(store, slug, landmarker, cache, spec.seed)
    needed = definition.photos_per_visit
    final = definition.visit(definition.endpoints.final_visit)
    late_done = False
    for person in people:
        photographer.visit(person, definition.baseline.id, 0.0, person.enrolled, needed)
        with store.transaction() as session:
            study = service.load(session=session, slug=slug)
            when = person.enrolled + timedelta(days=1)
            person.arm = service.randomise(
                session=session, study=study, code=person.code, actor="simulation", now=when
            ).arm
            person.randomised = when
        assert person.randomised is not None
        effect = spec.effect_gonion_ipd if person.arm == "exercise" else 0.0
        end = person.randomised + timedelta(days=final.day + 10)
        if person.fate == "withdraw-baseline":
            end = person.randomised + timedelta(days=20)
        elif person.fate == "withdraw-week8":
            end = person.randomised + timedelta(days=90)
        if person.arm == "exercise":
            _practice(store, person, person.randomised, end, rng)
        if person.fate == "withdraw-baseline":
            _withdraw(store, slug, person, end, "lost interest after two weeks")
            continue
        day8 = 56 + int(rng.integers(-5, 6))
        if not late_done and person.fate == "complete":
            day8, late_done = 66, True  # one visit outside its window: a minor deviation
        if person.fate == "miss-week8":
            with store.transaction() as session:
                visits.mark_missed(
                    session=session,
                    study=service.load(session=session, slug=slug),
                    code=person.code,
                    visit="week-8",
                    reason="travelling",
                    actor="simulation",
                    now=person.randomised + timedelta(days=64),
                )
        else:
            photographer.visit(person, "week-8", effect / 2, person.randomised + timedelta(days=day8), needed)
        if person.fate == "withdraw-week8":
            _withdraw(store, slug, person, end, "no time for the sessions")
            continue
        photographer.visit(
            person,
            final.id,
            effect,
            person.randomised + timedelta(days=final.day + int(rng.integers(-5, 11))),
            needed,
        )
    today = max(p.randomised for p in people if p.randomised) + timedelta(days=final.day + final.after + 1)
    biases = _rate(store, slug, spec, {p.code: p for p in people}, rng, today)
    # ICC(2,1) of these raters: with three raters the spread of their biases is what the data can show
    # (the population's bias SD, 2 years, is barely identified by three draws of it)
    var_true = float(np.var([p.apparent for p in people], ddof=1))
    var_bias = float(np.var(biases, ddof=1)) if len(biases) > 1 else 0.0
    icc = var_true / (var_true + var_bias + spec.rater_noise_sd**2)
    truth = _truth(people, spec, landmarker, photographer, final.id, age_model)
    return SimulatedTrial(
        slug,
        spec,
        today,
        truth,
        {p.code: p.arm for p in people},
        photographer.retakes,
        photographer.photos,
        icc,
    )


def _withdraw(store: Store, slug: str, person: _Person, when: datetime, reason: str) -> None:
    from facefit.study import service

    with store.transaction() as session:
        service.withdraw(
            session=session,
            study=service.load(session=session, slug=slug),
            code=person.code,
            reason=reason,
            actor="simulation",
            now=when,
        )
