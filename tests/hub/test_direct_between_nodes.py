"""Direct HTTPS between two ordinary nodes over real mutual TLS, no hub in the path.

Node A is this test's database; node B is an instance of its own (own folder, SQLite database and
processes). Each has its own CA for its agency's seal and trusts the other's root; their node TLS
certificates (client and server) come from the network's CA, which neither runs (tests.hub.network_ca),
and each takes the other's node certificate and address from the hub's directory (the entries a sync
brings). A issues a document to B: A's worker sends it to B's /hub/api/ served by `vanphong hub serve`,
B takes A's node as a peer, B's inbox verifies and keeps it and answers 01 directly to A's node (served
the same way over this database); B's clerk registers it and 03 comes back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.exchange.helpers import issued_document
from tests.factories import make_agency
from tests.hub.network_ca import NetworkCA, directory_entry
from tests.hub.tls_server import database_url, free_port
from tests.pki.conftest import _fast_passwords  # noqa: F401
from tests.signing.conftest import pki  # noqa: F401
from vanphong.core.models import AuditRecord
from vanphong.exchange import cycle
from vanphong.exchange.models import ExchangeEndpoint, Receipt
from vanphong.hub import node_directory
from vanphong.hub import services as hub
from vanphong.hub.cli import gunicorn_command
from vanphong.hub.models import Package
from vanphong.pki import services as pki_services
from vanphong.signing import services as signing

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
A, B = "000.00.00.T27", "000.00.00.H40"

SETUP_B = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from tests.factories import make_agency, make_person
from vanphong.exchange.models import ExchangeEndpoint
from vanphong.hub import node_directory, services as hub
from vanphong.pki import services as pki
from vanphong.signing import services as signing
given = json.loads(sys.argv[1])
own = make_agency("000.00.00.H40", "Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An")
make_person(own, "vanthu.b", "Hoàng Thị Văn Thư", roles=["clerk"])
peer = make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", hosted=False)
root, _issuing = pki.init_ca(None, name="CA Nghệ An", algorithm="p256")
seal = pki.issue_with_held_key(None, profile="agency-seal", holder_agency=own)
signing.add_trusted_root(None, given["peer_root"].encode(), name="CA Bắc Ninh")
hub.serve_agency(None, own)  # B takes packages for its own agency directly
ExchangeEndpoint.objects.create(agency=own, transport="https")  # and collects them from its own store
ExchangeEndpoint.objects.create(agency=peer, transport="https")  # A is reached directly: its address from the directory
report = node_directory.sync_directory(None, given["directory"])
print(json.dumps({"root": root.certificate_pem, "seal": seal.certificate_pem, "report": report.as_dict(),
                  "peer_url": ExchangeEndpoint.objects.get(agency=peer).url}))
"""

CYCLE_B = """
import json
import django
django.setup()
from vanphong.exchange import cycle
print(json.dumps(cycle.run_once()))
"""

STATE_B = """
import json
import django
django.setup()
from vanphong.core.models import AuditRecord
from vanphong.exchange.models import InboundPackage
from vanphong.hub.models import Package
print(json.dumps({"in": list(InboundPackage.objects.values_list("state", "sender_code", "transport")),
                  "store": list(Package.objects.values_list("message_type", "sender__agency__code", "sender__is_active",
                                                            "recipient__agency__code", "sent_by_certificate")),
                  "peer_audit": list(AuditRecord.objects.filter(action="hub.package.received").values_list("data__peer", flat=True))}))
"""

REGISTER_B = """
import django
django.setup()
from vanphong.exchange import services
from vanphong.exchange.models import InboundPackage
from vanphong.org.models import Person
services.register_received(Person.objects.get(username="vanthu.b"), InboundPackage.objects.get(), doc_type="QĐ")
"""


class NodeB:
    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env

    def python(self, code: str, *args: str) -> str:
        done = subprocess.run([sys.executable, "-c", code, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def json(self, code: str, *args: str) -> dict:
        return json.loads(self.python(code, *args).strip().splitlines()[-1])


def _wait_until_up(origin: str, ca_file: Path, process: subprocess.Popen, log: Path, deadline: float) -> None:
    while True:
        try:
            requests.get(origin + "/health", verify=str(ca_file), timeout=3)
            return
        except requests.RequestException:
            if process.poll() is not None or time.time() > deadline:
                raise AssertionError(f"{origin} did not start: {log.read_text()[-3000:]}") from None
            time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def two_nodes(settings, pki, ca_operator, agency_a, tmp_path, new_instance):  # noqa: F811 - pki: A's own CA, for A's seal
    network = NetworkCA()
    ca_file = network.write_bundle(tmp_path / "network-ca.pem")
    certs_a, certs_b, folder_b = tmp_path / "certs-a", tmp_path / "node-b" / "certs", tmp_path / "node-b"
    new_instance(folder_b)  # B's database comes migrated (once per session: tests.instances)
    certs_a.mkdir(), certs_b.mkdir()
    client_a = network.node_certificate(A, write_to=certs_a)
    client_b = network.node_certificate(B, write_to=certs_b)
    network.node_certificate("server-a", server=True, write_to=certs_a)
    network.node_certificate("server-b", server=True, write_to=certs_b)
    port_a, port_b = free_port(), free_port()
    url_a, url_b = f"https://127.0.0.1:{port_a}/hub/api/", f"https://127.0.0.1:{port_b}/hub/api/"

    # Node A (this database): its seal from its own CA, its agency served for direct delivery.
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)
    hub.serve_agency(None, agency_a)
    ExchangeEndpoint.objects.create(agency=agency_a, transport="https")
    settings.VANPHONG_EXCHANGE_CA_FILE = str(ca_file)
    settings.VANPHONG_EXCHANGE_CLIENT_CERT_DIR = str(certs_a)

    # Node B, its own instance; the hub's directory says where A is and which certificate A's node shows.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "VANPHONG_CONFIG")}
    env.update({"VANPHONG_DATA_DIR": str(folder_b), "DJANGO_SETTINGS_MODULE": "vanphong.settings", "PYTHONPATH": str(ROOT),
                "VANPHONG_HTTPS": "0", "LANG": "C.UTF-8", "VANPHONG_EXCHANGE_CA_FILE": str(ca_file),
                "VANPHONG_EXCHANGE_CLIENT_CERT_DIR": str(certs_b)})
    node_b = NodeB(folder_b, env)
    set_up = node_b.json(SETUP_B, json.dumps({"peer_root": pki.root.certificate_pem,
                                              "directory": [directory_entry(A, client_a, endpoint=url_a)]}))
    assert set_up["report"]["node_certificates"] == 1 and set_up["peer_url"] == url_a

    # A takes B from the directory the same way, and trusts B's root for the statuses B seals.
    agency_b = make_agency(B, "Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An", hosted=False)
    ExchangeEndpoint.objects.create(agency=agency_b, transport="https")
    report = node_directory.sync_directory(None, [directory_entry(B, client_b, name=agency_b.name, endpoint=url_b,
                                                                  seal_pem=set_up["seal"])])
    assert report.node_certificates == 1 and ExchangeEndpoint.objects.get(agency=agency_b).url == url_b
    signing.add_trusted_root(None, set_up["root"].encode(), name="CA Nghệ An")

    log_b, log_a = open(tmp_path / "node-b.log", "w"), open(tmp_path / "node-a.log", "w")  # noqa: SIM115 - written until stopped
    serve_b = subprocess.Popen([sys.executable, "-m", "vanphong.cli", "hub", "serve", "--certfile", str(certs_b / "server-b.pem"),
                                "--keyfile", str(certs_b / "server-b.key"), "--ca-file", str(ca_file), "--host", "127.0.0.1",
                                "--port", str(port_b), "--workers", "1", "--no-migrate"],
                               env=env, cwd=ROOT, stdout=log_b, stderr=subprocess.STDOUT, start_new_session=True)
    env_a = {**os.environ, "DATABASE_URL": database_url(), "VANPHONG_HTTPS": "0"}
    env_a.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    serve_a = subprocess.Popen(gunicorn_command(certfile=str(certs_a / "server-a.pem"), keyfile=str(certs_a / "server-a.key"),
                                                ca_file=str(ca_file), host="127.0.0.1", port=port_a, workers=1, threads=4),
                               env=env_a, cwd=ROOT, stdout=log_a, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 90
        _wait_until_up(f"https://127.0.0.1:{port_b}", ca_file, serve_b, tmp_path / "node-b.log", deadline)
        _wait_until_up(f"https://127.0.0.1:{port_a}", ca_file, serve_a, tmp_path / "node-a.log", deadline)
        yield node_b, client_a, client_b, agency_b
    finally:
        _stop(serve_b)
        _stop(serve_a)
        log_a.close(), log_b.close()


def test_a_document_goes_directly_from_node_a_to_node_b_and_its_statuses_come_back(two_nodes, clerk_a):
    node_b, client_a, client_b, agency_b = two_nodes
    document = issued_document(clerk_a, [agency_b])
    assert cycle.run_once()["sent"] == 1  # to B's own /hub/api/, with A's node certificate from the network's CA

    outcome = node_b.json(CYCLE_B)  # B's inbox takes it from B's store, verifies it and answers 01 directly to A
    assert (outcome["accepted"], outcome["refused"], outcome["sent"]) == (1, 0, 1), outcome
    at_b = node_b.json(STATE_B)
    assert at_b["in"] == [["received", A, "https"]]
    # In B's store: from A (a peer, not served by B), for B, sent with A's certificate; audited as from a peer.
    assert at_b["store"] == [["edoc", A, False, B, format(client_a.serial_number, "x")]]
    assert at_b["peer_audit"] == [True]

    cycle.run_once()  # A's inbox takes B's 01 from A's own store
    assert [r.code for r in Receipt.objects.filter(package__document=document)] == ["01"]
    node_b.python(REGISTER_B)
    assert node_b.json(CYCLE_B)["sent"] == 1  # 03
    cycle.run_once()
    assert sorted(r.code for r in Receipt.objects.filter(package__document=document)) == ["01", "03"]
    statuses = Package.objects.filter(message_type="status")
    assert statuses.count() == 2 and not statuses.filter(acknowledged_at__isnull=True).exists()
    assert set(statuses.values_list("sender__agency__code", "sent_by_certificate")) == {(B, format(client_b.serial_number, "x"))}
    assert AuditRecord.objects.filter(action="hub.request.refused").count() == 0
