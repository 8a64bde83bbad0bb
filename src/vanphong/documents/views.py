import dataclasses
import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.errors import ValidationError
from vanphong.core.paging import CappedPaginator
from vanphong.core.web import REFUSALS, add_service_errors, carry_out, get_or_404
from vanphong.documents import hooks, selectors, services
from vanphong.documents.attachments import store
from vanphong.documents.forms import IncomingForm, IssueForm, OutgoingForm, RegisterForm
from vanphong.documents.models import Direction, Document
from vanphong.documents.permissions import can_manage_registers, is_clerk

# Files already checked and stored while a duplicate warning waits for the clerk's answer.
PENDING_UPLOADS = "vanphong_pending_uploads"


def _store_files(form, request):
    stored = []
    for upload in form.cleaned_data.get("files") or []:
        try:
            stored.append(store(upload))
        except ValidationError as exc:
            form.add_error("files", f"{upload.name}: {' '.join(exc.messages)}")
    token = request.POST.get("pending_files", "")
    pending = request.session.get(PENDING_UPLOADS, {})
    if token in pending:
        stored += [services.UploadedFile(**item) for item in pending[token]]
    return stored


def _keep_pending(request, files) -> str:
    token = secrets.token_urlsafe(12)
    pending = request.session.get(PENDING_UPLOADS, {})
    pending = dict(list(pending.items())[-4:])  # a few at most per session
    pending[token] = [dataclasses.asdict(f) for f in files]
    request.session[PENDING_UPLOADS] = pending
    return token


def _page(request, qs):
    return CappedPaginator(qs, 50).get_page(request.GET.get("page"))


def _register_filter(request, direction):
    registers = selectors.registers_of_own_agency(request.user, direction=direction)
    chosen = None
    if request.GET.get("register"):
        chosen = get_or_404(selectors.register_detail, request.user, request.GET["register"])
    return registers, chosen


@login_required
def incoming(request):
    registers, register = _register_filter(request, Direction.INCOMING)
    page = _page(request, selectors.incoming_page_rows(request.user, register=register))
    return render(request, "documents/incoming_list.html", {
        "page": page, "registers": registers, "register": register, "can_register": is_clerk(request.user, request.user.agency)})


@login_required
def outgoing(request):
    registers, register = _register_filter(request, Direction.OUTGOING)
    page = _page(request, selectors.outgoing_page_rows(request.user, register=register))
    return render(request, "documents/outgoing_list.html", {"page": page, "registers": registers, "register": register})


@login_required
def incoming_new(request):
    if not is_clerk(request.user, request.user.agency):
        raise PermissionDenied
    scan = None
    if request.POST.get("scan") or request.GET.get("scan"):
        scan = get_or_404(selectors.scan_job_for, request.user, request.POST.get("scan") or request.GET["scan"])
    form = IncomingForm(request.POST or None, request.FILES or None, reader=request.user,
                        initial={"confidentiality": 0, "urgency": 0, **(_proposed(scan) if scan else {})})
    duplicates, pending_token = None, ""
    if request.method == "POST" and form.is_valid():
        files = _store_files(form, request)
        if not form.errors:
            data = {k: v for k, v in form.cleaned_data.items() if k not in {"files", "distribution", "confirm_duplicate"}}
            try:
                document = services.register_incoming(
                    request.user, files=files, distribution=form.cleaned_data["distribution"],
                    confirm_duplicate=form.cleaned_data["confirm_duplicate"], scan=scan, request=request, **data)
            except services.DuplicateWarning as warning:
                duplicates, pending_token = warning.duplicates, _keep_pending(request, files)
            except ValidationError as exc:
                add_service_errors(form, exc)
                pending_token = _keep_pending(request, files) if files else ""
            else:
                messages.success(request, _("Registered with arrival number %(number)s.") % {"number": document.number})
                return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/incoming_form.html", {"form": form, "duplicates": duplicates, "pending_token": pending_token,
                                                            "scan": scan})


def _proposed(scan) -> dict:
    """The form's initial values from what OCR read on the first page; the clerk checks them."""
    values = {k: v for k, v in scan.proposal.items()
              if k in {"doc_type", "code_number", "code_notation", "issuing_agency", "issuing_agency_name", "subject"}}
    if scan.proposal.get("issued_date"):
        values["issued_date"] = dt.date.fromisoformat(scan.proposal["issued_date"])
    if scan.page_count:
        values["page_count"] = scan.page_count
    return values


@login_required
def outgoing_new(request):
    form = OutgoingForm(request.POST or None, request.FILES or None, reader=request.user, initial={"confidentiality": 0, "urgency": 0})
    if request.method == "POST" and form.is_valid():
        files = _store_files(form, request)
        if not form.errors:
            data = {k: v for k, v in form.cleaned_data.items()
                    if k not in {"files", "distribution", "recipient_units", "recipient_agencies", "recipient_places"}}
            try:
                document = services.create_outgoing_draft(request.user, files=files, distribution=form.cleaned_data["distribution"],
                                                          request=request, **form.recipients(), **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Draft saved. A clerk numbers and issues it."))
                return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/outgoing_form.html", {"form": form})


@login_required
def detail(request, pk):
    document = get_or_404(selectors.document_detail, request.user, pk)
    can_issue = (document.status == Document.Status.DRAFT and is_clerk(request.user, document.agency))
    return render(request, "documents/detail.html", {
        "document": document, "attachments": document.attachments.all(), "recipients": document.recipients.select_related("unit", "agency"),
        "distribution": document.distribution.select_related("person") if document.confidentiality else [],
        "issue_form": IssueForm(document=document) if can_issue else None,
        "sections": [section(request, document) for section in hooks.detail_sections],
    })


@login_required
@require_POST
def issue(request, pk):
    document = get_or_404(selectors.document_detail, request.user, pk)
    form = IssueForm(request.POST, document=document)
    if form.is_valid():
        carry_out(request, lambda: services.issue_outgoing(request.user, document, register=form.cleaned_data["register"], request=request),
                  lambda issued: _("Issued as %(reference)s.") % {"reference": issued.reference}, refusals=REFUSALS)
    return redirect("documents:detail", pk=pk)


@login_required
def registers(request):
    agency = request.user.agency
    if not can_manage_registers(request.user, agency):
        raise PermissionDenied
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register = services.create_register(request.user, agency, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Register “%(name)s” created.") % {"name": register.name})
            return redirect("documents:registers")
    from django.db.models import Count

    rows = selectors.registers_of_own_agency(request.user).annotate(document_count=Count("documents"))
    return render(request, "documents/registers.html", {"registers": rows, "form": form, "year": timezone.localdate().year})
