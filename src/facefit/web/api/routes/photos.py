"""My progress photos: upload through the protocol gate, list, view, delete, and the ghost overlay.

Uploads are validated (size, name, type, pixel count) before any decoding; the photos stage then
strips metadata, gates and stores the pixels. Files are served only to their owner.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from facefit.store import photos as photo_store
from facefit.web.deps import DbDep, MemberDep, token_scope
from facefit.web.perception import image_landmarker
from facefit.web.responses import Id, PhotoImported, PhotoOut
from facefit.web.schemas import Message
from facefit.web.uploads import read_photo_form

router = APIRouter(prefix="/api/photos", tags=["photos"])


def _public(photo: Any) -> dict[str, Any]:
    return {
        "id": photo.id, "taken_at": photo.taken_at.isoformat(), "accepted": photo.accepted,
        "forced": photo.forced, "is_baseline": photo.is_baseline, "width": photo.width,
        "height": photo.height, "source_name": photo.source_name, "checks": photo.checks,
        "image": f"/api/photos/{photo.id}/image",
    }


def _own_photo(db: DbDep, profile_id: int, photo_id: int) -> Any:
    photo = photo_store.get_photo(session=db, profile_id=profile_id, ref=int(photo_id))
    if photo is None or photo.profile_id != profile_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"You have no photo {photo_id}.")
    return photo


def _import(request: Request, caller: MemberDep, data: bytes, name: str, force: bool) -> dict[str, Any]:
    from facefit.photos.files import decode_photo
    from facefit.photos.library import import_photo

    loaded = decode_photo(data, name)
    with image_landmarker(request.app.state) as landmarker:
        outcome = import_photo(loaded, store=request.app.state.store, profile_id=caller.profile_id,
                               landmarker=landmarker, force=force, source_name=name)
        error_note = _measure_error(request, caller, landmarker) if outcome.is_baseline else None
    return {
        "error_note": error_note,
        "stored": outcome.stored, "duplicate": outcome.duplicate, "photo_id": outcome.photo_id,
        "accepted": outcome.accepted, "is_baseline": outcome.is_baseline, "forced": outcome.forced,
        "gate": outcome.result.to_dict() if outcome.result is not None else None,
        "new_asymmetries": [c.to_dict() for c in outcome.new_asymmetries],
    }


def _measure_error(request: Request, caller: MemberDep, landmarker: Any) -> str:
    """A new baseline: measure each metric's error (MDC95) from simulated re-takes of it, once, so the
    progress page can tell change from noise (what `facefit photo repeatability` does in the terminal)."""
    from facefit.errors import FaceFitError
    from facefit.photos.progress import measure_repeatability
    from facefit.web.responses import error_text

    try:
        report = measure_repeatability(store=request.app.state.store, profile_id=caller.profile_id,
                                       landmarker=landmarker)
    except FaceFitError as error:
        return f"Its measurement error could not be worked out. {error_text(error)}"
    return f"Its measurement error was worked out from {report.perturbations_kept} simulated re-takes of it."


@router.post("", summary="Upload a photo (JPEG/PNG/WebP, multipart field 'file'); the gate says "
             "which check failed and how to fix it", status_code=status.HTTP_201_CREATED,
             response_model=PhotoImported)
@token_scope("practice")
async def upload(request: Request, caller: MemberDep) -> dict[str, Any]:
    data, name, form = await read_photo_form(request, max_fields=4)
    force = str(form.get("force", "")).lower() in ("1", "true", "yes", "on")
    return await run_in_threadpool(_import, request, caller, data, name, force)


@router.get("", summary="My photos, oldest first", response_model=list[PhotoOut])
def list_photos(db: DbDep, caller: MemberDep) -> list[dict[str, Any]]:
    return [_public(p) for p in photo_store.list_photos(session=db, profile_id=caller.profile_id)]


@router.get("/ghost", summary="My baseline photo, for the ghost overlay when taking a new one",
            response_class=FileResponse, responses={200: {"content": {"image/jpeg": {}}}})
def ghost(db: DbDep, caller: MemberDep) -> FileResponse:
    from facefit.photos.library import photo_path

    baseline = photo_store.get_baseline(session=db, profile_id=caller.profile_id)
    if baseline is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no baseline photo yet: your first accepted "
                                                       "photo becomes the baseline.")
    return FileResponse(photo_path(baseline), media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/{photo_id}", summary="One of my photos with its gate checks", response_model=PhotoOut)
def get_photo(photo_id: Id, db: DbDep, caller: MemberDep) -> dict[str, Any]:
    return _public(_own_photo(db, caller.profile_id, photo_id))


@router.get("/{photo_id}/image", summary="The stored (metadata-free) JPEG of one of my photos",
            response_class=FileResponse, responses={200: {"content": {"image/jpeg": {}}}})
def photo_image(photo_id: Id, db: DbDep, caller: MemberDep) -> FileResponse:
    from facefit.photos.library import photo_path

    photo = _own_photo(db, caller.profile_id, photo_id)
    return FileResponse(photo_path(photo), media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.delete("/{photo_id}", response_model=Message, summary="Delete one of my photos and its file")
def delete_photo(photo_id: Id, request: Request, db: DbDep, caller: MemberDep) -> Message:
    from facefit.photos.library import photo_path

    photo = _own_photo(db, caller.profile_id, photo_id)
    path = photo_path(photo)
    db.delete(photo)
    request.state.files_to_delete = [path]
    return Message(detail=f"Photo {photo_id} deleted.")
