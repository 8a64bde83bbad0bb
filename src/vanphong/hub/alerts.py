"""Alerts on the exchange network: the hub tells the instance's operators (those who see /hub/network/) when a
node it serves gets into trouble, and again when the trouble is over.

The worker runs scan() every VANPHONG_HUB_ALERT_SCAN_SECONDS (hub.tasks). Each scan measures the network as the
page shows it (hub.network.measure_network) and compares it with the open episodes (NodeAlert): a problem
finding (silent node, packages stuck at the hub or at the node, an expired certificate) or a certificate entering
the warning window opens an episode; an open episode whose finding is gone is resolved. Each end is told once,
in the app and by e-mail (notifications.outbox), with an event key made of the node, the problem and the
episode's start: a scan run twice, two workers, or a restart never tell it twice, and the episode and its
notifications are written in one transaction, so a worker that dies loses neither."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from vanphong.core import audit
from vanphong.hub import network
from vanphong.hub.models import Member, NodeAlert
from vanphong.notifications.models import Notification
from vanphong.notifications.outbox import Entry, notify
from vanphong.org.models import Person

Kind = Notification.Kind
ALERTED = (network.SILENT, network.HUB_BACKLOG, network.NODE_BACKLOG, network.CERTIFICATE_EXPIRED, network.CERTIFICATE_EXPIRING)
# An expiring certificate that has now expired is not "resolved": the expired episode that follows says it.
SUPERSEDED_BY = {network.CERTIFICATE_EXPIRING: network.CERTIFICATE_EXPIRED}


@dataclass
class ScanOutcome:
    opened: int = 0
    resolved: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"opened": self.opened, "resolved": self.resolved}


def operator_ids() -> list[int]:
    """Who is alerted: the people who may see the network's health (org.permissions.is_instance_operator)."""
    return list(Person.objects.filter(is_active=True, is_superuser=True).values_list("pk", flat=True))


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def _key(alert: NodeAlert, end: str) -> str:
    return f"hub-{end}:{alert.member.agency.code}:{alert.problem}:{alert.started_at.isoformat()}"[:200]


def _params(alert: NodeAlert) -> dict:
    agency = alert.member.agency
    return {"code": agency.code, "name": agency.name, "problem": alert.problem, "since": _iso(alert.since),
            "date": _iso(alert.since), "started": _iso(alert.started_at), "resolved": _iso(alert.resolved_at)}


def _open(member: Member, finding: network.Finding, now: dt.datetime, recipients: list[int]) -> bool:
    with transaction.atomic():
        NodeAlert.objects.bulk_create([NodeAlert(member=member, problem=finding.code, level=finding.level, since=finding.since,
                                                 started_at=now)], ignore_conflicts=True)
        alert = NodeAlert.objects.select_related("member__agency").get(member=member, problem=finding.code, resolved_at__isnull=True)
        if alert.started_at != now:
            return False  # another scan opened it first, and told it
        audit.record("hub.alert.raised", agency=member.agency, target=alert,
                     data={"code": member.agency.code, "problem": alert.problem, "level": alert.level, "since": _iso(alert.since)})
        notify(Entry(pid, Kind.NETWORK_PROBLEM, _key(alert, "problem"), reverse("hub:network"), _params(alert)) for pid in recipients)
        return True


def _resolve(alert: NodeAlert, now: dt.datetime, recipients: list[int], *, tell: bool) -> bool:
    with transaction.atomic():
        if not NodeAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
            return False  # another scan resolved it
        alert.resolved_at = now
        audit.record("hub.alert.resolved", agency=alert.member.agency, target=alert,
                     data={"code": alert.member.agency.code, "problem": alert.problem, "started_at": _iso(alert.started_at)})
        if tell:
            notify(Entry(pid, Kind.NETWORK_RESOLVED, _key(alert, "resolved"), reverse("hub:network"), _params(alert))
                   for pid in recipients)
        return True


def scan(*, now: dt.datetime | None = None) -> ScanOutcome:
    """Open an episode for each new trouble and resolve those that are over, telling the operators of each."""
    now = now or timezone.now()
    health = network.measure_network(now=now)
    found = {(node.code, f.code): f for node in health.nodes for f in node.findings if f.code in ALERTED}
    opened = {(a.member.agency.code, a.problem): a
              for a in NodeAlert.objects.filter(resolved_at__isnull=True).select_related("member__agency")}
    outcome = ScanOutcome()
    if not found and not opened:
        return outcome
    recipients = operator_ids()
    members = {m.agency.code: m for m in Member.objects.filter(agency__code__in={code for code, _problem in found})
               .select_related("agency")}
    for (code, problem), finding in sorted(found.items()):
        if (code, problem) not in opened and _open(members[code], finding, now, recipients):
            outcome.opened += 1
    served = {node.code for node in health.nodes}
    for (code, problem), alert in sorted(opened.items()):
        if (code, problem) in found:
            continue
        # A node no longer served, or a warning that became the problem it warned of, closes without a notice.
        superseded = (code, SUPERSEDED_BY.get(problem)) in found
        if _resolve(alert, now, recipients, tell=code in served and not superseded):
            outcome.resolved += 1
    return outcome


def nodes_in_trouble() -> int:
    """How many nodes have an open problem (not a mere warning): the navigation's badge, one small query."""
    return NodeAlert.objects.filter(resolved_at__isnull=True, level=network.PROBLEM).values("member").distinct().count()
