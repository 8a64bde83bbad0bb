"""The CA operator's pages: the CAs, the certificates, issuing, renewing, revoking, and the CA's
audit trail. Only CA operators get past the selectors (403 for everyone else); the services check
again and write the audit records.

A key generated here leaves in the answer to the POST that made it, as a PKCS#12 file: it is
never written to the database, the session or a file, so it cannot be fetched twice."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import get_text_list, slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanphong.core.errors import ValidationError
from vanphong.core.labels import action_label
from vanphong.core.paging import CappedPaginator
from vanphong.core.text import fold
from vanphong.core.web import add_service_errors, get_or_404
from vanphong.pki import batch, csr, display, published, selectors, services
from vanphong.pki.forms import CSR, GENERATE, BatchIssueForm, CertificateFilterForm, IssueForm, RenewForm, RevokeForm
from vanphong.pki.models import Certificate, RevocationReason, ocsp_url, tsa_url
from vanphong.pki.permissions import is_ca_operator

PER_PAGE = 50
AUDIT_ACTIONS = ("pki.ca.initialised", "pki.certificate.issued", "pki.certificate.renewed", "pki.certificate.revoked",
                 "pki.crl.published")


def _require_operator(request):
    if not is_ca_operator(request.user):
        raise PermissionDenied


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _file_stem(cert: Certificate) -> str:
    return f"{slugify(fold(cert.common_name)) or 'certificate'}-{cert.serial[:10]}"


def _pkcs12_response(request, issued: services.Issued, message: str) -> HttpResponse:
    cert = issued.certificate
    messages.success(request, message % {"name": cert.common_name, "serial": cert.serial})
    return _file(issued.pkcs12, f"{_file_stem(cert)}.p12", "application/x-pkcs12")


@login_required
@require_GET
def authorities(request):
    cas = list(selectors.certificate_authorities(request.user))
    return render(request, "pki/authorities.html", {"cas": cas, "ocsp_url": ocsp_url(), "tsa_url": tsa_url()})


@login_required
@require_GET
def certificate_list(request):
    form = CertificateFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.certificates(request.user, status=filters.get("status", ""), profile=filters.get("profile", ""),
                                query=filters.get("q", ""), expiring_within_days=filters.get("expiring"))
    page = CappedPaginator(qs.defer("certificate_pem"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pki/certificates.html", {"form": form, "page": page, "certificates": display.mark(page)})


@login_required
@require_GET
def certificate_detail(request, serial):
    cert = get_or_404(selectors.certificate_for_operator, request.user, serial)
    chain = cert.issuers()
    display.mark([cert])
    return render(request, "pki/certificate.html", {
        "cert": cert, "x509": cert.x509, "chain": chain, "published": published.published_status(cert),
        "extensions": _extensions(cert), "renewals": selectors.renewals_of(request.user, cert),
        "tab": "certificates",
    })


def _extensions(cert: Certificate) -> list[tuple[str, bool, str]]:
    """(name, critical, value) for each extension, as openssl would name them."""
    rows = []
    for ext in cert.x509.extensions:
        name = getattr(ext.oid, "_name", None) or ext.oid.dotted_string
        rows.append((name, ext.critical, _extension_text(ext.value)))
    return rows


def _extension_text(value) -> str:
    from cryptography import x509

    if isinstance(value, x509.KeyUsage):
        flags = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
                 "key_cert_sign", "crl_sign"]
        return ", ".join(f for f in flags if getattr(value, f))
    if isinstance(value, x509.ExtendedKeyUsage):
        return ", ".join(getattr(oid, "_name", None) or oid.dotted_string for oid in value)
    if isinstance(value, x509.BasicConstraints):
        return f"CA={value.ca}" + (f", pathlen={value.path_length}" if value.path_length is not None else "")
    if isinstance(value, x509.SubjectAlternativeName):
        return ", ".join(str(v.value) for v in value)
    if isinstance(value, x509.SubjectKeyIdentifier):
        return value.digest.hex(":")
    if isinstance(value, x509.AuthorityKeyIdentifier):
        return (value.key_identifier or b"").hex(":")
    if isinstance(value, x509.CRLDistributionPoints):
        return ", ".join(n.value for point in value for n in (point.full_name or []))
    if isinstance(value, x509.AuthorityInformationAccess):
        return ", ".join(f"{getattr(d.access_method, '_name', d.access_method.dotted_string)}: {d.access_location.value}" for d in value)
    if isinstance(value, x509.CertificatePolicies):
        return ", ".join(p.policy_identifier.dotted_string for p in value)
    return type(value).__name__


@login_required
@require_GET
def certificate_download(request, serial, kind):
    cert = get_or_404(selectors.certificate_for_operator, request.user, serial)
    if kind not in ("pem", "der", "chain"):
        raise Http404
    stem = _file_stem(cert)
    if kind == "pem":
        return _file(cert.certificate_pem.encode("ascii"), f"{stem}.pem", "application/x-pem-file")
    if kind == "der":
        return _file(cert.x509.public_bytes(serialization.Encoding.DER), f"{stem}.cer", "application/pkix-cert")
    chain = [cert.certificate_pem] + [ca.certificate_pem for ca in cert.issuers()]
    return _file("".join(chain).encode("ascii"), f"{stem}-chain.pem", "application/x-pem-file")


@login_required
def issue(request):
    people, agencies = selectors.holders(request.user), selectors.seal_agencies(request.user)
    form = IssueForm(request.POST or None, request.FILES or None, people=people, agencies=agencies,
                     initial={"profile": request.GET.get("profile", "official")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        host = [data["host_name"]] if data["host_name"] else []
        holder = {"profile": data["profile"], "holder_person": data["holder_person"], "holder_agency": data["holder_agency"],
                  "subject": data["host_name"], "dns_names": host, "request": request}
        try:
            if data["key_source"] == GENERATE:
                issued = services.issue_with_generated_key(request.user, passphrase=data["passphrase"], **holder)
                return _pkcs12_response(request, issued, _("Certificate of %(name)s issued (serial %(serial)s); "
                                                           "its key was downloaded as a .p12 file."))
            cert = services.issue_from_csr(request.user, csr_data=data["csr_data"], **holder)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificate of %(name)s issued (serial %(serial)s).") % {"name": cert.common_name,
                                                                                                  "serial": cert.serial})
            return redirect("pki:certificate", serial=cert.serial)
    return render(request, "pki/issue.html", {"form": form, "min_passphrase": services.MIN_PASSPHRASE_LENGTH})


@login_required
def issue_batch(request):
    """Many certificates from CSR files named after their holders (pki.batch), all or none. The
    certificates come back in the answer to the POST as one .zip, under the CSR files' names."""
    _require_operator(request)
    form = BatchIssueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        profile, files = form.cleaned_data["profile"], form.cleaned_data["csr_files"]
        try:
            # The zip is made in the transaction too: certificates that could not be handed over are not issued.
            with transaction.atomic():
                csr_requests = batch.requests_from_files(request.user, profile, files)
                issued = services.issue_batch_from_csrs(request.user, profile=profile, requests=csr_requests, request=request)
                archive = batch.certificates_zip(files, issued)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificates issued: %(count)d, downloaded in one .zip file.") % {"count": len(issued)})
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return _file(archive, f"chung-thu-so-{stamp}.zip", "application/zip")
    return render(request, "pki/issue_batch.html", {
        "form": form, "max_files": services.MAX_BATCH, "max_kb": csr.MAX_CSR_BYTES // 1024,
        "suffixes": get_text_list(list(batch.CSR_SUFFIXES)),
    })


@login_required
def revoke(request, serial):
    cert = get_or_404(selectors.certificate_for_operator, request.user, serial)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke(request.user, cert, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificate %(serial)s revoked; the CRL and OCSP answers now say so.") % {"serial": cert.serial})
            return redirect("pki:certificate", serial=cert.serial)
    return render(request, "pki/revoke.html", {"cert": cert, "form": form})


@login_required
def renew(request, serial):
    cert = get_or_404(selectors.certificate_for_operator, request.user, serial)
    form = RenewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["key_source"] == GENERATE:
                issued = services.renew(request.user, cert, passphrase=data["passphrase"], request=request)
                return _pkcs12_response(request, issued, _("Certificate of %(name)s renewed (new serial %(serial)s); "
                                                           "its new key was downloaded as a .p12 file."))
            issued = services.renew(request.user, cert, csr_data=data["csr_data"] if data["key_source"] == CSR else None,
                                    request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Certificate of %(name)s renewed (new serial %(serial)s).")
                             % {"name": issued.certificate.common_name, "serial": issued.certificate.serial})
            return redirect("pki:certificate", serial=issued.certificate.serial)
    return render(request, "pki/renew.html", {"cert": cert, "form": form, "held": bool(cert.private_key)})


@login_required
@require_GET
def operations(request):
    _require_operator(request)
    action = request.GET.get("action", "")
    action = action if action in AUDIT_ACTIONS else ""
    page = CappedPaginator(selectors.operations(request.user, action=action), PER_PAGE).get_page(request.GET.get("page"))
    for rec in page:
        rec.label = action_label(rec.action)
        reason = rec.data.get("reason") if isinstance(rec.data, dict) else None
        rec.reason_label = RevocationReason(reason).label if reason in RevocationReason.values else ""
    choices = [(a, action_label(a)) for a in AUDIT_ACTIONS]
    return render(request, "pki/operations.html", {"page": page, "action": action, "choices": choices})
