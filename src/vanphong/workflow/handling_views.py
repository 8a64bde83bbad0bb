"""The handling pages: the panel on an incoming document's page (its rounds, timeline and status events,
the Assign form for leaders, the reader's own tasks), a page per assignee action, and "My work"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.errors import ValidationError
from vanphong.core.paging import CappedPaginator
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.documents import selectors as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Direction
from vanphong.workflow import approval_selectors, handling
from vanphong.workflow import handling_selectors as selectors
from vanphong.workflow.handling_forms import (
    AssignForm,
    CompleteForm,
    DecisionForm,
    ExtensionForm,
    NoteForm,
    PassDownForm,
    ReturnForm,
    TargetChoices,
)
from vanphong.workflow.models import ExtensionRequest, Task

PAGE_SIZE = 50


def _agency_targets(reader) -> TargetChoices:
    return TargetChoices(list(selectors.assignable_units(reader)), list(selectors.assignable_people(reader)))


def _document_url(document_id) -> str:
    return reverse("documents:detail", args=[document_id]) + "#handling"


def document_section(request, document) -> str:
    """The handling panel of an incoming document's page (documents.hooks.detail_sections)."""
    if document.direction != Direction.INCOMING:
        return ""
    state = selectors.document_handling(request.user, document)
    form = None
    if state.can_assign:
        form = AssignForm(targets=_agency_targets(request.user), initial={"deadline": handling.default_deadline(document)})
    return render_to_string("workflow/_handling.html", {"handling": state, "assign_form": form, "document": document}, request=request)


@login_required
def assign(request, pk):
    document = get_or_404(documents.document_detail, request.user, pk)
    state = selectors.document_handling(request.user, document)
    if state.withdrawal is not None and request.method != "POST":
        messages.error(request, handling.withdrawn_message(state.withdrawal))
        return redirect(_document_url(document.pk))
    if not state.can_assign and request.method != "POST":
        raise PermissionDenied
    form = AssignForm(request.POST or None, targets=_agency_targets(request.user),
                      initial={"deadline": handling.default_deadline(document)})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = handling.assign(request.user, document, request=request, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Assigned: due %(date)s.") % {"date": assignment.deadline.strftime("%d/%m/%Y")})
            return redirect(_document_url(document.pk))
    return render(request, "workflow/assign.html", {"document": document, "form": form})


# ---- assignee actions: one page each --------------------------------------------------------------------


def _held_task(request, pk) -> Task:
    task = get_or_404(selectors.task_for, request.user, pk)
    if not task.is_held_by(request.user):
        raise PermissionDenied
    return task


def _no_longer_open(request, document_id: int, otherwise: str) -> None:
    """Why a task or a request can no longer be acted on: its document withdrawn by the sender, or `otherwise`."""
    withdrawal = selectors.withdrawal_of(document_id)
    if withdrawal is not None:
        messages.error(request, handling.withdrawn_message(withdrawal))
    else:
        messages.info(request, otherwise)


def _action_page(request, task, form, perform, *, title: str, button: str, done: str):
    """Show `form` for `task`; on a valid POST call perform(cleaned_data) and go back to the document."""
    if task.status != Task.Status.OPEN and request.method == "GET":
        _no_longer_open(request, task.document_id, _("This task is no longer open."))
        return redirect(_document_url(task.document_id))
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_document_url(task.document_id))
    return render(request, "workflow/task_action.html", {"task": task, "form": form, "title": title, "button": button,
                                                         "multipart": "files" in form.fields})


@login_required
def pass_down(request, pk):
    task = _held_task(request, pk)
    units, people = selectors.pass_down_targets(request.user, task)
    form = PassDownForm(request.POST or None, targets=TargetChoices(units, people))

    def perform(data):
        handling.pass_down(request.user, task, to=form.targets.get(data["to"]), instructions=data["instructions"], request=request)

    return _action_page(request, task, form, perform, title=_("Pass down"), button=_("Pass down"), done=_("Passed down."))


@login_required
def add_note(request, pk):
    task = _held_task(request, pk)
    form = NoteForm(request.POST or None, request.FILES or None, coordinator=task.role == Task.Role.COORDINATE)

    def perform(data):
        stored = []
        for upload in data.get("files") or []:
            try:
                stored.append(store(upload))
            except ValidationError as exc:
                raise ValidationError({"files": f"{upload.name}: {' '.join(exc.messages)}"}) from None
        handling.add_note(request.user, task, text=data["text"], files=stored, finished=data.get("finished", False), request=request)

    return _action_page(request, task, form, perform, title=_("Add a progress note"), button=_("Save the note"), done=_("Note saved."))


@login_required
def return_task(request, pk):
    task = _held_task(request, pk)
    form = ReturnForm(request.POST or None)

    def perform(data):
        handling.return_task(request.user, task, reason=data["reason"], request=request)

    return _action_page(request, task, form, perform, title=_("Return"), button=_("Return it"), done=_("Returned."))


@login_required
def request_extension(request, pk):
    task = _held_task(request, pk)
    form = ExtensionForm(request.POST or None)

    def perform(data):
        handling.request_extension(request.user, task, deadline=data["deadline"], reason=data["reason"], request=request)

    return _action_page(request, task, form, perform, title=_("Ask for more time"), button=_("Send the request"),
                        done=_("Request sent to the leader who assigned it."))


@login_required
def complete(request, pk):
    task = _held_task(request, pk)
    form = CompleteForm(request.POST or None)

    def perform(data):
        handling.complete(request.user, task, result=data["result"], reply_type=data["reply_type"],
                          reply_subject=data["reply_subject"], request=request)

    return _action_page(request, task, form, perform, title=_("Complete the handling"), button=_("Complete"), done=_("Completed."))


@login_required
@require_POST
def acknowledge(request, pk):
    task = _held_task(request, pk)
    try:
        handling.acknowledge(request.user, task, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as read."))
    if request.POST.get("next") == "work":
        return redirect(reverse("workflow:work") + "?tab=information")
    return redirect(_document_url(task.document_id))


@login_required
def decide_extension(request, pk):
    ask = get_or_404(selectors.extension_request_for, request.user, pk)
    if ask.assignment.assigned_by_id != request.user.pk:
        raise PermissionDenied
    if ask.status != ExtensionRequest.Status.PENDING and request.method == "GET":
        _no_longer_open(request, ask.assignment.document_id, _("This request has already been decided."))
        return redirect(_document_url(ask.assignment.document_id))
    form = DecisionForm(request.POST or None, initial={"decision": "grant", "deadline": ask.requested_deadline})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handling.decide_extension(request.user, ask, grant=data["decision"] == "grant", deadline=data["deadline"], note=data["note"],
                                      request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(_document_url(ask.assignment.document_id))
    return render(request, "workflow/decide.html", {"ask": ask, "form": form})


# ---- My work ---------------------------------------------------------------------------------------------


def work_counts(request) -> selectors.WorkCounts:
    """The reader's counts, once per request: the navigation and the page share them."""
    if not hasattr(request, "_work_counts"):
        request._work_counts = selectors.work_counts(request.user)
    return request._work_counts


@login_required
def my_work(request):
    tab = request.GET.get("tab", "todo")
    if tab not in (*selectors.LISTS, "decide", "approval"):
        tab = "todo"
    page, returned = None, None
    if tab == "approval":  # drafts awaiting the reader's approval, and the reader's drafts returned to them
        page = CappedPaginator(approval_selectors.awaiting_my_approval(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        returned = approval_selectors.returned_to_me(request.user)[:PAGE_SIZE]
    elif tab != "decide":
        page = CappedPaginator(selectors.work_list(request.user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
        for task in page:
            task.late = selectors.working_days_late(request.user.agency_id, task.deadline) if task.status == Task.Status.OPEN else 0
    decisions = selectors.decisions_for(request.user)
    return render(request, "workflow/my_work.html", {"tab": tab, "page": page, "counts": work_counts(request), "decisions": decisions,
                                                     "returned": returned})
