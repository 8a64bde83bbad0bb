"""`vanphong sign` and `vanphong verify`: PAdES signatures from the command line.

`sign` uses a key its holder keeps in a PKCS#12 file; `verify` prints the verification report
and exits 0 when every signature is valid, 1 when one is not, 2 when the file cannot be read.
"""

from __future__ import annotations

import sys

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]  # pades.LEVELS (importing it needs Django set up)


def _setup() -> None:
    from vanphong.cli import _setup_django

    _setup_django()


def _read(path: str) -> bytes | None:
    from django.utils.translation import gettext as _

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        print(_("Cannot read %(path)s: %(error)s.") % {"path": path, "error": exc.strerror}, file=sys.stderr)
        return None


def cmd_sign(args) -> int:
    """Sign a PDF (PAdES) with the key and certificate of a PKCS#12 file."""
    _setup()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from vanphong.pki.cli import _passphrase, _Refused, _write
    from vanphong.signing import services

    pdf, pkcs12 = _read(args.file), _read(args.p12)
    if pdf is None or pkcs12 is None:
        return 2
    try:
        passphrase = _passphrase(args.passphrase_file)
        signed = services.sign_with_pkcs12(pdf, pkcs12, passphrase, seal=args.seal, position=args.position or "", level=args.level)
        _write(args.out, signed)
    except ValidationError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        return 1
    except _Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(_("Signed %(file)s (%(level)s) and wrote %(out)s.") % {"file": args.file, "level": args.level, "out": args.out})
    return 0


def cmd_verify(args) -> int:
    """Print the verification report of a signed PDF or edXML package."""
    _setup()
    from vanphong.signing import report_text, verification, xml_cli

    data = _read(args.file)
    if data is None:
        return 2
    if xml_cli.looks_like_xml(data):
        return xml_cli.verify_xml(data)
    try:
        report = verification.verify_pdf(data)
    except verification.UnreadableDocument as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        return 2
    print(report_text.render(report))
    return 0 if report.valid else 1


def add_commands(sub) -> None:
    p = sub.add_parser("sign", help="sign a PDF with a PKCS#12 key (PAdES)", description=cmd_sign.__doc__)
    p.add_argument("file", metavar="FILE.pdf", help="the PDF to sign")
    p.add_argument("--p12", required=True, metavar="FILE", help="PKCS#12 file with the signer's key, certificate and chain")
    p.add_argument("--passphrase-file", required=True, metavar="FILE", help="file whose first line is the PKCS#12's passphrase")
    p.add_argument("--out", required=True, metavar="OUT.pdf", help="where to write the signed PDF")
    p.add_argument("--seal", action="store_true", help="sign as the agency's seal (red seal image) instead of as an official")
    p.add_argument("--position", metavar="TEXT", help="the official's position, shown above the signature")
    p.add_argument("--level", choices=LEVELS, default="B-T", help="PAdES baseline level (default: %(default)s, time-stamped by our TSA)")
    p.set_defaults(func=cmd_sign)

    p = sub.add_parser("verify", help="verify the signatures of a PDF or an edXML package", description=cmd_verify.__doc__ + (
        " Exit status: 0 all signatures valid, 1 a signature is invalid or there is none, 2 the file cannot be read."))
    p.add_argument("file", metavar="FILE", help="the PDF or edXML package to verify (told apart by content)")
    p.set_defaults(func=cmd_verify)
