"""The approval pages: the panel on an outgoing draft's page (its steps, timeline and the reader's actions),
the edit page (a new version), the versions page with its comparison, and the administrators' chains page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.errors import ValidationError
from vanphong.core.web import REFUSALS, add_service_errors, carry_out, get_or_404, message_form_errors, message_refusal
from vanphong.documents import selectors as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Direction
from vanphong.workflow import approval
from vanphong.workflow import approval_selectors as selectors
from vanphong.workflow.approval_forms import (
    ApproveForm,
    ChainForm,
    ChainTypeForm,
    CompareForm,
    EditForm,
    ReturnForm,
    SubmitForm,
    UnitHeadForm,
)
from vanphong.workflow.permissions import can_manage_calendar


def _draft_url(pk) -> str:
    return reverse("documents:detail", args=[pk]) + "#approval"


def document_section(request, document) -> str:
    """The approval panel of an outgoing draft's page (documents.hooks.detail_sections)."""
    if document.direction != Direction.OUTGOING:
        return ""
    state = selectors.approval_state(request.user, document)
    if not state.applies:
        return ""
    context = {"state": state, "document": document}
    if state.can_submit:
        context["submit_form"] = SubmitForm(leaders=state.leaders if state.choose_signer else None)
    if state.can_act:
        context["approve_form"] = ApproveForm(initial={"version": state.latest.number if state.latest else 1})
        context["return_form"] = ReturnForm(has_previous=state.current.position > state.steps[0].position)
    return render_to_string("workflow/_approval.html", context, request=request)


def _draft(request, pk):
    return get_or_404(documents.document_detail, request.user, pk)


@login_required
@require_POST
def submit(request, pk):
    document = _draft(request, pk)
    state = selectors.approval_state(request.user, document)
    form = SubmitForm(request.POST, leaders=state.leaders if state.choose_signer else None)
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect(_draft_url(pk))
    carry_out(request, lambda: approval.submit(request.user, document, signer=form.leaders.get(form.cleaned_data.get("signer") or ""),
                                               comment=form.cleaned_data["comment"], request=request),
              _("Submitted for approval."), refusals=REFUSALS)
    return redirect(_draft_url(pk))


@login_required
@require_POST
def approve(request, pk):
    document = _draft(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve from the draft's page, after reading its latest version."))
        return redirect(_draft_url(pk))
    carry_out(request, lambda: approval.approve(request.user, document, version=form.cleaned_data["version"],
                                                comment=form.cleaned_data["comment"], request=request),
              lambda result: _("Approved: the approval is complete, the draft may be issued.")
              if result.status == result.Status.APPROVED else _("Approved: the draft goes to the next step."), refusals=REFUSALS)
    return redirect(_draft_url(pk))


@login_required
@require_POST
def return_draft(request, pk):
    document = _draft(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your comments: what should change."))
        return redirect(_draft_url(pk))
    carry_out(request, lambda: approval.return_draft(request.user, document, comment=form.cleaned_data["comment"],
                                                     to_previous=form.cleaned_data.get("to") == "previous", request=request),
              _("Returned with your comments."), refusals=REFUSALS)
    return redirect(_draft_url(pk))


@login_required
def edit(request, pk):
    document = _draft(request, pk)
    state = selectors.approval_state(request.user, document)
    if not state.can_edit and request.method == "GET":
        raise PermissionDenied
    form = EditForm(request.POST or None, request.FILES or None, instance=document)
    if request.method == "POST" and form.is_valid():
        stored = None
        try:
            approval.check_may_edit(request.user, document)  # before any file is kept
        except PermissionDenied:
            raise
        except ValidationError as exc:
            add_service_errors(form, exc)
        if form.cleaned_data.get("file") and not form.errors:
            try:
                stored = store(form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc.messages)
        if not form.errors:
            try:
                version = approval.edit_draft(request.user, document, changes=form.changes(), file=stored, note=form.cleaned_data["note"],
                                              request=request)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Saved as version %(n)s.") % {"n": version.number})
                return redirect(_draft_url(pk))
    return render(request, "workflow/approval_edit.html", {"document": document, "form": form, "state": state})


@login_required
def versions(request, pk):
    document = _draft(request, pk)
    rows = selectors.versions_of(document)
    numbers = [v.number for v in rows]
    comparison, form = None, None
    if numbers:
        data = request.GET if "old" in request.GET else None
        form = CompareForm(data, numbers=numbers, initial={"old": numbers[-2] if len(numbers) > 1 else numbers[0], "new": numbers[-1]})
        if data is not None and form.is_valid():
            comparison = selectors.compare(document, form.cleaned_data["old"], form.cleaned_data["new"])
    return render(request, "workflow/approval_versions.html", {"document": document, "versions": rows, "form": form,
                                                               "comparison": comparison})


# ---- the administrators' page ---------------------------------------------------------------------------------------


def _require_admin(request):
    if not can_manage_calendar(request.user, request.user.agency):
        raise PermissionDenied


def _choices(request):
    return {"units": list(selectors.units_of_agency(request.user)), "people": list(selectors.people_of_agency(request.user))}


@login_required
def chains(request):
    _require_admin(request)
    head_form = UnitHeadForm(request.POST or None, **_choices(request))
    if request.method == "POST" and head_form.is_valid():
        unit, person = head_form.units[head_form.cleaned_data["unit"]], head_form.people.get(head_form.cleaned_data["person"])
        try:
            approval.set_unit_head(request.user, unit, person, request=request)
        except ValidationError as exc:
            add_service_errors(head_form, exc)
        else:
            messages.success(request, _("%(person)s heads %(unit)s.") % {"person": person.full_name, "unit": unit.name} if person
                             else _("No one is named as head of %(unit)s.") % {"unit": unit.name})
            return redirect("workflow:approval_chains")
    return render(request, "workflow/approval_chains.html", {
        "chains": selectors.chains_of_agency(request.user), "heads": selectors.unit_heads_of_agency(request.user),
        "head_form": head_form, "type_form": ChainTypeForm(), "tab": "approval"})


@login_required
def chain_edit(request):
    _require_admin(request)
    type_form = ChainTypeForm(request.GET)
    doc_type = type_form.cleaned_data["doc_type"] if type_form.is_valid() else ""
    chain = get_or_404(selectors.chain_detail, request.user, doc_type)
    form = ChainForm(request.POST or None, initial=ChainForm.initial_from(chain) if chain else {}, **_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            approval.save_chain(request.user, request.user.agency, doc_type=doc_type, steps=form.steps(), request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Approval chain saved."))
            return redirect("workflow:approval_chains")
    title = dict(ChainTypeForm.base_fields["doc_type"].choices)[doc_type]
    return render(request, "workflow/approval_chain_edit.html", {"form": form, "doc_type": doc_type, "chain": chain, "title": title,
                                                                 "tab": "approval"})


@login_required
@require_POST
def chain_remove(request):
    _require_admin(request)
    type_form = ChainTypeForm(request.POST)
    doc_type = type_form.cleaned_data["doc_type"] if type_form.is_valid() else None
    chain = get_or_404(selectors.chain_detail, request.user, doc_type) if doc_type is not None else None
    if chain is None:
        raise Http404
    try:
        approval.remove_chain(request.user, chain, request=request)
    except (ValidationError, PermissionDenied) as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("Approval chain removed."))
    return redirect("workflow:approval_chains")
