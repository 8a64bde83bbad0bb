"""Downloading and previewing attachments, for the people who may read their document.

A file is sent as stored, with the content type found when it was checked (never guessed again by
the browser: nosniff) and the original name (RFC 6266/5987, so Vietnamese names arrive intact).
Reading a confidential document's file is audited.
"""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from vanphong.core import audit, storage
from vanphong.core.clearance import Clearance
from vanphong.core.web import get_or_404
from vanphong.documents import page_images, selectors
from vanphong.documents.models import Attachment

log = logging.getLogger(__name__)

PDF = "application/pdf"


@login_required
@require_safe
def download(request, pk):
    attachment = get_or_404(selectors.attachment_for_download, request.user, pk)
    return _send(request, attachment, inline=False)


# Chrome shows a PDF through a page of its own made for the response, with an <embed> and inline
# styles: the site's policy (object-src 'none', style-src 'self') would leave it blank. The response
# is a PDF served with nosniff, so these allowances cover no HTML of ours.
@login_required
@require_safe
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"], "object-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"]})
def preview(request, pk):
    attachment = get_or_404(selectors.attachment_for_download, request.user, pk)
    if attachment.content_type != PDF:
        raise Http404
    return _send(request, attachment, inline=True)


@login_required
@require_safe
def page(request, pk, number):
    """One page of a PDF as an image: the preview on the document's page (see documents.page_images)."""
    attachment = get_or_404(selectors.attachment_for_download, request.user, pk)
    if attachment.content_type != PDF or number > (attachment.page_count or 1):
        raise Http404
    try:
        png = page_images.page_png(attachment.sha256, number)
    except page_images.PageUnavailable:
        raise Http404 from None
    _audit_read(request, attachment, {"page": number})
    response = HttpResponse(png, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _audit_read(request, attachment: Attachment, how: dict) -> None:
    """Reading a confidential document's file, whole or a page of it, is recorded."""
    document = attachment.document
    if document.confidentiality > Clearance.NONE:
        audit.record("documents.attachment.downloaded", actor=request.user, agency=document.agency, target=attachment, request=request,
                     data={"document": document.pk, "sha256": attachment.sha256, "filename": attachment.filename,
                           "confidentiality": document.confidentiality, **how})


def _send(request, attachment: Attachment, *, inline: bool) -> FileResponse:
    try:
        handle = storage.path_for(attachment.sha256).open("rb")
    except (OSError, ValueError):
        log.error("attachment %s: file %s is missing from the store", attachment.pk, attachment.sha256)
        raise Http404 from None
    _audit_read(request, attachment, {"inline": inline})
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="Quyet dinh.pdf"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf`: the
    plain form for old clients (diacritics dropped, đ → d), the exact name for the others."""
    plain = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in plain) or "file"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
