"""The tolerant edXML reader: take in what is understandable, list what was odd.

Elements are matched by local name, whatever their prefix or namespace (a wrong namespace is an
oddity), in any order. A package is unreadable (UnreadablePackage) only when it cannot be routed
or matched: not safe XML, not edXML, no MessageHeader, no sender; for a document no recipient and
no DocumentId (given or derivable); for a status no StatusCode and no ResponseFor/DocumentId.
Everything else is an oddity (see oddities.py).

Identifiers, codes, dates and numbers are read with their edge white space stripped; free text
(names, subject, content, descriptions) is kept exactly, in Unicode NFC.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from vanphong.exchange.edxml import model, safe_xml, values
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.oddities import Oddity, UnreadablePackage
from vanphong.exchange.edxml.signature import SignatureInfo, find_signature

_WHITESPACE = b" \t\r\n\x0b\x0c"  # line breaks and indentation inside base64, removed before decoding
_IN_NAMESPACE = f"{{{model.NAMESPACE}}}"


@dataclass
class ReadResult:
    package: model.Edoc | model.Status
    oddities: list[Oddity] = field(default_factory=list)
    signature: SignatureInfo = field(default_factory=SignatureInfo)
    # What the signature verifier and the inbox need: the bytes as received and the parsed tree.
    data: bytes = field(default=b"", repr=False)
    root: etree._Element | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.package.kind

    @property
    def sha256(self) -> str:
        """Hash of the package as received: one of the keys the inbox recognises a resent package by."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def has_errors(self) -> bool:
        return any(o.severity == "error" for o in self.oddities)


def read(data: bytes, *, limits: Limits | None = None) -> ReadResult:
    """The package in `data` with its oddities, or UnreadablePackage with a message for the user."""
    limits = limits or Limits()
    root = safe_xml.parse(data, max_bytes=limits.max_package_bytes)
    reader = _Reader(limits)
    if etree.QName(root).localname != "edXML":
        raise UnreadablePackage(_("The file is XML but not an edXML package: its root element is %(tag)s.")
                                % {"tag": etree.QName(root).localname}, code="not_edxml")
    reader.check_namespace(root)
    top = reader.node(root)
    envelope = _required(top.node("edXMLEnvelope"), "edXMLEnvelope")
    header = _required(envelope.node("edXMLHeader"), "edXMLEnvelope/edXMLHeader")
    message = _required(header.node("MessageHeader"), "edXMLEnvelope/edXMLHeader/MessageHeader")
    signature = find_signature(root, header.element, reader.odd)
    header.consume("Signature")
    if message.has("StatusCode"):
        package = reader.status(message)
    else:
        package = reader.edoc(message, header, envelope, top)
    reader.finish()
    return ReadResult(package=package, oddities=reader.oddities, signature=signature, data=data, root=root)


def _required(node: _Node | None, path: str) -> _Node:
    if node is None:
        raise UnreadablePackage(_("The edXML package has no %(path)s element.") % {"path": path}, code="no_header")
    return node


def where(element: etree._Element) -> str:
    """A readable path to the element, such as /edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]."""
    parts = []
    while element is not None:
        name = etree.QName(element).localname
        parent = element.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == element.tag]
            if len(same) > 1:
                name += f"[{same.index(element) + 1}]"
        parts.append(name)
        element = parent
    return "/" + "/".join(reversed(parts))


class _Node:
    """An element being read: its children by local name, and which of them were used, so that
    whatever was not is reported once at the end."""

    def __init__(self, reader: _Reader, element: etree._Element):
        self.reader, self.element = reader, element
        self.used: set[str] = set()
        # Children by local name, in one pass: looked up some thirty times per header.
        self.children: dict[str, list[etree._Element]] = {}
        for child in element:
            if isinstance(child.tag, str):
                self.children.setdefault(child.tag.rpartition("}")[2], []).append(child)

    def _matching(self, name: str) -> list[etree._Element]:
        self.used.add(name)
        found = self.children.get(name, [])
        for element in found:
            self.reader.check_namespace(element)
        return found

    def has(self, name: str) -> bool:
        return name in self.children

    def consume(self, name: str) -> None:
        self.used.add(name)

    def first(self, name: str) -> etree._Element | None:
        found = self._matching(name)
        if len(found) > 1:
            self.reader.odd("repeated_element", found[1], element=name, count=len(found))
        return found[0] if found else None

    def node(self, name: str) -> _Node | None:
        element = self.first(name)
        return self.reader.node(element) if element is not None else None

    def nodes(self, name: str) -> list[_Node]:
        return [self.reader.node(e) for e in self._matching(name)]

    # ---- leaf values

    def text(self, name: str) -> str:
        """Free text, exactly as sent (NFC)."""
        element = self.first(name)
        return self.reader.leaf_text(element) if element is not None else ""

    def texts(self, name: str) -> list[str]:
        """Every child of that name, as free text (ToPlaces/Place, Appendixes/Appendix)."""
        return [self.reader.leaf_text(e) for e in self._matching(name)]

    def token(self, name: str) -> str:
        """An identifier or code: edge white space stripped."""
        return self.text(name).strip()

    def date(self, name: str):
        value = self.token(name)
        if not value:
            return None
        try:
            parsed, standard = values.parse_date(value)
        except values.BadValue:
            self.reader.odd("bad_date", self.first(name), value=value)
            return None
        if not standard:
            self.reader.odd("non_standard_date", self.first(name), value=value, read=values.format_date(parsed))
        return parsed

    def timestamp(self, name: str):
        value = self.token(name)
        if not value:
            return None
        try:
            parsed, standard = values.parse_timestamp(value)
        except values.BadValue:
            self.reader.odd("bad_timestamp", self.first(name), value=value)
            return None
        if not standard:
            self.reader.odd("non_standard_timestamp", self.first(name), value=value, read=values.format_timestamp(parsed))
        return parsed

    def integer(self, name: str) -> int | None:
        value = self.token(name)
        if not value:
            return None
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", value):
            self.reader.odd("bad_integer", self.first(name), value=value)
            return None
        return int(value)

    def boolean(self, name: str) -> bool | None:
        value = self.token(name)
        if not value:
            return None
        lowered = value.lower()
        if lowered in ("true", "false"):
            if value != lowered:
                self.reader.odd("non_standard_boolean", self.first(name), value=value)
            return lowered == "true"
        if lowered in ("1", "0"):
            self.reader.odd("non_standard_boolean", self.first(name), value=value)
            return lowered == "1"
        self.reader.odd("bad_boolean", self.first(name), value=value)
        return None

    def agency_code(self, name: str) -> str:
        value = self.token(name)
        if value and not values.is_agency_code(value):
            self.reader.odd("agency_code", self.first(name), value=value)
        return value

    def missing(self, name: str) -> None:
        self.reader.odd("missing", self.element, element=name)


class _Reader:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.oddities: list[Oddity] = []
        self._nodes: list[_Node] = []

    def odd(self, code: str, at: etree._Element | str | None, /, **params) -> None:
        location = where(at) if isinstance(at, etree._Element) else (at or "")
        oddity = Oddity(code=code, location=location, params=params)
        if oddity not in self.oddities:  # an element looked at twice is reported once
            self.oddities.append(oddity)

    def check_namespace(self, element: etree._Element) -> None:
        if not element.tag.startswith(_IN_NAMESPACE):
            namespace = etree.QName(element).namespace
            self.odd("namespace", element, element=etree.QName(element).localname, namespace=namespace or "none")

    def node(self, element: etree._Element) -> _Node:
        node = _Node(self, element)
        self._nodes.append(node)
        return node

    def finish(self) -> None:
        for node in self._nodes:
            for name, elements in node.children.items():
                # Signatures are reported by signature.find_signature wherever they are.
                if name not in node.used and name != "Signature":
                    for child in elements:
                        self.odd("unknown_element", child, element=name)

    def leaf_text(self, element: etree._Element) -> str:
        if any(isinstance(c.tag, str) for c in element):
            self.odd("unexpected_children", element, element=etree.QName(element).localname)
        text = element.text or ""
        if not unicodedata.is_normalized("NFC", text):
            self.odd("text_not_nfc", element, element=etree.QName(element).localname)
            text = unicodedata.normalize("NFC", text)
        return text

    # ---- parts shared by both kinds

    def organization(self, node: _Node) -> model.Organization:
        return model.Organization(
            organ_id=node.agency_code("OrganId"), organization_in_charge=node.text("OrganizationInCharge"),
            organ_name=node.text("OrganName"), organ_add=node.text("OrganAdd"), email=node.text("Email"),
            telephone=node.text("Telephone"), fax=node.text("Fax"), website=node.text("Website"))

    def sender(self, message: _Node) -> model.Organization:
        node = message.node("From")
        # One real system nests the sender's From inside another From: read through it.
        while node is not None and not node.has("OrganId") and node.has("From"):
            self.odd("nested_from", node.element)
            node = node.node("From")
        sender = self.organization(node) if node is not None else model.Organization()
        if not sender.organ_id:
            raise UnreadablePackage(_("The package does not say which agency sent it (From/OrganId)."), code="no_sender")
        return sender

    def staff_info(self, node: _Node | None) -> model.StaffInfo | None:
        if node is None:
            return None
        return model.StaffInfo(department=node.text("Department"), staff=node.text("Staff"), mobile=node.text("Mobile"),
                               email=node.text("Email"))

    def response_for(self, node: _Node) -> model.ResponseFor:
        return model.ResponseFor(organ_id=node.agency_code("OrganId"), code=node.token("Code"),
                                 promulgation_date=node.date("PromulgationDate"), document_id=node.token("DocumentId"))

    # ---- status

    def status(self, message: _Node) -> model.Status:
        sender = self.sender(message)
        response_node = message.node("ResponseFor")
        response_for = self.response_for(response_node) if response_node is not None else model.ResponseFor()
        if not response_for.document_id:
            raise UnreadablePackage(_("The status message does not say which document it answers (ResponseFor/DocumentId)."),
                                    code="no_response_for")
        code = message.token("StatusCode")
        if not code:
            raise UnreadablePackage(_("The status message has an empty StatusCode."), code="no_status_code")
        if code.isascii() and code.isdigit() and len(code) != 2:  # "²" is a digit to str.isdigit, not to int()
            normalised = f"{int(code):02d}"
            self.odd("status_code_form", message.first("StatusCode"), value=code, read=normalised)
            code = normalised
        if code not in model.STATUS_CODES:
            self.odd("unknown_status_code", message.first("StatusCode"), value=code)
        timestamp = message.timestamp("Timestamp")
        if timestamp is None and not message.token("Timestamp"):
            message.missing("Timestamp")
        return model.Status(from_=sender, response_for=response_for, staff_info=self.staff_info(message.node("StaffInfo")),
                            status_code=code, description=message.text("Description"), timestamp=timestamp)

    # ---- document

    def edoc(self, message: _Node, header: _Node, envelope: _Node, top: _Node) -> model.Edoc:
        sender = self.sender(message)
        recipients = []
        for node in message.nodes("To"):
            recipient = self.organization(node)
            if recipient.organ_id:
                recipients.append(recipient)
            else:
                self.odd("empty_recipient", node.element)
        if not recipients:
            raise UnreadablePackage(_("The document package names no recipient agency (To/OrganId)."), code="no_recipient")
        code_node, promulgation_node = message.node("Code"), message.node("PromulgationInfo")
        type_node, signer_node, other_node = message.node("DocumentType"), message.node("SignerInfo"), message.node("OtherInfo")
        places_node, response_node = message.node("ToPlaces"), message.node("ResponseFor")
        edoc = model.Edoc(
            from_=sender, to=recipients, document_id=message.token("DocumentId"),
            code=model.Code(code_number=code_node.token("CodeNumber"), code_notation=code_node.token("CodeNotation"))
            if code_node else model.Code(),
            promulgation_info=model.PromulgationInfo(place=promulgation_node.text("Place"),
                                                     promulgation_date=promulgation_node.date("PromulgationDate"))
            if promulgation_node else model.PromulgationInfo(),
            document_type=model.DocumentType(type=type_node.integer("Type"), type_detail=type_node.integer("TypeDetail"),
                                             type_name=type_node.text("TypeName")) if type_node else model.DocumentType(),
            subject=message.text("Subject"), content=message.text("Content"),
            signer_info=model.SignerInfo(competence=signer_node.text("Competence"), position=signer_node.text("Position"),
                                         full_name=signer_node.text("FullName")) if signer_node else model.SignerInfo(),
            due_date=message.date("DueDate"),
            other_info=self.other_info(other_node) if other_node else model.OtherInfo(),
            steering_type=message.integer("SteeringType"),
            to_places=places_node.texts("Place") if places_node else [],
            response_for=self.response_for(response_node) if response_node else None,
        )
        if not edoc.subject.strip():
            message.missing("Subject")
        if code_node is None or not code_node.token("CodeNumber"):
            message.missing("Code/CodeNumber")
        if promulgation_node is None or not promulgation_node.token("PromulgationDate"):
            message.missing("PromulgationInfo/PromulgationDate")
        self.document_id(edoc, message)
        trace = header.node("TraceHeaderList")
        if trace is not None:
            edoc.trace_headers = [model.TraceHeader(organ_id=n.agency_code("OrganId"), timestamp=n.timestamp("Timestamp"))
                                  for n in trace.nodes("TraceHeader")]
            business = trace.node("Bussiness")
            edoc.bussiness = self.bussiness(business) if business is not None else None
        edoc.attachments = self.attachments(envelope, top)
        return edoc

    def other_info(self, node: _Node) -> model.OtherInfo:
        priority = node.integer("Priority")
        if priority is not None and priority not in model.PRIORITIES:
            self.odd("priority", node.first("Priority"), value=priority)
        appendixes = node.node("Appendixes")
        return model.OtherInfo(
            priority=priority, sphere_of_promulgation=node.text("SphereOfPromulgation"), typer_notation=node.text("TyperNotation"),
            promulgation_amount=node.integer("PromulgationAmount"), page_amount=node.integer("PageAmount"),
            direction=node.boolean("Direction"),
            appendixes=appendixes.texts("Appendix") if appendixes else [])

    def document_id(self, edoc: model.Edoc, message: _Node) -> None:
        """Check DocumentId against the sender, the date and the code; make it from them when absent."""
        element = message.first("DocumentId")
        date = edoc.promulgation_info.promulgation_date
        if not edoc.document_id:
            if date and edoc.code.code_number:
                edoc.document_id = model.document_id_for(edoc.from_.organ_id, date, edoc.code.code_number, edoc.code.code_notation)
                self.odd("document_id_derived", message.element, value=edoc.document_id)
                return
            raise UnreadablePackage(_("The document package has no DocumentId, and no date and number to make one from."),
                                    code="no_document_id")
        self.check_document_id(edoc.document_id, element, sender=edoc.from_.organ_id, date=date, code=edoc.code)

    def check_document_id(self, document_id: str, element, *, sender: str, date=None, code: model.Code | None = None) -> None:
        try:
            parts = values.parse_document_id(document_id)
        except values.BadValue:
            self.odd("document_id_form", element, value=document_id)
            return
        if parts.date is None:
            self.odd("document_id_bad_date", element, value=document_id)
        if sender and parts.organ_id != sender:
            self.odd("document_id_sender", element, value=parts.organ_id, expected=sender)
        if date and parts.date and parts.date != date:
            self.odd("document_id_date", element, value=values.format_date(parts.date), expected=values.format_date(date))
        if code and code.code_number and (parts.number, parts.notation) != (code.code_number, code.code_notation):
            self.odd("document_id_code", element, value=f"{parts.number}/{parts.notation}",
                     expected=f"{code.code_number}/{code.code_notation}")

    def bussiness(self, node: _Node) -> model.Bussiness:
        doc_type = node.integer("BussinessDocType")
        if doc_type is not None and doc_type not in model.BUSINESS_DOC_TYPES:
            self.odd("business_doc_type", node.first("BussinessDocType"), value=doc_type)
        document_id = node.token("DocumentId")
        if document_id:
            self.check_document_id(document_id, node.first("DocumentId"), sender="")
        info_node = node.node("BussinessDocumentInfo")
        info = None
        receivers = self.receivers(node)  # STANDARDS.md lists ReceiverList in Bussiness; real files nest it below
        if info_node is not None:
            info = model.BussinessDocumentInfo(document_info=info_node.text("DocumentInfo"),
                                               document_receiver=info_node.text("DocumentReceiver"),
                                               receivers=self.receivers(info_node) + receivers)
        elif receivers:
            info = model.BussinessDocumentInfo(receivers=receivers)
        replacements_node = node.node("ReplacementInfoList")
        replacements = []
        if replacements_node is not None:
            for item in replacements_node.nodes("ReplacementInfo"):
                organs = item.node("ToOrganIdentifierList")
                replacements.append(model.ReplacementInfo(
                    document_id=item.token("DocumentId"),
                    organ_ids=[t.strip() for t in organs.texts("OrganIdentifier")] if organs else []))
        return model.Bussiness(document_id=document_id, bussiness_doc_type=doc_type,
                               bussiness_doc_reason=node.text("BussinessDocReason"), paper=node.integer("Paper"),
                               document_info=info, replacements=replacements, staff_info=self.staff_info(node.node("StaffInfo")))

    def receivers(self, node: _Node) -> list[model.Receiver]:
        receiver_list = node.node("ReceiverList")
        if receiver_list is None:
            return []
        return [model.Receiver(organ_id=r.agency_code("OrganId"), receiver_type=r.integer("ReceiverType"))
                for r in receiver_list.nodes("Receiver")]

    # ---- attachments

    def attachments(self, envelope: _Node, top: _Node) -> list[model.Attachment]:
        manifest: dict[str, dict] = {}
        body = envelope.node("edXMLBody")
        manifest_node = body.node("edXMLManifest") if body is not None else None
        if manifest_node is not None:
            for reference in manifest_node.nodes("Reference"):
                manifest[reference.token("ContentId")] = {
                    "content_type": reference.token("ContentType"), "description": reference.text("Description"),
                    "attachment_name": reference.text("AttachmentName"), "element": reference.element}
        encoded = top.node("AttachmentEncoded")
        attachments, seen = [], set()
        for node in encoded.nodes("Attachment") if encoded is not None else []:
            content_id = node.token("ContentId")
            listed = manifest.get(content_id, {})
            attachment = model.Attachment(
                content_id=content_id, attachment_name=node.text("AttachmentName") or listed.get("attachment_name", ""),
                description=node.text("Description") or listed.get("description", ""),
                content_type=node.token("ContentType") or listed.get("content_type", ""))
            if not content_id:
                self.odd("attachment_without_id", node.element, name=attachment.attachment_name)
            elif content_id in seen:
                self.odd("duplicate_content_id", node.element, value=content_id)
            elif manifest_node is not None and content_id not in manifest:
                self.odd("attachment_not_in_manifest", node.element, value=content_id)
            seen.add(content_id)
            attachment.data = self.attachment_data(node, attachment.attachment_name or content_id)
            attachments.append(attachment)
        for content_id, listed in manifest.items():
            if content_id not in seen:
                self.odd("manifest_without_attachment", listed["element"], value=content_id)
        return attachments

    def attachment_data(self, node: _Node, name: str) -> bytes | None:
        element = node.first("ContentTransferEncoded")
        if element is None:
            node.missing("ContentTransferEncoded")
            return None
        encoded = (element.text or "").encode("ascii", "replace").translate(None, _WHITESPACE)
        limit = self.limits.max_attachment_bytes
        # Judged before decoding, so that an oversized attachment costs no memory.
        if len(encoded) // 4 * 3 - encoded[-2:].count(b"=") > limit:
            self.odd("attachment_too_large", element, name=name, limit=f"{limit / (1024 * 1024):g} MB")
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            self.odd("bad_base64", element, name=name)
            return None
