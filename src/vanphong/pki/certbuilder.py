"""Build an X.509 certificate from a profile: subject, extensions, and the URLs where verifiers
find the issuer's certificate, its CRL and the OCSP responder. No database writes here."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from vanphong.pki import keys
from vanphong.pki.models import CertificateAuthority, ocsp_url
from vanphong.pki.profiles import Profile

# Certificates start a few minutes in the past, so that a node whose clock is a little behind
# does not reject a certificate issued a moment ago.
BACKDATE = dt.timedelta(minutes=5)
_KEY_USAGE_FLAGS = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
                    "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")


def name(*, common_name: str, organization: str = "", organization_identifier: str = "") -> x509.Name:
    """C=VN, O, organizationIdentifier, CN. Text attributes are UTF8String (cryptography's
    default), which Vietnamese names need."""
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organization_identifier:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_identifier))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def build(
    *,
    profile: Profile,
    subject: x509.Name,
    public_key,
    serial: int,
    not_after: dt.datetime,
    issuer: CertificateAuthority | None,
    signer: keys.SigningKey,
    now: dt.datetime,
    dns_names: Iterable[str] = (),
    ip_addresses: Iterable[ipaddress.IPv4Address | ipaddress.IPv6Address] = (),
) -> x509.Certificate:
    """`issuer` None makes a self-signed (root) certificate, signed by `signer`, the subject's own key."""
    issuer_name = issuer.x509.subject if issuer else subject
    issuer_public_key = issuer.x509.public_key() if issuer else public_key
    usage = {flag: flag in profile.key_usage for flag in _KEY_USAGE_FLAGS}
    if isinstance(public_key, rsa.RSAPublicKey):
        usage["key_agreement"] = False
    else:
        usage["key_encipherment"] = False
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=profile.is_ca, path_length=profile.path_length), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False)
    )
    if profile.extended_key_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(profile.extended_key_usage)), critical=profile.eku_critical)
    alt_names = [x509.DNSName(n) for n in dns_names] + [x509.IPAddress(a) for a in ip_addresses]
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    if profile.ocsp_nocheck:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    if issuer is not None:
        builder = builder.add_extension(
            x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(issuer.crl_url)], None, None, None)]),
            critical=False,
        ).add_extension(
            x509.AuthorityInformationAccess([
                x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url())),
                x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS,
                                       x509.UniformResourceIdentifier(issuer.certificate_url)),
            ]),
            critical=False,
        )
    return signer.sign_builder(builder)
