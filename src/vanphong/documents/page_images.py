"""Pages of a stored PDF as PNG images: the preview on a document's page, and the scan beside the
form that registers it. An image is shown on every browser and phone, where an embedded PDF is not.

pdftoppm renders a page under the same limits of time and memory as the other poppler tools
(attachments.run_pdf_tool). A rendered page is kept under settings.VANPHONG_PREVIEWS_DIR, named by the
file's SHA-256, so it is rendered once however often it is viewed."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings

from vanphong.core import storage
from vanphong.documents.attachments import run_pdf_tool

PREVIEW_DPI = 100  # an A4 page 827 px wide: readable on a screen, about 100 KB
SCAN_DPI = 100
RENDER_SECONDS = 20
MAX_PNG_BYTES = 20 * 1024 * 1024


class PageUnavailable(Exception):
    """No such page, or poppler could not render it in time."""


def _cache_path(sha256: str, page: int, dpi: int) -> Path:
    storage.path_for(sha256)  # validates the digest: it names a file below
    return Path(settings.VANPHONG_PREVIEWS_DIR) / sha256[:2] / f"{sha256}-{page}-{dpi}.png"


def page_png(sha256: str, page: int, *, dpi: int = PREVIEW_DPI) -> bytes:
    """The PNG of page `page` (from 1) of the stored PDF `sha256`."""
    if page < 1:
        raise PageUnavailable(page)
    cached = _cache_path(sha256, page, dpi)
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    source = storage.path_for(sha256)
    if not source.exists():
        raise PageUnavailable(page)
    result = run_pdf_tool(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(source)],
                          time.monotonic() + RENDER_SECONDS, max_output=MAX_PNG_BYTES)
    if result is None or result[0] != 0 or not result[1].startswith(b"\x89PNG"):
        raise PageUnavailable(page)
    png = result[1]
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".page-")
    with os.fdopen(fd, "wb") as out:
        out.write(png)
    os.replace(tmp, cached)  # atomic: a reader never sees half an image
    return png
