"""`vanphong ca …`: the certificate authority from the command line.

Whoever runs these on the server holds the database and the key-encryption passphrase already,
so the commands act as the trusted command line (actor None), as `vanphong import org` does. They
print certificates and CRLs as PEM on standard output unless told where to write.
Django is imported only inside the commands, so that `--help` works without a configuration.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from vanphong.pki.profiles import PROFILES

PROFILE_CODES = list(PROFILES)
# models.RevocationReason's values (the models cannot be imported before Django is set up).
REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation",
           "privilegeWithdrawn"]


def _setup() -> None:
    from vanphong.cli import _setup_django

    _setup_django()


class _Refused(Exception):
    """Bad input found by the command itself: the message is already translated."""


@contextmanager
def _reported():
    """Turn the services' refusals into a message on stderr and exit status 1."""
    from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

    from vanphong.core.errors import NotFound

    try:
        yield
    except ValidationError as exc:
        raise _Refused("\n".join(exc.messages)) from None
    except (NotFound, PermissionDenied, ImproperlyConfigured) as exc:
        raise _Refused(str(exc)) from None


def _run(command):
    def wrapper(args) -> int:
        _setup()
        try:
            return command(args)
        except _Refused as exc:
            print(exc, file=sys.stderr)
            return 1

    wrapper.__doc__ = command.__doc__
    return wrapper


def _read(path: str, what: str) -> bytes:
    from django.utils.translation import gettext as _

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise _Refused(_("Cannot read the %(what)s %(path)s: %(error)s.") % {"what": what, "path": path, "error": exc.strerror}) from None


def _write(path: str, data: bytes, *, private: bool = False) -> None:
    from django.utils.translation import gettext as _

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise _Refused(_("Cannot write %(path)s: %(error)s.") % {"path": path, "error": exc.strerror}) from None


def _passphrase(path: str) -> str:
    from django.utils.translation import gettext as _

    try:
        text = _read(path, _("passphrase file")).decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(_("The passphrase file %(path)s is not UTF-8 text.") % {"path": path}) from None
    return text.rstrip("\r\n")  # the line end that editors and `echo` add is not part of it


def _date(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%d/%m/%Y")


def _deliver(args, issued, *, verb: str) -> None:
    """Write the PKCS#12 and the certificate where asked (the certificate to stdout otherwise)."""
    from django.utils.translation import gettext as _

    cert = issued.certificate
    if issued.pkcs12 is not None:
        _write(args.p12, issued.pkcs12, private=True)
    if args.out:
        _write(args.out, cert.certificate_pem.encode("ascii"))
    summary = _("%(verb)s certificate %(serial)s (%(profile)s) for %(name)s, valid until %(date)s.") % {
        "verb": verb, "serial": cert.serial, "profile": cert.profile, "name": cert.common_name, "date": _date(cert.not_after)}
    if args.out or issued.pkcs12 is not None:
        print(summary)
    else:
        sys.stdout.write(cert.certificate_pem)
        print(summary, file=sys.stderr)


@_run
def cmd_init(args) -> int:
    """Create the root CA, the issuing CA, their OCSP signers and the time-stamping certificate."""
    from django.utils.translation import gettext as _

    from vanphong.pki import hsm, keys, services

    with _reported():
        root, issuing = services.init_ca(None, name=args.name, algorithm=args.algorithm, force=args.force, hsm=_hsm_token(args))
    for ca in (root, issuing):
        print(_("%(name)s (%(slug)s), serial %(serial)s, valid until %(date)s") % {
            "name": ca.name, "slug": ca.slug, "serial": ca.serial, "date": _date(ca.not_after)})
        print(f"  {ca.certificate_url}\n  {ca.crl_url}")
    if root.key_backend == keys.PKCS11:
        token, _key_id = hsm.parse_reference(root.private_key)
        print(_("The keys were made in the HSM token “%(token)s” and cannot be extracted from it.") % {"token": token.label})
    return 0


def _hsm_token(args):
    """The token named by --hsm-module/--hsm-token (or VANPHONG_HSM_MODULE/VANPHONG_HSM_TOKEN), or None.
    Opening it here makes a wrong PIN or label fail before anything is written."""
    from django.utils.translation import gettext as _

    from vanphong.pki import hsm

    module = args.hsm_module or os.environ.get("VANPHONG_HSM_MODULE", "")
    label = args.hsm_token or os.environ.get("VANPHONG_HSM_TOKEN", "")
    if not (module or label or args.hsm_pin_file):
        return None
    if not (module and label):
        raise _Refused(_("An HSM needs both --hsm-module (the PKCS#11 library) and --hsm-token (the token label)."))
    token = hsm.Token(module_path=os.path.abspath(module), label=label,
                      pin_file=os.path.abspath(args.hsm_pin_file) if args.hsm_pin_file else "")
    with _reported():
        hsm.session(token)
    return token


@_run
def cmd_issue(args) -> int:
    """Issue a certificate from a CSR, or with a generated key delivered as PKCS#12."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from vanphong.org.models import Agency, Person
    from vanphong.pki import services

    if bool(args.csr) == bool(args.p12):
        raise _Refused(_("Give either --csr FILE or --p12 FILE with --passphrase-file FILE."))
    if args.p12 and not args.passphrase_file:
        raise _Refused(_("--p12 needs --passphrase-file: the passphrase that will protect the key."))
    person = agency = None
    if args.person:
        person = Person.objects.filter(username__iexact=args.person).select_related("agency").first()
        if person is None:
            raise _Refused(_("No person has the username %(username)s.") % {"username": args.person})
    if args.agency:
        agency = Agency.objects.filter(code=args.agency.strip().upper()).first()
        if agency is None:
            raise _Refused(_("No agency has the code %(code)s.") % {"code": args.agency})
    common = {"profile": args.profile, "subject": args.subject or "", "holder_person": person, "holder_agency": agency,
              "dns_names": args.dns, "ip_addresses": args.ip}
    # One transaction with the file writes: a certificate whose PKCS#12 could not be written is not issued.
    with _reported(), transaction.atomic():
        if args.csr:
            issued = services.Issued(services.issue_from_csr(None, csr_data=_read(args.csr, _("CSR file")), **common))
        else:
            issued = services.issue_with_generated_key(None, passphrase=_passphrase(args.passphrase_file), algorithm=args.algorithm or "",
                                                       **common)
        _deliver(args, issued, verb=_("Issued"))
    return 0


@_run
def cmd_issue_batch(args) -> int:
    """Issue one certificate for each CSR file of a folder, all or none. Each file is named after its holder: an official's
    username (nguyenvana.csr), an agency's code for a seal or a node's client certificate (000.00.00.H27.csr); a TLS
    server's names come from its CSR. The certificates are written to --out-dir under the same names, with chain.pem."""
    from pathlib import Path

    from django.db import transaction
    from django.utils.translation import gettext as _

    from vanphong.pki import batch, services

    folder, out = Path(args.csr_dir), Path(args.out_dir)
    if not folder.is_dir():
        raise _Refused(_("%(path)s is not a folder.") % {"path": folder})
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in batch.CSR_SUFFIXES)
    with _reported():
        services.check_batch_size(len(paths))  # before any file is read, as the page does
    files = [batch.CsrFile(p.name, _read(str(p), _("CSR file"))) for p in paths]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Refused(_("Cannot write %(path)s: %(error)s.") % {"path": out, "error": exc.strerror}) from None
    # One transaction with the file writes: certificates that could not all be written are not issued.
    with _reported(), transaction.atomic():
        requests = batch.requests_from_files(None, args.profile, files)
        issued = services.issue_batch_from_csrs(None, profile=args.profile, requests=requests)
        for name, pem in batch.answer_files(files, issued):
            _write(str(out / name), pem.encode("ascii"))
    print(_("Issued %(count)d certificates (%(profile)s) into %(folder)s, with the CA chain in chain.pem.")
          % {"count": len(issued), "profile": args.profile, "folder": out})
    return 0


@_run
def cmd_renew(args) -> int:
    """Renew a certificate: same subject and profile, new validity."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from vanphong.pki import selectors, services

    if args.p12 and not args.passphrase_file:
        raise _Refused(_("--p12 needs --passphrase-file: the passphrase that will protect the key."))
    if args.csr and args.p12:
        raise _Refused(_("Give --csr FILE or --p12 FILE, not both."))
    with _reported(), transaction.atomic():
        old = selectors.certificate_by_serial(None, args.serial)
        issued = services.renew(None, old, csr_data=_read(args.csr, _("CSR file")) if args.csr else None,
                                passphrase=_passphrase(args.passphrase_file) if args.p12 else None)
        _deliver(args, issued, verb=_("Renewed"))
    return 0


@_run
def cmd_revoke(args) -> int:
    """Revoke a certificate; a new CRL is published at once."""
    from django.utils.translation import gettext as _

    from vanphong.pki import selectors, services

    with _reported():
        cert = services.revoke(None, selectors.certificate_by_serial(None, args.serial), reason=args.reason)
    print(_("Revoked certificate %(serial)s (%(name)s): %(reason)s. A new CRL is published.") % {
        "serial": cert.serial, "name": cert.common_name, "reason": cert.get_revocation_reason_display()})
    return 0


@_run
def cmd_crl(args) -> int:
    """Print or write the current CRL of a CA (the issuing CA by default)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from django.utils.translation import gettext as _

    from vanphong.pki import selectors, services

    with _reported():
        ca = selectors.published_ca(args.ca) if args.ca else selectors.active_issuing_ca()
        if ca is None:
            raise _Refused(_("There is no certificate authority yet: initialise it first (vanphong ca init)."))
        der = services.current_crl(ca)
    if args.out:
        pem = args.out.lower().endswith(".pem")
        data = x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM) if pem else der
        _write(args.out, data)
        print(_("Wrote the CRL of %(name)s to %(path)s.") % {"name": ca.name, "path": args.out})
    else:
        sys.stdout.write(x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM).decode("ascii"))
    return 0


@_run
def cmd_list(args) -> int:
    """List the CAs and the certificates they issued."""
    from django.utils.translation import gettext as _

    from vanphong.pki import selectors

    with _reported():
        cas = list(selectors.certificate_authorities(None))
        certs = list(selectors.certificates(None, status=args.status or "", profile=args.profile or ""))
    if not cas:
        print(_("There is no certificate authority yet: initialise it first (vanphong ca init)."))
        return 0
    for ca in cas:
        state = _("issuing") if ca.is_active else _("retired")
        print(f"{ca.slug:<28} {ca.get_kind_display():<12} {state:<10} {_date(ca.not_after)}  {ca.name}")
    print()
    for cert in certs:
        print(f"{cert.serial:<40} {cert.profile:<13} {cert.get_status_display():<10} {_date(cert.not_after)}  {cert.common_name}")
    print(_("%(count)d certificates.") % {"count": len(certs)})
    return 0


def add_commands(sub) -> None:
    """Add `ca` and its sub-commands to the `vanphong` parser."""
    p = sub.add_parser("ca", help="the certificate authority: set up, issue, renew, revoke, CRL",
                       description="The certificate authority: set up, issue, renew, revoke, publish the CRL.")
    ca_sub = p.add_subparsers(dest="ca_command", required=True, metavar="SUBCOMMAND")

    q = ca_sub.add_parser("init", help="create the root and issuing CAs", description=cmd_init.__doc__)
    q.add_argument("--algorithm", choices=["rsa3072", "p256"], default="p256", help="key algorithm of the CAs (default: %(default)s)")
    q.add_argument("--name", default="VănPhòng", help="name of the authority, in its certificates (default: %(default)s)")
    q.add_argument("--force", action="store_true",
                   help="replace an existing CA: the old one stops issuing but keeps publishing the status of its certificates")
    q.add_argument("--hsm-module", metavar="PATH", help="make the CA keys in an HSM: its PKCS#11 library, e.g. "
                                                       "/usr/lib/softhsm/libsofthsm2.so (or VANPHONG_HSM_MODULE)")
    q.add_argument("--hsm-token", metavar="LABEL", help="label of the HSM token (or VANPHONG_HSM_TOKEN)")
    q.add_argument("--hsm-pin-file", metavar="FILE", help="file whose first line is the token's user PIN; it is read at each use "
                                                         "and never stored (default: the VANPHONG_HSM_PIN variable)")
    q.set_defaults(func=cmd_init)

    def key_options(q, *, required_hint: str):
        q.add_argument("--csr", metavar="FILE", help=f"certify the key of this CSR (PEM or DER){required_hint}")
        q.add_argument("--p12", metavar="OUT", help="generate the key and write it, with the certificate and chain, to this PKCS#12 file")
        q.add_argument("--passphrase-file", metavar="FILE", help="file whose first line is the passphrase that protects the PKCS#12")
        q.add_argument("--out", metavar="CERT.pem", help="write the certificate here (PEM) instead of to standard output")

    q = ca_sub.add_parser("issue", help="issue a certificate", description=cmd_issue.__doc__)
    q.add_argument("--profile", required=True, choices=PROFILE_CODES, help="kind of certificate")
    q.add_argument("--subject", metavar="NAME", help="the name it is issued to (its common name); "
                                                    "default: the person's full name, the agency's name or the CSR's")
    key_options(q, required_hint="; or give --p12")
    holder = q.add_mutually_exclusive_group()
    holder.add_argument("--agency", metavar="CODE", help="the agency it belongs to (required for agency-seal)")
    holder.add_argument("--person", metavar="USERNAME", help="the official it belongs to (required for official)")
    q.add_argument("--dns", action="append", default=[], metavar="NAME", help="DNS name for a TLS certificate (repeatable)")
    q.add_argument("--ip", action="append", default=[], metavar="ADDRESS", help="IP address for a TLS certificate (repeatable)")
    q.add_argument("--algorithm", choices=["rsa3072", "p256"], help="key algorithm with --p12 (default: the CA's)")
    q.set_defaults(func=cmd_issue)

    q = ca_sub.add_parser("issue-batch", help="issue a certificate for each CSR file of a folder", description=cmd_issue_batch.__doc__)
    q.add_argument("--profile", required=True, choices=PROFILE_CODES, help="kind of certificate, the same for every file")
    q.add_argument("--csr-dir", required=True, metavar="FOLDER", help="the CSR files (.csr, .req, .pem or .der), one per holder")
    q.add_argument("--out-dir", required=True, metavar="FOLDER", help="where the certificates are written (made if missing)")
    q.set_defaults(func=cmd_issue_batch)

    q = ca_sub.add_parser("renew", help="renew a certificate", description=cmd_renew.__doc__ + (
        " The key is the CSR's with --csr, a new one with --p12, else the same key certified again."))
    q.add_argument("serial", metavar="SERIAL", help="serial number (hexadecimal, as `openssl x509 -serial` prints it)")
    key_options(q, required_hint="")
    q.set_defaults(func=cmd_renew)

    q = ca_sub.add_parser("revoke", help="revoke a certificate", description=cmd_revoke.__doc__)
    q.add_argument("serial", metavar="SERIAL", help="serial number (hexadecimal, as `openssl x509 -serial` prints it)")
    q.add_argument("--reason", required=True, choices=REASONS, help="RFC 5280 reason")
    q.set_defaults(func=cmd_revoke)

    q = ca_sub.add_parser("crl", help="print or write the current CRL", description=cmd_crl.__doc__)
    q.add_argument("--out", metavar="FILE", help="write it here: DER, or PEM if the name ends in .pem (default: PEM to standard output)")
    q.add_argument("--ca", metavar="SLUG", help="the CA's short name, as in its CRL URL (default: the issuing CA)")
    q.set_defaults(func=cmd_crl)

    q = ca_sub.add_parser("list", help="list the CAs and certificates", description=cmd_list.__doc__)
    q.add_argument("--status", choices=["valid", "revoked"], help="only certificates with this status")
    q.add_argument("--profile", choices=PROFILE_CODES, help="only certificates of this profile")
    q.set_defaults(func=cmd_list)

