"""REST endpoints of consultations through the exchange, as on the pages (consultation.exchange_views): the drafting
body's staff draft the invitation letter to the invited agencies the exchange reaches, and enter an incoming document
that answers it as that agency's answer. Staff of the drafting body only; anyone else gets 404."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from vanphong.consultation import exchange_selectors, exchange_services, selectors
from vanphong.consultation.api import ConsultationAnswerOut
from vanphong.core.api_support import MAX_ID, Id, InputSchema, error_responses
from vanphong.core.errors import ValidationError

router = Router(tags=["consultation"])

ConsultationId = Path[int, {"ge": 1, "le": MAX_ID}]
DocumentId = Path[int, {"ge": 1, "le": MAX_ID}]


class ConsultationLettersOut(Schema):
    documents: list[int] = Field(description="The invitation letters drafted (outgoing documents with the draft attached), "
                                             "one per deadline: have each signed and issued, and the exchange sends it.")


class ConsultationExchangeFileOut(Schema):
    id: int = Field(description="The attachment of the incoming document.")
    filename: str


class ConsultationExchangeAnswerOut(Schema):
    consultation_id: int
    consultation_title: str
    letter_id: int = Field(description="Our invitation letter the document answers (edXML ResponseFor).")
    invitation_id: int | None = Field(description="The sender's invitation; null: the sending agency was not invited.")
    files: list[ConsultationExchangeFileOut] = Field(description="Its Word and PDF files, one of which holds the comments.")
    entered: list[int] = Field(description="Answers already entered from it (an answer is entered once).")


class ConsultationExchangeAnswerIn(InputSchema):
    attachment_id: Id | None = Field(None, description="The file with the comments; absent: the first Word or PDF file.")
    agreed: bool = Field(False, description="The answer agrees with the draft, no comment (nhất trí): no file is read.")


@router.post("/consultations/{consultation_id}/invitation-letters",
             response={201: ConsultationLettersOut, **error_responses(401, 404, 422)})
def send_invitation_letters(request, consultation_id: ConsultationId):
    """Draft the invitation letter to the invited agencies the exchange reaches that have none yet. Refused (422) when
    there is none to send to."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    letters = exchange_services.send_by_exchange(request.auth, consultation, request=request)
    return Status(201, {"documents": [letter.pk for letter in letters]})


def _answer_out(found: exchange_selectors.ExchangeAnswer) -> dict:
    return {"consultation_id": found.consultation.pk, "consultation_title": found.consultation.title, "letter_id": found.letter.pk,
            "invitation_id": found.invitation.pk if found.invitation else None,
            "files": [{"id": a.pk, "filename": a.filename} for a in found.files], "entered": [a.pk for a in found.entered]}


@router.get("/documents/{document_id}/consultation-answer",
            response={200: ConsultationExchangeAnswerOut, **error_responses(401, 404, 422)})
def get_exchange_answer(request, document_id: DocumentId):
    """The consultation an incoming document answers, for that consultation's staff (404 when it answers none)."""
    _document, found = exchange_selectors.exchange_answer_of(request.auth, document_id)
    return _answer_out(found)


@router.post("/documents/{document_id}/consultation-answer",
             response={201: ConsultationAnswerOut, **error_responses(400, 401, 404, 422)})
def enter_exchange_answer(request, document_id: DocumentId, payload: ConsultationExchangeAnswerIn):
    """Enter the incoming document as its agency's answer: its file split into comments placed on the articles they
    name, or "agrees, no comment". Refused (422) for an agency not invited, a closed consultation, a file without text,
    or an answer entered already."""
    document, found = exchange_selectors.exchange_answer_of(request.auth, document_id)
    attachment = None
    if payload.attachment_id is not None:
        attachment = next((a for a in found.files if a.pk == payload.attachment_id), None)
        if attachment is None:
            raise ValidationError({"attachment_id": _("Choose a Word or PDF file of this document.")})
    answer = exchange_services.enter_exchange_answer(request.auth, document, attachment=attachment, agreed=payload.agreed,
                                                     request=request)
    return Status(201, answer)
