"""The clerk's pages of received packages (list, one package with its register and reject forms, or
for a recall its accept and refuse forms; its attachments), the per-recipient timeline and the
recall form on an outgoing document's page, and the recall notice on an incoming one's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound, ValidationError
from vanphong.core.paging import CappedPaginator
from vanphong.core.web import REFUSED, add_service_errors, carry_out, get_or_404, message_form_errors
from vanphong.documents import selectors as document_selectors
from vanphong.documents.models import Direction
from vanphong.documents.permissions import is_clerk
from vanphong.documents.types import Urgency
from vanphong.exchange import corrections, selectors, services
from vanphong.exchange.edxml import model
from vanphong.exchange.edxml.oddities import UnreadablePackage
from vanphong.exchange.forms import RecallForm, RefuseRequestForm, RegisterReceivedForm, RejectReceivedForm, ReplaceForm, UpdateForm
from vanphong.exchange.models import InboundPackage

PAGE_SIZE = 30
STATUS_LABELS = {
    "01": gettext_lazy("Arrived"), "02": gettext_lazy("Rejected"), "03": gettext_lazy("Registered"),
    "04": gettext_lazy("Assigned by a leader"), "05": gettext_lazy("Being processed"), "06": gettext_lazy("Completed"),
    "13": gettext_lazy("Recall requested"), "15": gettext_lazy("Recall or update accepted"), "16": gettext_lazy("Recall or update refused"),
}


REVOCATION_LABELS = {"good": gettext_lazy("Not revoked (checked against our CA)"), "revoked": gettext_lazy("Revoked"),
                     "unknown": gettext_lazy("Unknown: not a certificate of our CA")}


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def _require_clerk(request) -> None:
    if not is_clerk(request.user, request.user.agency):
        raise PermissionDenied


@login_required
@require_GET
def received_list(request):
    _require_clerk(request)
    state = request.GET.get("state", "received")
    if state not in selectors.LIST_STATES:
        state = "received"
    page = CappedPaginator(selectors.received_packages(request.user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.received_counts(request.user)
    tabs = [(value, label, counts.get(value, 0)) for value, label in InboundPackage.State.choices]
    return render(request, "exchange/received_list.html", {"page": page, "state": state, "tabs": tabs})


def _detail_context(request, package, *, register_form=None, reject_form=None, refuse_request_form=None) -> dict:
    read, unreadable = None, ""
    if package.payload_sha256:
        try:
            read = services.read_package(package)
        except (UnreadablePackage, OSError) as exc:
            unreadable = " ".join(getattr(exc, "messages", [str(exc)]))
    edoc = read.package if read is not None and isinstance(read.package, model.Edoc) else None
    pending = package.state == InboundPackage.State.RECEIVED
    if package.is_request:  # a recall or an update: accepted or refused, never registered
        changes = []
        if package.is_update and edoc is not None and package.original_id:
            try:
                changes = corrections.rows(services.proposed_changes(package))
            except (UnreadablePackage, OSError):
                changes = []
        return {"package": package, "edoc": edoc, "unreadable": unreadable, "verification": package.verification or {},
                "oddities": package.oddities or [], "pending": False, "request_pending": pending, "changes": changes,
                "recall_reason": edoc.bussiness.bussiness_doc_reason if edoc is not None and edoc.bussiness else "",
                "original": package.original, "refuse_request_form": refuse_request_form or (RefuseRequestForm() if pending else None),
                "urgency": _urgency(edoc), "revocation": REVOCATION_LABELS.get((package.verification or {}).get("revocation"), "—")}
    if pending and register_form is None:
        initial = {"doc_type": services.guess_doc_type(edoc)} if edoc else {}
        if package.encrypted:
            initial["confidentiality"] = Clearance.CONFIDENTIAL
        register_form = RegisterReceivedForm(reader=request.user, initial=initial)
    return {"package": package, "edoc": edoc, "unreadable": unreadable, "verification": package.verification or {},
            "oddities": package.oddities or [], "pending": pending, "register_form": register_form,
            "reject_form": reject_form or (RejectReceivedForm() if pending else None),
            "urgency": _urgency(edoc), "revocation": REVOCATION_LABELS.get((package.verification or {}).get("revocation"), "—")}


def _urgency(edoc) -> str:
    priority = edoc.other_info.priority if edoc is not None else None
    if priority in Urgency.values:
        return Urgency(priority).label
    return str(priority) if priority is not None else ""


@login_required
@require_GET
def received_detail(request, pk):
    package = get_or_404(selectors.received_package, request.user, pk)
    return render(request, "exchange/received_detail.html", _detail_context(request, package))


@login_required
@require_POST
def register(request, pk):
    package = get_or_404(selectors.received_package, request.user, pk)
    form = RegisterReceivedForm(request.POST, reader=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.register_received(
                request.user, package, register=data["register"], doc_type=data["doc_type"], confidentiality=data["confidentiality"],
                receiving_unit=data["receiving_unit"], distribution=data["distribution"], confirm_duplicate=data["confirm_duplicate"],
                request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registered with arrival number %(number)s.") % {"number": document.number})
            return redirect("documents:detail", pk=document.pk)
    package.refresh_from_db()
    return render(request, "exchange/received_detail.html", _detail_context(request, package, register_form=form), status=400)


@login_required
@require_POST
def reject(request, pk):
    package = get_or_404(selectors.received_package, request.user, pk)
    form = RejectReceivedForm(request.POST)
    if form.is_valid():
        try:
            services.reject_received(request.user, package, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rejected: the sender is told why."))
            return redirect("exchange:received")
    package.refresh_from_db()
    return render(request, "exchange/received_detail.html", _detail_context(request, package, reject_form=form), status=400)


@login_required
@require_POST
def accept_request(request, pk):
    package = get_or_404(selectors.received_package, request.user, pk)
    carry_out(request, lambda: services.accept_request(request.user, package, request=request),
              _("Recall accepted: the document is withdrawn, and the sender is told.") if package.is_recall
              else _("Replacement accepted: the old document is marked replaced, and the sender is told. Register the new one below.")
              if package.is_replacement else _("Update accepted: the corrections are applied, and the sender is told."))
    return redirect("exchange:package", pk=package.pk)


@login_required
@require_POST
def refuse_request(request, pk):
    package = get_or_404(selectors.received_package, request.user, pk)
    form = RefuseRequestForm(request.POST)
    if form.is_valid():
        try:
            services.refuse_request(request.user, package, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Refused: the sender is told why."))
            return redirect("exchange:package", pk=package.pk)
    package.refresh_from_db()
    return render(request, "exchange/received_detail.html", _detail_context(request, package, refuse_request_form=form), status=400)


@login_required
@require_POST
def recall(request, pk):
    """A clerk of the sending agency recalls an issued document from the agencies it reached."""
    document = get_or_404(document_selectors.document_detail, request.user, pk)
    form = RecallForm(request.POST)
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")
    carry_out(request, lambda: services.recall_document(request.user, document, reason=form.cleaned_data["reason"], request=request),
              lambda sent: _("The recall goes to %(agencies)s; their answers appear below.") % {"agencies": _recipients(sent)})
    return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")


@login_required
@require_POST
def update(request, pk):
    """A clerk of the sending agency corrects fields of an issued document and sends the update."""
    document = get_or_404(document_selectors.document_detail, request.user, pk)
    form = UpdateForm(request.POST, prefix="update")
    if not form.is_valid():
        message_form_errors(request, form, labelled=True)
        return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")
    data = dict(form.cleaned_data)
    reason = data.pop("reason")
    carry_out(request, lambda: services.send_update(request.user, document, changes=data, reason=reason, request=request),
              lambda sent: _("Corrected; the update goes to %(agencies)s, and their answers appear below.") % {"agencies": _recipients(sent)})
    return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")


@login_required
@require_POST
def replace(request, pk):
    """A clerk of the sending agency starts the document that replaces an issued one: a draft to complete and issue."""
    document = get_or_404(document_selectors.document_detail, request.user, pk)
    form = ReplaceForm(request.POST, prefix="replace")
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")
    draft = carry_out(request, lambda: services.draft_replacement(request.user, document, reason=form.cleaned_data["reason"], request=request),
                      _("The replacement is drafted with the same recipients: add its file, have it signed and issue it; "
                        "it then goes to them as the replacement of %(reference)s.") % {"reference": document.reference})
    if draft is REFUSED:
        return redirect(reverse("documents:detail", args=[document.pk]) + "#exchange")
    return redirect("documents:detail", pk=draft.pk)


@login_required
@require_GET
def attachment(request, pk, index):
    """One attachment of a received package, as a download (never shown inline: it is not checked yet)."""
    package = get_or_404(selectors.received_package, request.user, pk)
    try:
        edoc = services.read_package(package).package
    except (UnreadablePackage, OSError):
        raise Http404 from None
    if not isinstance(edoc, model.Edoc) or not 1 <= index <= len(edoc.attachments) or edoc.attachments[index - 1].data is None:
        raise Http404
    item = edoc.attachments[index - 1]
    from django.utils.http import content_disposition_header

    from vanphong.documents.attachments import clean_filename

    response = HttpResponse(item.data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, clean_filename(item.attachment_name) or f"attachment-{index}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def resend(request, pk):
    package = get_or_404(selectors.sent_package, request.user, pk)
    carry_out(request, lambda: services.resend(request.user, package, request=request),
              _("The package to %(agency)s will be sent again within a minute.") % {"agency": package.recipient.name})
    return redirect(reverse("documents:detail", args=[package.document_id]) + "#exchange")


def _recipients(packages) -> str:
    return ", ".join(package.recipient.name for package in packages)


def document_section(request, document) -> str:
    """The exchange panel of an outgoing document's page (documents.hooks.detail_sections): per
    recipient agency, whether the package left and each status that came back."""
    if document.direction != Direction.OUTGOING:
        return _recall_notice(request, document)
    try:
        timelines = selectors.document_timelines(request.user, document)
        replacing, replaced_by = selectors.replacements_of(request.user, document)
    except NotFound:
        return ""
    notice = mark_safe("")  # noqa: S308 - empty; what is added to it is rendered templates
    if replacing is not None or replaced_by is not None:
        notice = render_to_string("exchange/_replacing.html", {"replacing": replacing, "replaced_by": replaced_by}, request=request)
    if not timelines:
        return notice
    rows = [{"timeline": t, "receipts": [(r, status_label(r.code)) for r in t.receipts]} for t in timelines]
    may_recall = selectors.may_recall(request.user, document)
    may_update = selectors.may_update(request.user, document)
    may_replace = selectors.may_replace(request.user, document)
    return notice + render_to_string("exchange/_timeline.html", {
        "rows": rows, "document": document, "can_resend": is_clerk(request.user, document.agency),
        "recall_form": RecallForm() if may_recall else None,
        "update_form": UpdateForm.for_document(document) if may_update else None,
        "replace_form": ReplaceForm(prefix="replace") if may_replace else None}, request=request)


def _recall_notice(request, document) -> str:
    """On an incoming document received through the exchange: that its sender recalled it (withdrawn),
    and the corrections its sender's updates made."""
    try:
        package = selectors.received_recall(request.user, document)
        updates = selectors.accepted_updates(request.user, document)
    except NotFound:
        return ""
    html = mark_safe("")  # noqa: S308 - empty; what is added to it is rendered templates
    if updates:
        html = render_to_string("exchange/_corrected.html", {"updates": [(u, corrections.rows(u.changes)) for u in updates]},
                                request=request)
    if package is None:
        return html
    if package.state == InboundPackage.State.REPLACED:
        replacement = next((r for r in package.requests.all() if r.is_replacement and r.replacement_accepted_at), None)
        return render_to_string("exchange/_replaced.html", {"package": package, "replacement": replacement}, request=request) + html
    accepted = next((r for r in package.requests.all() if r.state == InboundPackage.State.ACCEPTED), None)
    reason = ""
    if accepted is not None:
        try:
            edoc = services.read_package(accepted).package
            reason = edoc.bussiness.bussiness_doc_reason if isinstance(edoc, model.Edoc) and edoc.bussiness else ""
        except (UnreadablePackage, OSError):
            reason = ""
    return render_to_string("exchange/_recalled.html", {"package": package, "recall": accepted, "reason": reason}, request=request) + html
