"""`vanphong hub …`: run the exchange hub over mutual TLS, choose the agencies it serves, and, on a
node, sync the directory from the hub and report the node's health to it."""

from __future__ import annotations

import os
import subprocess
import sys


def gunicorn_command(*, certfile: str, keyfile: str, ca_file: str, host: str, port: int, workers: int, threads: int) -> list[str]:
    """gunicorn with TLS ending in the worker: the client certificate, verified against `ca_file`,
    reaches the node API through hub.wsgi (never through a header a proxy could forge)."""
    return [sys.executable, "-m", "gunicorn", "vanphong.hub.wsgi:application", "--config", "python:vanphong.hub.gunicorn_tls",
            "--bind", f"{host}:{port}", "--certfile", certfile, "--keyfile", keyfile, "--ca-certs", ca_file,
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "120", "--graceful-timeout", "20"]


def cmd_serve(args) -> int:
    """Serve the hub's node API (mutual TLS) and its pages over HTTPS."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.core.management import call_command
    from django.utils.translation import gettext as _

    for path in (args.certfile, args.keyfile, args.ca_file):
        if not os.path.isfile(path):
            print(_("Cannot read %(path)s.") % {"path": path}, file=sys.stderr)
            return 2
    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    command = gunicorn_command(certfile=args.certfile, keyfile=args.keyfile, ca_file=args.ca_file, host=args.host, port=args.port,
                               workers=args.workers or max(2, (os.cpu_count() or 1) * 2), threads=args.threads)
    print(_("The exchange hub is serving on https://%(host)s:%(port)s. Press Ctrl+C to stop.") % {"host": args.host, "port": args.port},
          flush=True)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 130


def cmd_member_add(args) -> int:
    """Serve an agency of the directory: the hub takes and keeps packages for it."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from vanphong.hub import services
    from vanphong.org.models import Agency

    agency = Agency.objects.filter(code=args.code).first()
    if agency is None:
        print(_("There is no agency %(code)s in the directory.") % {"code": args.code}, file=sys.stderr)
        return 2
    try:
        member = services.serve_agency(None, agency, endpoint=args.endpoint or "")
    except ValidationError as exc:
        print(" ".join(exc.messages), file=sys.stderr)
        return 2
    print(_("The hub now serves %(code)s %(name)s.") % {"code": member.agency.code, "name": member.agency.name})
    return 0


def cmd_directory_sync(args) -> int:
    """Bring this node's agency directory up to date from the hub."""
    from vanphong.cli import _setup_django

    _setup_django()
    import json

    from django.utils.translation import gettext as _

    from vanphong.exchange.transport import TransportError
    from vanphong.hub import node_directory

    try:
        report = node_directory.sync_from_hub(as_agency=args.as_agency)
    except TransportError as exc:
        print(exc.message, file=sys.stderr)
        return 1 if exc.retryable else 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(_("Directory from the hub: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, %(hosted)d hosted here, "
                "%(invalid)d refused, %(gone)d no longer listed by the hub; %(certs)d node certificates of other agencies, "
                "%(dropped)d dropped.")
              % {"created": len(report.created), "updated": len(report.updated), "unchanged": len(report.unchanged),
                 "hosted": len(report.hosted_here), "invalid": len(report.invalid), "gone": len(report.not_in_hub),
                 "certs": report.node_certificates, "dropped": report.node_certificates_dropped})
        for code, reason in report.invalid:
            print(f"  {code}: {reason}")
    return 0


def cmd_report(args) -> int:
    """Tell the hub how this node is: queue depths, the oldest undelivered package, certificate expiry dates."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.utils.translation import gettext as _

    from vanphong.exchange.hub_client import node_setting
    from vanphong.exchange.transport import TransportError
    from vanphong.hub import node_health

    try:
        outcome = node_health.report_to_hub()
    except TransportError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if not outcome:
        print(_("No hosted agency has a node client certificate in %(path)s.")
              % {"path": node_setting("VANPHONG_EXCHANGE_CLIENT_CERT_DIR")}, file=sys.stderr)
        return 2
    for code, problem in outcome.items():
        if problem:
            print(f"{code}: {problem}", file=sys.stderr)
        else:
            print(_("Reported %(code)s to the hub.") % {"code": code})
    return 1 if any(outcome.values()) else 0


def cmd_purge(args) -> int:
    """Delete the rows of packages acknowledged long ago (their bytes went at the acknowledgement)."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError
    from django.utils.translation import ngettext

    from vanphong.hub import purge

    days = purge.default_days() if args.older_than is None else args.older_than
    try:
        deleted = purge.purge_acknowledged(None, older_than_days=days)
    except ValidationError as exc:
        print(" ".join(exc.messages), file=sys.stderr)
        return 2
    print(ngettext("Purged %(count)d package acknowledged more than %(days)d days ago; packages not yet acknowledged are kept.",
                   "Purged %(count)d packages acknowledged more than %(days)d days ago; packages not yet acknowledged are kept.",
                   deleted) % {"count": deleted, "days": days})
    return 0


def cmd_demo_network(args) -> int:
    """Start a hub and two agency nodes on loopback, each its own instance, and leave them running."""
    from pathlib import Path

    from vanphong.hub import demo_network

    return demo_network.run(Path(args.dir).resolve(), base_port=args.base_port)


def add_commands(sub) -> None:
    p = sub.add_parser("hub", help="the exchange hub: serve it, its members, directory and health",
                       description="The exchange hub (store and forward between nodes, mutual TLS).")
    hub_sub = p.add_subparsers(dest="hub_command", required=True, metavar="SUBCOMMAND")

    q = hub_sub.add_parser("serve", help="serve the hub over HTTPS with node client certificates", description=cmd_serve.__doc__)
    q.add_argument("--certfile", required=True, help="the node's TLS server certificate (PEM)")
    q.add_argument("--keyfile", required=True, help="its private key (PEM)")
    q.add_argument("--ca-file", required=True, help="our CA's certificates (PEM), that node client certificates must chain to")
    q.add_argument("--host", default="0.0.0.0")
    q.add_argument("--port", type=int, default=8443)
    q.add_argument("--workers", type=int, default=0, help="web workers (default: 2 per CPU)")
    q.add_argument("--threads", type=int, default=4)
    q.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    q.set_defaults(func=cmd_serve)

    q = hub_sub.add_parser("member", help="the agencies the hub serves", description="The agencies the hub serves.")
    member_sub = q.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    r = member_sub.add_parser("add", help="serve an agency of the directory", description=cmd_member_add.__doc__)
    r.add_argument("code", help="the agency code (mã định danh)")
    r.add_argument("--endpoint", help="the address where the agency's node takes sendEdoc directly")
    r.set_defaults(func=cmd_member_add)

    q = hub_sub.add_parser("directory", help="this node's directory, from the hub", description="The agency directory, from the hub.")
    directory_sub = q.add_subparsers(dest="directory_command", required=True, metavar="ACTION")
    r = directory_sub.add_parser("sync", help="bring the agency directory up to date from the hub", description=cmd_directory_sync.__doc__)
    r.add_argument("--as", dest="as_agency", metavar="CODE", help="the hosted agency whose certificate to use (default: the first)")
    r.add_argument("--json", action="store_true", help="print what changed as JSON")
    r.set_defaults(func=cmd_directory_sync)

    q = hub_sub.add_parser("report", help="report this node's health to the hub", description=cmd_report.__doc__)
    q.set_defaults(func=cmd_report)

    q = hub_sub.add_parser("purge", help="delete the rows of packages acknowledged long ago", description=cmd_purge.__doc__)
    q.add_argument("--older-than", type=int, metavar="DAYS",
                   help="acknowledged more than this many days ago (default: VANPHONG_HUB_PURGE_DAYS, 90)")
    q.set_defaults(func=cmd_purge)

    q = hub_sub.add_parser("demo-network", help="a hub and two agency nodes on loopback, for a first look",
                           description=cmd_demo_network.__doc__)
    q.add_argument("--dir", default="vanphong-demo-network", help="where the three instances keep their data (kept between runs)")
    q.add_argument("--base-port", type=int, default=8100, help="the hub's port; the nodes take the next two, and node B's direct API the one after")
    q.set_defaults(func=cmd_demo_network)
