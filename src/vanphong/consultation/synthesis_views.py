"""The synthesis report's downloads from the consultation's page (staff of the drafting body): DOCX and XLSX, named in
Vietnamese (RFC 5987, as the documents' files are)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from vanphong.consultation import synthesis
from vanphong.core.web import get_or_404
from vanphong.documents.attachment_views import content_disposition


@login_required
@require_GET
def report(request, pk, fmt):
    if fmt not in synthesis.FORMATS:
        raise Http404
    content, name, content_type = get_or_404(synthesis.export, request.user, pk, fmt, request=request)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
