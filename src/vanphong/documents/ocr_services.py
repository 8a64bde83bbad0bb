"""Recognition of paper documents: start a job from a scan, run it in the worker, use its result.

A clerk uploads a scan before registering it (`start_scan`); the worker makes it a searchable PDF
and proposes the metadata from its first page (`run_job`); the incoming form is pre-filled from
the proposal and registers the searchable PDF as the document's file (services.register_incoming
with `scan=`). Attachments without a text layer, uploaded any other way, get a job too
(services._attach queues them): their text then feeds the search.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core import audit, storage
from vanphong.core.errors import ValidationError
from vanphong.documents import ocr, services
from vanphong.documents.attachments import inspect, store
from vanphong.documents.models import Attachment, Document, OcrJob
from vanphong.documents.permissions import require_clerk
from vanphong.documents.proposal import propose
from vanphong.org.models import Agency

log = logging.getLogger(__name__)

SCAN_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}


@transaction.atomic
def start_scan(actor, upload, *, request=None) -> OcrJob:
    """Keep the scan (checked by content like any attachment) and queue its recognition."""
    require_clerk(actor, actor.agency)
    stored = store(upload)
    if stored.content_type not in SCAN_TYPES:
        raise ValidationError({"scan": _("Upload the scan as a PDF or as a PNG, JPEG or TIFF image.")})
    job = OcrJob.objects.create(agency=actor.agency, created_by=actor, source_sha256=stored.sha256, source_filename=stored.filename,
                                source_content_type=stored.content_type, source_size=stored.size)
    audit.record("documents.ocr.started", actor=actor, agency=actor.agency, target=job, request=request,
                 data={"file": stored.filename, "sha256": stored.sha256, "size": stored.size})
    services.queue_ocr(job)
    return job


def run_job(job_id: int) -> None:
    """The worker's part: OCRmyPDF, then text, page count and metadata proposal. Never raises for a bad scan:
    the job records the failure in words the clerk can act on."""
    claimed = OcrJob.objects.filter(pk=job_id, status=OcrJob.Status.QUEUED).update(status=OcrJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return  # already run, or running elsewhere
    job = OcrJob.objects.get(pk=job_id)
    progress = _ProgressWriter(job_id)
    try:
        with tempfile.TemporaryDirectory(prefix="vanphong-ocr-") as tmp:
            output = Path(tmp) / "searchable.pdf"
            ocr.recognise(storage.path_for(job.source_sha256), output, on_progress=progress)
            result = inspect(output)
            with open(output, "rb") as stream:
                sha, size = storage.put(stream)
    except Exception as exc:  # OCRmyPDF's errors, a damaged image, Tesseract's timeout: all end the job
        log.warning("OCR job %s failed: %s", job_id, exc, exc_info=not _is_input_error(exc))
        _fail(job, _failure_code(exc))
        return
    agencies = Agency.objects.filter(is_active=True).exclude(pk=job.agency_id).only("pk", "name", "short_name")
    with transaction.atomic():
        job.result_sha256, job.result_size, job.text, job.page_count = sha, size, result.text, result.page_count
        job.proposal = propose(result.text, agencies=agencies) if job.attachment_id is None else {}
        job.status, job.progress, job.finished_at = OcrJob.Status.DONE, 100, timezone.now()
        job.save()
        if job.attachment_id:
            _complete_attachment(job)
        audit.record("documents.ocr.done", agency=job.agency, target=job,
                     data={"pages": job.page_count, "chars": len(job.text), "attachment": job.attachment_id})


def _complete_attachment(job: OcrJob) -> None:
    # The attachment keeps the file as received (that is the record); the recognised text feeds the search.
    Attachment.objects.filter(pk=job.attachment_id).update(text=job.text, page_count=job.page_count)
    document = Document.objects.get(pk=job.attachment.document_id)
    services._refresh_search_text(document)


def _fail(job: OcrJob, code: str) -> None:
    OcrJob.objects.filter(pk=job.pk).update(status=OcrJob.Status.FAILED, error=code, finished_at=timezone.now())
    audit.record("documents.ocr.failed", agency=job.agency, target=job, data={"error": code})


def _is_input_error(exc: Exception) -> bool:
    from ocrmypdf.exceptions import ExitCodeException

    return isinstance(exc, ExitCodeException)


# Failures are kept as codes and put in words when shown, in the reader's language.
FAILURES = {
    "encrypted": gettext_lazy("The PDF is protected by a password."),
    "image": gettext_lazy("The image cannot be read as a page: scan it again as PDF, or as PNG or JPEG at 300 dpi."),
    "unreadable": gettext_lazy("The file cannot be read as a scan."),
    "failed": gettext_lazy("Recognition failed. Register the document by typing its details; the scan can be attached as it is."),
}


def failure_message(job: OcrJob) -> str:
    return str(FAILURES.get(job.error, FAILURES["failed"]))


def _failure_code(exc: Exception) -> str:
    from ocrmypdf.exceptions import DpiError, EncryptedPdfError, InputFileError, UnsupportedImageFormatError

    if isinstance(exc, EncryptedPdfError):
        return "encrypted"
    if isinstance(exc, (DpiError, UnsupportedImageFormatError)):
        return "image"
    if isinstance(exc, InputFileError):
        return "unreadable"
    return "failed"


class _ProgressWriter:
    """Writes the job's percentage when it changes, on its own short transaction (the page polls it)."""

    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, -1

    def __call__(self, percent: int) -> None:
        percent = max(0, min(percent, 99))
        if percent > self.last:
            self.last = percent
            OcrJob.objects.filter(pk=self.job_id).update(progress=percent)
