"""REST endpoints of the consolidation: run it and follow its progress, read its groups (with members and responses),
merge, split, move, close or reopen groups, and give the drafting body's response. Same rules as the page: the staff
of the drafting body only; anything else is 404, as if it did not exist. Refusals are 422 and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from vanphong.consultation import consolidation, selectors
from vanphong.consultation import consolidation_selectors as found
from vanphong.consultation.models import CommentGroup, ConsolidationRun
from vanphong.core.api_support import MAX_ID, Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.core.errors import NotFound, ValidationError

router = Router(tags=["consultation"])

ConsultationId = Path[int, {"ge": 1, "le": MAX_ID}]
GroupId = Path[int, {"ge": 1, "le": MAX_ID}]
MAX_CHOSEN = 10_000


class RunOut(Schema):
    id: int
    status: Literal[tuple(ConsolidationRun.Status.values)]
    version: int = Field(description="The number of the draft's version it ran on.")
    comments: int
    articles_total: int = Field(description="Parts of the draft (and the draft as a whole) with comments to group.")
    articles_done: int
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str

    @staticmethod
    def resolve_version(run) -> int:
        return run.version.number


class ConsolidationOut(Schema):
    run: RunOut | None = Field(description="The latest run (the current one); null: never run.")
    waiting_comments: int = Field(description="Comments in no group: they came after the last run.")


class GroupMemberOut(Schema):
    id: int
    invitation_id: int
    invitee: str
    text: str

    @staticmethod
    def resolve_invitee(comment) -> str:
        return comment.invitation.invitee_name


class GroupOut(Schema):
    id: int
    unit_id: int | None = Field(description="The unit of the latest version; null: the draft as a whole.")
    unit_label: str
    position: int = Field(description="Order within its unit: biggest first.")
    closed: bool = Field(description="Staff settled it: exactly these members, also on a re-run.")
    representative_id: int | None
    representative_text: str
    comments: int
    respondents: int = Field(description="Distinct invitees among its members.")
    members: list[GroupMemberOut]
    response: Literal[tuple(CommentGroup.Response.values)] = Field(description="\"\": none yet; accepted (tiếp thu), "
                                                                               "explained (giải trình) or noted.")
    response_text: str
    response_unit_id: int | None
    responded_at: dt.datetime | None

    @staticmethod
    def resolve_unit_id(group) -> int | None:
        return group.node_id

    @staticmethod
    def resolve_unit_label(group) -> str:
        return group.node.full_label() if group.node_id else ""

    @staticmethod
    def resolve_members(group) -> list:
        return group.member_list

    @staticmethod
    def resolve_comments(group) -> int:
        return len(group.member_list)

    @staticmethod
    def resolve_respondents(group) -> int:
        return len({c.invitation_id for c in group.member_list})

    @staticmethod
    def resolve_representative_text(group) -> str:
        return group.representative.text if group.representative_id else ""

    @staticmethod
    def resolve_response_unit_id(group) -> int | None:
        return group.response_node_id


class GroupPage(Schema):
    count: int
    items: list[GroupOut]


class MergeIn(InputSchema):
    group_ids: list[Id] = Field(min_length=2, max_length=MAX_CHOSEN, description="Two or more groups of one unit.")


class CommentsIn(InputSchema):
    comment_ids: list[Id] = Field(min_length=1, max_length=MAX_CHOSEN)


class CloseIn(InputSchema):
    closed: bool


class ResponseIn(InputSchema):
    response: Literal[tuple(CommentGroup.Response.values)] = Field(description="\"\" clears the response.")
    text: Text(10_000) = ""
    unit_id: Id | None = Field(None, description="A unit of the latest version the response points to.")


def _with_members(groups: list[CommentGroup]) -> list[CommentGroup]:
    members = found.members_of([g.pk for g in groups])
    for group in groups:
        group.member_list = members.get(group.pk, [])
    return groups


def _one(consultation, group_pk: int) -> CommentGroup:
    return _with_members([found.groups_of(consultation).get(pk=group_pk)])[0]


def _status(consultation, run) -> dict:
    return {"run": run, "waiting_comments": found.waiting_comments(consultation)}


@router.post("/consultations/{consultation_id}/consolidation/runs",
             response={202: RunOut, **error_responses(401, 403, 404, 422)})
def run_consolidation(request, consultation_id: ConsultationId):
    """Queue a consolidation (the worker runs it). 422 while one is queued or running, or with no comments."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    return Status(202, consolidation.request_run(request.auth, consultation, request=request))


@router.get("/consultations/{consultation_id}/consolidation", response={200: ConsolidationOut, **error_responses(401, 404, 422)})
def get_consolidation(request, consultation_id: ConsultationId):
    """The current run's status and progress (poll it while `status` is queued or running)."""
    consultation, run = found.run_for_staff(request.auth, consultation_id)
    return _status(consultation, run)


@router.get("/consultations/{consultation_id}/groups", response={200: GroupPage, **error_responses(401, 404, 422)})
def list_groups(request, consultation_id: ConsultationId, query: Query[PageQuery]):
    """The current groups in draft order (the draft as a whole first, biggest first within a unit), with their members
    and the drafting body's response."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    paged = page(found.groups_of(consultation), query)
    paged["items"] = _with_members(paged["items"])
    return paged


@router.post("/consultations/{consultation_id}/groups/merge", response={200: GroupOut, **error_responses(400, 401, 404, 422)})
def merge_groups(request, consultation_id: ConsultationId, payload: MergeIn):
    """Merge groups of one unit into one (kept on every re-run). Closed groups are reopened first."""
    consultation = selectors.consultation_for_staff(request.auth, consultation_id)
    kept = consolidation.merge_groups(request.auth, consultation, payload.group_ids, request=request)
    return _one(consultation, kept.pk)


@router.post("/groups/{group_id}/split", response={201: GroupOut, **error_responses(400, 401, 404, 422)})
def split_group(request, group_id: GroupId, payload: CommentsIn):
    """The chosen members leave the group and make a new group (the answer), kept on every re-run."""
    group = found.group_for_staff(request.auth, group_id)
    new = consolidation.split_group(request.auth, group.consultation, group.pk, payload.comment_ids, request=request)
    return Status(201, _one(group.consultation, new.pk))


@router.post("/groups/{group_id}/move", response={200: GroupOut, **error_responses(400, 401, 404, 422)})
def move_to_group(request, group_id: GroupId, payload: CommentsIn):
    """The chosen comments (of other groups) join this group, kept on every re-run. A comment from another unit is
    placed on this group's unit too."""
    group = found.group_for_staff(request.auth, group_id)
    consolidation.move_comments(request.auth, group.consultation, payload.comment_ids, group.pk, request=request)
    return _one(group.consultation, group.pk)


@router.post("/groups/{group_id}/close", response={200: GroupOut, **error_responses(400, 401, 404, 422)})
def close_group(request, group_id: GroupId, payload: CloseIn):
    """Close a group (exactly these members, also on every re-run), or reopen it (`closed`: false)."""
    group = found.group_for_staff(request.auth, group_id)
    consolidation.set_closed(request.auth, group.consultation, group.pk, closed=payload.closed, request=request)
    return _one(group.consultation, group.pk)


@router.put("/groups/{group_id}/response", response={200: GroupOut, **error_responses(400, 401, 404, 422)})
def respond(request, group_id: GroupId, payload: ResponseIn):
    """The drafting body's response: accepted (with what changed), explained (with why not) or noted; `unit_id`
    optionally points to the unit of the latest version it concerns. Kept when the consolidation runs again."""
    group = found.group_for_staff(request.auth, group_id)
    try:
        node = selectors.node_of_latest(group.consultation, payload.unit_id)
    except NotFound:
        raise ValidationError({"unit_id": _("Choose a part of the current version of the draft.")}) from None
    consolidation.respond(request.auth, group.consultation, group.pk, response=payload.response, text=payload.text,
                          node=node, request=request)
    return _one(group.consultation, group.pk)
