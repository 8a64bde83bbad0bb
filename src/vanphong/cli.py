"""`vanphong`: one command for everything an operator or a script does."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from vanphong.consultation import cli as consultation_cli
from vanphong.exchange import cli as exchange_cli
from vanphong.hub import cli as hub_cli
from vanphong.pki import cli as pki_cli
from vanphong.signing import cli as signing_cli
from vanphong.signing import xml_cli as signing_xml_cli


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
    from vanphong.documents import demo as documents_demo

    documents_demo.build()
    from vanphong.workflow import approval_demo

    accounts += approval_demo.build()  # drafts awaiting approval, and their approvers
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


def cmd_import_documents(args) -> int:
    """Import an agency's legacy incoming and outgoing documents, with their files, from CSV or XLSX."""
    _setup_django()
    from django.core.exceptions import PermissionDenied

    from vanphong.documents import legacy_import
    from vanphong.org.models import Agency, Person

    if args.template:
        if not args.direction:
            print("--template needs --direction in or --direction out.", file=sys.stderr)
            return 2
        with open(args.file, "wb") as out:
            out.write(legacy_import.template_workbook(args.direction))
        print(f"Wrote an example workbook of {'incoming' if args.direction == 'in' else 'outgoing'} documents to {args.file}.")
        return 0
    if not args.actor:
        print("Name the clerk who imports with --as USERNAME.", file=sys.stderr)
        return 2
    actor = Person.objects.filter(username__iexact=args.actor, is_active=True).select_related("agency").first()
    if actor is None:
        print(f"No active person has the username {args.actor}.", file=sys.stderr)
        return 2
    agency = actor.agency
    if args.agency:
        agency = Agency.objects.filter(code=args.agency, hosted=True).first()
        if agency is None:
            print(f"No agency with code {args.agency} is hosted on this instance.", file=sys.stderr)
            return 2
    if not os.path.isfile(args.file):
        print(f"Cannot read {args.file}: no such file.", file=sys.stderr)
        return 2
    if args.attachments and not os.path.isdir(args.attachments):
        print(f"The attachments folder {args.attachments} does not exist.", file=sys.stderr)
        return 2
    progress = _Progress(quiet=args.quiet)
    result, refusal = None, None
    try:
        result = legacy_import.import_documents(
            actor, args.file, agency=agency, attachments_dir=args.attachments, direction=args.direction, skip_invalid=args.skip_invalid,
            dry_run=args.dry_run, batch_size=args.batch_size, progress=progress)
    except legacy_import.ImportRefused as exc:
        result, refusal = exc.result, exc.messages[0]
    except PermissionDenied as exc:
        progress.end()
        print(exc.args[0] if exc.args else "Permission denied.", file=sys.stderr)
        return 1
    progress.end()
    for notice in result.notices:
        print(f"note: {notice}")
    if result.problems:
        report = args.report or os.path.join(os.path.dirname(os.path.abspath(args.file)),
                                             os.path.splitext(os.path.basename(args.file))[0] + "-errors.csv")
        messages = result.messages()
        for message in messages[:20]:
            print(message, file=sys.stderr)
        if len(messages) > 20:
            print(f"… and {len(messages) - 20} more.", file=sys.stderr)
        try:
            legacy_import.report_csv(result, report)
            print(f"Report of the bad rows: {report}", file=sys.stderr)
        except OSError as exc:
            print(f"Cannot write the report {report}: {exc.strerror}", file=sys.stderr)
    if result.resumed_from:
        print(f"Resumed an interrupted import: {result.resumed_from} rows were done already.")
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"Dry run, nothing written: {result.checked} rows checked, {result.good_rows} valid, {result.bad_rows} bad.")
        return 1 if result.problems else 0
    print(f"Imported {result.imported} documents" + (f", left out {result.skipped} bad rows" if result.skipped else "") + ".")
    for register, (low, high) in sorted(result.registers.items()):
        print(f"  {register}: numbers {low}–{high}")
    return 0


class _Progress:
    """Rows done, rate and time left on stderr: a bar redrawn in place on a terminal, a line every
    ten seconds otherwise (logs, pipes)."""

    LABELS = {"check": "Checking ", "import": "Importing"}

    def __init__(self, quiet: bool):
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.starts: dict[str, tuple[float, int]] = {}
        self.shown = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        start, first = self.starts.setdefault(stage, (now, done))
        finished = total is not None and done >= total
        if now - self.shown < (0.2 if self.tty else 10.0) and not finished:
            return
        self.shown = now
        rate = (done - first) / (now - start) if now > start else 0.0
        if total:
            left = (total - done) / rate if rate > 0 else 0
            eta = f"  ETA {int(left // 60)}:{int(left % 60):02d}" if not finished else ""
            fraction = min(1.0, done / total)
            bar = f"[{'#' * int(fraction * 30):<30}] {fraction:4.0%} " if self.tty else f"{fraction:.0%} "
            text = f"{self.LABELS[stage]} {bar}{done:,}/{total:,} rows  {rate:,.0f}/s{eta}"
        else:
            text = f"{self.LABELS[stage]} {done:,} rows  {rate:,.0f}/s"
        if self.tty:
            sys.stderr.write("\r" + text.ljust(100)[:100])
            self.drawn = True
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            self.drawn = False


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
    q = import_sub.add_parser(
        "documents", help="import legacy incoming and outgoing documents from CSV or XLSX",
        description="Import an agency's legacy records: one document a row, with the columns of the Decree 30 registers "
                    "(Vietnamese or English headers), and their files. Every row is checked first; bad rows are reported by line "
                    "and column, and nothing is imported if any is bad (unless --skip-invalid). Documents keep their register year "
                    "and number. The import goes in batches: if it stops, run the same command again and it resumes.")
    q.add_argument("file", metavar="FILE", help="a .csv (UTF-8, UTF-16 or Windows-1258) or .xlsx file; with --template, the file to write")
    q.add_argument("--as", dest="actor", metavar="USERNAME", help="the clerk who imports (required to import)")
    q.add_argument("--agency", metavar="CODE", help="code of the agency to import into (default: the clerk's own)")
    q.add_argument("--direction", choices=["in", "out"], help="all rows are incoming (in) or outgoing (out); "
                                                               "else a column “Đến/Đi” says it for each row")
    q.add_argument("--attachments", metavar="DIR", help="folder of the files named in the column “Tệp đính kèm” (separated by ;)")
    q.add_argument("--report", metavar="PATH", help="where to write the CSV of bad rows (default: FILE-errors.csv next to FILE)")
    q.add_argument("--skip-invalid", action="store_true", help="import the valid rows and leave out the bad ones")
    q.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")
    q.add_argument("--quiet", action="store_true", help="no progress on stderr")
    q.add_argument("--batch-size", type=int, default=2000, metavar="N", help="documents per transaction (default: %(default)s)")
    q.add_argument("--template", action="store_true", help="write an example .xlsx of the columns to FILE (with --direction) and exit")
    q.set_defaults(func=cmd_import_documents)

    exchange_cli.add_commands(sub)
    hub_cli.add_commands(sub)
    pki_cli.add_commands(sub)
    consultation_cli.add_commands(sub)
    signing_cli.add_commands(sub)
    signing_xml_cli.add_commands(sub)

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
