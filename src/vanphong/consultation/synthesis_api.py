"""REST endpoints of a consultation's results: the synthesis per article (its groups of comments with their counts,
respondents, representative wording and response) and the report as DOCX or XLSX. Staff of the drafting body only, as
on the consultation's page; anyone else gets 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Path, Router, Schema

from vanphong.consultation import synthesis
from vanphong.consultation.models import Invitation
from vanphong.core.api_support import MAX_ID, error_responses
from vanphong.documents.attachment_views import content_disposition

router = Router(tags=["consultation"])

ConsultationId = Path[int, {"ge": 1, "le": MAX_ID}]
_BINARY = {"schema": {"type": "string", "format": "binary"}}


class SynthesisRespondentOut(Schema):
    name: str
    kind: Literal[tuple(Invitation.Kind.values)]


class SynthesisGroupOut(Schema):
    id: int | None = Field(description="The group; null: a comment not consolidated yet, listed on its own.")
    unit_id: int | None = Field(description="The unit of the latest version it concerns; null: the draft as a whole.")
    unit_label: str = Field(description="\"Khoản 2 Điều 5\"; empty for the draft as a whole.")
    comments: int = Field(description="Comments in the group (those marked as no comment are not counted).")
    respondents: list[SynthesisRespondentOut] = Field(description="The invitees who raised it, each once.")
    representative: str = Field(description="A wording that stands for the group.")
    response: Literal["", "accepted", "explained", "noted"] = Field(
        description="The drafting body's response: accepted (tiếp thu), explained (giải trình), noted; empty: none yet.")
    response_text: str
    response_unit_id: int | None = Field(description="The unit of the revised draft the response points to.")
    response_unit_label: str


class SynthesisSectionOut(Schema):
    unit_id: int | None = Field(description="The article (a report's numbered section); null: the draft as a whole.")
    label: str
    title: str
    comments: int
    groups: list[SynthesisGroupOut] = Field(description="On the article and its clauses and points, in draft order.")


class SynthesisFiguresOut(Schema):
    name: str
    invited: int
    answered: int = Field(description="Answered with comments.")
    agreed: int = Field(description="Answered \"agree, no comment\" (nhất trí).")
    answered_late: int = Field(description="Of those who answered or agreed, after the deadline.")
    late: int = Field(description="Not answered, and the deadline has passed.")
    not_answered: int
    rate: float = Field(description="Share who answered or agreed, in per cent.")
    comments: int


class SynthesisArticleOut(Schema):
    unit_id: int | None
    label: str
    comments: int


class SynthesisOut(Schema):
    consultation_id: int
    title: str
    version_number: int = Field(description="The version of the draft the articles are those of (the latest).")
    as_of: dt.date
    comments: int
    groups: int = Field(description="Groups of comments (comments not consolidated yet not counted).")
    groups_responded: int
    comments_not_consolidated: int
    total: SynthesisFiguresOut
    by_kind: list[SynthesisFiguresOut] = Field(description="Units, people, other agencies.")
    by_unit: list[SynthesisFiguresOut] = Field(description="Each invited unit or agency; invited people count with their unit.")
    per_article: list[SynthesisArticleOut] = Field(description="Comments per article, in draft order.")
    sections: list[SynthesisSectionOut] = Field(description="The articles with comments, the draft as a whole first.")

    @staticmethod
    def resolve_groups(s) -> int:
        return s.consolidated

    @staticmethod
    def resolve_groups_responded(s) -> int:
        return s.responded_groups

    @staticmethod
    def resolve_comments_not_consolidated(s) -> int:
        return s.not_consolidated


@router.get("/consultations/{consultation_id}/results", response={200: SynthesisOut, **error_responses(401, 404, 422)})
def get_results(request, consultation_id: ConsultationId):
    """The consultation's results as the synthesis report has them: per article its groups of comments, with counts,
    respondents, a representative wording and the response; and the answers' figures (staff of the drafting body)."""
    return synthesis.synthesis_for_staff(request.auth, consultation_id)


def _report(request, consultation_id: int, fmt: str) -> HttpResponse:
    content, name, content_type = synthesis.export(request.auth, consultation_id, fmt, request=request)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/consultations/{consultation_id}/report.docx", response={200: None, **error_responses(401, 404, 422)},
            openapi_extra={"responses": {200: {"description": "The synthesis report, named in Vietnamese (RFC 5987).",
                                               "content": {synthesis.FORMATS["docx"]: _BINARY}}}})
def get_report_docx(request, consultation_id: ConsultationId):
    """The synthesis report (báo cáo tổng hợp, giải trình, tiếp thu ý kiến góp ý) as a Word file, with the overview's
    figures and charts and the table of groups and responses, article by article (staff of the drafting body)."""
    return _report(request, consultation_id, "docx")


@router.get("/consultations/{consultation_id}/report.xlsx", response={200: None, **error_responses(401, 404, 422)},
            openapi_extra={"responses": {200: {"description": "The synthesis report's workbook, named in Vietnamese (RFC 5987).",
                                               "content": {synthesis.FORMATS["xlsx"]: _BINARY}}}})
def get_report_xlsx(request, consultation_id: ConsultationId):
    """The synthesis report as a workbook: a row per group of comments, and the overview's figures with two bar charts
    (staff of the drafting body)."""
    return _report(request, consultation_id, "xlsx")
