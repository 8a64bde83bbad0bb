"""Consultation pages for the exchange: the staff send the invitation letter to the invited agencies the exchange
reaches (a draft letter, then signed and issued as any other), and enter an incoming document that answers it
(its panel on the document's page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.consultation import exchange_selectors, exchange_services, selectors
from vanphong.consultation.forms import ExchangeAnswerForm
from vanphong.consultation.models import Consultation
from vanphong.core.errors import ValidationError
from vanphong.core.web import REFUSED, carry_out, get_or_404, message_form_errors, message_refusal


@login_required
@require_POST
def send_by_exchange(request, pk):
    consultation = get_or_404(selectors.consultation_for_staff, request.user, pk)
    letters = carry_out(request, lambda: exchange_services.send_by_exchange(request.user, consultation, request=request), _("The invitation letter is drafted with the draft attached. Have it signed and issued: the "
                                "exchange then sends it to each agency, and its progress shows on the invitations list."))
    if letters is REFUSED:
        return redirect(reverse("consultation:detail", args=[consultation.pk]) + "#invitations")
    return redirect("documents:detail", letters[0].pk)


@login_required
@require_POST
def enter_answer(request, document_pk):
    document, found = get_or_404(exchange_selectors.exchange_answer_of, request.user, document_pk)
    form = ExchangeAnswerForm(request.POST, files=found.files)
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect(reverse("documents:detail", args=[document.pk]) + "#consultation-answer")
    try:
        answer = exchange_services.enter_exchange_answer(request.user, document, attachment=form.cleaned_data["attachment"],
                                                         agreed=form.cleaned_data["agreed"], request=request)
    except ValidationError as exc:
        message_refusal(request, exc)
        return redirect(reverse("documents:detail", args=[document.pk]) + "#consultation-answer")
    if answer.agreed:
        messages.success(request, _("The answer of %(name)s is recorded: agrees, no comment.") % {"name": found.invitation.invitee_name})
    else:
        messages.success(request, _("The answer of %(name)s is entered: %(count)d comments, each placed on the article it names.")
                         % {"name": found.invitation.invitee_name, "count": answer.comments.count()})
    return redirect(reverse("consultation:detail", args=[found.consultation.pk]) + f"?invitation={found.invitation.pk}#comments")


def document_section(request, document) -> str:
    """On an incoming document that answers a consultation's invitation letter, for that consultation's staff: what it
    answers, and the form that enters it as the agency's answer (documents.hooks.detail_sections)."""
    found = exchange_selectors.exchange_answer_for_staff(request.user, document)
    if found is None:
        return ""
    return render_to_string("consultation/_exchange_answer.html", {
        "found": found, "document": document, "is_open": found.consultation.status == Consultation.Status.OPEN,
        "form": ExchangeAnswerForm(files=found.files)}, request=request)
