"""`vanphong hub demo-network`: three instances on loopback, each with its own database and processes. A document
issued at node A (Tỉnh ủy Bắc Ninh) for Tỉnh ủy Nghệ An goes directly to node B (mutual TLS, A's node certificate
known to B from the hub's directory), whose inbox verifies and keeps it; B's clerk registers it and statuses 01
and 03 come back to node A through the hub.

The command runs as documented, on a copy of the session's prepared network (the `prepared_network` fixture: the
command's own set-up, demo_network.prepare, run once for this test and the reliability test); on a prepared folder the
command migrates, gives the hub's directory B's address and starts the servers. What each instance holds is read from
its SQLite database directly (a Django process per look cost seconds each)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.hub.conftest import free_base_port, on_own_databases

ROOT = Path(__file__).resolve().parents[2]

ISSUE = """
import django
django.setup()
from tests.exchange.helpers import issued_document
from vanphong.org.models import Agency, Person
from vanphong.workflow.approval_models import ApprovalChain
ApprovalChain.objects.filter(agency__code="000.00.00.T27").delete()  # no approval step: the test is about the network
issued_document(Person.objects.get(username="vanthu.bacninh"), [Agency.objects.get(code="000.00.00.T40")])
"""

REGISTER = """
import django
django.setup()
from vanphong.exchange import services
from vanphong.exchange.models import InboundPackage
from vanphong.org.models import Person
services.register_received(Person.objects.get(username="vanthu.nghean"), InboundPackage.objects.get(), doc_type="QĐ")
"""


def _node_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return {**env, "VANPHONG_DATA_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "vanphong.settings", "PYTHONPATH": str(ROOT)}


def _python(folder: Path, code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], env=_node_env(folder), cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=120).stdout


def _wait_for(url: str, deadline: float, **kwargs) -> None:
    while True:
        try:
            requests.get(url, timeout=3, **kwargs)
            return
        except (requests.RequestException, OSError):  # OSError: the CA file is not written yet
            if time.time() > deadline:
                raise
            time.sleep(1)


def _query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        return [list(row) for row in db.execute(sql).fetchall()]


def _state(folder: Path) -> dict:
    """What an instance holds: inbound packages, the statuses its outbound documents received, its hub store."""
    database = folder / "vanphong.sqlite3"
    member_code = "(SELECT a.code FROM hub_member m JOIN org_agency a ON a.id = m.agency_id WHERE m.id = p.{}_id)"
    return {"in": _query(database, "SELECT state, sender_code, transport FROM exchange_inboundpackage ORDER BY id"),
            "receipts": sorted(row[0] for row in _query(database, "SELECT code FROM exchange_receipt")),
            "store": sorted(_query(database, f"SELECT p.message_type, {member_code.format('sender')}, {member_code.format('recipient')} "
                                             "FROM hub_package p"))}


def _wait_until(net: Path, deadline: float, tmp_path: Path, done) -> tuple[dict, dict]:
    while True:
        at_a, at_b = _state(net / "node-a"), _state(net / "node-b")
        if done(at_a, at_b):
            return at_a, at_b
        assert time.time() < deadline, (at_a, at_b, (tmp_path / "demo.log").read_text()[-3000:])
        time.sleep(1)


@on_own_databases
def test_a_document_crosses_the_three_node_demo(tmp_path, network_copy):
    base = free_base_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    log = open(tmp_path / "demo.log", "w")  # noqa: SIM115 - written until the demo stops
    demo = subprocess.Popen([sys.executable, "-m", "vanphong.cli", "hub", "demo-network", "--dir", str(network_copy),
                             "--base-port", str(base)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 600
        net = network_copy
        _wait_for(f"https://127.0.0.1:{base}/health", deadline, verify=str(net / "hub" / "ca.pem"))
        _wait_for(f"http://127.0.0.1:{base + 1}/health", deadline)
        _wait_for(f"http://127.0.0.1:{base + 2}/health", deadline)
        _python(net / "node-a", ISSUE)
        at_a, at_b = _wait_until(net, deadline, tmp_path, lambda a, b: b["in"] and "01" in a["receipts"])
        # The document went directly: it is in B's own store, from A, and never at the hub.
        assert at_b["in"] == [["received", "000.00.00.T27", "https"]]
        assert at_b["store"] == [["edoc", "000.00.00.T27", "000.00.00.T40"]]
        _python(net / "node-b", REGISTER)
        at_a, _at_b = _wait_until(net, deadline, tmp_path, lambda a, b: "03" in a["receipts"])
        assert at_a["receipts"] == ["01", "03"]
        # The statuses went back through the hub, which never saw the document.
        at_hub = _state(net / "hub")
        assert at_hub["store"] == [["status", "000.00.00.T40", "000.00.00.T27"]] * 2
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
