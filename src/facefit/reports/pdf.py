"""The PDF report is the HTML report printed by Chromium (headless ``--print-to-pdf``): the same page,
the same pictures, one page size (A4, set by the report's ``@page`` rule).

Chromium is found on PATH (``chromium``, ``chromium-browser``, ``google-chrome``) or named by
``FACEFIT_CHROMIUM``. Without it there is no PDF, and :class:`PdfUnavailable` says how to get one
(install Chromium, or print the HTML from any browser); the HTML report is written either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from facefit.errors import FaceFitError
from facefit.fileio import write_atomic

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120.0


class PdfUnavailable(FaceFitError):
    """No PDF could be printed (no Chromium, or it failed); the HTML report is unaffected."""


def find_chromium() -> Path | None:
    """The Chromium to print with: ``FACEFIT_CHROMIUM`` if set, else the first candidate on PATH."""
    named = os.environ.get("FACEFIT_CHROMIUM")
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def print_pdf(html: Path, pdf: Path, *, chromium: Path | None = None, timeout_s: float = TIMEOUT_S) -> Path:
    """Print ``html`` (a self-contained file, no scripts) to ``pdf`` atomically; returns ``pdf``."""
    browser = chromium or find_chromium()
    if browser is None:
        raise PdfUnavailable("no PDF: it is printed by Chromium, which is not installed (install the "
                             "chromium package, or open the HTML report in a browser and print it).")
    with tempfile.TemporaryDirectory(prefix="facefit-pdf-") as tmp:
        out = Path(tmp) / "report.pdf"
        command = [
            str(browser), "--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer", f"--print-to-pdf={out}", html.resolve().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"no PDF: Chromium did not finish printing in {timeout_s:.0f} s") from None
        if done.returncode != 0 or not out.is_file() or out.read_bytes()[:5] != b"%PDF-":
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(f"no PDF: Chromium could not print the report ({detail[0]})")
        write_atomic(pdf, out.read_bytes())
    return pdf
