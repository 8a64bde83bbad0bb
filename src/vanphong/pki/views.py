"""Public status services: CA certificates, CRLs, OCSP and time-stamping.

In production pki.status_wsgi answers OCSP before these views are reached; they serve the same
answers to Django's own test client and development server.

No sign-in (verifiers are programs anywhere on the network) and no CSRF (protocol POSTs with
binary bodies, no cookies, no state changed for the caller)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from vanphong.core.errors import NotFound
from vanphong.pki import ocsp, selectors, services, tsa
from vanphong.pki.ocsp import MAX_REQUEST_BYTES  # time-stamp queries are as small as OCSP requests


def _published_ca(slug: str):
    try:
        return selectors.published_ca(slug)
    except NotFound:
        raise Http404() from None


@require_GET
def ca_certificate(request, slug: str):
    ca = _published_ca(slug)
    response = HttpResponse(ca.x509.public_bytes(serialization.Encoding.DER), content_type="application/pkix-cert")
    response["Content-Disposition"] = f'attachment; filename="{ca.slug}.crt"'
    return response


@require_GET
def crl(request, slug: str):
    ca = _published_ca(slug)
    response = HttpResponse(services.current_crl(ca), content_type="application/pkix-crl")
    response["Content-Disposition"] = f'attachment; filename="{ca.slug}.crl"'
    response["Cache-Control"] = "no-cache"  # a revocation must reach the next download
    return response


def _ocsp_reply(der: bytes) -> HttpResponse:
    return HttpResponse(der, content_type="application/ocsp-response")


@csrf_exempt
@require_POST
def ocsp_post(request):
    if len(request.body) > MAX_REQUEST_BYTES:
        return HttpResponse(status=413)
    return _ocsp_reply(ocsp.respond(request.body))


@require_GET
def ocsp_get(request, encoded: str):
    return _ocsp_reply(ocsp.respond_to_get(encoded))


@csrf_exempt
@require_POST
def timestamp(request):
    if len(request.body) > MAX_REQUEST_BYTES:
        return HttpResponse(status=413)
    return HttpResponse(tsa.respond(request.body), content_type="application/timestamp-reply")
