"""The edXML of what we send: a document package from an issued outgoing document (its recall, its update),
a status message about a package we received. Built by the worker with the codec's strict writer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanphong.core import storage
from vanphong.exchange import replies
from vanphong.exchange.edxml import model, writer
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.values import local_timestamp


def organization(agency) -> model.Organization:
    return model.Organization(organ_id=agency.code, organ_name=agency.name, organ_add=agency.address, email=agency.email,
                              telephone=agency.phone, website=agency.website)


def document_id_of(document) -> str:
    return model.document_id_for(document.agency.code, document.issued_date, document.code_number, document.code_notation)


def _type_name(doc_type: str) -> str:
    """The type's Vietnamese name (Kế hoạch), whatever language the worker runs in: other systems read it."""
    from vanphong.documents.types import DocumentType

    with translation.override("vi"):
        label = str(DocumentType(doc_type).label)
    # The catalogue's Vietnamese is the name alone; an untranslated label carries it in brackets: "Plan (Kế hoạch)".
    return label[label.index("(") + 1:-1] if label.endswith(")") and "(" in label else label


def edoc_for(message) -> model.Edoc:
    """The package of an issued outgoing document for one recipient agency."""
    document = message.document
    sender = document.agency
    document_id = document_id_of(document)
    # A recall names the document and says why: its files stay behind (the recipient has them).
    files = [] if message.business_doc_type == model.BUSINESS_RECALL else list(document.attachments.order_by("pk"))
    limit = Limits.from_settings().max_attachment_bytes
    too_big = [a.filename for a in files if a.size > limit]
    if too_big:
        raise ValidationError(_("%(names)s: larger than the %(limit)s an edXML attachment may be; receivers would refuse the package. "
                                "Send it another way, or as a smaller file.") % {"names": ", ".join(too_big), "limit": filesizeformat(limit)})
    attachments = [
        model.Attachment(content_id=str(index), attachment_name=a.filename, content_type=a.content_type,
                         data=storage.read_bytes(a.sha256))
        for index, a in enumerate(files, start=1)
    ]
    return model.Edoc(
        from_=organization(sender),
        to=[organization(message.recipient)],
        document_id=document_id,
        code=model.Code(code_number=document.code_number, code_notation=document.code_notation),
        promulgation_info=model.PromulgationInfo(promulgation_date=document.issued_date),
        document_type=model.DocumentType(type_name=_type_name(document.doc_type)),
        subject=document.subject,
        signer_info=model.SignerInfo(competence=document.signer_competence, position=document.signer_position,
                                     full_name=document.signer_name),
        due_date=document.due_date,
        other_info=model.OtherInfo(priority=document.urgency, page_amount=document.page_count, promulgation_amount=document.copies),
        trace_headers=[model.TraceHeader(organ_id=sender.code, timestamp=local_timestamp(timezone.now()))],
        # A recall or an update names the document it is about (the same DocumentId) and says why; an
        # update's header is the corrected document, DocumentInfo=1 saying its information changed.
        bussiness=model.Bussiness(document_id=document_id, bussiness_doc_type=message.business_doc_type,
                                  bussiness_doc_reason=message.description if message.business_doc_type else "",
                                  document_info=model.BussinessDocumentInfo(document_info="1", document_receiver="0")
                                  if message.business_doc_type == model.BUSINESS_UPDATE else None,
                                  replacements=_replaced(message)),
        response_for=replies.response_for(message) if message.business_doc_type == model.BUSINESS_NEW else None,
        attachments=attachments,
    )


def _replaced(message) -> list[model.ReplacementInfo]:
    """A replacement names the document it replaces, for the agency it goes to (ReplacementInfoList)."""
    if message.business_doc_type != model.BUSINESS_REPLACE:
        return []
    from vanphong.exchange.models import Replacement

    replaced = Replacement.objects.select_related("replaced__agency").get(document_id=message.document_id).replaced
    return [model.ReplacementInfo(document_id=document_id_of(replaced), organ_ids=[message.recipient.code])]


def status_for(message) -> model.Status:
    """A status message about a package we received (01, 02) or about its handling (03–06)."""
    inbound = message.inbound
    code = f"{inbound.code_number}/{inbound.code_notation}" if inbound.code_notation else inbound.code_number
    response = model.ResponseFor(organ_id=inbound.sender_code, code=code, promulgation_date=inbound.promulgation_date,
                                 document_id=inbound.edxml_document_id)
    return model.Status(from_=organization(message.sender), response_for=response, status_code=message.status_code,
                        description=message.description, timestamp=local_timestamp(message.occurred_at))


def build(message) -> bytes:
    """The unsigned edXML bytes of an outbox row."""
    return writer.write(edoc_for(message) if message.kind == message.Kind.EDOC else status_for(message))
