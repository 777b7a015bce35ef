"""Static files the page needs: our JS/CSS, MediaPipe's wasm (from npm) and the verified model file.

Nothing is fetched from a CDN: the wasm comes from ``node_modules`` installed by ``make setup``
(``npm ci``), and the ``.task`` model is the same verified file the Python side uses.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
TASKS_VISION_DIR = WEB_DIR / "node_modules" / "@mediapipe" / "tasks-vision"
MISSING_NPM = ("MediaPipe's browser files are not installed: run `make setup` "
               "(or `npm ci` in src/facefit/web)")

router = APIRouter(include_in_schema=False)


def _inside(base: Path, name: str) -> Path:
    path = (base / name).resolve()
    if not path.is_relative_to(base.resolve()) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no such file: {name}.")
    return path


@router.get("/vendor/tasks-vision/{name:path}")
def tasks_vision(name: str) -> FileResponse:
    """vision_bundle.mjs and wasm/* from @mediapipe/tasks-vision (pinned in package.json)."""
    if not TASKS_VISION_DIR.is_dir():
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, MISSING_NPM)
    path = _inside(TASKS_VISION_DIR, name)
    media = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}
    return FileResponse(path, media_type=media.get(path.suffix), headers={"Cache-Control": "max-age=86400"})


@router.get("/models/face_landmarker.task")
def model(request: Request) -> FileResponse:
    """The verified Face Landmarker model the browser loads (same file and sha256 as the Python side)."""
    from facefit.vision.model import resolve_model_path

    path = resolve_model_path(request.app.state.settings.model_path)
    return FileResponse(path, media_type="application/octet-stream",
                        headers={"Cache-Control": "max-age=86400"})
