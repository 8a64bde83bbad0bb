"""The consultation pages. Staff of the drafting body: the list, a new consultation, its page (who answered, the
draft article by article with the comments on each, corrections of their places), invitations, reminders, new
versions and what each unit of a version continues. Respondents: their invitation, answered in the browser
article by article, with a file, or "agree, no comment"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanphong.consultation import exchange_selectors, permissions, reminders, selectors, services
from vanphong.consultation.forms import AnswerFileForm, InviteForm, PaperForm, StartForm, VersionForm
from vanphong.consultation.models import Consultation
from vanphong.core import storage
from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, carry_out, get_or_404, message_form_errors
from vanphong.documents.attachment_views import content_disposition


@login_required
@require_GET
def consultation_list(request):
    return render(request, "consultation/list.html", {
        "consultations": selectors.staff_consultations(request.user)[:200],
        "invitations": [(i, selectors.STATES[selectors.state_of(i)]) for i in selectors.invitations_to(request.user)[:200]],
        "can_start": permissions.can_start_consultation(request.user)})


@login_required
def start(request):
    if not permissions.can_start_consultation(request.user):
        raise PermissionDenied
    form = StartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.start_consultation(request.user, title=form.cleaned_data["title"], deadline=form.cleaned_data["deadline"],
                                                       upload=form.cleaned_data["file"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft is put out for comments. Now invite the units that should comment."))
            return redirect("consultation:detail", consultation.pk)
    return render(request, "consultation/start.html", {"form": form})


def _staff_consultation(request, pk) -> Consultation:
    return get_or_404(selectors.consultation_for_staff, request.user, pk)


@login_required
@require_GET
def detail(request, pk):
    consultation = _staff_consultation(request, pk)
    version = selectors.latest_version(consultation)
    rows = selectors.invitation_rows(consultation)
    deliveries = exchange_selectors.deliveries(consultation)
    for row in rows:  # invitations sent by exchange: where their letter is
        row.delivery = deliveries.get(row.invitation.pk)
    # One invitee's answer alone (to check a letter's split against the paper), or everyone's.
    only = next((r.invitation for r in rows if str(r.invitation.pk) == request.GET.get("invitation")), None)
    comments = selectors.all_comments(consultation)
    articles, general = selectors.outline(version, comments=comments.filter(invitation=only) if only else comments)
    return render(request, "consultation/detail.html", {
        "consultation": consultation, "version": version, "articles": articles, "general": general, "rows": rows,
        "tally": selectors.tally(rows), "to_check": selectors.comments_to_check(consultation).count(),
        "nodes": [a.node for a in articles],
        "comment_total": sum(1 for a in articles for c in a.comments if not c.excluded) + sum(1 for c in general if not c.excluded),
        "is_open": consultation.status == Consultation.Status.OPEN, "only": only,
        "per_article": selectors.counts_by_article(articles),
        "waiting_for_letter": len(exchange_selectors.waiting_for_letter(consultation)) if consultation.status == Consultation.Status.OPEN else 0})


@login_required
def invite(request, pk):
    consultation = _staff_consultation(request, pk)
    form = InviteForm(request.POST or None, agency=consultation.agency)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.invite(request.user, consultation, units=form.cleaned_data["units"], people=form.cleaned_data["people"],
                                   agencies=form.cleaned_data["agencies"], deadline=form.cleaned_data["deadline"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if made:
                messages.success(request, _("Invited: %(count)d. They are told in VănPhòng and by e-mail.") % {"count": len(made)})
            else:
                messages.info(request, _("They were all invited already."))
            return redirect(reverse("consultation:detail", args=[consultation.pk]) + "#invitations")
    return render(request, "consultation/invite.html", {"consultation": consultation, "form": form})


@login_required
@require_POST
def remind(request, pk):
    consultation = _staff_consultation(request, pk)
    count = reminders.remind_unanswered(request.user, consultation, request=request)
    if count:
        messages.success(request, _("Reminded: %(count)d people who have not answered.") % {"count": count})
    else:
        messages.info(request, _("Nobody to remind: everyone has answered, or was reminded today."))
    return redirect(reverse("consultation:detail", args=[consultation.pk]) + "#invitations")


@login_required
@require_POST
def close(request, pk):
    consultation = _staff_consultation(request, pk)
    services.close_consultation(request.user, consultation, request=request)
    messages.success(request, _("The consultation is closed: it takes no more comments."))
    return redirect("consultation:detail", consultation.pk)


@login_required
def version_add(request, pk):
    consultation = _staff_consultation(request, pk)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(request.user, consultation, upload=form.cleaned_data["file"],
                                           note=form.cleaned_data["note"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Version %(number)d is uploaded. Comments have moved to the articles that continue "
                                        "theirs: check the matches below.") % {"number": version.number})
            return redirect("consultation:version", consultation.pk, version.number)
    return render(request, "consultation/version_add.html", {"consultation": consultation, "form": form})


@login_required
@require_GET
def version(request, pk, number):
    consultation = _staff_consultation(request, pk)
    shown = get_or_404(selectors.version_of, consultation, number)
    return render(request, "consultation/version.html", {
        "consultation": consultation, "version": shown, "nodes": selectors.mapping_of(shown),
        "versions": selectors.versions(consultation)})


@login_required
def answer(request, pk):
    invitation = get_or_404(selectors.invitation_for_respondent, request.user, pk)
    consultation = invitation.consultation
    version = selectors.latest_version(consultation)
    errors: list[str] = []
    typed: dict[str, str] = {}
    if request.method == "POST":
        typed = {k: v for k, v in request.POST.items() if k.startswith("comment-")}
        comments = []
        for key, text in typed.items():
            target = key.removeprefix("comment-")
            comments.append((None if target == "general" else int(target) if target.isdigit() else -1, text))
        try:
            services.answer_on_web(request.user, invitation, comments=comments, agreed=request.POST.get("agreed") == "1", request=request)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Thank you: your answer is sent to the drafting body."))
            return redirect("consultation:answer", invitation.pk)
    articles, general = selectors.outline(version, comments=selectors.own_comments(invitation))
    for article in articles:  # what was typed comes back with the error, not lost
        article.typed = typed.get(f"comment-{article.node.pk}", "")
    return render(request, "consultation/answer.html", {
        "invitation": invitation, "consultation": consultation, "version": version, "articles": articles, "general": general,
        "state": selectors.STATES[selectors.state_of(invitation)], "can_answer": selectors.can_answer(invitation),
        "errors": errors, "typed_general": typed.get("comment-general", ""), "file_form": AnswerFileForm()}, status=400 if errors else 200)


@login_required
@require_POST
def answer_file(request, pk):
    invitation = get_or_404(selectors.invitation_for_respondent, request.user, pk)
    form = AnswerFileForm(request.POST, request.FILES)
    if not form.is_valid():
        message_form_errors(request, form)
        return redirect("consultation:answer", invitation.pk)
    carry_out(request, lambda: services.answer_with_file(request.user, invitation, upload=form.cleaned_data["file"], request=request),
              lambda answer: _("Your file is sent: %(count)d comments were found in it, each placed on the article it "
                               "names (shown below).") % {"count": answer.comments.count()})
    return redirect("consultation:answer", invitation.pk)


@login_required
def paper(request, pk):
    invitation = get_or_404(selectors.invitation_for_staff, request.user, pk)
    form = PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enter_paper_answer(request.user, invitation, received_on=data["received_on"], text=data["text"],
                                        upload=data["file"], agreed=data["agreed"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The paper answer of %(name)s is recorded.") % {"name": invitation.invitee_name})
            return redirect("consultation:detail", invitation.consultation_id)
    return render(request, "consultation/paper.html", {"invitation": invitation, "consultation": invitation.consultation, "form": form})


@login_required
@require_POST
def place(request, pk):
    comment = get_or_404(selectors.comment_for_staff, request.user, pk)
    carry_out(request, lambda: services.place_comment_at(request.user, comment, named=request.POST.get("part", ""), request=request),
              _("The comment is moved."))
    return redirect(reverse("consultation:detail", args=[comment.consultation_id]) + f"#comment-{comment.pk}")


@login_required
@require_GET
def version_file(request, pk, number):
    """The uploaded file of a version, for the staff and the respondents."""
    version = get_or_404(selectors.version_for_reader, request.user, pk, number)
    try:
        handle = storage.path_for(version.sha256).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=version.content_type)
    response["Content-Disposition"] = content_disposition(version.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def exclude(request, pk):
    comment = get_or_404(selectors.comment_for_staff, request.user, pk)
    excluded = request.POST.get("excluded") == "1"
    services.set_excluded(request.user, comment, excluded=excluded, request=request)
    messages.success(request, _("Marked as no comment: it is not counted.") if excluded else _("Counted as a comment again."))
    return redirect(reverse("consultation:detail", args=[comment.consultation_id]) + f"#comment-{comment.pk}")
