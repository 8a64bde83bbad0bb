"""`vanphong exchange …`: the exchange from a terminal. `read` shows what an edXML file says."""

from __future__ import annotations

import json
import sys


def _verify_signature(result) -> None:
    """Let signing.xmldsig verify an XML-DSig signature when it can; the codec's own finding stands
    when it cannot (no database, a placeholder, anything unexpected): `read` must never fail on it."""
    if not result.signature.xmldsig:
        return
    try:
        from vanphong.signing import xmldsig

        report = xmldsig.verify_package(result.data)
    except Exception as exc:  # noqa: BLE001 - a verifier fault must not hide what the package says
        from django.utils.translation import gettext as _

        result.signature.problems.append(_("The signature could not be checked here: %(error)s") % {"error": exc})
        return
    result.signature.status = report.verdict
    result.signature.problems.extend(report.problems + report.notes)
    result.signature.signer = report.signer_name


def cmd_read(args) -> int:
    """Print an edXML package or status message as JSON, with what was odd in it. Exit 0 when the
    file is readable, 2 when it is not (the reason on stderr)."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.utils.translation import gettext as _

    from vanphong.exchange.edxml import describe, reader
    from vanphong.exchange.edxml.limits import Limits
    from vanphong.exchange.edxml.oddities import UnreadablePackage

    limits = Limits.from_settings()
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(limits.max_package_bytes + 1)
    except OSError as exc:
        print(_("Cannot read %(path)s: %(error)s.") % {"path": args.file, "error": exc.strerror}, file=sys.stderr)
        return 2
    try:
        result = reader.read(data, limits=limits)
    except UnreadablePackage as exc:
        print(_("%(file)s is not a readable edXML package: %(reason)s") % {"file": args.file, "reason": " ".join(exc.messages)},
              file=sys.stderr)
        return 2
    if not args.no_verify:
        _verify_signature(result)
    print(json.dumps(describe.describe(result), ensure_ascii=False, indent=2))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("exchange", help="document exchange (edXML) tools", description="Document exchange (edXML) tools.")
    exchange_sub = p.add_subparsers(dest="exchange_command", required=True, metavar="SUBCOMMAND")
    q = exchange_sub.add_parser("read", help="print an edXML package or status as JSON, with its oddities",
                                description=cmd_read.__doc__)
    q.add_argument("file", metavar="FILE.edxml", help="the edXML file to read")
    q.add_argument("--no-verify", action="store_true", help="do not verify an XML-DSig signature (no database needed)")
    q.set_defaults(func=cmd_read)
