"""The engine on real landmarker signals gives exactly the events it gave when the golden was written.

Signals of four cached evaluation clips (tests/coach/golden/make_eval_golden.py says how they were made)
are fed to the engine through the batch path and the live path; every event's ``to_dict()`` (times to the
millisecond, amplitudes to 1e-4) must equal the stored ones. An engine refactor that changes behaviour
fails here; a deliberate change regenerates the golden and says why in its commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from facefit.coach.engine import Engine
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

GOLDEN = Path(__file__).parent / "golden"
EXPECTED: dict[str, list[dict]] = json.loads((GOLDEN / "eval_expected.json").read_text())


def _series(clip: str) -> SignalSeries:
    data = np.load(GOLDEN / "eval_signals.npz")
    values = np.zeros((len(data[f"{clip}_t_ms"]), len(SIGNAL_NAMES)))
    values[:, [SIGNAL_INDEX[str(name)] for name in data["columns"]]] = data[f"{clip}_values"]
    return SignalSeries(data[f"{clip}_t_ms"].astype(float), values)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_engine_events_equal_the_golden(key: str) -> None:
    clip, exercise, target = key.split("|")
    series = _series(clip)
    reps_target = None if target == "None" else int(target)
    batch = Engine.for_exercise(exercise, reps_target=reps_target)
    batch.run(series)
    batch.finish()
    assert [e.to_dict() for e in batch.events] == EXPECTED[key]
    live = Engine.for_exercise(exercise, reps_target=reps_target)
    for t_ms, values in zip(series.t_ms, series.values, strict=True):
        live.update(values, t_ms)
    live.finish()
    assert [e.to_dict() for e in live.events] == EXPECTED[key]


def test_the_golden_covers_reps_faults_and_a_safety_stop() -> None:
    kinds = {e["kind"] for events in EXPECTED.values() for e in events}
    faults = {e["fault"] for events in EXPECTED.values() for e in events if e["kind"] == "fault"}
    assert {"rep", "hold", "progress", "fault", "twitch"} <= kinds and "teeth-showing" in faults
