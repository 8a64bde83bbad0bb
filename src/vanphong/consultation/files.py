"""The files of a consultation (drafts and answers): Word (.docx) or PDF only, checked by their bytes and kept in
the content-addressed store through the documents app's checks (documents.attachments), with their text.

A PDF without a text layer (a scan) is refused rather than read by OCR: a misread article number ("Điều 8" read
as "Điều 6") would silently put comments on the wrong article, and the drafting body always has the Word file of
its own draft; a respondent who has only paper sends it to the staff, who type it (a paper answer)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from vanphong.consultation import docx_text
from vanphong.core import storage
from vanphong.core.errors import ValidationError
from vanphong.documents import attachments

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
ACCEPTED = {attachments.DOCX.content_type, attachments.PDF.content_type}


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    filename: str
    content_type: str
    paragraphs: list[str]


def max_bytes() -> int:
    """VANPHONG_CONSULTATION_MAX_FILE_MB (environment or vanphong.toml), 20 by default; a Django setting in bytes wins."""
    configured = getattr(settings, "VANPHONG_CONSULTATION_MAX_FILE_BYTES", None)
    if configured is not None:
        return configured
    from vanphong import config

    return config.get_int("VANPHONG_CONSULTATION_MAX_FILE_MB", MAX_FILE_BYTES // (1024 * 1024)) * 1024 * 1024


def _size_of(upload) -> int | None:
    size = getattr(upload, "size", None)  # Django counts an upload's bytes as they arrive: not the client's claim
    if isinstance(size, int):
        return size
    try:
        here = upload.tell()
        upload.seek(0, os.SEEK_END)
        end = upload.tell()
        upload.seek(here)
        return end
    except (AttributeError, OSError, ValueError):
        return None


def store(upload, *, field: str = "file") -> Stored:
    """Check and keep a Word or PDF file; ValidationError (nothing kept) if it is anything else, too large, or
    has no text to read."""
    if upload is None:
        raise ValidationError({field: _("Choose a Word (.docx) or PDF file.")})
    limit = max_bytes()
    size = _size_of(upload)
    if size is not None and size > limit:
        raise ValidationError({field: _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}})
    name = getattr(upload, "name", "") or "file"
    # Judged by its bytes before anything is kept: refused kinds never reach the store.
    spooled, _size = attachments._spool(upload)
    try:
        try:
            inspection = attachments.inspect(spooled, filename=name)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
        if inspection.content_type not in ACCEPTED:
            raise ValidationError({field: _("“%(name)s” is %(kind)s. Upload the draft or the answer as a Word (.docx) or "
                                            "PDF file.") % {"name": attachments.clean_filename(name), "kind": inspection.kind.label}})
        if inspection.needs_ocr:
            raise ValidationError({field: _("This PDF is a scan: it has no text to read, so its articles cannot be found "
                                            "reliably. Upload the Word file, or a PDF saved from Word; an answer on paper "
                                            "is typed in by the staff of the drafting body.")})
        if inspection.extraction_failed or not inspection.text.strip():
            raise ValidationError({field: _("No text could be read from this file. It may be damaged: open it, save it "
                                            "again and upload it once more.")})
        lines = inspection.text.split("\n")
        if inspection.content_type == attachments.DOCX.content_type:
            try:
                lines = docx_text.paragraphs(spooled) or lines  # with Word's automatic numbers ("Điều 5.", "1.", "a)")
            except Exception:  # noqa: BLE001  (a package inspect() accepted; any oddity: keep its plain text)
                log.warning("automatic numbering of %r could not be read", name, exc_info=True)
        with open(spooled, "rb") as stream:
            sha, stored_size = storage.put(stream)
    finally:
        os.unlink(spooled)
    return Stored(sha, stored_size, attachments._checked_filename(name, inspection.kind), inspection.content_type, lines)
