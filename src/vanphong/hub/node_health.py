"""On a node: what it tells its hub about itself (hub node API reportNodeStatus), per hosted agency.

Queue depths and the oldest undelivered package come from the exchange's outbox and inbox; the
certificates are those the agency's exchange relies on: its node client certificate (the file the
transports present) and the seal and TLS certificates this instance's CA holds for it.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from django.db.models import Min

import vanphong
from vanphong.org.models import Agency
from vanphong.pki.models import Certificate

REPORTED_PROFILES = ("agency-seal", "tls-client", "tls-server")


def collect(agency: Agency, *, client_certificate: Path | None = None) -> dict:
    from vanphong.exchange.models import InboundPackage, OutboundMessage

    pending = OutboundMessage.objects.filter(sender=agency, state=OutboundMessage.State.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    certificates = [{"serial": c.serial, "profile": c.profile, "notAfter": c.not_after.isoformat()}
                    for c in Certificate.objects.filter(holder_agency=agency, profile__in=REPORTED_PROFILES,
                                                        status=Certificate.Status.VALID).order_by("not_after")]
    if client_certificate is not None and client_certificate.is_file():
        cert = x509.load_pem_x509_certificate(client_certificate.read_bytes())
        serial = format(cert.serial_number, "x")
        if all(c["serial"].lower() != serial for c in certificates):
            certificates.append({"serial": serial, "profile": "tls-client", "notAfter": cert.not_valid_after_utc.isoformat()})
    return {
        "outboxDepth": pending.count(),
        "inboxDepth": InboundPackage.objects.filter(agency=agency, state=InboundPackage.State.RECEIVED).count(),
        "oldestUndeliveredAt": oldest.isoformat() if oldest else None,
        "certificates": certificates,
        "version": getattr(vanphong, "__version__", ""),
    }


def report_to_hub(client=None) -> dict[str, str]:
    """Send every hosted agency's report that this node holds a client certificate for. Returns
    {agency code: "" when reported, else the reason}; raises TransportError when no hub is configured."""
    from vanphong.exchange.hub_client import HubTransport
    from vanphong.exchange.transport import TransportError

    client = client or HubTransport().client
    outcome = {}
    for agency in Agency.objects.filter(hosted=True, is_active=True).order_by("code"):
        certificate = client.credentials.folder / f"{agency.code}.pem"
        if not certificate.is_file():
            continue
        try:
            client.report(agency.code, collect(agency, client_certificate=certificate))
            outcome[agency.code] = ""
        except TransportError as exc:
            outcome[agency.code] = exc.message
    return outcome
