"""`vanphong sign-xml`, `vanphong xml-policy`, and the edXML half of `vanphong verify`.

`verify` chooses by content, not by the file name: a file whose first non-blank character is "<"
is XML. Exit status as for PDFs: 0 valid, 1 invalid, unsigned or unverifiable, 2 unreadable.
"""

from __future__ import annotations

import sys

_BLANK = b"\xef\xbb\xbf \t\r\n"  # a UTF-8 byte-order mark and white space before the first tag


def looks_like_xml(data: bytes) -> bool:
    return data.lstrip(_BLANK).startswith(b"<")


def verify_xml(data: bytes) -> int:
    """Print the report of an edXML package (Django is set up by the caller)."""
    from vanphong.signing import xml_report_text, xmldsig

    report = xmldsig.verify_package(data)
    print(xml_report_text.render(report))
    if report.verdict == xmldsig.MALFORMED:
        return 2
    return 0 if report.valid else 1


def cmd_sign_xml(args) -> int:
    """Sign an edXML package (enveloped XML-DSig in its header) with the key and certificate of a PKCS#12 file."""
    from vanphong.signing.cli import _read, _setup

    _setup()
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from vanphong.pki.cli import _passphrase, _Refused, _write
    from vanphong.signing import xml_services

    package, pkcs12 = _read(args.file), _read(args.p12)
    if package is None or pkcs12 is None:
        return 2
    try:
        signed = xml_services.sign_package_with_pkcs12(package, pkcs12, _passphrase(args.passphrase_file))
        _write(args.out, signed)
    except ValidationError as exc:
        print("\n".join(exc.messages), file=sys.stderr)
        return 1
    except _Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(_("Signed %(file)s and wrote %(out)s.") % {"file": args.file, "out": args.out})
    return 0


def cmd_xml_policy(args) -> int:
    """Show, or change, whether SHA-1 XML signatures from other systems are accepted."""
    from vanphong.signing.cli import _setup

    _setup()
    from django.utils.translation import gettext as _

    from vanphong.signing import selectors, xml_services

    if args.accept_sha1 or args.refuse_sha1:
        xml_services.set_sha1_accepted(None, bool(args.accept_sha1))
    if selectors.xml_signature_policy().accept_sha1:
        print(_("SHA-1 XML signatures from other systems are accepted, and flagged as weak."))
    else:
        print(_("SHA-1 XML signatures from other systems are refused."))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("sign-xml", help="sign an edXML package with a PKCS#12 key (XML-DSig)", description=cmd_sign_xml.__doc__)
    p.add_argument("file", metavar="FILE.xml", help="the edXML package to sign")
    p.add_argument("--p12", required=True, metavar="FILE", help="PKCS#12 file with the signer's key, certificate and chain")
    p.add_argument("--passphrase-file", required=True, metavar="FILE", help="file whose first line is the PKCS#12's passphrase")
    p.add_argument("--out", required=True, metavar="OUT.xml", help="where to write the signed package")
    p.set_defaults(func=cmd_sign_xml)

    p = sub.add_parser("xml-policy", help="accept or refuse SHA-1 XML signatures from other systems",
                       description=cmd_xml_policy.__doc__)
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--accept-sha1", action="store_true", help="accept rsa-sha1 and sha1 digests, flagged as weak")
    choice.add_argument("--refuse-sha1", action="store_true", help="refuse them (the default)")
    p.set_defaults(func=cmd_xml_policy)
