"""Certificate signing requests from outside: read them, prove them, and refuse weak keys."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils.translation import gettext as _

from vanphong.core.errors import ValidationError

MIN_RSA_BITS = 2048
# A CSR is a few kilobytes (an RSA-4096 one in PEM is under 2 KB); a file far larger is not one.
MAX_CSR_BYTES = 64 * 1024
# The NIST curves that the national and international profiles accept for signatures.
APPROVED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def load(data: bytes) -> x509.CertificateSigningRequest:
    """A CSR in PEM or DER whose signature was made with the key it carries (proof of possession)."""
    try:
        csr = x509.load_pem_x509_csr(data) if data.lstrip().startswith(b"-----") else x509.load_der_x509_csr(data)
    except ValueError:
        raise ValidationError(_("This is not a certificate signing request (PEM or DER).")) from None
    try:
        valid = csr.is_signature_valid
    except Exception:  # an unsupported key type or a malformed signature
        valid = False
    if not valid:
        raise ValidationError(
            _("The signature of the certificate signing request is not valid: it was not made with the key it carries.")
        )
    return csr


def check_public_key(public_key) -> None:
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise ValidationError(
                _("The key is too weak: RSA with %(bits)d bits. At least %(minimum)d bits are required.")
                % {"bits": public_key.key_size, "minimum": MIN_RSA_BITS}
            )
        return
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in APPROVED_CURVES:
            raise ValidationError(
                _("The key is on the elliptic curve %(curve)s, which is not approved. Use P-256, P-384 or P-521.")
                % {"curve": public_key.curve.name}
            )
        return
    raise ValidationError(_("Only RSA keys (2048 bits or more) and ECDSA keys (P-256, P-384, P-521) are accepted."))


def requested_alt_names(csr: x509.CertificateSigningRequest) -> tuple[list[str], list[str]]:
    """DNS names and IP addresses that the CSR asks for, as text."""
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return [], []
    return san.get_values_for_type(x509.DNSName), [str(a) for a in san.get_values_for_type(x509.IPAddress)]


def requested_common_name(csr: x509.CertificateSigningRequest) -> str:
    names = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""
