"""What a node may read of the hub: only its own agency's packages, received or sent; a peer node (one that
only sends directly) reads nothing."""

from __future__ import annotations

from django.db.models import QuerySet

from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import Package

_LIST_FIELDS = ("id", "message_type", "doc_id", "size", "sha256", "received_at", "fetch_count", "acknowledged_at",
                "sender__agency__code", "recipient__agency__code")


def waiting_packages(identity: NodeIdentity, *, message_type: str | None = None) -> QuerySet[Package]:
    """Packages for the caller's agency that it has not acknowledged, oldest first."""
    if identity.is_peer:
        return Package.objects.none()
    packages = Package.objects.filter(recipient=identity.member, acknowledged_at__isnull=True)
    if message_type:
        packages = packages.filter(message_type=message_type)
    return packages.select_related("sender__agency", "recipient__agency").only(*_LIST_FIELDS).order_by("received_at", "id")


def sent_packages(identity: NodeIdentity, *, message_type: str | None = None) -> QuerySet[Package]:
    """What the caller's agency sent through the hub, newest first, with whether each was delivered."""
    if identity.is_peer:
        return Package.objects.none()
    packages = Package.objects.filter(sender=identity.member)
    if message_type:
        packages = packages.filter(message_type=message_type)
    return packages.select_related("sender__agency", "recipient__agency").only(*_LIST_FIELDS).order_by("-received_at", "-id")


def describe(package: Package) -> dict:
    """A package as the list operations show it (never its bytes)."""
    return {
        "id": str(package.id),
        "messageType": package.message_type,
        "docId": package.doc_id,
        "from": package.sender.agency.code,
        "to": package.recipient.agency.code,
        "size": package.size,
        "sha256": package.sha256,
        "receivedAt": package.received_at.isoformat(),
        "fetchCount": package.fetch_count,
        "acknowledgedAt": package.acknowledged_at.isoformat() if package.acknowledged_at else None,
    }
