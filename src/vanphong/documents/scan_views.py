"""Paper documents: upload a scan, watch its recognition, then register it from the proposal.

The status page polls a small fragment (HTMX, every second) while the worker runs; when the job
is done the fragment sends the browser on to the incoming form, pre-filled from the proposal."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from vanphong.core.errors import ValidationError
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.documents import ocr_services, page_images, selectors
from vanphong.documents.models import OcrJob
from vanphong.documents.permissions import is_clerk


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Scan of the paper document"),
                           help_text=_("A PDF, or a PNG, JPEG or TIFF image, scanned at 300 dpi. The first page carries the details."))


@login_required
def new(request):
    if not is_clerk(request.user, request.user.agency):
        raise PermissionDenied
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = ocr_services.start_scan(request.user, form.cleaned_data["scan"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("documents:scan_status", pk=job.pk)
    return render(request, "documents/scan_new.html", {"form": form, "pending": selectors.pending_scans(request.user)[:20]})


@login_required
@require_safe
def status(request, pk):
    job = get_or_404(selectors.scan_job_for, request.user, pk)
    polled = request.headers.get("HX-Request") == "true"
    if job.status == OcrJob.Status.DONE and job.document_id is None and not polled:
        return redirect(f"{reverse('documents:incoming_new')}?scan={job.pk}")
    context = {"job": job, "failure": ocr_services.failure_message(job) if job.status == OcrJob.Status.FAILED else ""}
    if polled:
        response = render(request, "documents/_scan_progress.html", context)
        if job.status == OcrJob.Status.DONE and job.document_id is None:
            response["HX-Redirect"] = f"{reverse('documents:incoming_new')}?scan={job.pk}"
        return response
    return render(request, "documents/scan_status.html", context)


@login_required
@require_safe
def page_image(request, pk):
    """The first page of the recognised scan, small, beside the form the clerk checks against it."""
    job = get_or_404(selectors.scan_job_for, request.user, pk)
    if job.status != OcrJob.Status.DONE:
        raise Http404
    try:
        png = page_images.page_png(job.result_sha256, 1, dpi=page_images.SCAN_DPI)
    except page_images.PageUnavailable:
        raise Http404 from None
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
