"""Files a clip is written to (.y4m, .mp4, truth JSON), reproducibility, and the ``facefit synth`` CLI."""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from facefit.synth import ClipSpec, Fault, PreparedFace, Truth, make_clip, prepare_clip
from facefit.synth.truth import FRAME_COLUMNS, SCHEMA

SMALL = ClipSpec(
    exercise="cheek-lifter", reps=1, hold_s=0.5, tempo_up_s=0.3, tempo_down_s=0.3, rest_s=1.0,
    lead_rest_s=1.5, fps=10, size=(480, 360), noise=0.4, seed=3, distractors=("blink", "talk"),
    faults=(Fault("twitch"),),
)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255**2 / max(mse, 1e-12))


@pytest.fixture(scope="module")
def written(faces: dict[str, PreparedFace], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One small clip written as .mp4, .y4m and truth JSON, plus its frames rendered in memory."""
    folder = tmp_path_factory.mktemp("synth-out")
    paths = {"mp4": folder / "clip.mp4", "y4m": folder / "clip.y4m", "truth": folder / "truth.json"}
    progress: list[tuple[int, int]] = []
    truth = make_clip(
        faces["biden"], SMALL, out=[paths["mp4"], paths["y4m"]], truth_path=paths["truth"],
        progress=lambda done, total: progress.append((done, total)),
    )
    frames = [f.rgb for f in prepare_clip(faces["biden"], SMALL).frames()]
    return {"paths": paths, "truth": truth, "frames": frames, "progress": progress}


def test_y4m_parses_header_and_every_frame(written: dict[str, object]) -> None:
    paths, frames = written["paths"], written["frames"]
    data = paths["y4m"].read_bytes()  # type: ignore[index]
    header, _, body = data.partition(b"\n")
    fields = header.decode("ascii").split(" ")
    assert fields[0] == "YUV4MPEG2"
    tags = {f[0]: f[1:] for f in fields[1:]}
    assert (tags["W"], tags["H"], tags["F"], tags["C"]) == ("480", "360", "10:1", "420jpeg")
    frame_bytes = 480 * 360 * 3 // 2
    assert len(body) == len(frames) * (len(b"FRAME\n") + frame_bytes)  # type: ignore[arg-type]
    import cv2

    for index in (0, len(frames) // 2):  # type: ignore[arg-type]
        start = index * (6 + frame_bytes)
        assert body[start : start + 6] == b"FRAME\n"
        planes = np.frombuffer(body[start + 6 : start + 6 + frame_bytes], np.uint8).reshape(540, 480)
        rgb = cv2.cvtColor(planes, cv2.COLOR_YUV2RGB_I420)
        assert psnr(rgb, frames[index]) > 30  # type: ignore[index]


def test_y4m_reads_back_through_the_vision_frame_source(written: dict[str, object]) -> None:
    from facefit.vision.sources import open_source

    with open_source(written["paths"]["y4m"]) as source:  # type: ignore[index]
        decoded = list(source)
    assert len(decoded) == len(written["frames"])  # type: ignore[arg-type]
    assert decoded[0].rgb.shape == (360, 480, 3)


def test_mp4_reads_back_with_pyav_and_opencv(written: dict[str, object]) -> None:
    import av
    import cv2

    path, frames = written["paths"]["mp4"], written["frames"]  # type: ignore[index]
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (480, 360)
        assert float(stream.average_rate) == pytest.approx(10.0)
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == len(frames)  # type: ignore[arg-type]
    assert min(psnr(d, f) for d, f in zip(decoded, frames, strict=True)) > 30  # type: ignore[arg-type]
    capture = cv2.VideoCapture(str(path))
    try:
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)  # type: ignore[arg-type]
        ok, bgr = capture.read()
        assert ok and bgr.shape == (360, 480, 3)
    finally:
        capture.release()


def test_truth_file_round_trips_and_matches_the_frames(written: dict[str, object]) -> None:
    paths, truth = written["paths"], written["truth"]
    raw = json.loads(paths["truth"].read_text())  # type: ignore[index]
    assert raw["schema"] == SCHEMA
    assert raw["frames"] == len(written["frames"]) == SMALL.frames  # type: ignore[arg-type]
    assert raw["size"] == [480, 360] and raw["seed"] == 3 and raw["exercise"] == "cheek-lifter"
    assert raw["holds"] == [{"rep": 1, "start_s": 1.8, "end_s": 2.3}]
    assert set(raw["frame_values"]) == set(FRAME_COLUMNS)
    assert all(len(v) == raw["frames"] for v in raw["frame_values"].values())
    np.testing.assert_allclose(raw["frame_values"]["t_s"], np.arange(raw["frames"]) / 10)
    assert Truth.read(paths["truth"]) == truth  # type: ignore[index]
    assert written["progress"][-1] == (raw["frames"], raw["frames"])  # type: ignore[index]
    assert {d["kind"] for d in raw["distractors"]} <= {"blink", "talk"}
    assert raw["twitches"] and all(t["side"] in ("left", "right") for t in raw["twitches"])


def test_rest_is_still_and_seed_reproduces_the_pixels(faces: dict[str, PreparedFace]) -> None:
    quiet = replace(SMALL, noise=0.0)
    clip = prepare_clip(faces["biden"], quiet)
    rest = clip.truth.rest["end_s"]
    still = [i for i in range(len(clip)) if i / quiet.fps < rest]
    for index in still:
        np.testing.assert_array_equal(clip.render(index), faces["biden"].rgb)
    peak = round(clip.truth.reps[0]["hold_start_s"] * quiet.fps)
    assert np.abs(clip.render(peak).astype(int) - faces["biden"].rgb).mean() > 0.5

    noisy_a, noisy_b = prepare_clip(faces["biden"], SMALL), prepare_clip(faces["biden"], SMALL)
    other = prepare_clip(faces["biden"], replace(SMALL, seed=4))
    assert noisy_a.truth == noisy_b.truth
    for index in (0, peak, len(clip) - 1):
        np.testing.assert_array_equal(noisy_a.render(index), noisy_b.render(index))
    assert not np.array_equal(noisy_a.render(peak), other.render(peak))
    assert noisy_a.truth.twitches != other.truth.twitches


def run_main(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """``facefit ARGS`` through the console-script entry point, in this process."""
    from facefit.cli import main

    monkeypatch.setattr(sys, "argv", ["facefit", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as stopped:
        main()
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out + captured.err


@pytest.mark.slow
def test_cli_writes_video_y4m_and_truth(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    video, y4m, truth = tmp_path / "v.mp4", tmp_path / "v.y4m", tmp_path / "t.json"
    code, output = run_main(
        [
            "synth", "--photo", str(real_data / "biden.jpg"), "--exercise", "jawline-definition",
            "--reps", "2", "--hold", "0.5", "--tempo", "0.3", "--rest", "0.3", "--fps", "8",
            "--size", "320x240", "--out", str(video), "--out", str(y4m), "--truth", str(truth),
            "--fault", "asymmetry@2", "--distractors", "blink,sway", "--noise", "0.2", "--seed", "5",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0, output
    assert "2 reps" in output
    data = Truth.read(truth)
    assert data.exercise == "jawline-definition" and data.size == (320, 240) and data.fps == 8
    assert [r["faults"] for r in data.reps] == [[], ["asymmetry"]]
    assert data.reps[1]["side_strength"]["left"] < data.reps[1]["side_strength"]["right"]
    assert {d["kind"] for d in data.distractors} >= {"sway"}
    assert y4m.stat().st_size == len(b"YUV4MPEG2 W320 H240 F8:1 Ip A1:1 C420jpeg\n") + data.frames * (
        6 + 320 * 240 * 3 // 2
    )
    assert video.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--exercise", "push-ups"], 2, "unknown exercise 'push-ups'"),
        (["--fault", "wobble"], 2, "unknown fault 'wobble'"),
        (["--size", "640by480"], 2, "expected WIDTHxHEIGHT"),
        (["--lead-rest", "0.5"], 2, "lead_rest_s must be at least 1.5 s"),
        (["--strengths", "a,b"], 2, "give numbers between 0 and 1"),
        (["--seed", "-1"], 2, "seed must be 0 or more"),
    ],
)
def test_cli_bad_options_get_one_clear_error(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    args: list[str], code: int, message: str,
) -> None:
    base = ["synth", "--photo", str(real_data / "biden.jpg"), "--out", str(tmp_path / "v.mp4")]
    got, output = run_main(base + args, monkeypatch, capsys)
    assert got == code
    assert message in output
    assert "Traceback" not in output
    assert not (tmp_path / "v.mp4").exists()


@pytest.mark.parametrize(
    ("photo", "out", "code", "message"),
    [
        ("free-mountain-vector-01.jpg", "v.mp4", 3, "no face found in the photo free-mountain-vector-01.jpg"),
        ("empty.jpg", "v.mp4", 2, "empty.jpg is empty"),
        ("notes.jpg", "v.mp4", 2, "notes.jpg is not an image FaceFit can read"),
        ("biden.jpg", "v.avi", 2, "use a .mp4, .mov, .mkv or .y4m file name"),
        ("biden.jpg", "missing/v.mp4", 2, "does not exist"),
    ],
)
def test_cli_bad_files_get_one_clear_error(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    photo: str, out: str, code: int, message: str,
) -> None:
    (tmp_path / "empty.jpg").touch()
    (tmp_path / "notes.jpg").write_text("just text\n")
    source = real_data / photo if (real_data / photo).exists() else tmp_path / photo
    got, output = run_main(
        ["synth", "--photo", str(source), "--out", str(tmp_path / out), "--reps", "1", "--size", "320x240"],
        monkeypatch,
        capsys,
    )
    assert got == code, output
    assert message in output
    assert "Traceback" not in output


def test_cli_help_lists_the_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_main(["synth", "--help"], monkeypatch, capsys)
    assert code == 0
    for option in ("--photo", "--exercise", "--reps", "--hold", "--tempo", "--fps", "--amplitude", "--noise",
                   "--seed", "--distractors", "--fault", "--size", "--truth", "--out"):
        assert option in output


def test_iter_frames_streams_the_clip_in_order(faces: dict[str, PreparedFace]) -> None:
    from facefit.synth import iter_frames

    spec = replace(SMALL, noise=0.0, distractors=(), faults=())
    frames = list(iter_frames(faces["grace-hopper"], spec))
    assert [f.index for f in frames] == list(range(spec.frames))
    assert all(b.t_ms > a.t_ms for a, b in itertools.pairwise(frames))
    assert frames[-1].t_ms == round((spec.frames - 1) * 1000 / spec.fps)
    assert all(f.rgb.shape == (360, 480, 3) and f.rgb.dtype == np.uint8 for f in frames)


def test_bad_photo_arrays_and_faceless_photos_are_refused(real_data: Path, image_landmarker: object) -> None:
    from facefit.errors import InputError, NoFaceError
    from facefit.synth import prepare_face

    with pytest.raises(InputError, match="photo array must be RGB uint8"):
        prepare_face(np.zeros((40, 40), dtype=np.uint8), (320, 240), landmarker=image_landmarker)
    with pytest.raises(NoFaceError, match=r"no face found in the photo free-mountain-vector-01\.jpg"):
        prepare_face(real_data / "free-mountain-vector-01.jpg", (320, 240), landmarker=image_landmarker)


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_partial_one(
    faces: dict[str, PreparedFace], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facefit.errors import InputError
    from facefit.synth import writers

    earlier = tmp_path / "clip.mp4"
    earlier.write_bytes(b"yesterday's clip")
    calls = {"n": 0}
    real_write = writers.Y4mWriter.write

    def full_disk(self: writers.Y4mWriter, rgb: np.ndarray) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_write(self, rgb)

    monkeypatch.setattr(writers.Y4mWriter, "write", full_disk)
    spec = replace(SMALL, reps=1)
    with pytest.raises(InputError, match=r"Cannot write .*clip\.y4m: No space left on device"):
        make_clip(faces["biden"], spec, out=[earlier, tmp_path / "clip.y4m"])
    assert earlier.read_bytes() == b"yesterday's clip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]

    with pytest.raises(InputError, match="it is a folder"):
        make_clip(faces["biden"], spec, out=[], truth_path=tmp_path)
    with pytest.raises(InputError, match="twice"):
        make_clip(faces["biden"], spec, out=[earlier, Path(f"{tmp_path}/./clip.mp4")])
    assert earlier.read_bytes() == b"yesterday's clip"
