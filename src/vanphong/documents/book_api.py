"""REST endpoint for register books: a register's documents for a period, as XLSX, PDF or DOCX
(documents.register_book decides what is in it and audits the export)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema

from vanphong.core.api_support import MAX_ID, error_responses
from vanphong.documents import register_book
from vanphong.documents.attachment_views import content_disposition

router = Router()

RegisterId = Path[int, {"ge": 1, "le": MAX_ID}]
_BINARY = {"schema": {"type": "string", "format": "binary"}}


class BookQuery(Schema):
    start: dt.date = Field(description="First day of the period (yyyy-mm-dd), in the register's year.")
    end: dt.date = Field(description="Last day of the period, included, in the register's year.")
    format: Literal[tuple(register_book.FORMATS)] = Field("xlsx", description="xlsx to work with, pdf or docx to print.")


@router.get("/registers/{register_id}/book", response={200: None, **error_responses(401, 404, 422)}, tags=["registers"],
            openapi_extra={"responses": {200: {
                "description": "The register book (Decree 30/2020/NĐ-CP, Appendix IV columns), as an attachment.",
                "content": {content_type: _BINARY for content_type in register_book.FORMATS.values()}}}})
def export_register_book(request, register_id: RegisterId, query: Query[BookQuery]):
    """A register of your agency for a period: its documents in number order, only those you may read
    (column headings in the language of Accept-Language). Each export is audited."""
    content, content_type, filename = register_book.export(request.auth, register_id, start=query.start, end=query.end,
                                                           fmt=query.format, request=request)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response
