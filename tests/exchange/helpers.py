"""Builders for the exchange's tests: an issued outgoing document of agency A for agency B."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.signing.conftest import make_pdf
from vanphong.core.clearance import Clearance
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.signing import document_services


def issued_document(clerk, recipients, *, subject="Về việc triển khai liên thông văn bản điện tử", confidentiality=Clearance.NONE,
                    files=True):
    """An outgoing decision of the clerk's agency for `recipients` (agencies), signed on paper and issued."""
    uploads = [store(SimpleUploadedFile("Quyết định.pdf", make_pdf(1, subject)))] if files else []
    draft = documents.create_outgoing_draft(clerk, doc_type="QĐ", subject=subject, signer_name="Nguyễn Văn Ký",
                                            signer_position="Phó Bí thư", recipient_agencies=list(recipients), files=uploads,
                                            confidentiality=confidentiality)
    document_services.mark_signed_on_paper(clerk, draft)
    return documents.issue_outgoing(clerk, draft)
