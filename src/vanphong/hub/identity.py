"""Who is calling: the agency named by the node's TLS client certificate.

The TLS server (hub.wsgi behind gunicorn, see hub.serve) has already checked the chain against
our CA during the handshake; this module decides, for every request, whether that certificate
may act for an agency: it must be one our CA issued as a node client certificate (the row in
pki with the very same bytes), valid now, not revoked, and it names its agency the way pki names
holders: the certificate's holder agency, or an organizationIdentifier with the agency code.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.hub.environ import ENVIRON_KEY
from vanphong.hub.models import Member
from vanphong.pki.models import Certificate, serial_text

NODE_PROFILES = ("tls-client",)


class NotAuthenticated(Exception):
    """No usable client certificate: the message says why, for the node's operator."""


@dataclass(frozen=True)
class NodeIdentity:
    member: Member
    certificate_serial: str

    @property
    def agency_code(self) -> str:
        return self.member.agency.code


def certificate_of(request) -> bytes | None:
    return request.META.get(ENVIRON_KEY) or None


def identify(der: bytes | None) -> NodeIdentity:
    if not der:
        raise NotAuthenticated(_("This service needs a node client certificate issued by the network's CA."))
    try:
        presented = x509.load_der_x509_certificate(der)
    except ValueError:
        raise NotAuthenticated(_("The client certificate could not be read.")) from None
    row = (Certificate.objects.select_related("holder_agency")
           .filter(serial=serial_text(presented.serial_number)).first())
    if row is None or row.x509.public_bytes(serialization.Encoding.DER) != der:
        raise NotAuthenticated(_("The client certificate was not issued by this network's CA."))
    if row.profile not in NODE_PROFILES:
        raise NotAuthenticated(_("The certificate %(serial)s is not a node client certificate.") % {"serial": row.serial})
    if row.status == Certificate.Status.REVOKED:
        raise NotAuthenticated(_("The client certificate %(serial)s has been revoked.") % {"serial": row.serial})
    now = timezone.now()
    if not (row.not_before <= now <= row.not_after):
        raise NotAuthenticated(_("The client certificate %(serial)s is not valid at this time.") % {"serial": row.serial})
    code = _agency_code(presented, row)
    if not code:
        raise NotAuthenticated(_("The client certificate %(serial)s names no agency.") % {"serial": row.serial})
    member = Member.objects.select_related("agency").filter(agency__code=code, is_active=True, agency__is_active=True).first()
    if member is None:
        raise NotAuthenticated(_("The agency %(code)s is not served by this hub.") % {"code": code})
    return NodeIdentity(member, row.serial)


def local_identity(agency_code: str) -> NodeIdentity:
    """This instance acting for an agency it hosts, on its own store (no certificate: trusted code)."""
    member = (Member.objects.select_related("agency")
              .filter(agency__code=agency_code, agency__hosted=True, agency__is_active=True, is_active=True).first())
    if member is None:
        raise NotAuthenticated(_("The agency %(code)s is not hosted here with direct exchange.") % {"code": agency_code})
    return NodeIdentity(member, "")


def _agency_code(presented: x509.Certificate, row: Certificate) -> str:
    if row.holder_agency_id is not None:
        return row.holder_agency.code
    named = presented.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    return str(named[0].value) if named else ""
