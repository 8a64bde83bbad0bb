"""REST endpoints for paper documents: upload a scan, follow its recognition, read the proposal.

Registering it is POST /documents/incoming with `scan` set to the scan's id: the searchable PDF is
attached, as on the web."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, File, Path, Router, Schema, Status, UploadedFile

from vanphong.core.api_support import MAX_ID, error_responses
from vanphong.documents import ocr_services, selectors
from vanphong.documents.models import OcrJob

router = Router()

ScanId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ProposalOut(Schema):
    doc_type: str | None = Field(None, description="Type code, e.g. QĐ or CV.")
    code_number: str | None = None
    code_notation: str | None = None
    issued_date: dt.date | None = None
    issuing_agency_id: int | None = Field(None, description="When the issuer was found in the directory.")
    issuing_agency_name: str | None = None
    subject: str | None = None


class ScanOut(Schema):
    id: int
    filename: str
    size: int
    status: Literal[tuple(OcrJob.Status.values)]
    progress: int = Field(description="Percent done.")
    page_count: int | None
    proposal: ProposalOut | None = Field(description="Read from the first page once the status is done; check it before registering.")
    error: str | None = Field(description="Why recognition failed, in the caller's language.")
    document_id: int | None = Field(description="The document registered from this scan, if any.")
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _out(job: OcrJob) -> dict:
    proposal = None
    if job.status == OcrJob.Status.DONE:
        proposal = {**job.proposal, "issuing_agency_id": job.proposal.get("issuing_agency")}
    return {"id": job.pk, "filename": job.source_filename, "size": job.source_size, "status": job.status, "progress": job.progress,
            "page_count": job.page_count, "proposal": proposal,
            "error": ocr_services.failure_message(job) if job.status == OcrJob.Status.FAILED else None,
            "document_id": job.document_id, "created_at": job.created_at, "finished_at": job.finished_at}


@router.post("/scans", response={202: ScanOut, **error_responses(401, 403, 422)}, tags=["scans"])
def upload_scan(request, scan: File[UploadedFile]):
    """Upload the scan of a paper document (PDF, or PNG, JPEG or TIFF image; clerks only). Its recognition runs in
    the background: poll GET /scans/{scan_id} until the status is done or failed."""
    job = ocr_services.start_scan(request.auth, scan, request=request)
    return Status(202, _out(job))


@router.get("/scans/{scan_id}", response={200: ScanOut, **error_responses(401, 404, 422)}, tags=["scans"])
def get_scan(request, scan_id: ScanId):
    """Progress, then the metadata proposed from the first page. Scans of your agency only, for its clerks."""
    return _out(selectors.scan_job_for(request.auth, scan_id))
