"""What the benchmarks share: a fresh database of their own (SQLite, or PostgreSQL when DATABASE_URL is set),
bulk loading (COPY on PostgreSQL), the real server (`vanphong serve`, gunicorn), signing in, and concurrent HTTP
clients with their percentiles. Not a benchmark itself (`make bench` skips files starting with "_")."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

_bench_db: str | None = None


# ---- database --------------------------------------------------------------------------------------------------


def setup(database_url: str | None, bench_db: str) -> str:
    """Django on a new, migrated database: `bench_db` on the PostgreSQL server of `database_url`, or a SQLite file in
    a fresh data folder (returned). The bench never touches real data."""
    global _bench_db
    data = tempfile.mkdtemp(prefix="vanphong-bench-")
    os.environ["VANPHONG_DATA_DIR"] = data
    # The server and this process sign sessions with the same key: a bench may make sessions itself.
    os.environ["VANPHONG_SECRET_KEY"] = "bench-" + "x" * 50
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    if connection.vendor == "postgresql":
        _bench_db = bench_db
        connection.close()
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{bench_db}"')
        connection.close()
        connection.settings_dict["NAME"] = bench_db
        os.environ["DATABASE_URL"] = f"{database_url.rsplit('/', 1)[0]}/{bench_db}"
    call_command("migrate", verbosity=0)
    return data


def drop_database() -> None:
    from django.db import connection, connections

    if connection.vendor != "postgresql" or not _bench_db:
        return
    connection.close()
    connection.settings_dict["NAME"] = "postgres"
    with connections["default"].cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{_bench_db}" WITH (FORCE)')
    connection.close()


def load_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence], *, chunk: int = 5000) -> int:
    """Append rows to a table as fast as the engine takes them: COPY on PostgreSQL, executemany in large
    transactions on SQLite. Ids must be given; sequences are moved past them (reset_sequences)."""
    from django.db import connection, transaction

    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with transaction.atomic(), connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, batch)
            count += len(batch)
            batch = []
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, batch)
        count += len(batch)
    return count


def load_model(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """load_rows() into a model's table; the model's other columns get their defaults (an empty text, mostly), so
    that a column another app adds does not break the bench."""
    given = set(columns)
    rest = [f for f in model._meta.concrete_fields if f.column not in given and not f.null]
    defaults = tuple(f.get_db_prep_value(f.get_default(), connection=_connection()) for f in rest)
    names = [*columns, *(f.column for f in rest)]
    return load_rows(model._meta.db_table, names, (tuple(row) + defaults for row in rows))


def _connection():
    from django.db import connection

    return connection


def reset_sequences(*tables: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---- the server --------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    """`vanphong serve` (gunicorn, several workers) on a free port: (process, port)."""
    import requests

    port = _free_port()
    env = dict(os.environ)
    log = open(Path(os.environ["VANPHONG_DATA_DIR"]) / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "vanphong.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker",
                             "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + float(os.environ.get("VANPHONG_BENCH_START_SECONDS", 300))  # a loaded machine starts slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: see {log.name}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).status_code == 200:
                return proc, port
        except requests.RequestException:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not start in time")


def stop_server(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def sign_in(base: str, username: str, password: str) -> dict:
    """The cookies of a signed-in session (password only: the account must not need a second factor)."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/accounts/login/", data={"csrfmiddlewaretoken": token, "username": username, "password": password},
                            headers={"Referer": f"{base}/accounts/login/"}, timeout=30)
    if response.status_code != 200 or "/accounts/login/" in response.url:
        raise SystemExit(f"sign-in of {username} failed: {response.status_code} {response.url}")
    return session.cookies.get_dict()


# ---- concurrent clients ------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


@dataclass
class Load:
    p50_ms: float
    p95_ms: float
    per_s: float
    requests: int


_WRK_SCRIPT = """
local items, marker, min_count = %(items)s, %(marker)s, %(min_count)d
local n, threads = 0, {}
bad = 0  -- a global: done() reads each thread's count with thread:get
function setup(thread) table.insert(threads, thread) end
function init(args) n = math.random(#items) end
function request()
  n = n %% #items + 1
  local item = items[n]
  return wrk.format("GET", item[1], item[2] ~= "" and {["Cookie"] = item[2]} or {})
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1; return end
  if marker ~= "" then
    local count, from = 0, 1
    while count < min_count do
      local at = string.find(body, marker, from, true)
      if not at then break end
      count, from = count + 1, at + #marker
    end
    if count < min_count then bad = bad + 1 end
  end
end
function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", latency:percentile(50), latency:percentile(95),
                         summary.requests, summary.duration, failed))
end
"""


def load(base: str, items: Sequence, *, clients: int, seconds: float, marker: str = "", min_count: int = 1,
         warm_up: bool = False) -> Load:
    """`clients` connections kept busy for `seconds` by wrk (C, epoll: the load generator costs little of the
    2 cores, where Python clients took most of one), going round `items`: each a path, or a (path, cookies)
    pair. Every answer must be 200 and hold `marker` at least `min_count` times; a run with any other answer,
    or a connection error or timeout, is refused, as is a timed run that completed nothing (a warm-up may). Latencies
    are wrk's, from the request sent to the answer read."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make install` as root, or apt-get install wrk")

    def lua(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string without \u escapes is a valid Lua string literal

    rows = []
    for item in items:
        path, jar = (item, {}) if isinstance(item, str) else item
        rows.append("{%s, %s}" % (lua(path), lua("; ".join(f"{k}={v}" for k, v in jar.items()))))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
        script.write(_WRK_SCRIPT % {"items": "{" + ",\n".join(rows) + "}", "marker": lua(marker), "min_count": min_count})
    try:
        command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "-s", script.name, base]
        run = subprocess.run(command, capture_output=True, text=True)
    finally:
        Path(script.name).unlink()
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+)", run.stdout)
    if run.returncode or found is None:
        raise SystemExit(f"wrk failed (exit {run.returncode}):\n{run.stdout}{run.stderr}")
    p50_us, p95_us, count, duration_us, failed = map(int, found.groups())
    if failed or (count == 0 and not warm_up):
        raise SystemExit(f"{failed} of {count} requests failed under load (wrong status, missing {marker!r}, or a connection error)")
    return Load(p50_us / 1000, p95_us / 1000, count / (duration_us / 1e6), count)  # wrk reports zeros when nothing completed


