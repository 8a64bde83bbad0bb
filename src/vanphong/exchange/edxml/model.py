"""What an edXML package says, as plain values (STANDARDS.md, edXML; QCVN 102:2016/BTTTT).

Two kinds of package travel: a document (`Edoc`) and a status message (`Status`). Field names
follow the XML elements, in snake case, so that a reader of the standard finds them. Free text is
kept exactly as sent (NFC); dates and numbers are typed, None when absent or unreadable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from vanphong.exchange.edxml.values import format_date

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
DS_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"

# BussinessDocType (sic: the standard spells it with a double s).
BUSINESS_NEW, BUSINESS_RECALL, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3
BUSINESS_DOC_TYPES = {BUSINESS_NEW: "new", BUSINESS_RECALL: "recall", BUSINESS_UPDATE: "update", BUSINESS_REPLACE: "replace"}

# StatusCode: what a recipient tells the sender about a document it was sent.
STATUS_CODES = {
    "01": "arrived",
    "02": "rejected",
    "03": "accepted and registered",
    "04": "assigned by a leader",
    "05": "being processed",
    "06": "completed",
    "13": "recall requested",
    "15": "recall or update accepted",
    "16": "recall or update refused",
}

# Priority as one implementation maps it; other values are kept and reported.
PRIORITIES = {0: "normal", 1: "urgent", 2: "very urgent", 3: "flash", 4: "flash with set time"}


@dataclass
class Organization:
    """An agency: From, To, and the agencies a status answers."""

    organ_id: str = ""
    organization_in_charge: str = ""
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class Code:
    code_number: str = ""
    code_notation: str = ""


@dataclass
class PromulgationInfo:
    place: str = ""
    promulgation_date: dt.date | None = None


@dataclass
class DocumentType:
    type: int | None = None
    type_detail: int | None = None
    type_name: str = ""


@dataclass
class SignerInfo:
    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass
class OtherInfo:
    priority: int | None = None
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)


@dataclass
class ResponseFor:
    """The document a package answers: a status's subject, or the document a reply responds to."""

    organ_id: str = ""
    code: str = ""
    promulgation_date: dt.date | None = None
    document_id: str = ""

    @classmethod
    def answering(cls, edoc: Edoc) -> ResponseFor:
        """What a status (or a reply) about `edoc` says it answers."""
        code = f"{edoc.code.code_number}/{edoc.code.code_notation}" if edoc.code.code_notation else edoc.code.code_number
        return cls(organ_id=edoc.from_.organ_id, code=code, promulgation_date=edoc.promulgation_info.promulgation_date,
                   document_id=edoc.document_id)


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class TraceHeader:
    organ_id: str = ""
    timestamp: dt.datetime | None = None


@dataclass
class Receiver:
    organ_id: str = ""
    receiver_type: int | None = None


@dataclass
class BussinessDocumentInfo:
    """For an update: what changed (DocumentInfo, DocumentReceiver) and to whom it goes."""

    document_info: str = ""
    document_receiver: str = ""
    receivers: list[Receiver] = field(default_factory=list)


@dataclass
class ReplacementInfo:
    """For a replacement: the document replaced and the agencies that had it."""

    document_id: str = ""
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class Bussiness:
    """The business meaning of a document package: new, recall, update or replace (sic)."""

    document_id: str = ""
    bussiness_doc_type: int | None = None
    bussiness_doc_reason: str = ""
    paper: int | None = None
    document_info: BussinessDocumentInfo | None = None
    replacements: list[ReplacementInfo] = field(default_factory=list)
    staff_info: StaffInfo | None = None


@dataclass
class Attachment:
    """A file carried in the package. `data` is None when it could not be taken in (not base64,
    over the size limit): the oddities say why."""

    content_id: str = ""
    attachment_name: str = ""
    description: str = ""
    content_type: str = ""
    data: bytes | None = b""

    @property
    def size(self) -> int | None:
        return None if self.data is None else len(self.data)

    @property
    def sha256(self) -> str | None:
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()


@dataclass
class Edoc:
    """A document package: a new document, or the recall, update or replacement of one."""

    from_: Organization = field(default_factory=Organization)
    to: list[Organization] = field(default_factory=list)
    document_id: str = ""
    code: Code = field(default_factory=Code)
    promulgation_info: PromulgationInfo = field(default_factory=PromulgationInfo)
    document_type: DocumentType = field(default_factory=DocumentType)
    subject: str = ""
    content: str = ""
    signer_info: SignerInfo = field(default_factory=SignerInfo)
    due_date: dt.date | None = None
    other_info: OtherInfo = field(default_factory=OtherInfo)
    steering_type: int | None = None
    to_places: list[str] = field(default_factory=list)
    response_for: ResponseFor | None = None
    trace_headers: list[TraceHeader] = field(default_factory=list)
    bussiness: Bussiness | None = None
    attachments: list[Attachment] = field(default_factory=list)

    kind = "edoc"

    @property
    def business_doc_type(self) -> int:
        """0 new unless a Bussiness block says otherwise."""
        if self.bussiness is None or self.bussiness.bussiness_doc_type is None:
            return BUSINESS_NEW
        return self.bussiness.bussiness_doc_type


@dataclass
class Status:
    """A status message: what the recipient (From) did with the document in ResponseFor."""

    from_: Organization = field(default_factory=Organization)
    response_for: ResponseFor = field(default_factory=ResponseFor)
    staff_info: StaffInfo | None = None
    status_code: str = ""
    description: str = ""
    timestamp: dt.datetime | None = None

    kind = "status"


Package = Edoc | Status


def document_id_for(organ_id: str, promulgation_date: dt.date, code_number: str, code_notation: str) -> str:
    """DocumentId as the standard builds it: `OrganId,yyyy/MM/dd,number/notation`."""
    return f"{organ_id},{format_date(promulgation_date)},{code_number}/{code_notation}"
