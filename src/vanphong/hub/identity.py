"""Who is calling: the agency named by the node's TLS client certificate.

The TLS server (hub.wsgi behind gunicorn, see hub.serve) has already checked the chain against
the CA file during the handshake; this module decides, for every request, whether that certificate
may act for an agency. Two kinds of caller:

- a member: a certificate this instance's CA issued as a node client certificate (the row in pki
  with the very same bytes), valid now, not revoked, for an agency served here; it names its agency
  the way pki names holders: the certificate's holder agency, or an organizationIdentifier;
- a peer: another agency's node calling this node directly, with a certificate that is byte for byte
  one the hub's directory lists for that agency (org.NodeCertificate, replaced at every directory
  sync, so a certificate the hub revokes is dropped at the next one), valid now. A peer may only
  send packages to the agencies hosted here, as its own agency (hub.services, hub.node_api).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.hub.environ import ENVIRON_KEY
from vanphong.hub.models import Member
from vanphong.org.models import Agency, NodeCertificate
from vanphong.pki.models import Certificate, serial_text

NODE_PROFILES = ("tls-client",)


class NotAuthenticated(Exception):
    """No usable client certificate: the message says why, for the node's operator."""


@dataclass(frozen=True)
class NodeIdentity:
    member: Member | None  # None for a peer: its agency is not served here
    certificate_serial: str
    peer_agency: Agency | None = None

    @property
    def is_peer(self) -> bool:
        return self.peer_agency is not None

    @property
    def agency(self) -> Agency:
        return self.peer_agency if self.peer_agency is not None else self.member.agency

    @property
    def agency_code(self) -> str:
        return self.agency.code


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
        peer = _directory_peer(der)
        if peer is None:
            raise NotAuthenticated(_("The client certificate was not issued by this network's CA, nor does the hub's "
                                     "directory list it for a known agency."))
        return peer
    return _member_identity(presented, row)


def _member_identity(presented: x509.Certificate, row: Certificate) -> NodeIdentity:
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


def _directory_peer(der: bytes) -> NodeIdentity | None:
    """A peer node: `der` is byte for byte a node certificate the directory lists for an agency not hosted here."""
    listed = (NodeCertificate.objects.select_related("agency")
              .filter(sha256=hashlib.sha256(der).hexdigest(), agency__hosted=False))
    for row in listed:
        if bytes(row.certificate_der) != der:
            continue
        if not row.agency.is_active:
            raise NotAuthenticated(_("The agency %(code)s is no longer active in this node's directory.") % {"code": row.agency.code})
        now = timezone.now()
        if not (row.not_before <= now <= row.not_after):
            raise NotAuthenticated(_("The client certificate %(serial)s is not valid at this time.") % {"serial": row.serial})
        return NodeIdentity(None, row.serial, peer_agency=row.agency)
    return None


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
