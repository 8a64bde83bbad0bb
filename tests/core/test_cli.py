"""The `vanphong` command, run as a real process against its own data folder."""

import os
import sqlite3
import subprocess
import sys

import pytest

from vanphong.cli import build_parser

VANPHONG = [sys.executable, "-m", "vanphong.cli"]


def _subcommand_paths(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommand_paths(sub, (*prefix, name))


def test_every_subcommand_has_help(capsys):
    paths = list(_subcommand_paths(build_parser()))
    assert {("serve",), ("worker",), ("demo",), ("import", "org"), ("audit", "verify"), ("check",)} <= set(paths)
    assert {("ca", "init"), ("ca", "issue"), ("ca", "renew"), ("ca", "revoke"), ("ca", "crl"), ("ca", "list")} <= set(paths)
    for path in paths:
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([*path, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: vanphong {' '.join(path)}"), path


def test_serve_takes_host_and_port():
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


def _run(args, env, check=True):
    env = {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests' conftest
    result = subprocess.run([*VANPHONG, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory, new_instance):
    data = new_instance(tmp_path_factory.mktemp("data"))  # migrated once per session (tests.instances); `demo` migrates too
    env = {**os.environ, "VANPHONG_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    first = _run(["demo"], env)
    return env, data, first.stdout


def test_demo_prints_accounts_and_is_idempotent(demo_env):
    env, data, first = demo_env
    assert "vanthu.vptw" in first and "VanPhong@2026" in first and "TOTP" in first
    with sqlite3.connect(data / "vanphong.sqlite3") as db:
        counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("org_agency", "org_unit", "org_person")]
        roles = {r for (r,) in db.execute("SELECT DISTINCT role_id FROM org_person_roles")}
    assert counts[0] >= 4 and counts[2] >= 4 * 6
    assert roles == {"clerk", "leader", "specialist", "personnel", "admin", "ca_operator"}
    _run(["demo"], env)
    with sqlite3.connect(data / "vanphong.sqlite3") as db:
        again = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("org_agency", "org_unit", "org_person")]
    assert again == counts


def test_demo_code_prints_a_current_totp(demo_env):
    env, _data, _ = demo_env
    out = _run(["demo", "code", "lanhdao.vptw"], env).stdout.strip()
    assert len(out) == 6 and out.isdigit()


def test_audit_verify_passes_then_names_the_edited_record(demo_env, tmp_path):
    env, data, _ = demo_env
    ok = _run(["audit", "verify"], env)
    assert "Audit chain intact" in ok.stdout
    # Work on a copy so the other tests keep an intact chain.
    copy = tmp_path / "data"
    copy.mkdir()
    for name in ("vanphong.sqlite3", "secret_key"):
        (copy / name).write_bytes((data / name).read_bytes())
    env_copy = {**env, "VANPHONG_DATA_DIR": str(copy)}
    with sqlite3.connect(copy / "vanphong.sqlite3") as db:
        seq, pk = db.execute("SELECT seq, id FROM core_auditrecord ORDER BY seq LIMIT 1 OFFSET 9").fetchone()
        db.execute("UPDATE core_auditrecord SET actor_label = 'ke-gia-mao' WHERE id = ?", (pk,))
    bad = _run(["audit", "verify"], env_copy, check=False)
    assert bad.returncode == 1
    assert f"record #{seq} (id {pk})" in bad.stderr and "edited" in bad.stderr


def test_check_reports_each_part(demo_env):
    env, _data, _ = demo_env
    result = _run(["check"], env, check=False)
    for part in ("configuration", "database", "storage", "worker", "ocr", "clock"):
        assert f"] {part}:" in result.stdout
    assert "[OK] ocr: tesseract" in result.stdout and "vie" in result.stdout  # `make install` installs it
    # No worker runs in this test, and `check` says so and fails.
    assert "[FAIL] worker" in result.stdout and result.returncode == 1


def test_check_sees_a_running_worker(demo_env):
    env, _data, _ = demo_env
    worker = subprocess.Popen([*VANPHONG, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import time

        deadline = time.time() + 30
        while True:
            result = _run(["check"], env, check=False)
            if "[OK] worker" in result.stdout or time.time() > deadline:
                break
            time.sleep(0.5)
        assert "[OK] worker" in result.stdout, result.stdout
        assert result.returncode == 0, result.stdout
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_settings_from_vanphong_toml(tmp_path):
    data = tmp_path / "from-toml"
    (tmp_path / "vanphong.toml").write_text(f'VANPHONG_DATA_DIR = "{data}"\n')
    env = {k: v for k, v in os.environ.items() if k not in {"VANPHONG_DATA_DIR", "DATABASE_URL"}}
    result = subprocess.run([*VANPHONG, "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (data / "vanphong.sqlite3").exists()


def test_production_settings_pass_check_deploy(tmp_path):
    env = {**os.environ, "VANPHONG_DATA_DIR": str(tmp_path), "VANPHONG_HTTPS": "1", "VANPHONG_ALLOWED_HOSTS": "vanphong.example.gov.vn"}
    env.pop("DATABASE_URL", None)
    result = _run(["manage", "check", "--deploy", "--fail-level", "WARNING"], env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_serve_answers_over_http_with_gunicorn_and_static_files(demo_env):
    import socket
    import time
    import urllib.request

    env, _data, _ = demo_env
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    server = subprocess.Popen([*VANPHONG, "serve", "--port", str(port), "--workers", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, body = time.time() + 60, None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    body, server_header = response.read(), response.headers.get("Server", "")
                    break
            except OSError:
                time.sleep(0.3)
        assert body == b'{"status": "ok"}'
        assert "gunicorn" in server_header
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            page = response.read().decode()
        assert "Đăng nhập" in page
        css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert css.startswith("/static/vanphong/app.") and css != "/static/vanphong/app.css"  # hashed by collectstatic
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=5) as response:
            assert response.status == 200 and "max-age" in response.headers.get("Cache-Control", "")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_init_sets_up_a_new_instance_once(tmp_path):
    env = {**os.environ, "VANPHONG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    args = ["init", "--agency-code", "000.00.00.H27", "--agency-name", "Ủy ban nhân dân tỉnh Bắc Ninh", "--short-name", "UBND Bắc Ninh",
            "--notation-code", "UBND", "--operator", "vanhanh", "--full-name", "Nguyễn Văn Vận Hành"]
    first = _run(args, env)
    assert "Temporary password:" in first.stdout
    with sqlite3.connect(tmp_path / "vanphong.sqlite3") as db:
        assert db.execute("SELECT is_superuser, must_change_password FROM org_person WHERE username = 'vanhanh'").fetchone() == (1, 1)
        assert db.execute("SELECT hosted FROM org_agency WHERE code = '000.00.00.H27'").fetchone() == (1,)
    again = _run(args, env, check=False)
    assert again.returncode == 1 and "already set up" in again.stderr
    assert "Audit chain intact: 2 records" in _run(["audit", "verify"], env).stdout


def test_cli_messages_follow_the_shell_locale(tmp_path, new_instance):
    env = {**os.environ, "VANPHONG_DATA_DIR": str(new_instance(tmp_path / "data")), "LANG": "vi_VN.UTF-8"}
    env.pop("DATABASE_URL", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"")
    result = _run(["import", "org", str(bad), "--agency", "000.00.00.H27"], env, check=False)
    assert result.returncode == 2  # no such agency
    init = ["init", "--agency-code", "000.00.00.H27", "--agency-name", "UBND", "--short-name", "UBND", "--notation-code", "UBND",
            "--operator", "op", "--full-name", "Người Vận Hành"]
    _run(init, env)
    vi = _run(init, env, check=False)
    assert "Hệ thống đã được khởi tạo" in vi.stderr
    en = _run(init, {**env, "LANG": "C.UTF-8"}, check=False)
    assert "already set up" in en.stderr
    empty = _run(["import", "org", str(bad), "--agency", "000.00.00.H27", "--dry-run"], env, check=False)
    assert empty.returncode == 1 and "Tệp rỗng." in empty.stderr


def test_import_org_from_the_command_line(demo_env, tmp_path):
    env, data, _ = demo_env
    env = {**env, "LANG": "C.UTF-8"}
    header = "Mã định danh,Đơn vị,Họ và tên,Tên đăng nhập,Vai trò\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "000.00.00.T27,Văn phòng,Cao Văn Một,mot.bacninh,chuyên viên\n000.00.00.T2,Văn phòng,Hai,hai.bacninh,\n",
                   encoding="utf-8")
    result = _run(["import", "org", str(bad), "--agency", "000.00.00.T27"], env, check=False)
    assert result.returncode == 1
    assert "Line 3, column" in result.stderr and "Nothing was imported" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text(header + "000.00.00.T27,Văn phòng / Tổ Lưu trữ,Cao Văn Một,mot.bacninh,chuyên viên\n", encoding="utf-8")
    dry = _run(["import", "org", str(good), "--agency", "000.00.00.T27", "--dry-run"], env)
    assert "Dry run, nothing written: 1 units to create, 1 people to create" in dry.stdout
    with sqlite3.connect(data / "vanphong.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM org_person WHERE username = 'mot.bacninh'").fetchone() == (0,)
    real = _run(["import", "org", str(good), "--agency", "000.00.00.T27"], env)
    assert real.stdout.startswith("Imported: 1 units created, 1 people created, 0 people updated")
    with sqlite3.connect(data / "vanphong.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM org_person WHERE username = 'mot.bacninh'").fetchone() == (1,)
