"""Nothing lost, nothing doubled: documents cross the three-node network (vanphong.hub.demo_network: a hub
and two nodes, each its own folder, SQLite database and processes) while the test kills -9, at random moments,
the sender's worker, the receiver's node API and worker, the receiving clerk's process and the hub's server
(each restarted after a short pause), and cuts the link for a while.

- Node A (Tỉnh ủy Bắc Ninh) issues the documents to Tỉnh ủy Nghệ An through the documents service, in A's own
  process, so that each enters the real outbox; A's worker sends them directly to node B's /hub/api/.
- B's worker takes them into its inbox (01 goes back through the hub, where A's worker collects it).
- Registration: B's clerk (vanthu.nghean) registers every received package through the clerk's service,
  exchange.services.register_received (permission checked, audited, 03 recorded by the workflow and sent back
  through the hub), in a process of B's that loops over the packages waiting, as a clerk's browser would.
- The link: a TCP proxy in this test stands between the nodes and both servers they call (the hub, B's node API).
  A cut resets every connection it carries and every new one until it is restored (network namespaces would need
  privileges a CI runner does not have).

After recovery the test waits (bounded) until everything settles, then reads A's and B's databases with sqlite3:
each document is in B's inbox exactly once and registered exactly once, A holds 01 and 03 for each package
exactly once, every package and status of both nodes is sent and none failed or was refused. It prints the counts
(pytest -s) and puts them in the assertion messages. The seed of the random moments is printed;
VANPHONG_RELIABILITY_SEED replays it.

How many: DOCUMENTS, 200 in CI; VANPHONG_RELIABILITY_DOCUMENTS=2000 runs the issue's 2,000."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.hub.conftest import free_base_port, on_own_databases
from vanphong.hub import demo_network

ROOT = Path(__file__).resolve().parents[2]
# The issue asks for 2,000: VANPHONG_RELIABILITY_DOCUMENTS=2000 runs them (estimated: half an hour on this loaded two-core machine, where 500 took ten minutes). CI
# runs 200, to stay within five minutes (the three instances come set up: the session's prepared network).
DOCUMENTS = int(os.environ.get("VANPHONG_RELIABILITY_DOCUMENTS") or 200)
A, B = demo_network.AGENCY_A, demo_network.AGENCY_B
# Quick rounds, a short lease (a killed worker's claim comes back soon) and short back-off, so that recovery fits the test.
NODE_SETTINGS = {"VANPHONG_EXCHANGE_CYCLE_SECONDS": "1", "VANPHONG_EXCHANGE_LEASE_SECONDS": "20",
                 "VANPHONG_EXCHANGE_RETRY_BASE_SECONDS": "1", "VANPHONG_EXCHANGE_RETRY_MAX_SECONDS": "8"}
SETTLE_SECONDS = 120 + DOCUMENTS  # after the last fault, for the last retries and the statuses to come back
SUBJECT = "Văn bản thử độ tin cậy số"

ISSUE = f"""
import sys
import django
django.setup()
from tests.exchange.helpers import issued_document
from vanphong.org.models import Agency, Person
from vanphong.workflow.approval_models import ApprovalChain
ApprovalChain.objects.filter(agency__code="{A}").delete()  # no approval step: the test is about the network
clerk, recipient = Person.objects.get(username="vanthu.bacninh"), Agency.objects.get(code="{B}")
for number in range(int(sys.argv[1])):
    issued_document(clerk, [recipient], subject=f"{SUBJECT} {{number + 1}}", files=number % 10 == 0)
    if number % 100 == 99:
        print(number + 1, flush=True)
"""

# The clerk of B registers what arrives, until told how many to expect.
CLERK = f"""
import sys, time
import django
django.setup()
from django.db import OperationalError
from vanphong.exchange import services
from vanphong.exchange.models import InboundPackage
from vanphong.org.models import Person
clerk = Person.objects.get(username="vanthu.nghean")
while True:
    waiting = list(InboundPackage.objects.filter(agency__code="{B}", kind="edoc", state="received").order_by("pk")[:50])
    for package in waiting:
        try:
            services.register_received(clerk, package, doc_type="QĐ")
        except OperationalError:  # the database is busy (SQLite): the package waits for the next pass
            time.sleep(0.2)
    if not waiting:
        time.sleep(1)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Link:
    """A TCP proxy standing for the network between the nodes and one server. `cut()` resets every connection it
    carries and every new one until `restore()`."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                _reset(client)
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                _reset(client)  # the server is down: as the network would say
                continue
            server.settimeout(None)
            with self.lock:
                self.open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with self.lock:
                    self.open.discard(end)
                _reset(end)

    def cut(self) -> None:
        self.up.clear()
        self.cuts += 1
        with self.lock:
            carried, self.open = list(self.open), set()
        for end in carried:
            _reset(end)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _reset(end: socket.socket) -> None:
    try:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close with a reset
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()


class Process:
    """One process of an instance, in its own session so that kill -9 takes it with its children (gunicorn's workers)."""

    def __init__(self, name: str, argv: list[str], env: dict, logs: Path):
        self.name, self.argv, self.env, self.log_path = name, argv, env, logs / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        log = open(self.log_path, "a")  # noqa: SIM115 - the child writes to it
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self.kills += 1

    def ended_by_itself(self) -> str:
        """The end of its log when it stopped without being told (a crash the test did not cause)."""
        if self.popen is None or self.popen.poll() is None:
            return ""
        return f"{self.name} exited with {self.popen.returncode}: {self.log_path.read_text()[-2000:]}"

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def _script_env(env: dict) -> dict:
    return {**env, "DJANGO_SETTINGS_MODULE": "vanphong.settings", "PYTHONPATH": str(ROOT)}


def _wait_for(url: str, ca_file: Path, deadline: float) -> None:
    while True:
        try:
            requests.get(url, verify=str(ca_file), timeout=3)
            return
        except requests.RequestException:
            assert time.time() < deadline, f"{url} did not start"
            time.sleep(0.5)


def _query(database: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(sql, params).fetchall()


def _counts(net: Path) -> dict[str, int]:
    """What each node's database says, read directly: the test's verdict does not go through the code under test."""
    at_a, at_b = net / "node-a" / "vanphong.sqlite3", net / "node-b" / "vanphong.sqlite3"

    def one(database: Path, sql: str, *params) -> int:
        return _query(database, sql, *params)[0][0]

    a_edocs = "SELECT id FROM exchange_outboundmessage WHERE kind = 'edoc'"
    return {
        "a_documents_issued": one(at_a, "SELECT COUNT(*) FROM documents_document WHERE direction = 'out' AND status != 'draft' "
                                                  "AND subject LIKE ?", SUBJECT + "%"),
        "a_packages": one(at_a, "SELECT COUNT(*) FROM exchange_outboundmessage WHERE kind = 'edoc'"),
        "a_packages_sent": one(at_a, "SELECT COUNT(*) FROM exchange_outboundmessage WHERE kind = 'edoc' AND state = 'sent'"),
        "a_packages_failed": one(at_a, "SELECT COUNT(*) FROM exchange_outboundmessage WHERE state = 'failed'"),
        "a_send_attempts": one(at_a, "SELECT COALESCE(SUM(attempts), 0) FROM exchange_outboundmessage WHERE kind = 'edoc'"),
        "a_receipts_01": one(at_a, f"SELECT COUNT(*) FROM exchange_receipt WHERE code = '01' AND package_id IN ({a_edocs})"),
        "a_packages_with_01": one(at_a, f"SELECT COUNT(DISTINCT package_id) FROM exchange_receipt WHERE code = '01' AND package_id IN ({a_edocs})"),
        "a_receipts_03": one(at_a, f"SELECT COUNT(*) FROM exchange_receipt WHERE code = '03' AND package_id IN ({a_edocs})"),
        "a_packages_with_03": one(at_a, f"SELECT COUNT(DISTINCT package_id) FROM exchange_receipt WHERE code = '03' AND package_id IN ({a_edocs})"),
        "a_receipts_other": one(at_a, "SELECT COUNT(*) FROM exchange_receipt WHERE code NOT IN ('01', '03')"),
        "a_refused": one(at_a, "SELECT COUNT(*) FROM exchange_inboundpackage WHERE state = 'refused'"),
        "b_deliveries_taken": one(at_b, "SELECT COUNT(*) FROM hub_package WHERE message_type = 'edoc'"),
        "b_received": one(at_b, "SELECT COUNT(*) FROM exchange_inboundpackage WHERE kind = 'edoc' AND sender_code = ? AND state != 'refused'", A),
        "b_received_distinct": one(at_b, "SELECT COUNT(DISTINCT edxml_document_id) FROM exchange_inboundpackage WHERE kind = 'edoc' "
                                         "AND sender_code = ? AND state != 'refused'", A),
        "b_refused": one(at_b, "SELECT COUNT(*) FROM exchange_inboundpackage WHERE state = 'refused'"),
        "b_registered": one(at_b, "SELECT COUNT(*) FROM exchange_inboundpackage WHERE kind = 'edoc' AND state = 'registered'"),
        "b_incoming_documents": one(at_b, "SELECT COUNT(*) FROM documents_document WHERE direction = 'in' AND subject LIKE ?",
                                    SUBJECT + "%"),
        "b_incoming_distinct": one(at_b, "SELECT COUNT(DISTINCT code_number || '/' || code_notation) FROM documents_document "
                                         "WHERE direction = 'in' AND subject LIKE ?", SUBJECT + "%"),
        "b_statuses_sent": one(at_b, "SELECT COUNT(*) FROM exchange_outboundmessage WHERE kind = 'status' AND state = 'sent'"),
        "b_statuses_waiting": one(at_b, "SELECT COUNT(*) FROM exchange_outboundmessage WHERE kind = 'status' AND state != 'sent'"),
    }


def _settled(counts: dict[str, int]) -> bool:
    return (counts["a_packages_sent"] == counts["a_packages"] == DOCUMENTS and counts["b_registered"] >= DOCUMENTS
            and counts["a_packages_with_03"] >= DOCUMENTS and counts["a_packages_with_01"] >= DOCUMENTS
            and counts["b_statuses_waiting"] == 0) or counts["a_packages_failed"] > 0


@on_own_databases
def test_documents_survive_kill_9_and_a_cut_link(tmp_path, network_copy):
    seed = int(os.environ.get("VANPHONG_RELIABILITY_SEED") or random.SystemRandom().randrange(10**6))
    rng = random.Random(seed)
    print(f"\nreliability seed: {seed} (VANPHONG_RELIABILITY_SEED={seed} replays the moments)", flush=True)
    started = time.monotonic()
    net, logs = network_copy, tmp_path / "logs"  # the session's prepared network (tests/hub/conftest.py), copied
    logs.mkdir()
    base = free_base_port()
    hub_link, b_link = Link(base), Link(base + 3)
    network = demo_network.prepare(net, base_port=base, hub_url=f"https://127.0.0.1:{hub_link.port}/hub/api/",
                                   b_direct_url=f"https://127.0.0.1:{b_link.port}/hub/api/", node_settings=NODE_SETTINGS)
    print(f"network ready in {time.monotonic() - started:.0f} s", flush=True)
    worker = [sys.executable, "-m", "vanphong.cli", "worker"]
    processes = {
        "hub": Process("hub", network.hub_server(), network.envs["hub"], logs),
        "b-api": Process("b-api", network.b_direct_server(), network.envs["b"], logs),
        "a-worker": Process("a-worker", worker, network.envs["a"], logs),
        "b-worker": Process("b-worker", worker, network.envs["b"], logs),
        "b-clerk": Process("b-clerk", [sys.executable, "-c", CLERK], _script_env(network.envs["b"]), logs),
    }
    ca_file = net / "hub" / "ca.pem"
    issuer = None
    try:
        for process in processes.values():
            process.start()
        deadline = time.time() + 300
        _wait_for(f"https://127.0.0.1:{base}/health", ca_file, deadline)
        _wait_for(f"https://127.0.0.1:{base + 3}/health", ca_file, deadline)
        demo_network.sync_directories(network)  # through the link: A learns B's address (the link's), B A's certificate
        issuing_started = time.monotonic()
        issuer = subprocess.Popen([sys.executable, "-c", ISSUE, str(DOCUMENTS)], env=_script_env(network.envs["a"]), cwd=ROOT,
                                  stdout=open(logs / "issue.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115

        # Chaos while the documents flow: every kind of fault once in a random order, then at random until all are issued.
        faults = ["hub", "b-api", "a-worker", "b-worker", "b-clerk", "link"]
        plan = rng.sample(faults, len(faults))
        events = []
        while plan or issuer.poll() is None:
            time.sleep(rng.uniform(2, 6))
            fault = plan.pop(0) if plan else rng.choice(faults)
            pause = rng.uniform(1, 4) if fault != "link" else rng.uniform(4, 10)
            events.append(f"{time.monotonic() - issuing_started:.0f}s {fault} {pause:.1f}s")
            if fault == "link":
                hub_link.cut(), b_link.cut()
                time.sleep(pause)
                hub_link.restore(), b_link.restore()
            else:
                processes[fault].kill()
                time.sleep(pause)
                processes[fault].start()
        assert issuer.wait() == 0, (logs / "issue.log").read_text()[-3000:]
        print(f"issued {DOCUMENTS} in {time.monotonic() - issuing_started:.0f} s; faults: {'; '.join(events)}", flush=True)

        settle_deadline = time.monotonic() + SETTLE_SECONDS
        while not _settled(counts := _counts(net)):
            crashed = [ended for process in processes.values() if (ended := process.ended_by_itself())]
            assert not crashed and time.monotonic() < settle_deadline, (f"not settled in {SETTLE_SECONDS} s: {json.dumps(counts)}",
                                                                        crashed)
            time.sleep(2)
        time.sleep(3)  # anything doubled late would show now
        counts = _counts(net)
        counts.update(kills={name: process.kills for name, process in processes.items()}, link_cuts=hub_link.cuts,
                      seconds=round(time.monotonic() - started))
        print("reliability counts: " + json.dumps(counts), flush=True)
        report = json.dumps(counts)
        assert counts["a_documents_issued"] == counts["a_packages"] == counts["a_packages_sent"] == DOCUMENTS, report
        assert counts["a_packages_failed"] == 0, report
        assert counts["b_received"] == counts["b_received_distinct"] == DOCUMENTS, report
        assert counts["b_registered"] == counts["b_incoming_documents"] == counts["b_incoming_distinct"] == DOCUMENTS, report
        assert counts["a_receipts_01"] == counts["a_packages_with_01"] == DOCUMENTS, report
        assert counts["a_receipts_03"] == counts["a_packages_with_03"] == DOCUMENTS, report
        assert counts["a_receipts_other"] == counts["a_refused"] == counts["b_refused"] == 0, report
        assert counts["b_statuses_sent"] == 2 * DOCUMENTS and counts["b_statuses_waiting"] == 0, report
        # The same set of documents on both sides.
        sent = {row[0] for row in _query(net / "node-a" / "vanphong.sqlite3",
                                         "SELECT edxml_document_id FROM exchange_outboundmessage WHERE kind = 'edoc'")}
        received = {row[0] for row in _query(net / "node-b" / "vanphong.sqlite3",
                                             "SELECT edxml_document_id FROM exchange_inboundpackage WHERE kind = 'edoc' AND state = 'registered'")}
        assert sent == received, (len(sent - received), len(received - sent))
    finally:
        if issuer is not None and issuer.poll() is None:
            issuer.kill()
            issuer.wait()
        for process in processes.values():
            process.stop()
        hub_link.close(), b_link.close()
