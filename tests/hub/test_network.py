"""The network's health as the hub sees it: each kind of trouble flagged, the page and the API the
same, for the instance's operators only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.api.conftest import token_of
from tests.conftest import signed_in
from tests.factories import make_agency
from vanphong.core.errors import PermissionDenied
from vanphong.hub import network, services
from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import NodeReport, Package

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def report(member, *, minutes_ago=1, outbox=0, oldest_minutes=None, expiry_days=300):
    return NodeReport.objects.create(
        member=member, reported_at=NOW - dt.timedelta(minutes=minutes_ago), outbox_depth=outbox, inbox_depth=2,
        oldest_undelivered_at=NOW - dt.timedelta(minutes=oldest_minutes) if oldest_minutes else None,
        certificates=[{"serial": "ab", "profile": "tls-client", "not_after": (NOW + dt.timedelta(days=expiry_days)).isoformat()}])


def waiting_package(sender, recipient, minutes_ago):
    package, _created = services.accept_package(NodeIdentity(sender, "ab"), message_type="edoc", doc_id="x",
                                                recipient_code=recipient.agency.code, data=f"p{minutes_ago}".encode())
    Package.objects.filter(pk=package.pk).update(received_at=NOW - dt.timedelta(minutes=minutes_ago))


def by_code(health):
    return {node.code: node for node in health.nodes}


def test_each_kind_of_trouble_is_flagged(operator, member_a, member_b):
    agencies = [make_agency(f"000.00.00.K0{n}", f"Sở số {n}", f"S{n}") for n in range(1, 6)]
    members = [services.serve_agency(None, agency) for agency in agencies]
    report(member_a)  # all well
    report(member_b, minutes_ago=45)  # silent
    report(members[0])
    waiting_package(member_a, members[0], minutes_ago=90)  # not collected at the hub
    report(members[1], outbox=4, oldest_minutes=120)  # stuck outbox
    report(members[2], expiry_days=10)  # certificate soon
    report(members[3], expiry_days=-2)  # certificate expired
    # members[4] never reported

    health = network.network_health(operator, now=NOW)
    nodes = by_code(health)
    assert nodes["000.00.00.T27"].level == "ok" and nodes["000.00.00.T27"].findings == []
    assert [f.message for f in nodes["000.00.00.H40"].findings] == ["No report from the node for 45 minutes."]
    assert nodes["000.00.00.K01"].waiting_at_hub == 1
    assert [f.message for f in nodes["000.00.00.K01"].findings] == [
        "1 package waits at the hub, for 1 hour: the node is not collecting it."]
    assert [f.message for f in nodes["000.00.00.K02"].findings] == ["4 packages wait to leave the node, the oldest for 2 hours."]
    assert nodes["000.00.00.K03"].level == "warning" and "expires on 17/12/2026" in nodes["000.00.00.K03"].findings[0].message
    assert nodes["000.00.00.K04"].level == "problem" and "expired on 05/12/2026" in nodes["000.00.00.K04"].findings[0].message
    assert [(f.level, f.message) for f in nodes["000.00.00.K05"].findings] == [("warning", "The node has never reported to the hub.")]
    assert (health.count("ok"), health.count("warning"), health.count("problem")) == (1, 2, 4)
    assert [node.level for node in health.nodes] == sorted((n.level for n in health.nodes), key=["problem", "warning", "ok"].index)


def test_only_the_instances_operators_see_the_network(admin_a, member_a):
    with pytest.raises(PermissionDenied):
        network.network_health(admin_a)


def test_the_page_and_the_api_show_the_same_to_operators_only(operator, admin_a, member_a, member_b):
    from django.utils import timezone

    report(member_a, minutes_ago=0)
    # The page and the API judge against the real clock, not NOW: A reported just now.
    NodeReport.objects.filter(member=member_a).update(reported_at=timezone.now())
    page = signed_in(Client(), operator).get("/hub/network/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "000.00.00.T27" in text and "000.00.00.H40" in text
    api = Client().get("/api/v1/hub/network", HTTP_AUTHORIZATION=f"Bearer {token_of(operator)}")
    assert api.status_code == 200, api.content
    body = api.json()
    assert [n["code"] for n in body["nodes"]] == ["000.00.00.H40", "000.00.00.T27"]  # never reported first
    assert body["counts"] == {"ok": 1, "warning": 1, "problem": 0}

    assert signed_in(Client(), admin_a).get("/hub/network/").status_code == 403
    assert Client().get("/api/v1/hub/network", HTTP_AUTHORIZATION=f"Bearer {token_of(admin_a)}").status_code == 403
    assert Client().get("/api/v1/hub/network").status_code == 401
    assert Client().get("/hub/network/").status_code == 302  # to the sign-in page


def test_exchange_status_prints_this_node_and_the_network_and_says_when_something_is_wrong(member_a, member_b, capsys):
    """`vanphong exchange status`: the same findings as the page, in a terminal and as JSON; exit 1 while a node has a
    problem, 0 once all is well."""
    from django.utils import timezone

    from vanphong import cli

    now = timezone.now()
    NodeReport.objects.create(member=member_a, reported_at=now, outbox_depth=0, inbox_depth=0, certificates=[])
    silent = NodeReport.objects.create(member=member_b, reported_at=now - dt.timedelta(hours=3), outbox_depth=2, inbox_depth=0,
                                       certificates=[])
    assert cli.main(["exchange", "status"]) == 1
    text = capsys.readouterr().out
    finding = by_code(network.measure_network()).get(member_b.agency.code).findings[0].message
    assert finding in text and member_a.agency.code in text and member_b.agency.name in text
    assert cli.main(["exchange", "status", "--json"]) == 1
    import json

    status = json.loads(capsys.readouterr().out)
    assert status["ok"] is False and status["hub"]["counts"]["problem"] == 1
    assert {row["code"] for row in status["node"]["agencies"]} >= {member_a.agency.code, member_b.agency.code}  # hosted here
    NodeReport.objects.filter(pk=silent.pk).update(reported_at=now)
    assert cli.main(["exchange", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
