"""`vanphong hub demo-network`: a hub and two agency nodes on loopback, each its own instance (own
folder, own SQLite database, own processes), so that a newcomer can send a document from one agency
and watch it arrive at the other and the receipts come back.

- the hub (https, mutual TLS): runs the network's CA, which issues its TLS certificate and each
  node's client certificate; serves Tỉnh ủy Bắc Ninh (000.00.00.T27) and Tỉnh ủy Nghệ An (000.00.00.T40);
- node A hosts Tỉnh ủy Bắc Ninh, node B Tỉnh ủy Nghệ An: each has the demo's people, its own CA for
  its agency's seal, and trusts the other's root;
- A sends to B directly: B serves its own /hub/api/ over mutual TLS (a TLS server certificate from the
  network's CA, the hub's CA file to check callers), and A takes B's address, and B takes A's node
  certificate, from the hub's directory; B answers A through the hub, where A collects.

Each step runs in a child process with the instance's environment (`python -m vanphong.hub.demo_network
STEP FOLDER`), as the instance's own commands would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

AGENCY_A, AGENCY_B = "000.00.00.T27", "000.00.00.T40"
HUB_OPERATOR = "vanhanh.truc"


def _env(folder: Path, *, port: int, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VANPHONG_CONFIG")}
    env.update({"VANPHONG_DATA_DIR": str(folder), "VANPHONG_PUBLIC_URL": f"http://127.0.0.1:{port}", "LANG": "C.UTF-8",
                **(extra or {})})
    return env


def _step(name: str, folder: Path, env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "vanphong.hub.demo_network", name, str(folder), *args], env=env, check=True)


def _vanphong(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vanphong.cli", *args], env=env, check=True, **kwargs)


# ---- the steps, each in the instance's own process ---------------------------------------------------


def _setup_django() -> None:
    from vanphong.cli import _setup_django as setup

    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _key_and_csr(folder: Path, name: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    (folder / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
    return csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def step_hub(folder: Path) -> None:
    """The hub's instance: its operator, the network's CA, the two agencies it serves, every TLS certificate
    (node B's server certificate too: B takes packages directly)."""
    _setup_django()
    from vanphong.hub import services as hub
    from vanphong.org import services as org
    from vanphong.org.demo import DEMO_PASSWORD, NETWORK
    from vanphong.org.demo import _finish_demo_account as finish_demo_account
    from vanphong.org.models import Agency, Person
    from vanphong.pki import services as pki

    if not Person.objects.filter(username=HUB_OPERATOR).exists():
        central = NETWORK[0]
        _agency, operator = org.bootstrap_instance(
            code=central.code, name=central.name, short_name=central.short_name, notation_code=central.notation_code,
            notation_scheme=central.scheme, operator_username=HUB_OPERATOR, operator_full_name="Vận hành Trục liên thông",
            password=DEMO_PASSWORD)
        finish_demo_account(operator)  # its second factor from the demo's secrets: `vanphong demo code` prints it
    root, issuing = pki.init_ca(None, name="Mạng liên thông thử nghiệm")
    (folder / "ca.pem").write_text(issuing.certificate_pem + root.certificate_pem)
    certs = folder / "certs"
    certs.mkdir(exist_ok=True)
    server = pki.issue_from_csr(None, profile="tls-server", csr_data=_key_and_csr(certs, "hub"), subject="hub",
                                dns_names=["localhost"], ip_addresses=["127.0.0.1"])
    (certs / "hub.pem").write_text(server.certificate_pem)
    node_b_server = pki.issue_from_csr(None, profile="tls-server", csr_data=_key_and_csr(certs, "node-b-server"), subject="node-b",
                                       dns_names=["localhost"], ip_addresses=["127.0.0.1"])
    (certs / "node-b-server.pem").write_text(node_b_server.certificate_pem)
    for spec in NETWORK:
        if spec.code not in (AGENCY_A, AGENCY_B):
            continue
        agency = Agency.objects.filter(code=spec.code).first() or Agency.objects.create(
            code=spec.code, name=spec.name, short_name=spec.short_name, notation_code=spec.notation_code,
            notation_scheme=spec.scheme, hosted=False)
        hub.serve_agency(None, agency)
        client = pki.issue_from_csr(None, profile="tls-client", csr_data=_key_and_csr(certs, spec.code), holder_agency=agency,
                                    subject=f"node {spec.short_name}")
        (certs / f"{spec.code}.pem").write_text(client.certificate_pem)


def step_node(folder: Path, own_code: str, peer_code: str) -> None:
    """A node: the demo's people (run before by `vanphong demo`), only its own agency hosted, its CA and the
    agency's seal. B takes packages directly (served here, collected from its own store) and reaches A
    through the hub; A collects from the hub and reaches B directly, at the address the directory gives."""
    _setup_django()
    from vanphong.exchange.models import ExchangeEndpoint
    from vanphong.hub import services as hub
    from vanphong.org.models import Agency
    from vanphong.pki import services as pki

    # The demo builds every agency of the network on each instance: here only one is at home (and the central
    # office, the operator's own).
    central = Agency.objects.filter(parent__isnull=True).order_by("pk").first()
    Agency.objects.exclude(code__in=[own_code, central.code]).update(hosted=False)
    root, _issuing = pki.init_ca(None, name=f"CA {own_code}")
    (folder / "root.pem").write_text(root.certificate_pem)
    pki.issue_with_held_key(None, profile="agency-seal", holder_agency=Agency.objects.get(code=own_code))
    direct = AGENCY_B  # the agency whose node takes packages directly
    if own_code == direct:
        hub.serve_agency(None, Agency.objects.get(code=own_code))
    for code in (own_code, peer_code):
        ExchangeEndpoint.objects.update_or_create(agency=Agency.objects.get(code=code),
                                                  defaults={"transport": "https" if code == direct else "hub", "url": ""})


def step_trust(folder: Path, peer_root: str, name: str) -> None:
    """Trust the other node's root CA for the seals it signs with."""
    _setup_django()
    from vanphong.signing import services as signing

    signing.add_trusted_root(None, Path(peer_root).read_bytes(), name=name)


STEPS = {"hub": step_hub, "node": step_node, "trust": step_trust}


# ---- the command ------------------------------------------------------------------------------------


def _wait_for_hub(url: str, ca_file: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, verify=str(ca_file), timeout=3)
            return
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"The hub did not start at {url}.") from None
            time.sleep(0.5)


@dataclass(frozen=True)
class Network:
    """The three instances of a prepared network: their folders, ports, environments and the command of each server."""

    folder: Path
    ports: dict[str, int]
    envs: dict[str, dict]

    def dir(self, key: str) -> Path:
        return self.folder / {"hub": "hub", "a": "node-a", "b": "node-b"}[key]

    def hub_server(self) -> list[str]:
        from vanphong.hub.cli import gunicorn_command

        hub_dir = self.dir("hub")
        return gunicorn_command(certfile=str(hub_dir / "certs" / "hub.pem"), keyfile=str(hub_dir / "certs" / "hub.key"),
                                ca_file=str(hub_dir / "ca.pem"), host="127.0.0.1", port=self.ports["hub"], workers=2, threads=4)

    def node_server(self, key: str, *, worker: bool = True) -> list[str]:
        """A node's web app (`vanphong serve`), with its background worker unless told otherwise."""
        return [sys.executable, "-m", "vanphong.cli", "serve", "--host", "127.0.0.1", "--port", str(self.ports[key]), "--workers", "2",
                *([] if worker else ["--no-worker"])]

    def b_direct_server(self) -> list[str]:
        """B's node API over mutual TLS (what `vanphong hub serve` runs): callers' certificates checked against the network's CA."""
        from vanphong.hub.cli import gunicorn_command

        b_dir = self.dir("b")
        return gunicorn_command(certfile=str(b_dir / "certs" / "node-b-server.pem"), keyfile=str(b_dir / "certs" / "node-b-server.key"),
                                ca_file=str(self.dir("hub") / "ca.pem"), host="127.0.0.1", port=self.ports["b_direct"], workers=1,
                                threads=4)


def prepare(folder: Path, *, base_port: int, hub_url: str = "", b_direct_url: str = "", node_settings: dict | None = None) -> Network:
    """Set the three instances up (once: a folder already prepared is only migrated), give the hub's directory B's
    direct address and let each node take the directory. `hub_url` and `b_direct_url`: the addresses the nodes
    use, when something stands between them and the servers (the reliability test's link); `node_settings`: more
    environment for both nodes."""
    hub_dir, a_dir, b_dir = folder / "hub", folder / "node-a", folder / "node-b"
    ports = {"hub": base_port, "a": base_port + 1, "b": base_port + 2, "b_direct": base_port + 3}
    b_direct_url = b_direct_url or f"https://127.0.0.1:{ports['b_direct']}/hub/api/"
    hub_url = hub_url or f"https://127.0.0.1:{ports['hub']}/hub/api/"
    fresh = not (hub_dir / "ca.pem").exists()
    envs = {"hub": _env(hub_dir, port=ports["hub"])}
    for key, node_dir in (("a", a_dir), ("b", b_dir)):
        envs[key] = _env(node_dir, port=ports[key], extra={
            "VANPHONG_EXCHANGE_HUB_URL": hub_url, "VANPHONG_EXCHANGE_CA_FILE": str(hub_dir / "ca.pem"),
            "VANPHONG_EXCHANGE_CLIENT_CERT_DIR": str(node_dir / "certs"), "VANPHONG_EXCHANGE_CYCLE_SECONDS": "3",
            "VANPHONG_HUB_REPORT_SECONDS": "60", **(node_settings or {})})
    if fresh:
        for path in (hub_dir, a_dir, b_dir):
            path.mkdir(parents=True, exist_ok=True)
        print("Setting up the hub…", flush=True)
        _step("hub", hub_dir, envs["hub"])
        for key, node_dir, own, peer in (("a", a_dir, AGENCY_A, AGENCY_B), ("b", b_dir, AGENCY_B, AGENCY_A)):
            print(f"Setting up node {key.upper()} ({own})…", flush=True)
            _vanphong(envs[key], "demo", stdout=open(node_dir / "accounts.txt", "w"))  # noqa: SIM115
            _step("node", node_dir, envs[key], own, peer)
            (node_dir / "certs").mkdir(exist_ok=True)
            for name in (own, "node-b-server") if key == "b" else (own,):
                for suffix in ("pem", "key"):
                    (node_dir / "certs" / f"{name}.{suffix}").write_bytes((hub_dir / "certs" / f"{name}.{suffix}").read_bytes())
        _step("trust", a_dir, envs["a"], str(b_dir / "root.pem"), f"CA {AGENCY_B}")
        _step("trust", b_dir, envs["b"], str(a_dir / "root.pem"), f"CA {AGENCY_A}")
    _vanphong(envs["hub"], "migrate")
    # The hub's directory gives B's direct address (again at each start: the base port may have changed).
    _vanphong(envs["hub"], "hub", "member", "add", AGENCY_B, "--endpoint", b_direct_url, stdout=subprocess.DEVNULL)
    return Network(folder=folder, ports=ports, envs=envs)


def sync_directories(network: Network) -> None:
    """Each node takes the hub's directory now (its worker does so every hour): A learns B's address, B A's node certificate."""
    for key in ("a", "b"):
        _vanphong(network.envs[key], "hub", "directory", "sync")


def run(folder: Path, *, base_port: int) -> int:
    network = prepare(folder, base_port=base_port)
    hub_dir, a_dir, b_dir, ports = network.dir("hub"), network.dir("a"), network.dir("b"), network.ports
    b_direct_url = f"https://127.0.0.1:{ports['b_direct']}/hub/api/"
    children = [subprocess.Popen(network.hub_server(), env=network.envs["hub"])]
    _wait_for_hub(f"https://127.0.0.1:{ports['hub']}/health", hub_dir / "ca.pem", children[0])
    sync_directories(network)
    for key in ("a", "b"):
        children.append(subprocess.Popen(network.node_server(key), env=network.envs[key]))
    children.append(subprocess.Popen(network.b_direct_server(), env=network.envs["b"]))
    print(json.dumps({"hub": f"https://127.0.0.1:{ports['hub']}/hub/network/", "node_a": f"http://127.0.0.1:{ports['a']}/",
                      "node_b": f"http://127.0.0.1:{ports['b']}/", "node_b_direct": b_direct_url}, indent=2))
    print(f"""
Three instances are running on loopback:
  - the hub, https://127.0.0.1:{ports['hub']}/hub/network/ (its CA's certificate: {hub_dir / 'ca.pem'}),
    signed in as {HUB_OPERATOR} with the demo password and the code of `VANPHONG_DATA_DIR={hub_dir} vanphong demo code {HUB_OPERATOR}`;
  - node A, http://127.0.0.1:{ports['a']}/, hosting Tỉnh ủy Bắc Ninh ({AGENCY_A}); its accounts: {a_dir / 'accounts.txt'};
  - node B, http://127.0.0.1:{ports['b']}/, hosting Tỉnh ủy Nghệ An ({AGENCY_B}); its accounts: {b_dir / 'accounts.txt'};
    it takes packages directly at {b_direct_url} (mutual TLS).
On node A, a clerk of Bắc Ninh (vanthu.bacninh) issues an outgoing document to Tỉnh ủy Nghệ An: it goes directly to node B,
whose clerk (vanthu.nghean) finds it among received packages and registers it; the statuses go back through the hub, and
on node A the document's timeline shows 01, then 03. Press Ctrl+C to stop all three.""", flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    STEPS[sys.argv[1]](Path(sys.argv[2]), *sys.argv[3:])
