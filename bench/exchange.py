"""Inter-agency exchange between two real nodes, end to end: signed, delivered, verified, persisted, receipt back.

Two instances, each its own processes and database (PostgreSQL when DATABASE_URL is set: two databases the bench
creates and drops; SQLite files otherwise), talk directly over HTTPS with mutual TLS, no hub in the path (the way
tests/hub/test_direct_between_nodes.py sets them up): node certificates from a network CA held only in files, each
node's own CA for its agency's seal, each trusting the other's root, each knowing the other from a directory sync.

  node A (Tỉnh ủy Bắc Ninh)  `vanphong hub serve` (its node API, mutual TLS: where B's 01 arrives) and --workers
                             processes running the exchange round (exchange.cycle.run_once, what the worker's task runs)
  node B (UBND Nghệ An)      the same: its node API stores what A sends, its round's inbox verifies signature, chain
                             and revocation, persists the package and sends status 01 back to A's node API

Per run, N documents issued at A (one issued through the real services as a template, then cloned in bulk) are
queued through the real outbox intake (exchange.sending.queue_document, the issue's hook) at --rate per second
(0: all at once), while the workers run. Figures, from the timestamps the real code writes at A:

  docs_per_s           N / (last 01 receipt recorded at A − first package ready in A's outbox)
  p50_ms, p99_ms       per document, its OutboundMessage.created_at (ready in the outbox) to its 01 Receipt.received_at
  sent_p50_ms          created_at to sent_at (claimed, built, signed with A's seal, accepted by B's node API)
  baseline_docs_per_s  the same signed bytes, POSTed with the same concurrency (--workers) by HubClient.send_edoc to
                       B's sendEdoc for a second agency B hosts that has no exchange endpoint, so that B's inbox never
                       takes them: the node API only stores the bytes (TLS kept alive per client thread)
  ratio                docs_per_s / baseline_docs_per_s

Figures are medians of --runs; the last line is one JSON object.

    python bench/exchange.py --docs 200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/exchange.py --docs 2000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the network CA and the node's people are the tests' builders (tests.hub.network_ca, tests.factories)
TARGETS = {"docs_per_s": 300, "p99_ms": 500}
A, B, SINK = "000.00.00.T27", "000.00.00.H40", "000.00.00.H41"
PG_DBS = {"a": "vanphong_bench_exchange_a", "b": "vanphong_bench_exchange_b"}
CLERK = "vanthu.bench"


# ---- steps, each run in a node's own process (`python bench/exchange.py --step NAME`, the node's environment) -------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    import django

    django.setup()


def step_setup(node: str, given: dict) -> dict:
    """A node: its agency hosted and served for direct delivery, the peer reached directly, its CA and seal."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tests.factories import make_agency, make_person
    from vanphong.exchange.models import ExchangeEndpoint
    from vanphong.hub import services as hub
    from vanphong.pki import services as pki

    own_code, peer_code = (A, B) if node == "a" else (B, A)
    names = {A: ("Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", "TU", "party"), B: ("Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An", "UBND", "state")}
    name, short, notation, scheme = names[own_code]
    own = make_agency(own_code, name, short, notation_code=notation, notation_scheme=scheme)
    peer_name, peer_short, peer_notation, peer_scheme = names[peer_code]
    peer = make_agency(peer_code, peer_name, peer_short, notation_code=peer_notation, notation_scheme=peer_scheme, hosted=False)
    make_person(own, CLERK, "Nguyễn Thị Văn Thư", roles=["clerk"])
    root, _issuing = pki.init_ca(None, name=f"CA {short}", algorithm="p256")
    seal = pki.issue_with_held_key(None, profile="agency-seal", holder_agency=own)
    hub.serve_agency(None, own)  # its node API takes packages for it directly
    ExchangeEndpoint.objects.create(agency=own, transport="https")  # and its inbox collects them from its own store
    ExchangeEndpoint.objects.create(agency=peer, transport="https")  # the peer's address comes from the directory
    if node == "b":
        # The baseline's recipient: served by B's node API, but with no endpoint its inbox never fetches its store.
        hub.serve_agency(None, make_agency(SINK, "Sở Nội vụ tỉnh Nghệ An", "SNV Nghệ An", notation_code="SNV"))
    return {"root": root.certificate_pem, "seal": seal.certificate_pem}


def step_link(node: str, given: dict) -> dict:
    """Trust the peer's root for its seal, and take its node certificate and address from a directory sync."""
    _django()
    from vanphong.exchange.models import ExchangeEndpoint
    from vanphong.hub import node_directory
    from vanphong.signing import services as signing

    signing.add_trusted_root(None, given["peer_root"].encode(), name="CA " + given["entry"]["code"])
    report = node_directory.sync_directory(None, [given["entry"]])
    url = ExchangeEndpoint.objects.get(agency__code=given["entry"]["code"]).url
    if report.node_certificates != 1 or url != given["entry"]["endpoint"]:
        raise SystemExit(f"node {node}: the directory sync did not take the peer: {report.as_dict()} {url}")
    return {"peer_url": url}


def step_template(node: str, given: dict) -> dict:
    """One outgoing decision of A for B through the real services (drafted with a PDF, signed on paper, issued):
    its package goes through the exchange as the warm-up, and the documents of each run are its copies."""
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.signing.conftest import make_pdf
    from vanphong.documents import services as documents
    from vanphong.documents.attachments import store
    from vanphong.org.models import Agency, Person
    from vanphong.signing import document_services

    clerk = Person.objects.get(username=CLERK)
    subject = "Về việc triển khai liên thông văn bản điện tử giữa các cơ quan trong tỉnh"
    draft = documents.create_outgoing_draft(clerk, doc_type="QĐ", subject=subject, signer_name="Nguyễn Văn Ký",
                                            signer_position="Phó Bí thư", recipient_agencies=[Agency.objects.get(code=B)],
                                            files=[store(SimpleUploadedFile("Quyết định.pdf", make_pdf(2, subject)))])
    document_services.mark_signed_on_paper(clerk, draft)
    return {"document": documents.issue_outgoing(clerk, draft).pk}


def step_work(node: str, given: dict) -> dict:
    """The node's exchange round, again as soon as the last one moved something, until stopped."""
    _django()
    from vanphong.exchange import cycle

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while not stopping:
        if sum(cycle.run_once().values()) == 0:
            time.sleep(0.02)
    return {}


def _clone(template_pk: int, count: int, first_number: int) -> list[int]:
    """`count` copies of the issued template, each its own number (so its own DocumentId), with its recipient and
    attachment rows: documents as issue_outgoing leaves them, before the outbox intake."""
    from django.db import transaction

    from vanphong.documents.models import Attachment, Document, Recipient
    from vanphong.documents.notation import format_number

    template = Document.objects.get(pk=template_pk)
    recipients = list(Recipient.objects.filter(document=template))
    attachments = list(Attachment.objects.filter(document=template))
    copies = []
    for i in range(count):
        copy = Document.objects.get(pk=template_pk)
        copy.pk = copy.id = None
        copy.number = first_number + i
        copy.code_number = format_number(copy.number)
        copies.append(copy)
    with transaction.atomic():
        made = Document.objects.bulk_create(copies, batch_size=500)
        if made[0].pk is None:  # SQLite before RETURNING: read them back
            made = list(Document.objects.filter(agency_id=template.agency_id, number__gte=first_number).order_by("number"))
        rows, files = [], []
        for document in made:
            for r in recipients:
                rows.append(Recipient(document=document, unit_id=r.unit_id, agency_id=r.agency_id, place=r.place))
            for a in attachments:
                a = Attachment.objects.get(pk=a.pk)
                a.pk = a.id = None
                a.document = document
                files.append(a)
        Recipient.objects.bulk_create(rows, batch_size=500)
        Attachment.objects.bulk_create(files, batch_size=500)
    return [d.pk for d in made]


def step_feed(node: str, given: dict) -> dict:
    """Queue the run's documents through the outbox intake at the given rate, wait until every one has its 01
    receipt recorded here, and measure from the rows the real code wrote."""
    _django()
    from django.db import transaction

    from vanphong.documents.models import Document
    from vanphong.exchange import sending
    from vanphong.exchange.models import OutboundMessage, Receipt

    count, rate = given["docs"], given["rate"]
    pks = _clone(given["template"], count, given["first_number"])
    documents = list(Document.objects.filter(pk__in=pks).select_related("agency").order_by("pk"))
    start = time.monotonic()
    queued = 0
    while queued < count:
        due = count if rate <= 0 else min(count, int((time.monotonic() - start) * rate) + 1)
        if due > queued:
            with transaction.atomic():  # as several clerks issuing in the same moment
                for document in documents[queued:due]:
                    sending.queue_document(document)
            queued = due
        else:
            time.sleep(0.005)
    deadline = time.monotonic() + given["timeout"]
    receipts = Receipt.objects.filter(package__document_id__in=pks, code="01")
    while receipts.count() < count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    rows = list(receipts.values_list("package__created_at", "package__sent_at", "received_at"))
    failed = OutboundMessage.objects.filter(document_id__in=pks).exclude(state=OutboundMessage.State.SENT).values_list("state", "last_error")
    if len(rows) < count:
        return {"error": f"{len(rows)} of {count} receipts after {given['timeout']} s", "not_sent": [list(f) for f in failed[:5]]}
    latency = [(got - ready).total_seconds() * 1000 for ready, _sent, got in rows]
    sending_ms = [(sent - ready).total_seconds() * 1000 for ready, sent, _got in rows]
    span = (max(r[2] for r in rows) - min(r[0] for r in rows)).total_seconds()
    messages = OutboundMessage.objects.filter(document_id__in=pks).order_by("pk")
    return {"docs_per_s": count / span, "p50_ms": _percentile(latency, 0.5), "p99_ms": _percentile(latency, 0.99),
            "sent_p50_ms": _percentile(sending_ms, 0.5), "payloads": list(messages.values_list("payload_sha256", "edxml_document_id")),
            "payload_bytes": int(statistics.median(messages.values_list("payload_size", flat=True)))}


def step_baseline(node: str, given: dict) -> dict:
    """The same signed bytes to B's sendEdoc for the agency whose store B's inbox never reads, `clients` at once."""
    _django()
    import threading

    import requests

    from vanphong.core import storage
    from vanphong.exchange.hub_client import CertificateFolder, HubClient

    items = [(storage.read_bytes(sha), doc_id) for sha, doc_id in given["payloads"]]
    clients = given["clients"]
    latencies: list[float] = []
    errors: list[str] = []

    def post(share):
        client = HubClient(given["url"], ca_file=os.environ["VANPHONG_EXCHANGE_CA_FILE"],
                           credentials=CertificateFolder(Path(os.environ["VANPHONG_EXCHANGE_CLIENT_CERT_DIR"])), session=requests.Session())
        for data, doc_id in share:
            began = time.perf_counter()
            try:
                client.send_edoc(data, sender_code=A, recipient_code=SINK, message_type="edoc", doc_id=doc_id)
            except Exception as exc:  # noqa: BLE001 - reported, the run refused
                errors.append(str(exc))
            latencies.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=post, args=(items[i::clients],)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        return {"error": f"{len(errors)} baseline posts failed: {errors[0]}"}
    return {"baseline_docs_per_s": len(items) / wall, "baseline_p50_ms": _percentile(latencies, 0.5),
            "baseline_p99_ms": _percentile(latencies, 0.99)}


STEPS = {"setup": step_setup, "link": step_link, "template": step_template, "work": step_work, "feed": step_feed,
         "baseline": step_baseline}


def _percentile(values, fraction: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


# ---- the orchestration, in the bench's own process --------------------------------------------------------------------


class Node:
    def __init__(self, key: str, folder: Path, env: dict):
        self.key, self.folder, self.env = key, folder, env
        self.children: list[subprocess.Popen] = []

    def step(self, name: str, given: dict | None = None) -> dict:
        done = subprocess.run([sys.executable, __file__, "--step", name, self.key], input=json.dumps(given or {}), env=self.env, cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"node {self.key}, step {name} failed:\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if "error" in result:
            raise SystemExit(f"node {self.key}, step {name}: {result['error']} {result.get('not_sent', '')}")
        return result

    def start(self, command: list[str], log_name: str) -> None:
        log = open(self.folder / log_name, "ab")  # noqa: SIM115 - written until the child stops
        self.children.append(subprocess.Popen(command, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True))

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children = []


def _network(folder: Path):
    """The network CA (files only) and each node's client and server certificates."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    os.environ.setdefault("VANPHONG_DATA_DIR", str(folder / "bench"))
    import django

    django.setup()
    from tests.hub.network_ca import NetworkCA

    network = NetworkCA()
    ca_file = network.write_bundle(folder / "network-ca.pem")
    clients = {}
    for key, code in (("a", A), ("b", B)):
        certs = folder / key / "certs"
        certs.mkdir(parents=True)
        clients[key] = network.node_certificate(code, write_to=certs)
        network.node_certificate("server", server=True, write_to=certs)
    return ca_file, clients


def _databases(database_url: str | None, *, create: bool) -> dict[str, str]:
    if not database_url:
        return {}
    import psycopg

    server = urlsplit(database_url)
    with psycopg.connect(server._replace(path="/postgres").geturl(), autocommit=True) as connection:
        for name in PG_DBS.values():
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                connection.execute(f'CREATE DATABASE "{name}"')
    return {key: server._replace(path=f"/{name}").geturl() for key, name in PG_DBS.items()}


def _wait_up(url: str, ca_file: Path, node: Node, deadline: float) -> None:
    import requests

    while True:
        try:
            requests.get(url, verify=str(ca_file), timeout=3)
            return
        except requests.RequestException:
            if any(c.poll() is not None for c in node.children) or time.monotonic() > deadline:
                raise SystemExit(f"node {node.key} did not start: see {node.folder / 'serve.log'}") from None
            time.sleep(0.5)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=200, help="documents per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=300, help="documents queued per second at A (0: all at once)")
    parser.add_argument("--workers", type=int, default=1, help="exchange worker processes per node, and the baseline's clients")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers of each node's API")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a run may take to get its receipts")
    parser.add_argument("--keep", action="store_true", help="keep the nodes' folders (logs) and databases")
    parser.add_argument("--profile", action="store_true", help="run the workers under cProfile (worker-N.prof in the kept folders)")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="vanphong-bench-exchange-"))
    try:
        ca_file, clients = _network(folder)
        urls = _databases(database_url, create=True)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    ports = {"a": _free_port(), "b": _free_port()}
    api = {key: f"https://127.0.0.1:{port}/hub/api/" for key, port in ports.items()}
    nodes = {}
    for key in ("a", "b"):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VANPHONG_CONFIG", "DJANGO_SETTINGS_MODULE")}
        env.update({"VANPHONG_DATA_DIR": str(folder / key), "DJANGO_SETTINGS_MODULE": "vanphong.settings", "PYTHONPATH": str(ROOT),
                    "VANPHONG_HTTPS": "0", "LANG": "C.UTF-8", "VANPHONG_SECRET_KEY": "bench-" + "x" * 50,
                    "VANPHONG_EXCHANGE_CA_FILE": str(ca_file), "VANPHONG_EXCHANGE_CLIENT_CERT_DIR": str(folder / key / "certs")})
        if key in urls:
            env["DATABASE_URL"] = urls[key]
        nodes[key] = Node(key, folder / key, env)
    engine = "postgresql" if urls else "sqlite"
    try:
        from tests.hub.network_ca import directory_entry

        made = {key: node.step("setup") for key, node in nodes.items()}
        nodes["a"].step("link", {"peer_root": made["b"]["root"], "entry": directory_entry(
            B, clients["b"], name="Ủy ban nhân dân tỉnh Nghệ An", endpoint=api["b"], seal_pem=made["b"]["seal"])})
        nodes["b"].step("link", {"peer_root": made["a"]["root"], "entry": directory_entry(A, clients["a"], endpoint=api["a"])})
        template = nodes["a"].step("template")["document"]
        deadline = time.monotonic() + float(os.environ.get("VANPHONG_BENCH_START_SECONDS", 300))
        for key, node in nodes.items():
            certs = node.folder / "certs"
            node.start([sys.executable, "-m", "vanphong.cli", "hub", "serve", "--certfile", str(certs / "server.pem"), "--keyfile",
                        str(certs / "server.key"), "--ca-file", str(ca_file), "--host", "127.0.0.1", "--port", str(ports[key]),
                        "--workers", str(args.web_workers), "--no-migrate"], "serve.log")
            _wait_up(f"https://127.0.0.1:{ports[key]}/health", ca_file, node, deadline)
            for i in range(args.workers):
                profile = ["-m", "cProfile", "-o", str(node.folder / f"worker-{i}.prof")] if args.profile else []
                node.start([sys.executable, *profile, __file__, "--step", "work", key], f"worker-{i}.log")
        # Warm-up: the template's own package goes through, and one small run primes every process.
        nodes["a"].step("feed", {"template": template, "docs": 20, "rate": 0, "first_number": 1_000_000, "timeout": args.timeout})
        results = []
        for run in range(args.runs):
            given = {"template": template, "docs": args.docs, "rate": args.rate, "first_number": 1_000_000 + (run + 1) * 100_000,
                     "timeout": args.timeout}
            measured = nodes["a"].step("feed", given)
            measured.update(nodes["a"].step("baseline", {"payloads": measured.pop("payloads"), "url": api["b"], "clients": args.workers}))
            results.append(measured)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in measured.items()), flush=True)
    finally:
        for node in nodes.values():
            node.stop()
        if not args.keep:
            _databases(database_url, create=False)
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept: {folder}" + (f", databases {', '.join(PG_DBS.values())}" if urls else ""))

    figures = {key: round(statistics.median(r[key] for r in results), 1) for key in results[0]}
    figures["ratio"] = round(figures["docs_per_s"] / figures["baseline_docs_per_s"], 3)
    figures.update({"docs": args.docs, "runs": args.runs, "rate": args.rate, "workers": args.workers, "engine": engine,
                    "transport": "direct HTTPS, mutual TLS (no hub)"})
    figures["meets_target"] = figures["docs_per_s"] >= TARGETS["docs_per_s"] and figures["p99_ms"] <= TARGETS["p99_ms"]
    for name, value in figures.items():
        print(f"{name:22} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        print(json.dumps(STEPS[sys.argv[2]](sys.argv[3], json.loads(sys.stdin.read() or "{}")), default=str))
    else:
        main()
