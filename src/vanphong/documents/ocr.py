"""Optical character recognition of scans: OCRmyPDF with Tesseract's Vietnamese model.

`recognise()` turns a scanned PDF or image into a searchable PDF (the page images with an invisible
text layer) and reports its progress as it goes. This module is also the OCRmyPDF plugin that
supplies the progress reporter (OCRmyPDF asks its plugins for a "progress bar" class).
"""

from __future__ import annotations

import contextvars
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from ocrmypdf import hookimpl

log = logging.getLogger(__name__)

LANGUAGES = ["vie", "eng"]  # Vietnamese first; English for the odd Latin abbreviation and codes
IMAGE_DPI = 300  # assumed for images that do not record their resolution (most phone photos)
PAGE_TIMEOUT_SECONDS = 180  # Tesseract's budget per page; a page past it keeps its image without text

# (start, end) of the overall percentage each OCRmyPDF stage fills; unknown stages fill the gap after OCR.
_STAGES = {"Scanning contents": (0, 10), "OCR": (10, 85), "Image processing": (10, 85)}
_AFTER_OCR = (85, 98)

Progress = Callable[[int], None]
_reporter: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("vanphong_ocr_progress", default=None)


class _ProgressReporter:
    """OCRmyPDF's ProgressBar protocol, turned into whole percentages for the current job."""

    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs):
        self.total, self.done = total, 0
        self.span = _STAGES.get(desc or "", _AFTER_OCR)
        self.report = _reporter.get()

    def __enter__(self):
        self._send()
        return self

    def __exit__(self, *exc):
        self.done = self.total or 0
        self._send()
        return False

    def update(self, n=1, *, completed=None):
        self.done = completed if completed is not None else self.done + n
        self._send()

    def _send(self):
        if self.report is None:
            return
        start, end = self.span
        fraction = min(self.done / self.total, 1.0) if self.total else 0.0
        self.report(int(start + (end - start) * fraction))


@hookimpl
def get_progressbar_class():
    return _ProgressReporter


def check_installed() -> None:
    """Tesseract and its Vietnamese data come from Debian (tesseract-ocr, tesseract-ocr-vie)."""
    if shutil.which("tesseract") is None:
        raise ImproperlyConfigured("tesseract is not installed (Debian packages tesseract-ocr tesseract-ocr-vie)")


def recognise(source: Path, output: Path, *, on_progress: Progress | None = None) -> None:
    """Write a searchable PDF of `source` (a PDF or a PNG/JPEG/TIFF image) to `output`.

    Pages that already carry text are kept as they are. Raises ocrmypdf.exceptions.ExitCodeException
    subclasses for inputs OCRmyPDF cannot handle."""
    import ocrmypdf

    check_installed()
    # Tesseract's own threads fight with OCRmyPDF's per-page parallelism on a small machine.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    token = _reporter.set(on_progress)
    try:
        ocrmypdf.ocr(
            source, output,
            language=LANGUAGES,
            image_dpi=IMAGE_DPI,
            mode="skip",
            output_type="pdf",  # PDF/A would add a Ghostscript pass for nothing the register needs
            optimize=1,
            rotate_pages=True,
            deskew=False,
            tesseract_timeout=PAGE_TIMEOUT_SECONDS,
            use_threads=True,  # the worker is a Django process: no forking with open connections
            jobs=max(1, min(os.cpu_count() or 1, 4)),
            progress_bar=True,
            plugins=[__name__],
        )
    finally:
        _reporter.reset(token)
