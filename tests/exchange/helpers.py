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


def received_package(agency, sender, *, subject="Về việc phối hợp kiểm tra công tác văn thư", number="12", notation="KH-UBND",
                     attachment=b"", state="received"):
    """A package of `sender` waiting in `agency`'s inbox, as the inbox keeps one (for pages and API
    tests that are not about verification: tests/exchange/test_inbox.py covers that)."""
    import datetime as dt

    from vanphong.core import storage
    from vanphong.exchange.edxml import model, writer
    from vanphong.exchange.models import InboundPackage
    from vanphong.exchange.packages import organization

    date = dt.date(2026, 11, 20)
    document_id = model.document_id_for(sender.code, date, number, notation)
    edoc = model.Edoc(from_=organization(sender), to=[organization(agency)], document_id=document_id,
                      code=model.Code(number, notation), promulgation_info=model.PromulgationInfo(promulgation_date=date),
                      subject=subject, other_info=model.OtherInfo(priority=1),
                      attachments=[model.Attachment(content_id="1", attachment_name="Kế hoạch.pdf", content_type="application/pdf",
                                                    data=attachment)] if attachment else [])
    data = writer.write(edoc)
    sha = storage.put_bytes(data)
    return InboundPackage.objects.create(
        agency=agency, sender=sender, sender_code=sender.code, sender_name=sender.name, edxml_document_id=document_id, sha256=sha,
        size=len(data), payload_sha256=sha, subject=subject, code_number=number, code_notation=notation, promulgation_date=date,
        priority=1, verification={"valid": True, "signer_name": sender.name, "signer_agency_code": sender.code, "chain": ["Root"]},
        state=state, transport="local")


def recall_request(original, *, reason="Văn bản ban hành nhầm"):
    """A recall of `original` (a received package) from its sender, waiting for the clerk, as the inbox keeps one."""
    from vanphong.core import storage
    from vanphong.exchange.edxml import model, writer
    from vanphong.exchange.models import InboundPackage
    from vanphong.exchange.packages import organization

    edoc = model.Edoc(from_=organization(original.sender), to=[organization(original.agency)], document_id=original.edxml_document_id,
                      code=model.Code(original.code_number, original.code_notation),
                      promulgation_info=model.PromulgationInfo(promulgation_date=original.promulgation_date), subject=original.subject,
                      bussiness=model.Bussiness(document_id=original.edxml_document_id, bussiness_doc_type=model.BUSINESS_RECALL,
                                                bussiness_doc_reason=reason))
    data = writer.write(edoc)
    sha = storage.put_bytes(data)
    return InboundPackage.objects.create(
        agency=original.agency, sender=original.sender, sender_code=original.sender_code, sender_name=original.sender_name,
        edxml_document_id=original.edxml_document_id, business_doc_type=model.BUSINESS_RECALL, original=original, sha256=sha,
        size=len(data), payload_sha256=sha, subject=original.subject, code_number=original.code_number,
        code_notation=original.code_notation, promulgation_date=original.promulgation_date, verification=original.verification,
        state="received", transport="local")
