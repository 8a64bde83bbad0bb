"""Reads of the exchange that people see, filtered by what they may see: the received packages of
their own agency, for its clerks; the per-recipient timeline of a document they may read."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound
from vanphong.documents.permissions import is_clerk
from vanphong.documents.selectors import documents_visible_to
from vanphong.exchange.models import BUSINESS_NEW, BUSINESS_RECALL, BUSINESS_UPDATE, InboundPackage, OutboundMessage, Receipt

LIST_STATES = tuple(InboundPackage.State.values)


def _own(reader) -> QuerySet[InboundPackage]:
    """The agency's packages; those that arrived encrypted (Mật) only for clerks cleared for Mật."""
    qs = InboundPackage.objects.filter(agency_id=reader.agency_id)
    return qs if reader.clearance >= Clearance.CONFIDENTIAL else qs.filter(encrypted=False)


def received_packages(reader, *, state: str = "received") -> QuerySet[InboundPackage]:
    """The agency's received document packages in one state, newest first (clerks only)."""
    if not (reader and reader.is_authenticated and is_clerk(reader, reader.agency)):
        return InboundPackage.objects.none()
    qs = _own(reader).filter(state=state if state in LIST_STATES else "received")
    if state != InboundPackage.State.REFUSED:
        qs = qs.filter(kind="edoc")
    return qs.select_related("sender").defer("verification", "oddities").order_by("-received_at", "-pk")


def received_counts(reader) -> dict[str, int]:
    if not (reader and reader.is_authenticated and is_clerk(reader, reader.agency)):
        return {}
    from django.db.models import Count

    rows = _own(reader).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def received_package(reader, pk: int) -> InboundPackage:
    if not (reader and reader.is_authenticated and is_clerk(reader, reader.agency)):
        raise NotFound
    package = _own(reader).filter(pk=pk).select_related("sender", "document", "decided_by").first()
    if package is None:
        raise NotFound
    return package


@dataclass
class RecipientTimeline:
    """What became of one package of an outgoing document: sent or not, and each status that came back."""

    package: OutboundMessage
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.receipts]


def document_timelines(reader, document) -> list[RecipientTimeline]:
    """Per recipient agency, for a document the reader may read (an empty list otherwise)."""
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        raise NotFound
    packages = list(OutboundMessage.objects.filter(document_id=document.pk, kind=OutboundMessage.Kind.EDOC)
                    .select_related("recipient").order_by("recipient__name", "pk"))
    receipts: dict[int, list[Receipt]] = {}
    for receipt in Receipt.objects.filter(package__in=packages).order_by("code", "pk"):
        receipts.setdefault(receipt.package_id, []).append(receipt)
    return [RecipientTimeline(p, receipts.get(p.pk, [])) for p in packages]


def sent_package(reader, pk: int) -> OutboundMessage:
    """A document package of the reader's agency, about a document the reader may read."""
    if not (reader and reader.is_authenticated and reader.is_active):
        raise NotFound
    package = OutboundMessage.objects.filter(pk=pk, kind=OutboundMessage.Kind.EDOC, sender_id=reader.agency_id).select_related(
        "document", "recipient").first()
    if package is None or not documents_visible_to(reader).filter(pk=package.document_id).exists():
        raise NotFound
    return package


def may_recall(reader, document) -> bool:
    """Whether the reader may recall the document from some agency now: a clerk of its agency, with
    a package that reached an agency and has not been recalled from it yet."""
    if not (reader and reader.is_authenticated and is_clerk(reader, document.agency)):
        return False
    packages = OutboundMessage.objects.filter(document_id=document.pk, kind=OutboundMessage.Kind.EDOC)
    recalled = packages.filter(business_doc_type=BUSINESS_RECALL).values("recipient_id")
    return packages.filter(business_doc_type=BUSINESS_NEW, state=OutboundMessage.State.SENT).exclude(recipient_id__in=recalled).exists()


def may_update(reader, document) -> bool:
    """Whether the reader may correct the document and send an update now: a clerk of its agency, with
    a package that reached an agency not yet sent an update or a recall."""
    if not (reader and reader.is_authenticated and is_clerk(reader, document.agency)):
        return False
    packages = OutboundMessage.objects.filter(document_id=document.pk, kind=OutboundMessage.Kind.EDOC)
    done = packages.filter(business_doc_type__in=(BUSINESS_RECALL, BUSINESS_UPDATE)).values("recipient_id")
    return packages.filter(business_doc_type=BUSINESS_NEW, state=OutboundMessage.State.SENT).exclude(recipient_id__in=done).exists()


def may_replace(reader, document) -> bool:
    """Whether the reader may draft the replacement of the document: a clerk of its agency, the
    document having reached an agency, and no replacement drafted yet."""
    from vanphong.exchange.models import Replacement

    if not (reader and reader.is_authenticated and is_clerk(reader, document.agency)):
        return False
    if Replacement.objects.filter(replaced_id=document.pk).exists():
        return False
    return OutboundMessage.objects.filter(document_id=document.pk, kind=OutboundMessage.Kind.EDOC, business_doc_type=BUSINESS_NEW,
                                          state=OutboundMessage.State.SENT).exists()


def replacements_of(reader, document):
    """For an outgoing document the reader may read: (what it replaces, what replaces it), Replacement rows or None."""
    from vanphong.exchange.models import Replacement

    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        raise NotFound
    replacing = Replacement.objects.filter(document_id=document.pk).select_related("replaced").first()
    replaced_by = Replacement.objects.filter(replaced_id=document.pk).select_related("document").first()
    return replacing, replaced_by


def accepted_updates(reader, document) -> list[InboundPackage]:
    """For an incoming document the reader may read: the updates its sender sent and the agency accepted, oldest first."""
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        raise NotFound
    return list(InboundPackage.objects.filter(original__document_id=document.pk, business_doc_type=BUSINESS_UPDATE,
                                              state=InboundPackage.State.ACCEPTED).select_related("decided_by").order_by("decided_at", "pk"))


def received_recall(reader, document) -> InboundPackage | None:
    """For an incoming document the reader may read, registered from a package its sender then recalled
    or replaced: that package (its requests: the accepted recall or replacement), else None."""
    if not documents_visible_to(reader).filter(pk=document.pk).exists():
        raise NotFound
    return (InboundPackage.objects.filter(document_id=document.pk,
                                          state__in=(InboundPackage.State.RECALLED, InboundPackage.State.REPLACED))
            .prefetch_related("requests__decided_by", "requests__document").first())
