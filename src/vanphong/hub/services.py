"""Every change the hub makes: packages accepted, fetched and acknowledged; members served; node reports.

Each function takes the caller: a NodeIdentity (a node, proved by its client certificate) for the
exchange operations, a person (or None, the trusted command line) for administration. It checks
that the caller may act, writes in one transaction and appends an audit record. Refusals raise
HubError (or ValidationError / PermissionDenied for people) and store nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong import config
from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.hub import errors
from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import Member, MessageType, NodeReport, Package
from vanphong.org.models import Agency

DEFAULT_MAX_PACKAGE_BYTES = 64 * 1024 * 1024  # as the edXML codec's limit: a package with its attachments
MAX_DOC_ID_LENGTH = 255
MAX_LIST = 500


def max_package_bytes() -> int:
    """VANPHONG_HUB_MAX_PACKAGE_BYTES: a setting, else the environment or vanphong.toml, else 64 MiB."""
    configured = getattr(settings, "VANPHONG_HUB_MAX_PACKAGE_BYTES", None)
    return int(configured if configured is not None else config.get_int("VANPHONG_HUB_MAX_PACKAGE_BYTES", DEFAULT_MAX_PACKAGE_BYTES))


def _member(code: str) -> Member | None:
    return Member.objects.select_related("agency").filter(agency__code=code, is_active=True, agency__is_active=True).first()


def check_message_type(value: str) -> str:
    if value not in MessageType.values:
        raise errors.malformed(_("The messagetype header must be “edoc” or “status”, not “%(value)s”.") % {"value": value})
    return value


def check_doc_id(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise errors.malformed(_("The docId header is missing: it carries the package's DocumentId."))
    if len(value) > MAX_DOC_ID_LENGTH or any(ord(ch) < 32 for ch in value):
        raise errors.malformed(_("The docId header is not a valid DocumentId."))
    return value


def accept_package(identity: NodeIdentity, *, message_type: str, doc_id: str, recipient_code: str, data: bytes,
                   sender_code: str = "", request=None) -> tuple[Package, bool]:
    """sendEdoc: keep one package for one recipient. The sender is the agency the certificate names
    (a `from` that says otherwise is refused). The same bytes sent again by the same sender to the
    same recipient return the first delivery, with False."""
    check_message_type(message_type)
    doc_id = check_doc_id(doc_id)
    if sender_code and sender_code != identity.agency_code:
        raise errors.forbidden(_("This node's certificate is for %(own)s: it may not send as %(other)s.")
                               % {"own": identity.agency_code, "other": sender_code})
    if not recipient_code:
        raise errors.malformed(_("The to header is missing: it names the recipient agency's code."))
    if not data:
        raise errors.malformed(_("The package is empty."))
    limit = max_package_bytes()
    if len(data) > limit:
        raise too_large(len(data), limit)
    recipient = _member(recipient_code)
    if recipient is None:
        raise errors.unknown_agency(_("The agency %(code)s is not served by this hub.") % {"code": recipient_code})
    if identity.is_peer and not recipient.agency.hosted:
        # A peer reaches this node directly for the agencies it hosts; it may not use it as a hub.
        raise errors.forbidden(_("This node takes packages directly only for the agencies it hosts; %(code)s is not one of them.")
                               % {"code": recipient_code})
    sender = identity.member or _peer_sender(identity)
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            package = Package.objects.create(
                message_type=message_type, sender=sender, recipient=recipient, doc_id=doc_id, data=data,
                size=len(data), sha256=digest, sent_by_certificate=identity.certificate_serial)
            audit.record("hub.package.received", agency=sender.agency, target=package, request=request,
                         data={"id": str(package.id), "type": message_type, "from": identity.agency_code, "to": recipient_code,
                               "doc_id": doc_id, "size": len(data), "sha256": digest, "certificate": identity.certificate_serial,
                               "peer": identity.is_peer})
        return package, True
    except IntegrityError:
        existing = Package.objects.filter(sender=sender, recipient=recipient, message_type=message_type,
                                          sha256=digest).first()
        if existing is None:
            raise
        return existing, False


def _peer_sender(identity: NodeIdentity) -> Member:
    """The row a peer's packages name as their sender: a member that is not served here (is_active False),
    so the peer gets nothing else from this node; made the first time it sends."""
    member, _created = Member.objects.get_or_create(agency=identity.peer_agency, defaults={"is_active": False})
    return member


def require_member(identity: NodeIdentity, operation: str) -> None:
    """Only the agencies served here read, fetch, acknowledge and report; a peer node only sends."""
    if identity.is_peer:
        raise errors.forbidden(_("The node of %(code)s calls this node directly: it may only send packages (sendEdoc), "
                                 "not %(operation)s.") % {"code": identity.agency_code, "operation": operation})


def too_large(size: int, limit: int) -> errors.HubError:
    return errors.HubError(errors.Code.TOO_LARGE, _("The package has %(size)s bytes; this hub takes at most %(limit)s.")
                           % {"size": f"{size:,}", "limit": f"{limit:,}"}, 413)


def _own_package(identity: NodeIdentity, package_id: str) -> Package:
    try:
        key = uuid.UUID(str(package_id))
    except ValueError:
        raise errors.malformed(_("“%(id)s” is not a package id of this hub.") % {"id": package_id}) from None
    package = Package.objects.filter(pk=key, recipient=identity.member).first()
    if package is None:
        # Another agency's package and no package at all look the same.
        raise errors.not_found(_("There is no package %(id)s for %(code)s.") % {"id": key, "code": identity.agency_code})
    return package


@transaction.atomic
def fetch_package(identity: NodeIdentity, package_id: str, *, request=None) -> Package:
    """getEdoc: the bytes of one of the caller's own packages, not yet acknowledged; who fetched it is kept."""
    require_member(identity, "getEdoc")
    package = _own_package(identity, package_id)
    package = Package.objects.select_for_update().get(pk=package.pk)
    if package.acknowledged_at is not None:
        raise errors.not_found(_("The package %(id)s was already acknowledged: the hub no longer keeps it.") % {"id": package.pk})
    now = timezone.now()
    package.fetch_count += 1
    package.first_fetched_at = package.first_fetched_at or now
    package.last_fetched_at = now
    package.last_fetched_by_certificate = identity.certificate_serial
    package.save(update_fields=["fetch_count", "first_fetched_at", "last_fetched_at", "last_fetched_by_certificate"])
    audit.record("hub.package.fetched", agency=identity.member.agency, target=package, request=request,
                 data={"id": str(package.pk), "by": identity.agency_code, "certificate": identity.certificate_serial,
                       "count": package.fetch_count})
    return package


@transaction.atomic
def acknowledge(identity: NodeIdentity, package_ids: Iterable[str], *, request=None) -> int:
    """The recipient has the packages safely: the hub stops serving them and drops their bytes. Ids
    already acknowledged are fine (a retried acknowledgement); an id that is not the caller's is refused
    and nothing is acknowledged."""
    require_member(identity, "acknowledgeEdoc")
    packages = [_own_package(identity, pid) for pid in dict.fromkeys(package_ids)]
    if not packages:
        raise errors.malformed(_("Name at least one package to acknowledge."))
    waiting = [p.pk for p in packages if p.acknowledged_at is None]
    now = timezone.now()
    done = Package.objects.filter(pk__in=waiting, acknowledged_at__isnull=True).update(acknowledged_at=now, data=b"")
    if done:
        audit.record("hub.package.acknowledged", agency=identity.member.agency, request=request,
                     data={"ids": [str(pk) for pk in waiting], "by": identity.agency_code, "certificate": identity.certificate_serial})
    return done


def record_refusal(error: errors.HubError, *, operation: str, caller: str = "", request=None) -> None:
    """A refused request is a security event: recorded, in its own transaction, with nothing else stored."""
    with transaction.atomic():
        audit.record("hub.request.refused", request=request,
                     data={"operation": operation, "caller": caller, "code": error.code, "reason": error.message})


# ---- members and node reports ----------------------------------------------------------------------


def _require_operator(actor) -> None:
    """`actor` None is the trusted command line; on the web, the instance's operators run the hub."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(_("Only the operators of this instance run the exchange hub."))


@transaction.atomic
def serve_agency(actor, agency: Agency, *, endpoint: str = "", request=None) -> Member:
    """Make the hub accept and keep packages for `agency` (or update its node address)."""
    _require_operator(actor)
    if not agency.is_active:
        raise ValidationError(_("The agency %(name)s is no longer active.") % {"name": agency.name})
    member, created = Member.objects.get_or_create(agency=agency, defaults={"endpoint": endpoint})
    if not created:
        member.endpoint, member.is_active = endpoint or member.endpoint, True
        member.full_clean(exclude=["agency"])
        member.save(update_fields=["endpoint", "is_active", "updated_at"])
    else:
        member.full_clean(exclude=["agency"])
    audit.record("hub.member.served", actor=actor, agency=agency, target=member, request=request,
                 data={"code": agency.code, "endpoint": member.endpoint, "new": created})
    return member


@transaction.atomic
def record_node_report(identity: NodeIdentity, *, outbox_depth: int, inbox_depth: int, oldest_undelivered_at: dt.datetime | None,
                       certificates: list[dict], node_version: str = "", request=None) -> NodeReport:
    """A node tells the hub how it is: the hub keeps the latest report per agency."""
    require_member(identity, "reportNodeStatus")
    report, _created = NodeReport.objects.update_or_create(member=identity.member, defaults={
        "reported_at": timezone.now(), "outbox_depth": outbox_depth, "inbox_depth": inbox_depth,
        "oldest_undelivered_at": oldest_undelivered_at, "certificates": certificates, "node_version": node_version})
    return report
