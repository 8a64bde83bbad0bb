"""The health of the whole network as the hub sees it: for each agency it serves, its node's last
report and the packages waiting for it here, with what is wrong named plainly. The IT staff's page
and the API show the same thing, from network_health()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanphong import config
from vanphong.core.errors import PermissionDenied
from vanphong.hub.models import Member, NodeReport
from vanphong.org.permissions import is_instance_operator
from vanphong.pki.models import Certificate

OK, WARNING, PROBLEM = "ok", "warning", "problem"
# What a finding is about, for the alerts (hub.alerts): one episode per node and code.
NEVER_REPORTED, SILENT, HUB_BACKLOG, NODE_BACKLOG = "never_reported", "silent", "hub_backlog", "node_backlog"
CERTIFICATE_EXPIRED, CERTIFICATE_EXPIRING = "certificate_expired", "certificate_expiring"
_ORDER = {OK: 0, WARNING: 1, PROBLEM: 2}


def _minutes(name: str, default: int) -> dt.timedelta:
    value = getattr(settings, name, None)
    return dt.timedelta(minutes=int(value if value is not None else config.get_int(name, default)))


def silent_after() -> dt.timedelta:
    """VANPHONG_HUB_SILENT_MINUTES: a node that has not reported for this long is flagged (default 15)."""
    return _minutes("VANPHONG_HUB_SILENT_MINUTES", 15)


def stale_after() -> dt.timedelta:
    """VANPHONG_HUB_STALE_MINUTES: a package undelivered for this long is flagged (default 60)."""
    return _minutes("VANPHONG_HUB_STALE_MINUTES", 60)


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if minutes < 48 * 60:
        return ngettext("%(count)d hour", "%(count)d hours", minutes // 60) % {"count": minutes // 60}
    return ngettext("%(count)d day", "%(count)d days", minutes // (24 * 60)) % {"count": minutes // (24 * 60)}


@dataclass
class Finding:
    level: str
    message: str
    code: str = ""
    since: dt.datetime | None = None  # when what it names began: the last report, the oldest package, the expiry


@dataclass
class NodeHealth:
    code: str
    name: str
    endpoint: str
    last_contact: dt.datetime | None
    waiting_at_hub: int
    oldest_waiting_at_hub: dt.datetime | None
    outbox_depth: int | None
    inbox_depth: int | None
    oldest_undelivered: dt.datetime | None
    next_certificate_expiry: dt.datetime | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def level(self) -> str:
        return max((f.level for f in self.findings), key=_ORDER.__getitem__, default=OK)

    def as_dict(self) -> dict:
        def iso(value):
            return value.isoformat() if value else None

        return {"code": self.code, "name": self.name, "endpoint": self.endpoint, "level": self.level,
                "last_contact": iso(self.last_contact), "waiting_at_hub": self.waiting_at_hub,
                "oldest_waiting_at_hub": iso(self.oldest_waiting_at_hub), "outbox_depth": self.outbox_depth,
                "inbox_depth": self.inbox_depth, "oldest_undelivered": iso(self.oldest_undelivered),
                "next_certificate_expiry": iso(self.next_certificate_expiry),
                "findings": [{"level": f.level, "message": f.message} for f in self.findings]}


@dataclass
class NetworkHealth:
    checked_at: dt.datetime
    nodes: list[NodeHealth]

    def count(self, level: str) -> int:
        return sum(1 for node in self.nodes if node.level == level)

    @property
    def waiting_at_hub(self) -> int:
        return sum(node.waiting_at_hub for node in self.nodes)

    def as_dict(self) -> dict:
        return {"checked_at": self.checked_at.isoformat(), "counts": {level: self.count(level) for level in (OK, WARNING, PROBLEM)},
                "waiting_at_hub": self.waiting_at_hub, "nodes": [node.as_dict() for node in self.nodes]}


def require_network_viewer(person) -> None:
    if not is_instance_operator(person):
        raise PermissionDenied(_("Only the operators of this instance see the health of the exchange network."))


def _expiries(report: NodeReport | None, pki_dates: list[dt.datetime]) -> list[dt.datetime]:
    dates = list(pki_dates)
    for cert in (report.certificates if report else []):
        try:
            dates.append(dt.datetime.fromisoformat(cert["not_after"]))
        except (KeyError, TypeError, ValueError):
            continue
    return dates


def network_health(person, *, now: dt.datetime | None = None) -> NetworkHealth:
    """Every agency the hub serves, worst first. Instance operators only."""
    require_network_viewer(person)
    return measure_network(now=now)


def measure_network(*, now: dt.datetime | None = None) -> NetworkHealth:
    """network_health without a reader: for `vanphong exchange status`, run by whoever operates the machine."""
    now = now or timezone.now()
    members = list(Member.objects.filter(is_active=True).select_related("agency", "report").annotate(
        waiting=Count("received_packages", filter=Q(received_packages__acknowledged_at__isnull=True)),
        oldest_waiting=Min("received_packages__received_at", filter=Q(received_packages__acknowledged_at__isnull=True)),
    ).order_by("agency__code"))
    pki_dates: dict[int, list[dt.datetime]] = {}
    for agency_id, not_after in Certificate.objects.filter(
            holder_agency__in=[m.agency_id for m in members], profile__in=("tls-client", "agency-seal"),
            status=Certificate.Status.VALID).values_list("holder_agency_id", "not_after"):
        pki_dates.setdefault(agency_id, []).append(not_after)
    warning_window = dt.timedelta(days=getattr(settings, "VANPHONG_CERTIFICATE_WARNING_DAYS", 30))
    nodes = []
    for member in members:
        report = getattr(member, "report", None)
        expiries = _expiries(report, pki_dates.get(member.agency_id, []))
        node = NodeHealth(
            code=member.agency.code, name=member.agency.name, endpoint=member.endpoint,
            last_contact=report.reported_at if report else None, waiting_at_hub=member.waiting,
            oldest_waiting_at_hub=member.oldest_waiting, outbox_depth=report.outbox_depth if report else None,
            inbox_depth=report.inbox_depth if report else None, oldest_undelivered=report.oldest_undelivered_at if report else None,
            next_certificate_expiry=min(expiries) if expiries else None)
        node.findings = _assess(node, now=now, expiries=expiries, warning_window=warning_window)
        nodes.append(node)
    nodes.sort(key=lambda n: (-_ORDER[n.level], n.code))
    return NetworkHealth(now, nodes)


def _assess(node: NodeHealth, *, now, expiries: list[dt.datetime], warning_window: dt.timedelta) -> list[Finding]:
    findings = []
    if node.last_contact is None:
        findings.append(Finding(WARNING, _("The node has never reported to the hub."), NEVER_REPORTED))
    elif now - node.last_contact > silent_after():
        findings.append(Finding(PROBLEM, _("No report from the node for %(duration)s.") % {"duration": _duration(now - node.last_contact)},
                                SILENT, node.last_contact))
    if node.oldest_waiting_at_hub and now - node.oldest_waiting_at_hub > stale_after():
        findings.append(Finding(PROBLEM, ngettext(
            "%(count)d package waits at the hub, for %(duration)s: the node is not collecting it.",
            "%(count)d packages wait at the hub, the oldest for %(duration)s: the node is not collecting them.",
            node.waiting_at_hub) % {"count": node.waiting_at_hub, "duration": _duration(now - node.oldest_waiting_at_hub)},
            HUB_BACKLOG, node.oldest_waiting_at_hub))
    if node.oldest_undelivered and now - node.oldest_undelivered > stale_after():
        findings.append(Finding(PROBLEM, ngettext(
            "%(count)d package waits to leave the node, for %(duration)s.",
            "%(count)d packages wait to leave the node, the oldest for %(duration)s.",
            node.outbox_depth or 0) % {"count": node.outbox_depth or 0, "duration": _duration(now - node.oldest_undelivered)},
            NODE_BACKLOG, node.oldest_undelivered))
    expired = [d for d in expiries if d <= now]
    if expired:
        findings.append(Finding(PROBLEM, _("A certificate of the node expired on %(date)s.") % {"date": timezone.localtime(max(expired)).strftime("%d/%m/%Y")},
                                CERTIFICATE_EXPIRED, max(expired)))
    soon = [d for d in expiries if now < d <= now + warning_window]
    if soon:
        findings.append(Finding(WARNING, _("A certificate of the node expires on %(date)s: renew it.")
                                % {"date": timezone.localtime(min(soon)).strftime("%d/%m/%Y")}, CERTIFICATE_EXPIRING, min(soon)))
    return findings
