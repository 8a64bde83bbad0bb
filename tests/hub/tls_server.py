"""A real hub for tests: gunicorn with TLS (vanphong hub serve's command) over the test database,
with a server certificate from our CA, in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from django.db import connection

from tests.hub.conftest import NodeCredentials, issue_node_certificate
from vanphong.hub.cli import gunicorn_command


def database_url() -> str:
    """The test database, as the server process must reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveHub:
    process: subprocess.Popen
    url: str  # the node API's base, https://127.0.0.1:PORT/hub/api/
    origin: str
    server: NodeCredentials

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_hub(folder: Path, ca_file: Path, **env) -> LiveHub:
    server = issue_node_certificate(folder, profile="tls-server", name="hub", dns_names=["localhost"], ip_addresses=["127.0.0.1"])
    port = free_port()
    command = gunicorn_command(certfile=str(server.cert_path), keyfile=str(server.key_path), ca_file=str(ca_file),
                               host="127.0.0.1", port=port, workers=1, threads=4)
    process_env = {**os.environ, "DATABASE_URL": database_url(), "VANPHONG_HTTPS": "0", **env}
    process_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(folder / "hub.log", "w")  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen(command, env=process_env, stdout=log, stderr=subprocess.STDOUT)
    origin = f"https://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            requests.get(origin + "/health", verify=str(ca_file), timeout=2)
            break
        except requests.RequestException:
            if process.poll() is not None or time.time() > deadline:
                process.kill()
                raise AssertionError("the hub did not start: " + (folder / "hub.log").read_text()) from None
            time.sleep(0.3)
    return LiveHub(process, origin + "/hub/api/", origin, server)

