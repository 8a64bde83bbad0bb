"""Reads of a consultation's invitations that travel through the document exchange: which invited agencies the
exchange reaches, how each invitation letter is getting on, and which consultation an incoming document answers
(its package names our letter in edXML ResponseFor)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanphong.consultation import files, permissions
from vanphong.consultation.models import Answer, Consultation, Invitation
from vanphong.documents.models import Attachment, Direction, Document
from vanphong.documents.selectors import documents_visible_to

# What the letter's package is at, as staff read it on the invitations list.
DELIVERY_LABELS = {
    "draft": _("Letter drafted: to be signed and issued"),
    "pending": _("Waiting to be sent"),
    "failed": _("Not sent: see the letter"),
    "refused": _("Refused by the exchange: see the letter"),
    "sent": _("Sent"),
    "01": _("Arrived"),
    "02": _("Rejected by the agency"),
    "03": _("Registered by the agency"),
    "04": _("Assigned by a leader"),
    "05": _("Being processed"),
    "06": _("Completed"),
}


def reachable_by_exchange(agency) -> bool:
    """The directory gives a way to send to the agency (its endpoint, or it is hosted here)."""
    from vanphong.exchange.transport import TransportError, for_recipient

    try:
        for_recipient(agency)
    except TransportError:
        return False
    return True


def waiting_for_letter(consultation: Consultation) -> list[Invitation]:
    """Agency invitations with no letter by exchange yet, which the exchange reaches."""
    candidates = consultation.invitations.filter(kind=Invitation.Kind.AGENCY, exchange_document__isnull=True).select_related("agency")
    return [i for i in candidates if reachable_by_exchange(i.agency)]


@dataclass
class Delivery:
    state: str
    label: str
    letter: Document
    detail: str = ""  # why a package was not sent


def deliveries(consultation: Consultation) -> dict[int, Delivery]:
    """For each invitation sent by exchange, where its letter is: a draft, its package's state, or the last status
    the agency sent back."""
    from vanphong.exchange.models import BUSINESS_NEW, OutboundMessage

    invitations = list(consultation.invitations.filter(exchange_document__isnull=False).select_related("exchange_document"))
    packages = {(p.document_id, p.recipient_id): p for p in OutboundMessage.objects.filter(
        kind=OutboundMessage.Kind.EDOC, business_doc_type=BUSINESS_NEW,
        document_id__in={i.exchange_document_id for i in invitations}).prefetch_related("receipts")}
    out = {}
    for invitation in invitations:
        letter = invitation.exchange_document
        package = packages.get((letter.pk, invitation.agency_id))
        if letter.status == Document.Status.DRAFT or package is None:
            state, detail = "draft", ""
        else:
            codes = sorted(r.code for r in package.receipts.all() if r.code in DELIVERY_LABELS)
            state = codes[-1] if codes and package.state == OutboundMessage.State.SENT else package.state
            detail = package.last_error if package.state in (OutboundMessage.State.FAILED, OutboundMessage.State.REFUSED) else ""
        out[invitation.pk] = Delivery(state, str(DELIVERY_LABELS.get(state, state)), letter, detail)
    return out


@dataclass
class ExchangeAnswer:
    """An incoming document that answers a consultation's invitation letter."""

    package: object  # exchange.models.InboundPackage
    consultation: Consultation
    letter: Document
    invitation: Invitation | None  # None: its sender was not invited to this consultation
    files: list[Attachment] = field(default_factory=list)  # its Word and PDF files
    entered: list[Answer] = field(default_factory=list)  # answers already entered from those files


def _letter_answered(document: Document, package) -> Document | None:
    """Our issued outgoing document that the package's ResponseFor names, if any."""
    from vanphong.exchange import services as exchange_services
    from vanphong.exchange.edxml import model
    from vanphong.exchange.edxml.oddities import UnreadablePackage
    from vanphong.exchange.packages import document_id_of

    try:
        edoc = exchange_services.read_package(package).package
    except (UnreadablePackage, OSError, ValueError):
        return None
    if not isinstance(edoc, model.Edoc) or edoc.response_for is None or not edoc.response_for.document_id:
        return None
    named = edoc.response_for.document_id
    number = named.rsplit(",", 1)[-1].split("/", 1)[0].strip()  # OrganId,yyyy/MM/dd,number/notation
    letters = Document.objects.filter(agency_id=document.agency_id, direction=Direction.OUTGOING, status=Document.Status.ISSUED,
                                      code_number=number).select_related("agency")
    return next((letter for letter in letters if document_id_of(letter) == named), None)


def exchange_answer(document: Document) -> ExchangeAnswer | None:
    """The consultation an incoming document answers, through the package it was registered from (not filtered:
    callers check who may see it)."""
    from vanphong.exchange.models import InboundPackage

    if document.direction != Direction.INCOMING:
        return None
    package = (InboundPackage.objects.filter(document_id=document.pk, state=InboundPackage.State.REGISTERED, kind="edoc")
               .select_related("sender").first())
    if package is None:
        return None
    letter = _letter_answered(document, package)
    if letter is None:
        return None
    invited = Invitation.objects.filter(exchange_document=letter).select_related("consultation").first()
    if invited is None:
        return None
    consultation = invited.consultation
    invitation = (consultation.invitations.filter(kind=Invitation.Kind.AGENCY, agency_id=package.sender_id)
                  .select_related("consultation", "agency").first() if package.sender_id else None)
    attachments = [a for a in document.attachments.order_by("pk") if a.content_type in files.ACCEPTED]
    entered = list(Answer.objects.filter(invitation=invitation, source=Answer.Source.EXCHANGE)
                   .filter(Q(sha256__in=[a.sha256 for a in attachments]) | Q(agreed=True))
                   .order_by("pk")) if invitation else []
    return ExchangeAnswer(package, consultation, letter, invitation, attachments, entered)


def exchange_answer_for_staff(reader, document: Document) -> ExchangeAnswer | None:
    """As exchange_answer, for the staff of the consultation who may read the document; None for anyone else."""
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        return None
    found = exchange_answer(document)
    if found is None or not permissions.is_staff_of(reader, found.consultation):
        return None
    return found


def exchange_answer_of(reader, document_pk) -> tuple[Document, ExchangeAnswer]:
    """An incoming document and the consultation it answers, for that consultation's staff who may read it."""
    from vanphong.core.errors import NotFound
    from vanphong.documents.selectors import document_detail

    document = document_detail(reader, document_pk)
    found = exchange_answer_for_staff(reader, document)
    if found is None:
        raise NotFound()
    return document, found
