"""How long a ``facefit`` command takes to exit once it has finished, with and without the CLI's
frozen exit (``atexit.register(gc.freeze)`` in ``facefit/cli/__init__.py``), in the same run.

    .venv/bin/python bench/bench_cli_exit.py [--rounds 3] [--video FILE]

The command is ``facefit analyze VIDEO --exercise cheek-lifter --json`` on the 20 s clip
``bench/bench_analyze.py`` makes (the real Face Landmarker, SQLite in a temporary FACEFIT_HOME). Each run
goes through the console entry point in a fresh interpreter, which prints the time at which ``main()``
returned; the exit is from then until the process is gone. Baseline: the same with the handler
unregistered, so Python's final garbage collection walks every object left. The two alternate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import default_video

ENTRY = """
import atexit, gc, sys, time
import facefit.cli as cli
if sys.argv.pop(1) == "baseline":
    atexit.unregister(gc.freeze)
sys.argv[0] = "facefit"
try:
    cli.main()
finally:
    print(f"FINISHED {time.time():.4f}", file=sys.stderr, flush=True)
"""


def exit_seconds(variant: str, video: Path, env: dict[str, str]) -> float:
    command = [
        sys.executable,
        "-c",
        ENTRY,
        variant,
        "analyze",
        str(video),
        "--exercise",
        "cheek-lifter",
        "--json",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    ended = time.time()
    if done.returncode != 0:
        raise SystemExit(f"{variant} run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    finished = [line for line in done.stderr.splitlines() if line.startswith("FINISHED ")]
    return ended - float(finished[-1].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--video", type=Path, default=None)
    args = parser.parse_args()
    video = args.video or default_video()
    home = Path(tempfile.mkdtemp(prefix="facefit-bench-exit-"))
    env = {**os.environ, "FACEFIT_HOME": str(home), "GLOG_minloglevel": "2"}
    env.pop("FACEFIT_DB_URL", None)
    times: dict[str, list[float]] = {"frozen": [], "baseline": []}
    for round_ in range(args.rounds):
        order = ("baseline", "frozen") if round_ % 2 else ("frozen", "baseline")
        for variant in order:
            times[variant].append(exit_seconds(variant, video, env))
    load = os.getloadavg()[0]
    for variant, values in times.items():
        print(
            f"{variant:9s} exit after main() returned: min {min(values):.3f} s, median "
            f"{statistics.median(values):.3f} s, max {max(values):.3f} s over {len(values)} runs"
        )
    ratio = statistics.median(times["baseline"]) / statistics.median(times["frozen"])
    print(f"baseline / frozen (medians): {ratio:.1f}x; load average {load:.2f}")


if __name__ == "__main__":
    main()
