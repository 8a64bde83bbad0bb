"""The strict edXML writer: one canonical form, refused when the package is not valid edXML.

Canonical form: UTF-8 with an XML declaration; every element in the edXML namespace with the
prefix `edXML`, declared once on the root; elements in the order of STANDARDS.md; empty optional
values left out; text in Unicode NFC; dates `yyyy/MM/dd`, timestamps `yyyy/MM/dd HH:mm:ss`;
attachments base64 on one line. The package is unsigned: signing.xmldsig adds the signature.
What the reader reads back from it equals what was written (tests/exchange prove it).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from vanphong.exchange.edxml import model, values

_NSMAP = {model.PREFIX: model.NAMESPACE}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write(package: model.Edoc | model.Status) -> bytes:
    """The package as edXML bytes, or ValidationError listing everything that keeps it from being valid."""
    problems = _problems(package)
    if problems:
        raise ValidationError(problems)
    root = _element(None, "edXML")
    envelope = _element(root, "edXMLEnvelope")
    header = _element(envelope, "edXMLHeader")
    message = _element(header, "MessageHeader")
    if isinstance(package, model.Status):
        _status(message, package)
    else:
        _edoc(message, package)
        _trace(header, package)
        _attachments(root, envelope, package.attachments)
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


# ---- building

def _element(parent, name: str, text: str | None = None):
    tag = f"{{{model.NAMESPACE}}}{name}"
    element = etree.Element(tag, nsmap=_NSMAP) if parent is None else etree.SubElement(parent, tag)
    if text is not None:
        element.text = unicodedata.normalize("NFC", text)
    return element


def _leaf(parent, name: str, value) -> None:
    """A leaf element, left out when there is nothing to say."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.datetime):
        text = values.format_timestamp(value)
    elif isinstance(value, dt.date):
        text = values.format_date(value)
    else:
        text = str(value)
    _element(parent, name, text)


def _group(parent, name: str, fields: list[tuple[str, object]], *, always: bool = False):
    """A container of leaves, left out when all are empty (unless `always`)."""
    if not always and all(v is None or v == "" for _n, v in fields):
        return None
    element = _element(parent, name)
    for child, value in fields:
        _leaf(element, child, value)
    return element


def _organization(parent, name: str, org: model.Organization) -> None:
    _group(parent, name, [("OrganId", org.organ_id), ("OrganizationInCharge", org.organization_in_charge),
                          ("OrganName", org.organ_name), ("OrganAdd", org.organ_add), ("Email", org.email),
                          ("Telephone", org.telephone), ("Fax", org.fax), ("Website", org.website)], always=True)


def _response_for(parent, response: model.ResponseFor) -> None:
    _group(parent, "ResponseFor", [("OrganId", response.organ_id), ("Code", response.code),
                                   ("PromulgationDate", response.promulgation_date), ("DocumentId", response.document_id)],
           always=True)


def _staff(parent, staff: model.StaffInfo | None) -> None:
    if staff is not None:
        _group(parent, "StaffInfo", [("Department", staff.department), ("Staff", staff.staff), ("Mobile", staff.mobile),
                                     ("Email", staff.email)], always=True)


def _status(message, status: model.Status) -> None:
    _organization(message, "From", status.from_)
    _response_for(message, status.response_for)
    _staff(message, status.staff_info)
    _leaf(message, "StatusCode", status.status_code)
    _leaf(message, "Description", status.description)
    _leaf(message, "Timestamp", status.timestamp)


def _edoc(message, edoc: model.Edoc) -> None:
    _organization(message, "From", edoc.from_)
    for recipient in edoc.to:
        _organization(message, "To", recipient)
    _leaf(message, "DocumentId", edoc.document_id)
    _group(message, "Code", [("CodeNumber", edoc.code.code_number), ("CodeNotation", edoc.code.code_notation)])
    _group(message, "PromulgationInfo", [("Place", edoc.promulgation_info.place),
                                         ("PromulgationDate", edoc.promulgation_info.promulgation_date)])
    _group(message, "DocumentType", [("Type", edoc.document_type.type), ("TypeDetail", edoc.document_type.type_detail),
                                     ("TypeName", edoc.document_type.type_name)])
    _leaf(message, "Subject", edoc.subject)
    _leaf(message, "Content", edoc.content)
    _group(message, "SignerInfo", [("Competence", edoc.signer_info.competence), ("Position", edoc.signer_info.position),
                                   ("FullName", edoc.signer_info.full_name)])
    _leaf(message, "DueDate", edoc.due_date)
    other = edoc.other_info
    element = _group(message, "OtherInfo", [
        ("Priority", other.priority), ("SphereOfPromulgation", other.sphere_of_promulgation),
        ("TyperNotation", other.typer_notation), ("PromulgationAmount", other.promulgation_amount),
        ("PageAmount", other.page_amount), ("Direction", other.direction)], always=bool(other.appendixes))
    if other.appendixes:
        appendixes = _element(element, "Appendixes")
        for text in other.appendixes:
            _element(appendixes, "Appendix", text)
    _leaf(message, "SteeringType", edoc.steering_type)
    if edoc.to_places:
        places = _element(message, "ToPlaces")
        for text in edoc.to_places:
            _element(places, "Place", text)
    if edoc.response_for is not None:
        _response_for(message, edoc.response_for)


def _trace(header, edoc: model.Edoc) -> None:
    if not edoc.trace_headers and edoc.bussiness is None:
        return
    trace = _element(header, "TraceHeaderList")
    for item in edoc.trace_headers:
        _group(trace, "TraceHeader", [("OrganId", item.organ_id), ("Timestamp", item.timestamp)], always=True)
    business = edoc.bussiness
    if business is None:
        return
    element = _group(trace, "Bussiness", [("DocumentId", business.document_id), ("BussinessDocType", business.bussiness_doc_type),
                                          ("BussinessDocReason", business.bussiness_doc_reason), ("Paper", business.paper)],
                     always=True)
    if business.document_info is not None:
        info = _group(element, "BussinessDocumentInfo", [("DocumentInfo", business.document_info.document_info),
                                                         ("DocumentReceiver", business.document_info.document_receiver)],
                      always=True)
        if business.document_info.receivers:
            receivers = _element(info, "ReceiverList")
            for receiver in business.document_info.receivers:
                _group(receivers, "Receiver", [("OrganId", receiver.organ_id), ("ReceiverType", receiver.receiver_type)],
                       always=True)
    if business.replacements:
        replacements = _element(element, "ReplacementInfoList")
        for replacement in business.replacements:
            item = _group(replacements, "ReplacementInfo", [("DocumentId", replacement.document_id)], always=True)
            if replacement.organ_ids:
                organs = _element(item, "ToOrganIdentifierList")
                for organ_id in replacement.organ_ids:
                    _element(organs, "OrganIdentifier", organ_id)
    _staff(element, business.staff_info)


def _attachments(root, envelope, attachments: list[model.Attachment]) -> None:
    body = _element(envelope, "edXMLBody")
    manifest = _element(body, "edXMLManifest")
    manifest.set("version", "1.0")
    for item in attachments:
        _group(manifest, "Reference", [("ContentId", item.content_id), ("ContentType", item.content_type),
                                       ("Description", item.description), ("AttachmentName", item.attachment_name)],
               always=True)
    if not attachments:
        return
    encoded = _element(root, "AttachmentEncoded")
    for item in attachments:
        element = _group(encoded, "Attachment", [("ContentId", item.content_id), ("AttachmentName", item.attachment_name),
                                                 ("Description", item.description), ("ContentType", item.content_type)],
                         always=True)
        _element(element, "ContentTransferEncoded", base64.b64encode(item.data).decode("ascii"))


# ---- what makes a package valid

def _problems(package) -> list[str]:
    problems: list[str] = []

    def token(label: str, value: str, *, required: bool = False, agency: bool = False) -> None:
        if not value:
            if required:
                problems.append(_("%(field)s is required.") % {"field": label})
            return
        if value != value.strip() or any(ch.isspace() for ch in value if ch != " ") or _NOT_XML.search(value):
            problems.append(_("%(field)s may not begin or end with white space or hold line breaks: “%(value)s”.")
                            % {"field": label, "value": value})
        elif agency and not values.is_agency_code(value):
            problems.append(_("%(field)s “%(value)s” is not an agency code of the form 000.00.00.A00.") % {"field": label, "value": value})

    def when(label: str, value, *, required: bool = False) -> None:
        if value is None:
            if required:
                problems.append(_("%(field)s is required.") % {"field": label})
        elif isinstance(value, dt.datetime) and (value.tzinfo is not None or value.microsecond):
            problems.append(_("%(field)s must be a local time to the second, without a time zone.") % {"field": label})

    texts: list[tuple[str, str]] = []
    token("From/OrganId", package.from_.organ_id, required=True, agency=True)
    texts += _organization_texts("From", package.from_)
    if isinstance(package, model.Status):
        _response_problems(token, when, package.response_for, required=True)
        if package.status_code not in model.STATUS_CODES:
            problems.append(_("Status code “%(value)s” is not one that edXML defines.") % {"value": package.status_code})
        when("Timestamp", package.timestamp, required=True)
        texts += [("Description", package.description), *_staff_texts(package.staff_info)]
    else:
        _edoc_problems(package, problems, token, when, texts)
    for label, text in texts:
        if _NOT_XML.search(text or ""):
            problems.append(_("%(field)s holds characters that XML cannot carry.") % {"field": label})
    return problems


def _organization_texts(label: str, org: model.Organization) -> list[tuple[str, str]]:
    return [(f"{label}/{name}", getattr(org, name)) for name in
            ("organization_in_charge", "organ_name", "organ_add", "email", "telephone", "fax", "website")]


def _staff_texts(staff: model.StaffInfo | None) -> list[tuple[str, str]]:
    return [] if staff is None else [("StaffInfo", staff.department), ("StaffInfo", staff.staff),
                                     ("StaffInfo", staff.mobile), ("StaffInfo", staff.email)]


def _response_problems(token, when, response: model.ResponseFor, *, required: bool) -> None:
    token("ResponseFor/DocumentId", response.document_id, required=required)
    token("ResponseFor/OrganId", response.organ_id, agency=True)
    token("ResponseFor/Code", response.code)
    when("ResponseFor/PromulgationDate", response.promulgation_date)


def _edoc_problems(edoc: model.Edoc, problems: list[str], token, when, texts: list) -> None:
    if not edoc.to:
        problems.append(_("A document package needs at least one recipient (To)."))
    for index, recipient in enumerate(edoc.to, start=1):
        token(f"To[{index}]/OrganId", recipient.organ_id, required=True, agency=True)
        texts += _organization_texts(f"To[{index}]", recipient)
    token("DocumentId", edoc.document_id, required=True)
    if edoc.document_id:
        try:
            parts = values.parse_document_id(edoc.document_id)
            if parts.organ_id != edoc.from_.organ_id or parts.date is None:
                raise values.BadValue(edoc.document_id)
        except values.BadValue:
            problems.append(_("DocumentId “%(value)s” is not of the form OrganId,yyyy/MM/dd,number/notation with the sender's code.")
                            % {"value": edoc.document_id})
    token("Code/CodeNumber", edoc.code.code_number, required=True)
    token("Code/CodeNotation", edoc.code.code_notation)
    when("PromulgationInfo/PromulgationDate", edoc.promulgation_info.promulgation_date, required=True)
    when("DueDate", edoc.due_date)
    if not edoc.subject.strip():
        problems.append(_("%(field)s is required.") % {"field": "Subject"})
    if edoc.other_info.priority is not None and edoc.other_info.priority not in model.PRIORITIES:
        problems.append(_("Priority %(value)s is not one of 0 to 4.") % {"value": edoc.other_info.priority})
    if edoc.response_for is not None:
        _response_problems(token, when, edoc.response_for, required=True)
    for index, trace in enumerate(edoc.trace_headers, start=1):
        token(f"TraceHeader[{index}]/OrganId", trace.organ_id, agency=True)
        when(f"TraceHeader[{index}]/Timestamp", trace.timestamp)
    business = edoc.bussiness
    if business is not None:
        if business.bussiness_doc_type not in model.BUSINESS_DOC_TYPES:
            problems.append(_("BussinessDocType %(value)s is not one of 0 (new), 1 (recall), 2 (update), 3 (replace).")
                            % {"value": business.bussiness_doc_type})
        token("Bussiness/DocumentId", business.document_id)
        for receiver in business.document_info.receivers if business.document_info else []:
            token("Bussiness/ReceiverList/Receiver/OrganId", receiver.organ_id, required=True, agency=True)
        for replacement in business.replacements:
            token("Bussiness/ReplacementInfo/DocumentId", replacement.document_id, required=True)
            for organ_id in replacement.organ_ids:
                token("Bussiness/ReplacementInfo/OrganIdentifier", organ_id, required=True, agency=True)
        texts += [("Bussiness/BussinessDocReason", business.bussiness_doc_reason), *_staff_texts(business.staff_info)]
        if business.document_info:
            texts += [("BussinessDocumentInfo", business.document_info.document_info),
                      ("BussinessDocumentInfo", business.document_info.document_receiver)]
    content_ids = set()
    for index, item in enumerate(edoc.attachments, start=1):
        token(f"Attachment[{index}]/ContentId", item.content_id, required=True)
        token(f"Attachment[{index}]/ContentType", item.content_type)
        if item.content_id in content_ids:
            problems.append(_("Two attachments have the ContentId %(value)s.") % {"value": item.content_id})
        content_ids.add(item.content_id)
        if not item.attachment_name.strip():
            problems.append(_("%(field)s is required.") % {"field": f"Attachment[{index}]/AttachmentName"})
        if item.data is None:
            problems.append(_("Attachment “%(name)s” has no content.") % {"name": item.attachment_name})
        texts += [(f"Attachment[{index}]", item.attachment_name), (f"Attachment[{index}]", item.description)]
    texts += [("Subject", edoc.subject), ("Content", edoc.content), ("PromulgationInfo/Place", edoc.promulgation_info.place),
              ("DocumentType/TypeName", edoc.document_type.type_name), ("SignerInfo", edoc.signer_info.competence),
              ("SignerInfo", edoc.signer_info.position), ("SignerInfo", edoc.signer_info.full_name),
              ("OtherInfo", edoc.other_info.sphere_of_promulgation), ("OtherInfo", edoc.other_info.typer_notation),
              *(("OtherInfo/Appendixes", a) for a in edoc.other_info.appendixes), *(("ToPlaces", p) for p in edoc.to_places)]
