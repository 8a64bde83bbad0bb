"""REST endpoints of the certificate authority, for the scripts of CA operators: list and read
certificates, issue one from a CSR, revoke one. Everyone else gets 403. Keys generated here are
handed over only on the web page (a PKCS#12 file under a passphrase typed there), never by the API.

Certificates are named by serial number (hexadecimal, with or without colons), as `vanphong ca`
names them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from vanphong.core.api_support import Id, InputSchema, PageQuery, Text, error_responses, page
from vanphong.core.errors import ValidationError
from vanphong.pki import profiles, selectors, services
from vanphong.pki.csr import MAX_CSR_BYTES
from vanphong.pki.forms import ISSUABLE_PROFILES
from vanphong.pki.models import Certificate, RevocationReason
from vanphong.pki.permissions import require_ca_operator

router = Router(tags=["certificates"])

Serial = Path[str, {"min_length": 1, "max_length": 64, "pattern": r"^[0-9A-Fa-f:]+$"}]
ProfileCode = Literal[tuple(profiles.PROFILES)]
IssuableProfile = Literal[ISSUABLE_PROFILES]


class CertificateOut(Schema):
    serial: str = Field(description="Lower-case hexadecimal, no leading zeros.")
    profile: ProfileCode
    subject: str = Field(description="RFC 4514 form.")
    common_name: str
    holder_person_id: int | None
    holder_agency_id: int | None
    issuer: str = Field(description="The short name (slug) of the CA that issued it.")
    not_before: dt.datetime
    not_after: dt.datetime
    status: Literal[tuple(Certificate.Status.values)]
    revoked_at: dt.datetime | None
    revocation_reason: Literal[("", *RevocationReason.values)] = Field(description="RFC 5280 CRLReason name; empty unless revoked.")
    renewal_of: str | None = Field(description="The serial of the certificate it renews.")
    key_held: bool = Field(description="The system holds the key (its own services, officials' and seals' signing keys).")
    certificate_pem: str

    @staticmethod
    def resolve_issuer(cert) -> str:
        return cert.ca.slug

    @staticmethod
    def resolve_renewal_of(cert) -> str | None:
        return cert.renewal_of.serial if cert.renewal_of_id else None

    @staticmethod
    def resolve_key_held(cert) -> bool:
        return bool(cert.private_key)


class CertificatePage(Schema):
    count: int
    items: list[CertificateOut]


class CertificateQuery(PageQuery):
    status: Literal[tuple(Certificate.Status.values)] | None = None
    profile: ProfileCode | None = None
    q: Text(200) = Field("", description="Words of the subject, or a serial number.")
    expiring_within_days: int | None = Field(None, ge=0, le=3650, description="Only valid certificates that expire within so many days.")


class CsrIn(InputSchema):
    csr_pem: Text(MAX_CSR_BYTES, 1) = Field(description="The holder's certificate signing request, PEM.")
    holder_person_id: Id | None = Field(None, description="For an official's certificate: a person of an agency hosted here.")
    holder_agency_id: Id | None = Field(None, description="For an agency seal (required) or a node's TLS certificate: an agency hosted here.")
    subject: Text(64) = Field("", description="Common name; by default the holder's name, or the CSR's for a node.")
    dns_names: list[Text(253, 1)] = Field(default_factory=list, max_length=20, description="By default the CSR's.")
    ip_addresses: list[Text(45, 1)] = Field(default_factory=list, max_length=20, description="By default the CSR's.")


class CertificateIssueIn(CsrIn):
    profile: IssuableProfile


class CertificateBatchIn(InputSchema):
    profile: IssuableProfile = Field(description="The same for every request.")
    requests: list[CsrIn] = Field(min_length=1, max_length=services.MAX_BATCH)


class RevokeIn(InputSchema):
    reason: Literal[tuple(RevocationReason.values)] = Field(description="RFC 5280 CRLReason; certificateHold is not offered: revocation is final.")


def _certificate(reader, serial: str) -> Certificate:
    return selectors.certificate_for_operator(reader, serial)


def _holder(queryset, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


@router.get("/certificates", response={200: CertificatePage, **error_responses(401, 403, 422)})
def list_certificates(request, filters: Query[CertificateQuery]):
    """Every certificate the CA issued, newest first (CA operators only)."""
    qs = selectors.certificates(request.auth, status=filters.status or "", profile=filters.profile or "", query=filters.q,
                                expiring_within_days=filters.expiring_within_days).select_related("renewal_of")
    return page(qs, filters)


@router.post("/certificates/batch", response={201: CertificatePage, **error_responses(400, 401, 403, 422)})
def issue_certificates(request, payload: CertificateBatchIn):
    """Certify many CSRs under one profile, all or none: a bad request refuses the batch with 422, each problem named
    by its place in `requests` (requests[3]: …). The certificates come back in the order of the requests."""
    require_ca_operator(request.auth)
    people = selectors.holders(request.auth).in_bulk({r.holder_person_id for r in payload.requests if r.holder_person_id})
    agencies = selectors.seal_agencies(request.auth).in_bulk({r.holder_agency_id for r in payload.requests if r.holder_agency_id})
    unknown, requests = [], []
    for n, entry in enumerate(payload.requests):
        if entry.holder_person_id and entry.holder_person_id not in people:
            unknown.append(f"requests[{n}].holder_person_id: " + _("There is no such person in the agencies hosted here."))
        if entry.holder_agency_id and entry.holder_agency_id not in agencies:
            unknown.append(f"requests[{n}].holder_agency_id: " + _("There is no such agency hosted here."))
        requests.append(services.CsrRequest(entry.csr_pem.encode("utf-8"), subject=entry.subject, label=f"requests[{n}]",
                                            holder_person=people.get(entry.holder_person_id),
                                            holder_agency=agencies.get(entry.holder_agency_id),
                                            dns_names=tuple(entry.dns_names), ip_addresses=tuple(entry.ip_addresses)))
    if unknown:
        raise services.refusal(unknown)
    issued = services.issue_batch_from_csrs(request.auth, profile=payload.profile, requests=requests, request=request)
    return Status(201, {"count": len(issued), "items": issued})


@router.get("/certificates/{serial}", response={200: CertificateOut, **error_responses(401, 403, 404, 422)})
def get_certificate(request, serial: Serial):
    return _certificate(request.auth, serial)


@router.post("/certificates", response={201: CertificateOut, **error_responses(400, 401, 403, 422)})
def issue_certificate(request, payload: CertificateIssueIn):
    """Certify the key of a CSR. The CA decides the subject (see the services' rules): a weak key,
    a CSR not signed by its key or a holder the profile does not allow is refused with 422."""
    require_ca_operator(request.auth)  # before the holders are looked up: 403 rather than 422
    person = _holder(selectors.holders(request.auth), payload.holder_person_id, "holder_person_id",
                     _("There is no such person in the agencies hosted here."))
    agency = _holder(selectors.seal_agencies(request.auth), payload.holder_agency_id, "holder_agency_id",
                     _("There is no such agency hosted here."))
    cert = services.issue_from_csr(request.auth, profile=payload.profile, csr_data=payload.csr_pem.encode("utf-8"),
                                   subject=payload.subject, holder_person=person, holder_agency=agency,
                                   dns_names=payload.dns_names, ip_addresses=payload.ip_addresses, request=request)
    return Status(201, cert)


@router.post("/certificates/{serial}/revocation", response={200: CertificateOut, **error_responses(400, 401, 403, 404, 422)})
def revoke_certificate(request, serial: Serial, payload: RevokeIn):
    """Revoke for good; the CRL and the OCSP answers say so at once."""
    return services.revoke(request.auth, _certificate(request.auth, serial), reason=payload.reason, request=request)

