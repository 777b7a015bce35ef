"""Views (aligned before/after, GIF, contact sheet, time-lapse, plots) and per-profile separation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import InputError
from facefit.photos import landmarks as lm
from facefit.photos.measure import PhotoMeasurement
from facefit.photos.views import CANVAS, ViewPhoto, aligned_frames
from facefit.store.db import open_store
from facefit.store.photos import (
    add_photo,
    get_baseline,
    get_photo,
    list_photos,
    load_repeatability,
    save_repeatability,
    set_baseline,
)
from facefit.store.profiles import get_or_create_profile

runner = CliRunner()


def _moved(rgb: np.ndarray, degrees: float, scale: float, shift: tuple[int, int]) -> np.ndarray:
    import cv2

    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, scale)
    matrix[:, 2] += shift
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def test_alignment_puts_stable_points_in_the_same_place(
    grace_rgb: np.ndarray, grace: PhotoMeasurement, image_landmarker: object
) -> None:
    moved_rgb = _moved(grace_rgb, 6.0, 0.9, (25, -15))
    moved = image_landmarker.detect(moved_rgb)
    frames = aligned_frames(
        [ViewPhoto(grace_rgb, grace.landmarks, "a"), ViewPhoto(moved_rgb, moved.landmarks, "b")]
    )
    assert all(f.shape == (CANVAS[1], CANVAS[0], 3) for f in frames)
    found = [
        image_landmarker.detect(np.ascontiguousarray(f)).pixels()[list(lm.STABLE_POINTS)] for f in frames
    ]
    before_alignment = np.abs(moved.pixels() - grace.landmarks[:, :2] * grace.image_size).max()
    error = float(np.linalg.norm(found[0] - found[1], axis=1).mean())
    assert before_alignment > 20
    assert error < 2.0  # pixels on a 480x600 canvas


def test_view_commands_write_files(grace_path: Path, tmp_path: Path) -> None:
    import av

    same = tmp_path / "later.jpg"
    Image.open(grace_path).save(same, quality=85)
    assert runner.invoke(app, ["photo", "add", str(grace_path), "--date", "2025-01-01"]).exit_code == 0
    assert runner.invoke(app, ["photo", "add", str(same), "--date", "2025-02-01"]).exit_code == 0

    result = runner.invoke(app, ["photo", "before-after", "1", "2", "--out", str(tmp_path / "ba.png")])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "ba.png") as image:
        assert image.size == (2 * CANVAS[0] + 8, CANVAS[1])
    with Image.open(tmp_path / "ba.gif") as gif:
        assert gif.n_frames == 2

    assert (
        runner.invoke(app, ["photo", "sheet", str(tmp_path / "sheet.png"), "--columns", "2"]).exit_code == 0
    )
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.width > sheet.height  # two thumbnails side by side

    result = runner.invoke(app, ["photo", "timelapse", str(tmp_path / "t.mp4"), "--seconds", "0.5"])
    assert result.exit_code == 0, result.output
    with av.open(str(tmp_path / "t.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 2 * 5  # 2 photos x 0.5 s x 10 fps
    assert frames[0].shape == (CANVAS[1], CANVAS[0], 3)

    assert runner.invoke(app, ["photo", "repeatability", "--samples", "4"]).exit_code == 0
    result = runner.invoke(app, ["photo", "plot", str(tmp_path / "plots"), "--metric", "jaw_width_ratio"])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "plots" / "jaw_width_ratio.png") as image:
        assert image.width > 300
    unknown = runner.invoke(app, ["photo", "plot", str(tmp_path / "plots"), "--metric", "nose_size"])
    assert unknown.exit_code != 0 and "Unknown metric" in str(unknown.exception)

    (tmp_path / "folder.mp4").mkdir()
    into_folder = runner.invoke(app, ["photo", "timelapse", str(tmp_path / "folder.mp4")])
    assert isinstance(into_folder.exception, InputError) and "Is a directory" in str(into_folder.exception)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-facefit-")]


def test_views_without_photos_say_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["photo", "sheet", str(tmp_path / "s.png")])
    assert result.exit_code != 0
    assert "No accepted photos" in str(result.exception)


@pytest.mark.parametrize(
    "args",
    [["before-after", "1", "2", "--out", "ba.gif"], ["sheet", "sheet.pdf"], ["timelapse", "t.mov"]],
)
def test_view_outputs_of_an_unsupported_type_are_refused_first(tmp_path: Path, args: list[str]) -> None:
    args = [*args[:-1], str(tmp_path / args[-1])]
    result = runner.invoke(app, ["photo", *args])
    assert isinstance(result.exception, InputError) and "file name" in str(result.exception)
    assert list(tmp_path.iterdir()) == []


def test_photos_are_separated_by_profile(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as session:
            alice = get_or_create_profile(session=session, name="alice").id
            bob = get_or_create_profile(session=session, name="bob").id
            fields = {
                "sha256": "ab" * 32,
                "file_name": "x.jpg",
                "accepted": True,
                "is_baseline": True,
                "measurement": {"face": {"jaw_width_ratio": 0.8}},
            }
            a_photo = add_photo(session=session, profile_id=alice, **fields).id
            b_photo = add_photo(session=session, profile_id=bob, **fields).id  # same pixels, other person
            save_repeatability(
                session=session,
                profile_id=alice,
                table={"jaw_width_ratio": (0.01, 0.0277, 17)},
                source="perturbations",
                baseline_photo_id=a_photo,
            )
        with store.transaction() as session:
            assert [p.id for p in list_photos(session=session, profile_id=alice)] == [a_photo]
            assert get_photo(session=session, profile_id=bob, ref=a_photo) is None
            assert get_photo(session=session, profile_id=bob, ref="abab" * 2).id == b_photo
            assert get_baseline(session=session, profile_id=bob).id == b_photo
            assert set(load_repeatability(session=session, profile_id=alice)) == {"jaw_width_ratio"}
            assert load_repeatability(session=session, profile_id=bob) == {}
            with pytest.raises(LookupError):
                set_baseline(session=session, profile_id=bob, photo_id=a_photo)
    finally:
        store.close()


def test_account_export_finds_the_photo_files(grace_path: Path, facefit_home: Path) -> None:
    """Rows name files relative to the data dir, so the web app's export/delete walk finds them."""
    account_data = pytest.importorskip("facefit.web.account_data")
    assert runner.invoke(app, ["photo", "add", str(grace_path)]).exit_code == 0
    store = open_store()
    try:
        with store.transaction() as session:
            profile_id = get_or_create_profile(session=session).id
            owned = account_data.collect(session=session, profile_id=profile_id)
        stored = list((facefit_home / "photos").rglob("*.jpg"))
        assert len(stored) == 1
        assert stored[0].resolve() in [p.resolve() for p in owned.files]
        assert len(owned.rows["photos"]) == 1
    finally:
        store.close()


def test_migration_0003_upgrades_and_downgrades(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from facefit.store.db import alembic_config, make_engine, upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine, db_url, "0002")
        assert "photos" not in inspect(engine).get_table_names()
        upgrade(engine, db_url, "0003")
        assert {"photos", "photo_repeatability"} <= set(inspect(engine).get_table_names())
        cfg = alembic_config(db_url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0002")
        assert not {"photos", "photo_repeatability"} & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
