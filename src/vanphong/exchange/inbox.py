"""The receiving pipeline: bytes from a transport become a received package, a receipt on one of
our packages, or a refusal with its reason; never a registered document (the clerk decides that).

For each delivery, in order, and refused at the first fault:
1. the size, before anything is parsed;
2. the XML, parsed safely (no entities, DTD or network) by the tolerant reader, whose errors refuse it;
3. the recipient: a document must be addressed to the agency it was fetched for;
4. the sender: an agency of the directory;
5. the signature (signing.xmldsig): intact, by a certificate that chains to a trusted root, valid
   now and not revoked, and whose organizationIdentifier is the agency in From;
6. a document already received (same sender and DocumentId, or same bytes) is acknowledged again
   and nothing else happens;
7. a recall or an update (BussinessDocType 1, 2) must name a package this agency received from the
   same sender.
A document taken in is answered with status 01 at once (a recall with 13, recall requested; an update with nothing until the clerk decides) (a status message in the outbox, written in
the same transaction). A refused package is kept with its reason and audited; when its signature
was good and its sender known, status 02 goes back with the reason."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vanphong.core import audit, storage
from vanphong.core.errors import ValidationError
from vanphong.exchange import confidential, hooks
from vanphong.exchange import transport as transports
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.oddities import UnreadablePackage
from vanphong.exchange.edxml.values import VIETNAM
from vanphong.exchange.models import ExchangeEndpoint, InboundPackage, OutboundMessage, Receipt
from vanphong.exchange.outbox import queue_status
from vanphong.org.models import Agency

logger = logging.getLogger(__name__)
ACCEPTED, DUPLICATE, RECEIPT, REFUSED = "accepted", "duplicate", "receipt", "refused"


@dataclass
class Intake:
    outcome: str
    package: InboundPackage | None = None
    reason: str = ""


class _Refused(Exception):
    def __init__(self, reason: str, *, answer: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.answer = answer  # status 02 goes back: the sender is known and the signature good


def _known_agency(code: str) -> Agency | None:
    return Agency.objects.filter(code__iexact=code.strip(), is_active=True).first() if code.strip() else None


def _verify(data: bytes, sender_code: str) -> dict:
    from vanphong.signing import xmldsig

    report = xmldsig.verify_package(data)
    if not report.valid:
        problems = " ".join(report.problems) or report.verdict
        raise _Refused(_("The signature does not hold: %(problems)s") % {"problems": problems})
    if report.signer_matches_from is not True:
        raise _Refused(_("The package says it is from %(sender)s, but it was signed by %(signer)s (%(code)s), not by that agency's seal.")
                       % {"sender": sender_code, "signer": report.signer_name, "code": report.signer_agency_code or "—"})
    return report.as_dict()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=VIETNAM) if moment is not None else None


def _summary(edoc: model.Edoc) -> dict:
    return {"subject": edoc.subject[:500], "code_number": edoc.code.code_number[:30], "code_notation": edoc.code.code_notation[:60],
            "promulgation_date": edoc.promulgation_info.promulgation_date, "due_date": edoc.due_date,
            "priority": edoc.other_info.priority if edoc.other_info.priority in model.PRIORITIES else None}


def receive(data: bytes, *, agency: Agency, transport_name: str = "", transport_id: str = "", unverified: bool = False) -> Intake:
    """Take in one delivery for `agency` (hosted here). Never raises for what the bytes contain.

    `unverified`: an operator imports a package file from a system this one cannot verify (the
    placeholder signatures of other implementations, a sender outside the directory): it is taken
    in for the clerk, flagged on its page as not verified, and no status goes back to anyone."""
    sha = hashlib.sha256(data).hexdigest()
    base = {"agency": agency, "sha256": sha, "size": len(data), "transport": transport_name[:10], "transport_id": transport_id[:200]}
    limits = Limits.from_settings()
    if len(data) > limits.max_package_bytes:
        reason = _("The package is %(size)d bytes, over this instance's limit of %(limit)d bytes.") % {
            "size": len(data), "limit": limits.max_package_bytes}
        return _refuse(base, reason)
    taken = InboundPackage.objects.filter(agency=agency, sha256=sha).exclude(state=InboundPackage.State.REFUSED).first()
    if taken is not None:  # the very same bytes again (a retry, a replay): acknowledged, nothing more
        return Intake(DUPLICATE, taken)
    base["payload_sha256"] = storage.put_bytes(data)
    read = None
    try:
        data, base["encrypted"] = _opened(agency, data)
        if base["encrypted"]:  # what the clerk reads later is the opened package
            base["payload_sha256"] = storage.put_bytes(data)
        try:
            read = reader.read(data, limits=limits)
        except UnreadablePackage as exc:
            raise _Refused(_("The package cannot be read: %(reason)s") % {"reason": " ".join(exc.messages)}) from None
        base["kind"] = read.kind
        base["oddities"] = [o.as_dict() for o in read.oddities]
        package = read.package
        base["sender_code"] = package.from_.organ_id[:60]
        base["sender_name"] = package.from_.organ_name[:255]
        if isinstance(package, model.Edoc):
            base.update(_summary(package), edxml_document_id=package.document_id[:200], business_doc_type=package.business_doc_type)
        else:
            base["edxml_document_id"] = package.response_for.document_id[:200]
        sender = _known_agency(package.from_.organ_id)
        if unverified:
            return _import_unverified(base, read, sender, agency)
        if sender is None:
            raise _Refused(_("The sender %(code)s is not an agency of the directory: packages are taken only from known agencies.")
                           % {"code": package.from_.organ_id or "—"})
        base["sender"] = sender
        base["verification"] = _verify(data, package.from_.organ_id)
        # From here on the sender is who it says: what is wrong is answered with status 02.
        if read.has_errors:
            raise _Refused(_("The package is not valid edXML: %(errors)s")
                           % {"errors": " ".join(o.message for o in read.oddities if o.severity == "error")}, answer=True)
        if isinstance(package, model.Edoc) and agency.code.upper() not in {t.organ_id.upper() for t in package.to}:
            raise _Refused(_("The package is addressed to %(to)s, not to %(agency)s.")
                           % {"to": ", ".join(t.organ_id for t in package.to) or "—", "agency": agency.code}, answer=True)
        if isinstance(package, model.Status):
            return _take_receipt(base, package, sender, agency)
        if package.business_doc_type in REQUESTS:
            return _take_document(base, sender, original=_requested_package(package, sender, agency))
        if package.business_doc_type == model.BUSINESS_REPLACE:
            return _take_document(base, sender, original=_replaced_package(package, sender, agency))
        return _take_document(base, sender)
    except _Refused as refused:
        return _refuse(base, refused.reason, answer=refused.answer)


def _opened(agency: Agency, data: bytes) -> tuple[bytes, bool]:
    """(the package, whether it arrived encrypted): a package sealed end to end (a Mật document) is
    opened with the agency's seal key."""
    if not confidential.looks_sealed(data):
        return data, False
    from vanphong.signing import credentials, selectors

    row = selectors.held_seal_certificate(agency)
    if row is None:
        raise _Refused(_("The package is encrypted, and %(agency)s has no seal key held by the system to open it.")
                       % {"agency": agency.name})
    held = credentials.held(row)
    try:
        return confidential.open_sealed(held.signer.signing_key, held.certificate, data), True
    except ValidationError as exc:
        raise _Refused(_("The encrypted package cannot be opened: %(error)s") % {"error": " ".join(exc.messages)}) from None


def _import_unverified(base: dict, read, sender: Agency | None, agency: Agency) -> Intake:
    package = read.package
    if isinstance(package, model.Status):
        if sender is None:
            raise _Refused(_("The sender %(code)s is not an agency of the directory: packages are taken only from known agencies.")
                           % {"code": package.from_.organ_id or "—"})
        base["sender"] = sender
        return _take_receipt(base, package, sender, agency)
    if package.business_doc_type == model.BUSINESS_RECALL:  # an update imported is the corrected document, to register
        raise _Refused(_("A recall is taken only from its sender through the exchange, verified: it cannot be imported from a file."))
    notes = [_("Imported from a file by an operator, without verifying its signature or its sender: confirm it with the sender "
               "before registering it.")]
    if agency.code.upper() not in {t.organ_id.upper() for t in package.to}:
        notes.append(_("The package is addressed to %(to)s, not to %(agency)s.")
                     % {"to": ", ".join(t.organ_id for t in package.to) or "—", "agency": agency.code})
    base["sender"] = sender
    base["verification"] = {"valid": False, "verdict": "not verified", "imported": True, "problems": notes,
                            "signature": read.signature.status}
    return _take_document(base, sender, answer=False)


# Packages about a document received earlier: a recall, an update. The clerk accepts or refuses them.
REQUESTS = (model.BUSINESS_RECALL, model.BUSINESS_UPDATE)


def _requested_package(edoc: model.Edoc, sender: Agency, agency: Agency) -> InboundPackage:
    """The package a recall or an update is about (Bussiness/DocumentId): one this agency received
    from the same sender. Anything else is refused with status 02 and the reason."""
    named = (edoc.bussiness.document_id if edoc.bussiness else "") or edoc.document_id
    original = (InboundPackage.objects.filter(agency=agency, kind="edoc", edxml_document_id=named[:200],
                                              business_doc_type=model.BUSINESS_NEW)
                .exclude(state=InboundPackage.State.REFUSED).select_related("sender").order_by("-pk").first())
    recall = edoc.business_doc_type == model.BUSINESS_RECALL
    if original is None:
        message = (_("The recall names %(document)s, which %(agency)s never received.") if recall
                   else _("The update names %(document)s, which %(agency)s never received."))
        raise _Refused(message % {"document": named or "—", "agency": agency.code}, answer=True)
    if original.sender_id != sender.pk:
        message = (_("The recall names %(document)s, which %(original)s sent, not %(sender)s: only its sender may recall it.") if recall
                   else _("The update names %(document)s, which %(original)s sent, not %(sender)s: only its sender may correct it."))
        raise _Refused(message % {"document": named, "original": original.sender_code, "sender": sender.code}, answer=True)
    return original


def _replaced_package(edoc: model.Edoc, sender: Agency, agency: Agency) -> InboundPackage | None:
    """The package a replacement replaces (ReplacementInfoList), received here from the same sender;
    None when this agency never received it: the new document is then simply a document to register."""
    named = [r.document_id[:200] for r in edoc.bussiness.replacements if r.document_id] if edoc.bussiness else []
    if not named:
        return None
    original = (InboundPackage.objects.filter(agency=agency, kind="edoc", edxml_document_id__in=named,
                                              business_doc_type__in=(model.BUSINESS_NEW, model.BUSINESS_REPLACE))
                .exclude(state=InboundPackage.State.REFUSED).select_related("sender").order_by("-pk").first())
    if original is not None and original.sender_id != sender.pk:
        raise _Refused(_("The replacement names %(document)s, which %(original)s sent, not %(sender)s: only its sender may replace it.")
                       % {"document": original.edxml_document_id, "original": original.sender_code, "sender": sender.code}, answer=True)
    return original


def _take_document(base: dict, sender: Agency | None, *, answer: bool = True, original: InboundPackage | None = None) -> Intake:
    """A document taken in, answered 01 (arrived). A recall, an update or a replacement is linked to
    the package it is about, for the clerk to accept (15) or refuse (16); a recall is answered 13
    (recall requested) at once, an update nothing until then (01 would answer the document itself,
    which has it), a replacement (a document of its own) 01."""
    agency = base["agency"]
    same = Q(sender_code__iexact=base["sender_code"], edxml_document_id=base["edxml_document_id"], business_doc_type=base["business_doc_type"]) | Q(
        sha256=base["sha256"])
    existing = InboundPackage.objects.filter(same, agency=agency).exclude(state=InboundPackage.State.REFUSED).first()
    if existing is not None:
        return Intake(DUPLICATE, existing)
    try:
        with transaction.atomic():
            package = InboundPackage.objects.create(state=InboundPackage.State.RECEIVED, original=original, **base)
            first = {model.BUSINESS_RECALL: "13", model.BUSINESS_UPDATE: ""}.get(package.business_doc_type, "01") if original else "01"
            if answer and first:
                queue_status(package, first)
            audit.record(("exchange.request_received" if original is not None else "exchange.received") if answer
                         else "exchange.imported_unverified", agency=agency, target=package,
                         data={"from": base["sender_code"], "document_id": package.edxml_document_id, "sha256": package.sha256,
                               "transport": package.transport, "transport_id": package.transport_id,
                               "original": original.pk if original is not None else None})
            hooks.package_received.send(sender=InboundPackage, package=package)
    except IntegrityError:  # the same package, taken in at the same moment by another worker
        existing = InboundPackage.objects.filter(same, agency=agency).exclude(state=InboundPackage.State.REFUSED).first()
        return Intake(DUPLICATE, existing)
    return Intake(ACCEPTED, package)


def _take_receipt(base: dict, status: model.Status, sender: Agency, agency: Agency) -> Intake:
    """A status about one of our packages: a line of the sender's timeline, once per code."""
    if status.status_code not in model.STATUS_CODES:
        raise _Refused(_("Status code %(code)s is not one that edXML defines.") % {"code": status.status_code})
    ours = _answered_package(agency, sender, status)
    if ours is None:
        raise _Refused(_("The status answers %(document)s, which this agency did not send to %(sender)s.")
                       % {"document": status.response_for.document_id or "—", "sender": sender.code})
    staff = status.staff_info.staff if status.staff_info else ""
    Receipt.objects.bulk_create([Receipt(package=ours, code=status.status_code, description=status.description,
                                         staff=staff[:255], occurred_at=_aware(status.timestamp))], ignore_conflicts=True)
    return Intake(RECEIPT)


# Statuses that answer a request about a document (a recall), not the document itself.
REQUEST_CODES = frozenset({"13", "15", "16"})


def _answered_package(agency: Agency, recipient: Agency, status: model.Status) -> OutboundMessage | None:
    """Which of our packages to `recipient` a status answers. A recall or an update carries the
    DocumentId of the document it is about, so the packages share it: 13, 15 and 16 answer the
    newest request, the other codes the document itself."""
    candidates = list(OutboundMessage.objects.filter(kind=OutboundMessage.Kind.EDOC, sender=agency, recipient=recipient,
                                                     edxml_document_id=status.response_for.document_id).order_by("-pk")[:10])
    wants_request = status.status_code in REQUEST_CODES
    for package in candidates:
        if (package.business_doc_type in REQUESTS) == wants_request:
            return package
    return candidates[0] if candidates else None


def _refuse(base: dict, reason: str, *, answer: bool = False) -> Intake:
    base = {k: v for k, v in base.items() if k not in ("verification",)} | {"verification": base.get("verification", {})}
    with transaction.atomic():
        package = InboundPackage.objects.create(state=InboundPackage.State.REFUSED, reason=reason, **base)
        if answer and package.kind == "edoc" and package.sender_id and package.edxml_document_id:
            queue_status(package, "02", reason)
        audit.record("exchange.refused_on_arrival", agency=base["agency"], target=package,
                     data={"from": package.sender_code, "document_id": package.edxml_document_id, "sha256": package.sha256,
                           "reason": reason[:1000]})
    logger.warning("exchange: package %s for %s refused: %s", base["sha256"][:12], base["agency"].code, reason)
    return Intake(REFUSED, package, reason)


def receive_all(*, limit: int = 20) -> dict[str, int]:
    """Fetch what waits for each agency hosted here, from every transport, take it in and acknowledge it."""
    counts = {ACCEPTED: 0, DUPLICATE: 0, RECEIPT: 0, REFUSED: 0}
    fetched_through = dict(ExchangeEndpoint.objects.filter(agency__hosted=True).values_list("agency_id", "transport"))
    for agency in Agency.objects.filter(hosted=True, is_active=True).order_by("pk"):
        # What waits for an agency hosted here is where its directory entry says others reach it; local always.
        for name in dict.fromkeys(["local", fetched_through.get(agency.pk, "local")]):
            try:
                carrier = transports.get(name)
                while True:
                    deliveries = carrier.fetch(agency_code=agency.code, limit=limit)
                    if not deliveries:
                        break
                    done = []
                    for delivery in deliveries:
                        intake = receive(delivery.data, agency=agency, transport_name=name, transport_id=delivery.id)
                        counts[intake.outcome] += 1
                        done.append(delivery.id)
                    carrier.acknowledge(agency_code=agency.code, ids=done)
                    if len(deliveries) < limit:
                        break
            except transports.TransportError as exc:
                logger.warning("exchange: fetching for %s through %s failed: %s", agency.code, name, exc.message)
    return counts
