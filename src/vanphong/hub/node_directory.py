"""On a node: bring the agency directory up to date from the hub's (getAgencies).

Agencies hosted here are this node's own: the hub's copy never overwrites them. The others are
created or updated, validated as the directory's own forms do and audited, as entries not hosted here, and
each gets its exchange address: through the hub unless an administrator chose otherwise, with
the agency's seal certificate for Mật packages, and its node TLS client certificates (org.NodeCertificate),
replaced at each sync, so that its node may call this one directly. Agencies the hub no longer lists are
reported, not removed (packages may still be on their way), but their node certificates are dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.org.models import Agency, NodeCertificate
from vanphong.org.permissions import require_directory_manager
from vanphong.pki.models import serial_text

SYNCED_FIELDS = {"name": "name", "shortName": "short_name", "notationCode": "notation_code", "notationScheme": "notation_scheme",
                 "address": "address", "email": "email", "telephone": "phone", "website": "website"}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    hosted_here: list[str] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (code, reason)
    not_in_hub: list[str] = field(default_factory=list)
    node_certificates: int = 0  # node TLS client certificates of other agencies kept after the sync
    node_certificates_dropped: int = 0  # no longer listed by the hub (revoked, expired, agency gone)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "hosted_here": self.hosted_here,
                "invalid": [{"code": c, "reason": r} for c, r in self.invalid], "not_in_hub": self.not_in_hub,
                "node_certificates": self.node_certificates, "node_certificates_dropped": self.node_certificates_dropped}


def _seal_pem(entry: dict) -> str:
    """The newest seal certificate of the entry that really is a certificate."""
    seals = sorted((c for c in entry.get("certificates") or [] if c.get("profile") == "agency-seal"),
                   key=lambda c: str(c.get("notAfter", "")), reverse=True)
    for seal in seals:
        try:
            x509.load_pem_x509_certificate(str(seal.get("pem", "")).encode("ascii"))
        except ValueError:
            continue
        return seal["pem"]
    return ""


def _node_certificates(entry: dict) -> dict[str, x509.Certificate]:
    """The entry's node TLS client certificates that are certificates and not expired, by SHA-256 of their DER."""
    now = timezone.now()
    found = {}
    for listed in entry.get("certificates") or []:
        if not isinstance(listed, dict) or listed.get("profile") != "tls-client":
            continue
        try:
            cert = x509.load_pem_x509_certificate(str(listed.get("pem", "")).encode("ascii"))
        except ValueError:
            continue
        if cert.not_valid_after_utc < now:
            continue
        found[hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()] = cert
    return found


def _replace_node_certificates(actor, agency: Agency, listed: dict[str, x509.Certificate], report: SyncReport, request) -> None:
    """Keep exactly the certificates the hub lists now for `agency`'s node."""
    held = dict(NodeCertificate.objects.filter(agency=agency).values_list("sha256", "serial"))
    dropped = [sha for sha in held if sha not in listed]
    added = [sha for sha in listed if sha not in held]
    if dropped:
        NodeCertificate.objects.filter(agency=agency, sha256__in=dropped).delete()
    NodeCertificate.objects.bulk_create([
        NodeCertificate(agency=agency, sha256=sha, serial=serial_text(listed[sha].serial_number),
                        certificate_der=listed[sha].public_bytes(serialization.Encoding.DER),
                        not_before=listed[sha].not_valid_before_utc, not_after=listed[sha].not_valid_after_utc)
        for sha in added])
    report.node_certificates += len(listed)
    report.node_certificates_dropped += len(dropped)
    if added or dropped:
        audit.record("hub.directory.node_certificates_replaced", actor=actor, agency=agency, target=agency, request=request,
                     data={"code": agency.code, "added": [serial_text(listed[sha].serial_number) for sha in added],
                           "dropped": [held[sha] for sha in dropped]})


def _values(entry: dict) -> dict:
    values = {model_field: str(entry.get(key) or "").strip() for key, model_field in SYNCED_FIELDS.items()}
    values["short_name"] = values["short_name"] or values["name"][:60]
    values["notation_code"] = values["notation_code"] or values["short_name"][:30]
    values["notation_scheme"] = values["notation_scheme"] or "state"
    return values


def _set_endpoint(agency: Agency, entry: dict) -> None:
    from vanphong.exchange.models import ExchangeEndpoint, TransportName

    endpoint, created = ExchangeEndpoint.objects.get_or_create(agency=agency, defaults={"transport": TransportName.HUB})
    changed = []
    seal = _seal_pem(entry)
    if seal and endpoint.certificate_pem != seal:
        endpoint.certificate_pem, changed = seal, [*changed, "certificate_pem"]
    if endpoint.transport == TransportName.HTTPS and not endpoint.url and entry.get("endpoint"):
        endpoint.url, changed = entry["endpoint"], [*changed, "url"]
    if changed:
        endpoint.full_clean()
        endpoint.save(update_fields=[*changed, "updated_at"])


def sync_directory(actor, entries: list[dict], *, request=None) -> SyncReport:
    """Apply the hub's directory `entries` (hub.directory.entries' shape). Each entry in its own
    transaction: one bad entry is reported and the others still apply."""
    if actor is not None:  # None: the command line or the worker, trusted as in org.services' own commands
        require_directory_manager(actor)
    report = SyncReport()
    seen = set()
    applied = set()  # entries taken in: every other agency's node certificates are dropped
    for entry in entries:
        if not isinstance(entry, dict):
            report.invalid.append(("—", _("The entry is not in the directory's format.")))
            continue
        code = str(entry.get("code") or "").strip().upper()
        seen.add(code)
        try:
            with transaction.atomic():
                if _apply_entry(actor, code, entry, report, request):
                    applied.add(code)
        except ValidationError as exc:
            report.invalid.append((code or "—", " ".join(exc.messages)))
        except (TypeError, AttributeError, ValueError):
            report.invalid.append((code or "—", _("The entry is not in the directory's format.")))
    report.not_in_hub = sorted(Agency.objects.filter(hosted=False, is_active=True).exclude(code__in=seen).values_list("code", flat=True))
    with transaction.atomic():
        for agency in Agency.objects.filter(hosted=False, node_certificates__isnull=False).exclude(code__in=applied).distinct():
            _replace_node_certificates(actor, agency, {}, report, request)
        audit.record("hub.directory.synced", actor=actor, request=request,
                     data={key: value if isinstance(value, int) else len(value) for key, value in report.as_dict().items()})
    return report


def _apply_entry(actor, code: str, entry: dict, report: SyncReport, request) -> bool:
    """Apply one entry; False for an agency hosted here, which keeps its own."""
    agency = Agency.objects.filter(code=code).first()
    if agency is not None and agency.hosted:
        report.hosted_here.append(code)
        return False
    values = _values(entry)
    if agency is None:
        agency = Agency(code=code, hosted=False, **values)
        agency.full_clean()
        agency.save()
        audit.record("hub.directory.agency_added", actor=actor, agency=agency, target=agency, request=request,
                     data={"code": code, "name": agency.name})
        report.created.append(code)
    else:
        changes = {key: [getattr(agency, key), value] for key, value in values.items() if getattr(agency, key) != value}
        if changes:
            for key, (_old, value) in changes.items():
                setattr(agency, key, value)
            agency.full_clean()
            agency.save()
            audit.record("hub.directory.agency_updated", actor=actor, agency=agency, target=agency, request=request,
                         data={"code": code, "changes": changes})
            report.updated.append(code)
        else:
            report.unchanged.append(code)
    _set_endpoint(agency, entry)
    _replace_node_certificates(actor, agency, _node_certificates(entry), report, request)
    return True


def sync_from_hub(client=None, *, as_agency: str | None = None, request=None) -> SyncReport:
    """Take the directory from this node's hub, speaking for `as_agency` or the first hosted agency
    that has a node client certificate here. TransportError when the hub cannot be asked."""
    from vanphong.exchange.hub_client import HubTransport
    from vanphong.exchange.transport import TransportError

    client = client or HubTransport().client
    codes = [as_agency] if as_agency else list(Agency.objects.filter(hosted=True, is_active=True).order_by("code")
                                               .values_list("code", flat=True))
    codes = [code for code in codes if (client.credentials.folder / f"{code}.pem").is_file()]
    if not codes:
        raise TransportError(_("No hosted agency has a node client certificate in %(path)s.") % {"path": client.credentials.folder},
                             retryable=False)
    return sync_directory(None, client.agencies(codes[0]), request=request)
