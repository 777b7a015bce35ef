"""The practice page's frame loop in headless Chromium with a fake webcam: frames per second that the
in-browser Face Landmarker processes while the page coaches (what ``window.facefit.fps`` shows).

    .venv/bin/python bench/bench_browser_fps.py [--fps 30] [--seconds 20] [--size 640x480]

A ``facefit synth`` cheek-lifter clip at ``--fps`` is the camera (made once and cached under ``--cache``),
so the camera itself caps the loop at that rate; goal: >= 25 fps with a 30 fps camera. The server runs in
this process (uvicorn in a thread); the page is signed in, screened, and coaches the cheek lifter for
``--seconds`` after the model has loaded. Prints the page's own measure (the last 60 frames) and the mean
over the run (frames / seconds), where the landmarker ran (its worker, or the page's own thread where a
worker cannot) and its time per frame, and the machine's load average, since Chromium's CPU delegate
shares the cores with everything else. A frame counts once the landmarker has processed it and the page
has drawn its points (``static/js/practice.js``).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", default="640x480")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "facefit-bench-cache")
    args = parser.parse_args()

    from browser_kit import LAPTOP, answer_screening, chromium, live_server, sign_up

    camera = clip(args.cache, args.fps, args.size)
    with tempfile.TemporaryDirectory(prefix="facefit-fps-") as home:
        os.environ["FACEFIT_HOME"] = home
        with live_server(f"sqlite:///{home}/fps.db") as (base, _app), chromium(camera) as browser:
            page = browser.new_context(viewport=LAPTOP).new_page()
            page.set_default_timeout(120_000)
            sign_up(page, base, "fps@example.org")
            answer_screening(page)
            page.goto(f"{base}/practice?exercise=cheek-lifter&sets=1&reps=100")
            page.wait_for_selector("body[data-loaded=yes]")
            page.click("#start")
            page.click("#go")
            page.wait_for_function("() => window.facefit.frames > 30")
            start_frames, start = page.evaluate("window.facefit.frames"), time.monotonic()
            page.wait_for_timeout(int(args.seconds * 1000))
            frames, elapsed = page.evaluate("window.facefit.frames") - start_frames, time.monotonic() - start
            shown, detect_ms, place = page.evaluate(
                "[window.facefit.fps, window.facefit.detectMs, window.facefit.landmarker.constructor.name]")
    load = os.getloadavg()
    where = "in a worker" if place == "WorkerLandmarker" else "on the page"
    print(f"camera {args.fps} fps {args.size}: page loop {shown:.1f} fps (last 60 frames), "
          f"{frames / elapsed:.1f} fps over {elapsed:.0f} s ({frames} frames), landmarker {where} "
          f"{detect_ms:.0f} ms a frame; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
