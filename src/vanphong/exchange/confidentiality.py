"""What the exchange may carry, by confidentiality, and how (STANDARDS.md: the rules of the Party
network; the rule itself is exchange.confidential's `classification_rule`, in one place).

Tối mật and Tuyệt mật documents never travel over the network: refused, nothing queued. Mật
documents travel only encrypted end to end for the recipient agency's seal certificate
(exchange.confidential: seal_for, open_sealed); a recipient without a known certificate waits."""

from __future__ import annotations

from cryptography import x509

from vanphong.core.clearance import Clearance
from vanphong.core.errors import ValidationError


def sealing():
    """The end-to-end encryption module, or None where it is not installed."""
    try:
        from vanphong.exchange import confidential
    except ImportError:
        return None
    return confidential if hasattr(confidential, "seal_for") and hasattr(confidential, "open_sealed") else None


def refusal(confidentiality: int) -> str:
    """Why a document of this confidentiality may not be sent, or "" when it may."""
    from django.utils.translation import gettext as _

    module = sealing()
    if module is None:
        if confidentiality >= Clearance.SECRET:
            return _("A Tối mật or Tuyệt mật document may not travel over the network: the exchange did not send it. "
                     "Deliver it on paper through the confidential channel.")
        if confidentiality == Clearance.CONFIDENTIAL:
            return _("A Mật document travels only encrypted end to end, and encryption for the exchange is not installed on "
                     "this instance yet: the exchange did not send it. Deliver it on paper through the confidential channel.")
        return ""
    try:
        module.check_sendable(confidentiality)
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
