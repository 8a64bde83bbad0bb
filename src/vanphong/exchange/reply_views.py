"""The reply by exchange from an incoming document's page: a panel with the form (documents.hooks.detail_sections),
and the action that drafts the reply (exchange.replies)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.errors import NotFound
from vanphong.core.web import REFUSED, carry_out, get_or_404, message_form_errors
from vanphong.documents import selectors as document_selectors
from vanphong.documents.attachments import store
from vanphong.exchange import replies
from vanphong.exchange.forms import ReplyForm


@login_required
@require_POST
def reply(request, pk):
    document = get_or_404(document_selectors.document_detail, request.user, pk)
    if replies.repliable_package(request.user, document) is None:
        raise NotFound()
    form = ReplyForm(request.POST, request.FILES)
    back = reverse("documents:detail", args=[document.pk]) + "#exchange-reply"
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect(back)
    def draft_reply():
        uploads = [store(form.cleaned_data["file"])] if form.cleaned_data["file"] else []
        return replies.draft_reply(request.user, document, subject=form.cleaned_data["subject"], doc_type=form.cleaned_data["doc_type"],
                                   files=uploads, request=request)

    draft = carry_out(request, draft_reply, _("The reply is drafted, addressed to the sender. Have it signed and issued: its package "
                                              "then tells the sender which document it answers."))
    return redirect(back) if draft is REFUSED else redirect("documents:detail", draft.pk)


def document_section(request, document) -> str:
    """On an incoming document registered from a received package: the replies drafted to it, and the form to draft one."""
    package = replies.repliable_package(request.user, document)
    if package is None:
        return ""
    return render_to_string("exchange/_reply.html", {
        "document": document, "package": package, "replies": replies.replies_to(request.user, document),
        "form": ReplyForm(initial={"subject": _("Reply to %(reference)s: %(subject)s") % {
            "reference": document.reference or package.edxml_document_id, "subject": document.subject}})}, request=request)
