"""The directory the hub publishes: the agencies it serves, their node addresses and certificates."""

from __future__ import annotations

from django.utils import timezone

from vanphong.hub.models import Member
from vanphong.pki.models import Certificate

# The certificates a node needs of another agency: its seal (to verify what it signs) and its
# node certificates (to know who connects, and to encrypt to it).
PUBLISHED_PROFILES = ("agency-seal", "tls-client", "tls-server")


def entries() -> list[dict]:
    members = list(Member.objects.filter(is_active=True, agency__is_active=True).select_related("agency").order_by("agency__code"))
    certificates: dict[int, list[dict]] = {}
    valid = (Certificate.objects.filter(holder_agency__in=[m.agency_id for m in members], profile__in=PUBLISHED_PROFILES,
                                        status=Certificate.Status.VALID, not_after__gt=timezone.now())
             .only("holder_agency_id", "serial", "profile", "not_after", "certificate_pem").order_by("serial"))
    for cert in valid:
        certificates.setdefault(cert.holder_agency_id, []).append(
            {"serial": cert.serial, "profile": cert.profile, "notAfter": cert.not_after.isoformat(), "pem": cert.certificate_pem})
    return [{
        "code": m.agency.code, "name": m.agency.name, "shortName": m.agency.short_name, "notationCode": m.agency.notation_code,
        "notationScheme": m.agency.notation_scheme, "endpoint": m.endpoint,
        "address": m.agency.address, "email": m.agency.email, "telephone": m.agency.phone, "website": m.agency.website,
        "certificates": certificates.get(m.agency_id, []),
    } for m in members]
