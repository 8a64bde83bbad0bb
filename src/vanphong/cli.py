"""`vanphong`: one command for everything an operator or a script does."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
    import django

    django.setup()
    from django.utils import translation

    # Messages from the services follow the shell's locale, like the command's own text.
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    translation.activate("vi" if locale.lower().startswith("vi") else "en")


def cmd_serve(args) -> int:
    """Web app (gunicorn, several workers, static files through WhiteNoise) and the background worker."""
    _setup_django()
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    workers = args.workers or max(2, (os.cpu_count() or 1) * 2)
    web = [sys.executable, "-m", "gunicorn", "vanphong.wsgi:application", "--bind", f"{args.host}:{args.port}",
           "--workers", str(workers), "--worker-class", "gthread", "--threads", str(args.threads),
           "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20"]
    children = [subprocess.Popen(web)]
    if not args.no_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "vanphong.cli", "worker"]))
    print(f"VănPhòng is serving on http://{args.host}:{args.port} ({workers} web workers"
          f"{'' if args.no_worker else ' and a background worker'}). Press Ctrl+C to stop.", flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
    return max((child.returncode or 0) for child in children if child.returncode and child.returncode > 0) if any(
        c.returncode and c.returncode > 0 for c in children) else 0


def cmd_worker(args) -> int:
    _setup_django()
    from vanphong.core import worker

    worker.run(interval=args.interval, batch=args.batch)
    return 0


def cmd_migrate(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("Database is up to date.")
    return 0


def cmd_demo(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from vanphong.org import demo

    accounts = demo.build()
    print("Demo network ready. Every demo account's password is:", demo.DEMO_PASSWORD)
    print("Accounts marked with a TOTP secret need a six-digit code: add the secret to an authenticator app,")
    print("or print the current code with `vanphong demo code USERNAME`.\n")
    width = max(len(a.username) for a in accounts)
    for a in accounts:
        secret = f"  TOTP {a.totp_secret}" if a.totp_secret else ""
        print(f"  {a.username.ljust(width)}  {a.full_name} — {a.roles} ({a.agency}){secret}")
    return 0


def cmd_init(args) -> int:
    """Create the first agency and the instance operator on a new instance."""
    _setup_django()
    from django.core.exceptions import ValidationError
    from django.core.management import call_command

    from vanphong.accounts.services import generate_temporary_password
    from vanphong.org import services

    call_command("migrate", interactive=False, verbosity=0)
    password = generate_temporary_password()
    try:
        agency, operator = services.bootstrap_instance(
            code=args.agency_code, name=args.agency_name, short_name=args.short_name, notation_code=args.notation_code,
            notation_scheme=args.scheme, operator_username=args.operator, operator_full_name=args.full_name, password=password)
    except ValidationError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return 1
    print(f"Created {agency.name} ({agency.code}) and its instance operator {operator.username}.")
    print(f"Temporary password: {password}  (to be changed at first sign-in; a second factor is set up then too)")
    return 0


def cmd_demo_code(args) -> int:
    _setup_django()
    import pyotp

    from vanphong.org.models import Person

    person = Person.objects.filter(username__iexact=args.username).first()
    if person is None or not person.totp_confirmed:
        print(f"{args.username}: no such account with a second factor", file=sys.stderr)
        return 1
    print(pyotp.TOTP(person.totp_secret).now())
    return 0


def cmd_audit_verify(args) -> int:
    _setup_django()
    from vanphong.core import audit

    result = audit.verify()
    if result.ok:
        print(f"Audit chain intact: {result.checked} records verified.")
        return 0
    print(f"AUDIT CHAIN BROKEN: {result.problem}", file=sys.stderr)
    print(f"{result.checked} records before it are intact.", file=sys.stderr)
    return 1


def cmd_check(args) -> int:
    _setup_django()
    from vanphong.core import health

    checks = health.run_all()
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], ensure_ascii=False))
    else:
        for c in checks:
            print(f"[{'OK' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
    return 0 if all(c.ok for c in checks) else 1


def cmd_import_org(args) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from vanphong.org import services
    from vanphong.org.models import Agency

    agency = Agency.objects.filter(code=args.agency, hosted=True).first()
    if agency is None:
        print(f"No agency with code {args.agency} is hosted on this instance.", file=sys.stderr)
        return 2
    try:
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        plan = services.import_organisation(None, agency, data, os.path.basename(args.file), dry_run=args.dry_run)
    except ValidationError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 1
    return _print_import_plan(plan, dry_run=args.dry_run)


def _print_import_plan(plan, *, dry_run: bool) -> int:
    for notice in plan.notices:
        print(f"note: {notice}")
    for message in plan.error_messages():
        print(message, file=sys.stderr)
    verb = "to create" if dry_run or plan.errors else "created"
    summary = (f"{plan.units_to_create} units {verb}, {plan.people_to_create} people {verb}, "
               f"{plan.people_to_update} people {'updated' if verb == 'created' else 'to update'}")
    if plan.errors:
        print(f"{len(plan.errors)} errors. Nothing was imported. ({summary})", file=sys.stderr)
        return 1
    print(("Dry run, nothing written: " if dry_run else "Imported: ") + summary)
    return 0


def cmd_manage(args) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vanphong manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vanphong", description="VănPhòng: operational information system for public agencies.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the web app with the background worker", description=cmd_serve.__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    p.add_argument("--workers", type=int, default=0, help="web worker processes (default: 2 per CPU)")
    p.add_argument("--threads", type=int, default=4, help="threads per web worker (default: %(default)s)")
    p.add_argument("--no-worker", action="store_true", help="do not start the background worker here (run `vanphong worker` elsewhere)")
    p.add_argument("--no-migrate", action="store_true", help="do not apply database migrations at start")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background worker", description="Run background tasks from the database queue.")
    p.add_argument("--interval", type=float, default=1.0, help="seconds to wait when the queue is empty (default: %(default)s)")
    p.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or update the database tables", description="Apply database migrations.")
    p.add_argument("-v", "--verbose", action="store_true", help="list each migration applied")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("init", help="set up a new instance: its first agency and operator", description=cmd_init.__doc__)
    p.add_argument("--agency-code", required=True, metavar="CODE", help="agency code, e.g. 000.00.00.H27")
    p.add_argument("--agency-name", required=True, metavar="NAME", help="full name, e.g. “Ủy ban nhân dân tỉnh Bắc Ninh”")
    p.add_argument("--short-name", required=True, metavar="NAME", help="short name, e.g. “UBND Bắc Ninh”")
    p.add_argument("--notation-code", required=True, metavar="CODE", help="the agency's part of document notations, e.g. UBND")
    p.add_argument("--scheme", choices=["state", "party"], default="state", help="notation scheme (default: %(default)s)")
    p.add_argument("--operator", required=True, metavar="USERNAME", help="username of the instance operator")
    p.add_argument("--full-name", required=True, metavar="NAME", help="the operator's full name")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="build the demo network and print its accounts",
                       description="Build, idempotently, a central office and provincial committees with units and people in every role.")
    demo_sub = p.add_subparsers(dest="demo_command", metavar="SUBCOMMAND")
    p.set_defaults(func=cmd_demo)
    q = demo_sub.add_parser("code", help="print the current TOTP code of a demo account", description="Print the current six-digit code.")
    q.add_argument("username")
    q.set_defaults(func=cmd_demo_code)

    p = sub.add_parser("import", help="import records from files", description="Import records from CSV or XLSX files.")
    import_sub = p.add_subparsers(dest="import_command", required=True, metavar="KIND")
    q = import_sub.add_parser("org", help="import units and people of an agency from CSV or XLSX",
                              description="Import units and people. Every bad row is reported by line; a real run is all-or-nothing.")
    q.add_argument("file", metavar="FILE", help="a .csv (UTF-8 or Windows-1258) or .xlsx file")
    q.add_argument("--agency", required=True, metavar="CODE", help="code of the hosted agency to import into, e.g. 000.00.00.T27")
    q.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    q.set_defaults(func=cmd_import_org)

    p = sub.add_parser("audit", help="audit log tools", description="Audit log tools.")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    q = audit_sub.add_parser("verify", help="prove the audit chain is intact", description="Walk the hash chain; name the first bad record.")
    q.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("check", help="check configuration and health", description="Check configuration, database, storage, worker and clock.")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("manage", help="run a Django management command", description="Run a Django management command.")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="the command and its arguments")
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
