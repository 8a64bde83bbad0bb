"""Invitations and answers that travel through the document exchange (liên thông văn bản).

Inviting: the staff have the invitation letter drafted as an outgoing document (a công văn) to the invited agencies
the exchange reaches, with the draft's file attached and the deadline as its due date; it is signed and issued like
any other letter, and the exchange sends each agency its package. The invitations remember the letter.

Answering: the agency answers with a document whose package names our letter (edXML ResponseFor). Once our clerk
has registered it, the consultation's staff enter it from the incoming document's page: its Word or PDF file is
split into comments and placed on the articles, as a file answer; received on the day its package arrived, and
a late one is kept and shown late, as a paper answer."""

from __future__ import annotations

from collections import defaultdict

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.consultation import exchange_selectors, files, permissions
from vanphong.consultation.models import Answer, Consultation, Invitation
from vanphong.consultation.services import (
    MAX_COMMENTS_PER_ANSWER,
    _check_open_for,
    _locked,
    _record_answer,
    _save_split,
    _split_into_comments,
    latest_version,
)
from vanphong.core import audit, storage
from vanphong.core.errors import ValidationError
from vanphong.documents import services as documents
from vanphong.documents.models import Attachment, Document
from vanphong.documents.types import DocumentType


@transaction.atomic
def send_by_exchange(actor, consultation: Consultation, *, request=None) -> list[Document]:
    """Draft the invitation letters of the invited agencies the exchange reaches and that have none yet: one letter
    per deadline, to all of them, with the latest version of the draft attached."""
    permissions.require_staff(actor, consultation)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status == Consultation.Status.CLOSED:
        raise ValidationError(_("The consultation is closed."))
    waiting = exchange_selectors.waiting_for_letter(consultation)
    if not waiting:
        raise ValidationError(_("No invited agency is waiting for a letter through the exchange: invite other agencies first "
                                "(the exchange reaches those hosted here and those with an address in the directory)."))
    version = latest_version(consultation)
    draft_file = documents.UploadedFile(sha256=version.sha256, size=version.size, filename=version.filename,
                                        content_type=version.content_type)
    by_deadline: dict = defaultdict(list)
    for invitation in waiting:
        by_deadline[invitation.deadline].append(invitation)
    letters = []
    for deadline, invitations in sorted(by_deadline.items()):
        letter = documents.create_outgoing_draft(
            actor, doc_type=DocumentType.CONG_VAN, due_date=deadline, drafting_unit=consultation.drafting_unit or actor.unit,
            subject=(_("Comments requested on the draft: %(title)s") % {"title": consultation.title})[:500],
            notes=_("Please send your comments on the attached draft by %(date)s, as a reply through the document exchange, "
                    "naming the articles you comment on (e.g. “Về Điều 5:”).") % {"date": deadline.strftime("%d/%m/%Y")},
            recipient_agencies=[i.agency for i in invitations], files=[draft_file], request=request)
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(exchange_document=letter)
        letters.append(letter)
        audit.record("consultation.exchange_letter_drafted", actor=actor, target=consultation, agency=consultation.agency,
                     request=request, data={"letter": letter.pk, "invitations": [i.pk for i in invitations],
                                            "deadline": deadline.isoformat(), "version": version.number})
    return letters


def _chosen_file(found: exchange_selectors.ExchangeAnswer, attachment: Attachment | None) -> Attachment:
    if attachment is None:
        if not found.files:
            raise ValidationError({"attachment": _("This document has no Word or PDF file to read the comments from. If it "
                                                   "agrees with the draft, choose “Agrees, no comment”; otherwise record it "
                                                   "as a paper answer.")})
        return found.files[0]
    if attachment.pk not in {a.pk for a in found.files}:
        raise ValidationError({"attachment": _("Choose a Word or PDF file of this document.")})
    return attachment


def enter_exchange_answer(actor, document: Document, *, attachment: Attachment | None = None, agreed: bool = False,
                          request=None) -> Answer:
    """Enter an incoming document that answers a consultation's invitation letter as its agency's answer: its Word or
    PDF file (`attachment`, by default the first) split into comments, or "agrees, no comment"."""
    found = exchange_selectors.exchange_answer(document)
    if found is None:
        raise ValidationError(_("This document does not answer an invitation to comment sent through the exchange."))
    permissions.require_staff(actor, found.consultation)
    if found.invitation is None:
        raise ValidationError(_("%(agency)s was not invited to comment on “%(title)s”: its document cannot be entered as an "
                                "answer. Invite the agency first if its comments are wanted.")
                              % {"agency": found.package.sender_name or found.package.sender_code, "title": found.consultation.title})
    if found.entered:
        raise ValidationError(_("This answer was already entered on %(date)s.")
                              % {"date": timezone.localtime(found.entered[0].submitted_at).strftime("%d/%m/%Y")})
    invitation = found.invitation
    received_on = timezone.localdate(found.package.received_at)
    _check_open_for(invitation, by_staff=True, received_on=received_on)  # refused before the file is read
    stored = None
    if not agreed:
        chosen = _chosen_file(found, attachment)
        try:
            upload = ContentFile(storage.read_bytes(chosen.sha256), name=chosen.filename)
        except OSError:
            raise ValidationError({"attachment": _("The file is missing from the store: ask the administrator.")}) from None
        stored = files.store(upload, field="attachment")
    with transaction.atomic():
        invitation = _locked(invitation)
        late = _check_open_for(invitation, by_staff=True, received_on=received_on)
        pieces = [] if agreed else _split_into_comments(latest_version(invitation.consultation), stored.paragraphs)
        if not agreed and not pieces:
            raise ValidationError({"attachment": _("No comment was found in this file. If the answer agrees with the draft, "
                                                   "choose “Agrees, no comment”.")})
        if len(pieces) > MAX_COMMENTS_PER_ANSWER:
            raise ValidationError({"attachment": _("Too many comments in one answer (at most %(max)d).")
                                   % {"max": MAX_COMMENTS_PER_ANSWER}})
        answer = _record_answer(actor, invitation, source=Answer.Source.EXCHANGE, agreed=agreed, received_on=received_on,
                                late=late, stored=stored)
        _save_split(answer, invitation, pieces)
        audit.record("consultation.answered", actor=actor, target=answer, agency=invitation.consultation.agency, request=request,
                     data={"invitation": invitation.pk, "source": "exchange", "agreed": agreed, "document": document.pk,
                           "package": found.package.edxml_document_id, "file": stored.sha256 if stored else "",
                           "comments": len(pieces), "received_on": received_on.isoformat(), "late": late})
    return answer

