"""Public status services: CA certificates, CRLs, OCSP and time-stamping.

No sign-in (verifiers are programs anywhere on the network) and no CSRF (protocol POSTs with
binary bodies, no cookies, no state changed for the caller)."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from vanphong.core.errors import NotFound
from vanphong.pki import ocsp, selectors, services, tsa

# Requests are a few hundred bytes; anything far larger is not one.
MAX_REQUEST_BYTES = 64 * 1024


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
    """RFC 6960 appendix A.1: GET {url}/{base64 of the DER request}, URL-encoded."""
    try:
        der = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        der = b""  # answered as a malformed request
    return _ocsp_reply(ocsp.respond(der))


@csrf_exempt
@require_POST
def timestamp(request):
    if len(request.body) > MAX_REQUEST_BYTES:
        return HttpResponse(status=413)
    return HttpResponse(tsa.respond(request.body), content_type="application/timestamp-reply")
