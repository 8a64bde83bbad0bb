"""Certificate profiles, as data: what each kind of certificate may do and for how long.

certbuilder turns a profile into X.509 extensions; services check a request against it (who the
holder must be, whether DNS names are needed). Adding a profile means adding one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core.errors import ValidationError

# RFC 9336 id-kp-documentSigning. Signing certificates also carry emailProtection, which PDF
# readers built on NSS (pdfsig) and Adobe's look for in a document signer's certificate.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

AGENCY = "agency"  # the certificate must name an agency of the directory
PERSON = "person"  # the certificate must name a person (an official)


@dataclass(frozen=True)
class Profile:
    code: str
    label: str
    validity_days: int
    # Names of cryptography's KeyUsage arguments. key_encipherment is dropped for non-RSA keys and
    # key_agreement for RSA keys, for which they mean nothing.
    key_usage: frozenset[str]
    extended_key_usage: tuple[ObjectIdentifier, ...] = ()
    eku_critical: bool = False
    holder: str | None = None  # AGENCY, PERSON, or None: an agency may be named but need not be
    needs_san: bool = False
    ocsp_nocheck: bool = False
    is_ca: bool = False
    path_length: int | None = None


ROOT_CA = Profile("root-ca", gettext_lazy("Root CA"), 20 * 365 + 5, frozenset({"key_cert_sign", "crl_sign"}), is_ca=True)
ISSUING_CA = Profile("issuing-ca", gettext_lazy("Issuing CA"), 10 * 365 + 3, frozenset({"key_cert_sign", "crl_sign"}),
                     is_ca=True, path_length=0)

_SIGNING = frozenset({"digital_signature", "content_commitment"})
_TLS = frozenset({"digital_signature", "key_encipherment"})

PROFILES: dict[str, Profile] = {p.code: p for p in (
    # The exchange also encrypts confidential (Mật) packages to the recipient agency's seal certificate
    # (exchange.confidential): the content key travels by RSA-OAEP or by ECDH, so the key may do either.
    Profile("agency-seal", gettext_lazy("Agency seal"), 3 * 365, _SIGNING | {"key_encipherment", "key_agreement"},
            (ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING), holder=AGENCY),
    Profile("official", gettext_lazy("Official (person)"), 3 * 365, _SIGNING,
            (ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING), holder=PERSON),
    Profile("tls-server", gettext_lazy("Node TLS server"), 397, _TLS, (ExtendedKeyUsageOID.SERVER_AUTH,), needs_san=True),
    Profile("tls-client", gettext_lazy("Node TLS client"), 397, _TLS, (ExtendedKeyUsageOID.CLIENT_AUTH,)),
    # Responses signed with it are trusted without checking its own status (id-pkix-ocsp-nocheck),
    # so it lives short: the system renews its own before expiry (services.refresh_status_services).
    Profile("ocsp-signer", gettext_lazy("OCSP signer"), 180, frozenset({"digital_signature"}),
            (ExtendedKeyUsageOID.OCSP_SIGNING,), ocsp_nocheck=True),
    # RFC 3161 §2.3: the time-stamping EKU, alone and critical.
    Profile("timestamping", gettext_lazy("Time-stamping"), 5 * 365, frozenset({"digital_signature", "content_commitment"}),
            (ExtendedKeyUsageOID.TIME_STAMPING,), eku_critical=True),
)}


def get(code: str) -> Profile:
    try:
        return PROFILES[code]
    except KeyError:
        raise ValidationError(
            _("Unknown certificate profile “%(profile)s”. Choose one of: %(choices)s.")
            % {"profile": code, "choices": ", ".join(PROFILES)}
        ) from None


def choices() -> list[tuple[str, str]]:
    return [(p.code, p.label) for p in PROFILES.values()]
