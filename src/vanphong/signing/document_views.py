"""The signing panels of a document's page (documents.hooks.detail_sections) and their actions:
the official signs, the clerk seals or marks a draft signed on paper, anyone who may read the
document asks for its verification report again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.core.text import fold
from vanphong.core.web import REFUSALS, carry_out, get_or_404
from vanphong.documents import selectors as documents
from vanphong.documents.models import Direction, Document
from vanphong.documents.permissions import is_clerk
from vanphong.signing import document_services, pades, selectors
from vanphong.signing.models import AttachmentVerification

LEVEL_CHOICES = [(pades.B_T, "PAdES B-T"), (pades.B_LT, "PAdES B-LT"), (pades.B_LTA, "PAdES B-LTA")]


@dataclass
class FileReport:
    attachment: object
    verification: AttachmentVerification | None
    report: dict = field(default_factory=dict)

    @property
    def waiting_long(self) -> bool:
        v = self.verification
        return v is not None and v.status == v.Status.PENDING and (timezone.now() - v.requested_at).total_seconds() > 60


_TIMES = ("claimed_time", "timestamp_time", "revoked_at", "time")


def _with_times(report: dict) -> dict:
    """The stored report with its ISO times as datetimes again, shown in the reader's time zone."""
    def parse(entry: dict) -> dict:
        return {k: (dt.datetime.fromisoformat(v) if k in _TIMES and v else v) for k, v in entry.items()}

    return {**report, "signatures": [parse(s) for s in report.get("signatures", [])],
            "document_timestamps": [parse(t) for t in report.get("document_timestamps", [])]}


def _file_reports(document) -> list[FileReport]:
    verifications = selectors.verifications_of(document)
    language = translation.get_language() or "vi"
    rows = []
    for attachment in document.attachments.all():
        if attachment.content_type != document_services.PDF:
            continue
        v = verifications.get(attachment.pk)
        report = {}
        if v is not None and v.status == v.Status.DONE:
            report = _with_times(v.report.get(language[:2]) or v.report.get("vi") or next(iter(v.report.values()), {}))
        rows.append(FileReport(attachment, v, report))
    return rows


def document_section(request, document) -> str:
    user = request.user
    outgoing = document.direction == Direction.OUTGOING
    context = {"document": document, "files": _file_reports(document), "outgoing": outgoing}
    if outgoing:
        signatures = list(selectors.signatures_on(document))
        draft = document.status == Document.Status.DRAFT
        context.update({
            "signatures": signatures,
            "main_file": document_services.main_file(document),
            "paper": document_services.is_signed_on_paper(document),
            "can_sign": document_services.may_sign(user, document),
            "is_named_signer": draft and bool(document.signer_name) and fold(document.signer_name) == fold(user.full_name),
            "has_certificate": selectors.held_official_certificate(user) is not None,
            "can_seal": document_services.may_seal(user, document),
            "can_mark_paper": draft and not signatures and is_clerk(user, document.agency),
            "levels": LEVEL_CHOICES,
            "draft": draft,
        })
    return render_to_string("signing/_document_section.html", context, request=request)


def _back(pk, anchor="signing") -> str:
    return reverse("documents:detail", args=[pk]) + "#" + anchor


def _act(request, pk, action, done):
    document = get_or_404(documents.document_detail, request.user, pk)
    carry_out(request, lambda: action(document), done, refusals=REFUSALS)
    return redirect(_back(pk))


@login_required
@require_POST
def sign(request, pk):
    level = request.POST.get("level") or pades.B_T
    return _act(request, pk, lambda d: document_services.sign_document(request.user, d, level=level, request=request),
                _("Signed. The signed PDF is kept as a new file; a clerk numbers the document and applies the seal."))


@login_required
@require_POST
def seal(request, pk):
    return _act(request, pk, lambda d: document_services.seal_document(request.user, d, request=request),
                _("The seal is applied, with the number and date. Both signatures are valid."))


@login_required
@require_POST
def paper(request, pk):
    return _act(request, pk, lambda d: document_services.mark_signed_on_paper(request.user, d, request=request),
                _("Marked as signed on paper: the draft can be numbered without a digital signature."))


@login_required
@require_POST
def verify_again(request, pk):
    attachment = get_or_404(documents.attachment_for_download, request.user, pk)
    carry_out(request, lambda: document_services.verify_again(request.user, attachment, request=request),
              _("The file is being verified again; the report below updates when it is done."))
    return redirect(_back(attachment.document_id, "verification"))
