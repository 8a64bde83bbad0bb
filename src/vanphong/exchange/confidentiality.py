"""What the exchange may carry, by confidentiality, and how (STANDARDS.md: the rules of the Party
network; the rule itself is exchange.confidential's `classification_rule`, in one place).

Tối mật and Tuyệt mật documents never travel over the network: refused, nothing queued. Mật
documents travel only encrypted end to end for the recipient agency's seal certificate
(exchange.confidential: seal_for, open_sealed, imported directly); a recipient without a known certificate waits."""

from __future__ import annotations

from cryptography import x509

from vanphong.core.errors import ValidationError
from vanphong.exchange import confidential


def refusal(confidentiality: int) -> str:
    """Why a document of this confidentiality may not be sent, or "" when it may."""
    try:
        confidential.check_sendable(confidentiality)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def recipient_certificate(agency) -> x509.Certificate | None:
    """The certificate a Mật package for `agency` is encrypted for: the directory's, else the seal
    certificate of an agency hosted here."""
    from vanphong.exchange.models import ExchangeEndpoint
    from vanphong.signing import selectors

    endpoint = ExchangeEndpoint.objects.filter(agency=agency).exclude(certificate_pem="").first()
    if endpoint is not None:
        return x509.load_pem_x509_certificate(endpoint.certificate_pem.encode("ascii"))
    row = selectors.held_seal_certificate(agency) if agency.hosted else None
    return row.x509 if row is not None else None
