"""XML signatures as use cases: a clerk seals an edXML package for the exchange, a script signs
one with a PKCS#12 file, an administrator decides whether SHA-1 signatures from other systems
are accepted. The XML-DSig work itself is in signing.xmldsig."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.org.models import Role
from vanphong.signing import credentials, services, xmldsig
from vanphong.signing.models import XmlSignaturePolicy


def seal_package(actor, data: bytes, *, request=None) -> bytes:
    """A clerk signs an outgoing edXML package with the seal key the system holds for the agency:
    the signature receivers check against the package's From, so From must be this agency."""
    agency = actor.agency
    row = services.seal_certificate_for(actor)
    sender = xmldsig.from_organ_id(xmldsig.parse(data))
    if sender.upper() != agency.code.upper():
        raise ValidationError(_("The package says it is from %(sender)s; %(agency)s can seal only its own packages.")
                              % {"sender": sender or "—", "agency": agency.name})
    signed = xmldsig.sign_package(data, credentials.held(row))
    with transaction.atomic():
        audit.record("signing.xml_sealed", actor=actor, agency=agency, target=row, request=request,
                     data={"serial": row.serial, "from": sender, "sha256_unsigned": hashlib.sha256(data).hexdigest(),
                           "sha256_signed": hashlib.sha256(signed).hexdigest()})
    return signed


def sign_package_with_pkcs12(data: bytes, pkcs12: bytes, passphrase: str) -> bytes:
    """Sign with a key its holder keeps in a PKCS#12 file (`vanphong sign-xml`)."""
    return xmldsig.sign_package(data, credentials.from_pkcs12(pkcs12, passphrase))


@transaction.atomic
def set_sha1_accepted(actor, accepted: bool, *, request=None) -> XmlSignaturePolicy:
    """Accept or refuse SHA-1 XML signatures from other systems. `actor` None is the command line."""
    if actor is not None and not (actor.is_active and actor.has_role(Role.Code.ADMIN)):
        raise PermissionDenied(_("Only an administrator may change which XML signatures are accepted."))
    policy = XmlSignaturePolicy.objects.select_for_update().order_by("pk").first() or XmlSignaturePolicy()
    if policy.pk and policy.accept_sha1 == accepted:
        return policy
    policy.accept_sha1, policy.changed_by, policy.changed_at = accepted, actor, timezone.now()
    policy.save()
    audit.record("signing.xml_policy.changed", actor=actor, target=policy, request=request, data={"accept_sha1": accepted})
    return policy
