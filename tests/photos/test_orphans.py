"""A file a killed ``photo add`` left without its row is removed by the next import of that profile,
never a file whose row is still to be committed by another import (issue 13, finding 9)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from facefit.photos.library import import_photo, profile_photo_dir
from facefit.photos.orphans import import_lock, sweep_orphans
from facefit.store.db import open_store
from facefit.store.photos import Photo
from facefit.store.profiles import get_or_create_profile


def test_the_next_import_sweeps_files_without_rows(grace_path: Path, image_landmarker: object,
                                                   facefit_home: Path) -> None:
    store = open_store()
    try:
        with store.transaction() as db:
            profile_id = get_or_create_profile(session=db, name="me").id
        folder = profile_photo_dir(profile_id)
        folder.mkdir(parents=True, exist_ok=True)
        orphan = folder / f"{'ab' * 32}.jpg"  # written, then the process was killed before its row
        orphan.write_bytes(b"\xff\xd8\xff half a photo")
        with_import_running = import_lock(folder)  # another import between its file and its row
        assert sweep_orphans(store=store, profile_id=profile_id, directory=folder) == []
        assert orphan.exists()
        with_import_running.close()
        outcome = import_photo(grace_path, store=store, profile_id=profile_id, landmarker=image_landmarker,
                               force=True)
        assert outcome.stored and not orphan.exists()
        with store.transaction() as db:
            names = list(db.scalars(select(Photo.file_name)))
        assert [p.name for p in folder.glob("*.jpg")] == [Path(names[0]).name]
        assert sweep_orphans(store=store, profile_id=profile_id, directory=folder) == []  # its row names it
    finally:
        store.close()
