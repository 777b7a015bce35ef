"""The practice page's frame loop in headless Chromium with a fake webcam: frames per second that the
in-browser Face Landmarker processes while the page coaches (what ``window.facefit.fps`` shows).

    .venv/bin/python bench/bench_browser_fps.py [--fps 30] [--seconds 20] [--size 640x480] [--workers N]

A ``facefit synth`` cheek-lifter clip at ``--fps`` is the camera (made once and cached under ``--cache``),
so the camera itself caps the loop at that rate; goal: >= 25 fps with a 30 fps camera. The server runs in
this process (uvicorn in a thread); the page is signed in, screened, and coaches the cheek lifter for
``--seconds`` after the model has loaded. Prints the page's own measure (the last 60 frames) and the mean
over the run (frames / seconds), where the landmarker ran (its worker, or the page's own thread where a
worker cannot) and its time per frame, and the machine's load average, since Chromium's CPU delegate
shares the cores with everything else. A frame counts once the landmarker has processed it and the page
has drawn its points (``static/js/practice.js``). ``--workers N`` makes the page run the landmarker in N
workers instead of its own choice (two where the browser reports two or more cores), to compare them in
the same session. Also printed: the holds the server's coach timed in the window (the clip's are 2 s;
they should not depend on how the page runs the model), the reps it counted, the memory of Chromium's
processes (proportional set size, summed) and the CPU time they used per result.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "web"))
PHOTO = REPO / "src/facefit/synth/assets/grace_hopper_480.jpg"
FACEFIT = Path(sys.executable).with_name("facefit")


def clip(cache: Path, fps: int, size: str) -> Path:
    out = cache / f"fps-cheek-lifter-{fps}-{size}.y4m"
    if not out.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(FACEFIT), "synth", "--photo", str(PHOTO), "--out", str(out), "--exercise",
                        "cheek-lifter", "--reps", "6", "--hold", "2", "--rest", "1.5", "--lead-rest", "3",
                        "--fps", str(fps), "--size", size], check=True, capture_output=True)
    return out


def chromium_tree(camera: Path) -> list[int]:
    """Process ids of the Chromium started with ``camera`` as its fake webcam, and of its children."""
    parents: dict[int, int] = {}
    browsers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        if f"--use-file-for-fake-video-capture={camera}".encode() in cmdline:
            browsers.append(int(entry.name))
    tree = set(browsers)
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sorted(tree)


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of ``pids`` in MB (shared pages split between the processes that map them)."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids``."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--workers", type=int, default=0,
                        help="landmarker workers the page runs (0: the page's own choice)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "facefit-bench-cache")
    args = parser.parse_args()

    from browser_kit import BENIGN_CONSOLE, LAPTOP, answer_screening, chromium, live_server, sign_up

    camera = clip(args.cache, args.fps, args.size)
    with tempfile.TemporaryDirectory(prefix="facefit-fps-") as home:
        os.environ["FACEFIT_HOME"] = home
        with live_server(f"sqlite:///{home}/fps.db") as (base, _app), chromium(camera) as browser:
            context = browser.new_context(viewport=LAPTOP)
            if args.workers:
                context.add_init_script(f"self.FACEFIT_LANDMARKER_WORKERS = {args.workers};")
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text)
                    if msg.type == "error" and msg.text not in BENIGN_CONSOLE else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_default_timeout(120_000)
            sign_up(page, base, "fps@example.org")
            answer_screening(page)
            page.goto(f"{base}/practice?exercise=cheek-lifter&sets=1&reps=100")
            page.wait_for_selector("body[data-loaded=yes]")
            page.click("#start")
            page.click("#go")
            page.wait_for_function("() => window.facefit.frames > 30")
            pids = chromium_tree(camera)
            start_frames, start_holds, start_reps = page.evaluate(
                "[window.facefit.frames, window.facefit.holds.length, window.facefit.reps]")
            start, start_cpu = time.monotonic(), cpu_seconds(pids)
            page.wait_for_timeout(int(args.seconds * 1000))
            frames, elapsed = page.evaluate("window.facefit.frames") - start_frames, time.monotonic() - start
            cpu = cpu_seconds(pids) - start_cpu
            shown, detect_ms, workers, holds, reps = page.evaluate(
                "[window.facefit.fps, window.facefit.detectMs, window.facefit.landmarker.workers || 0,"
                " window.facefit.holds, window.facefit.reps]")
            memory = pss_mb(pids)
    load = os.getloadavg()
    where = f"in {workers} worker{'s' if workers > 1 else ''}" if workers else "on the page"
    timed = ", ".join(f"{h:.2f}" for h in holds[start_holds:]) or "none"
    print(f"camera {args.fps} fps {args.size}: page loop {shown:.1f} fps (last 60 frames), "
          f"{frames / elapsed:.1f} fps over {elapsed:.0f} s ({frames} frames), landmarker {where} "
          f"{detect_ms:.0f} ms a frame; coach: {reps - start_reps} reps, holds {timed} s; Chromium "
          f"{memory:.0f} MB, {1000 * cpu / max(frames, 1):.0f} ms CPU a result; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores; console errors "
          f"{len(errors)}")
    for error in errors[:5]:
        print("  console error:", error)


if __name__ == "__main__":
    main()
