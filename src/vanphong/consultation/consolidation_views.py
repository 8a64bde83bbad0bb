"""The consolidation page (Tổng hợp ý kiến) of a consultation, for the staff of the drafting body: run or re-run it,
its progress while the worker runs it (polled by HTMX, so the page can be left and revisited), then per part of the
draft its groups, with merge, split, move, close/reopen and the drafting body's response."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanphong.consultation import consolidation, selectors
from vanphong.consultation import consolidation_selectors as found
from vanphong.consultation.models import CommentGroup, Invitation
from vanphong.core.errors import NotFound, ValidationError
from vanphong.core.web import REFUSED, carry_out, get_or_404, message_refusal

MOVE_ANYWHERE = 200  # groups: up to this many, each group's move list offers them all
ONE_PART_ABOVE = 1500  # comments: above this, the page shows one part of the draft at a time


def _ids(request, name: str) -> list[int]:
    values = request.POST.getlist(name)
    if not all(v.isdigit() and len(v) < 12 for v in values):
        raise ValidationError(_("The form was damaged: reload the page and try again."))
    return [int(v) for v in values]


def _page(consultation_pk: int, anchor: str = "") -> str:
    return reverse("consultation:consolidation", args=[consultation_pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def page(request, pk):
    consultation, run = get_or_404(found.run_for_staff, request.user, pk)
    version = selectors.latest_version(consultation)
    parts = found.parts(consultation) if run is None or not run.active else []
    all_groups = [(part, g) for part in parts for g in part.groups]
    for part in parts:
        # A comment may move to any group; in a big consolidation only to its own part's (the API moves across).
        part.move_targets = all_groups if len(all_groups) <= MOVE_ANYWHERE else [(part, g) for g in part.groups]
    shown = parts
    comment_total = sum(p.comments for p in parts)
    if comment_total > ONE_PART_ABOVE:  # a big consolidation is shown one part at a time
        chosen = request.GET.get("part", "")
        shown = [p for p in parts if str(p.node.pk if p.node else "general") == chosen] or parts[:1]
    return render(request, "consultation/consolidation.html", {
        "consultation": consultation, "run": run, "version": version, "parts": parts, "shown": shown,
        "one_part": shown is not parts, "group_total": len(all_groups), "comment_total": comment_total,
        "outlier_total": sum(p.outliers for p in parts), "waiting": found.waiting_comments(consultation),
        "nodes": list(version.nodes.select_related("parent__parent")), "responses": CommentGroup.Response.choices[1:],
        "kinds": dict(Invitation.Kind.choices)})


@login_required
@require_GET
def progress(request, pk):
    """The progress panel alone, polled every second while a run is queued or running; when it ends the page reloads."""
    consultation, run = get_or_404(found.run_for_staff, request.user, pk)
    response = render(request, "consultation/_consolidation_progress.html", {"consultation": consultation, "run": run})
    if request.headers.get("HX-Request") == "true" and (run is None or not run.active):
        response["HX-Refresh"] = "true"  # the groups are ready: show them
    return response


@login_required
@require_POST
def run(request, pk):
    consultation = get_or_404(selectors.consultation_for_staff, request.user, pk)
    carry_out(request, lambda: consolidation.request_run(request.user, consultation, request=request),
              _("The consolidation is queued. You may leave this page: it goes on in the background."))
    return redirect(_page(consultation.pk))


@login_required
@require_POST
def merge(request, pk):
    consultation = get_or_404(selectors.consultation_for_staff, request.user, pk)
    kept = carry_out(request, lambda: consolidation.merge_groups(request.user, consultation, _ids(request, "groups"), request=request),
                     _("The groups are merged. The merge is kept when the consolidation runs again."))
    return redirect(_page(consultation.pk) if kept is REFUSED else _page(consultation.pk, f"group-{kept.pk}"))


@login_required
@require_POST
def members(request, pk):
    """Split the chosen members off into a new group, or move them to another group."""
    group = get_or_404(found.group_for_staff, request.user, pk)
    consultation = group.consultation
    anchor = f"group-{group.pk}"
    try:
        chosen = _ids(request, "comments")
        if request.POST.get("action") == "move":
            target = _ids(request, "target")
            if len(target) != 1:
                raise ValidationError(_("Choose the group to move the comments to."))
            moved_to = consolidation.move_comments(request.user, consultation, chosen, target[0], request=request)
            anchor = f"group-{moved_to.pk}"
            messages.success(request, _("The comments are moved. The move is kept when the consolidation runs again."))
        else:
            new = consolidation.split_group(request.user, consultation, group.pk, chosen, request=request)
            anchor = f"group-{new.pk}"
            messages.success(request, _("The comments make a new group. The split is kept when the consolidation runs again."))
    except ValidationError as exc:
        message_refusal(request, exc)
    return redirect(_page(consultation.pk, anchor))


@login_required
@require_POST
def close(request, pk):
    group = get_or_404(found.group_for_staff, request.user, pk)
    closed = request.POST.get("closed") == "1"
    carry_out(request, lambda: consolidation.set_closed(request.user, group.consultation, group.pk, closed=closed, request=request),
              _("The group is closed: exactly these comments, also when the consolidation runs again.")
              if closed else _("The group is open again: a re-run may change its members."))
    return redirect(_page(group.consultation_id, f"group-{group.pk}"))


@login_required
@require_POST
def respond(request, pk):
    group = get_or_404(found.group_for_staff, request.user, pk)
    consultation = group.consultation
    try:
        node_ids = _ids(request, "response_node") if request.POST.get("response_node") else []
        node = selectors.node_of_latest(consultation, node_ids[0]) if node_ids else None
        consolidation.respond(request.user, consultation, group.pk, response=request.POST.get("response", ""),
                              text=request.POST.get("response_text", ""), node=node, request=request)
    except NotFound:
        messages.error(request, _("Choose a part of the current version of the draft."))
    except ValidationError as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("The response is saved."))
    return redirect(_page(consultation.pk, f"group-{group.pk}"))
