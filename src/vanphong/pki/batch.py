"""A batch of CSR files, as an operator hands it over (the page's upload, `vanphong ca issue-batch`):
each file is named after its holder, and the certificates come back under the same names.

  official               nguyenvana.csr    the person with the username nguyenvana
  agency-seal, tls-client 000.00.00.H27.csr the agency with that code
  tls-server             any name          the names come from the CSR itself

The services do the issuing (pki.services.issue_batch_from_csrs); this module only reads the files
and writes the answer."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from vanphong.core.errors import ValidationError
from vanphong.pki import csr, profiles, selectors
from vanphong.pki.csr import MAX_CSR_BYTES
from vanphong.pki.models import Certificate
from vanphong.pki.services import CsrRequest, check_batch_size, refusal

CSR_SUFFIXES = (".csr", ".req", ".pem", ".der")


@dataclass(frozen=True)
class CsrFile:
    name: str  # the file's own name, without folders
    data: bytes

    @property
    def stem(self) -> str:
        return PurePath(self.name).stem


def requests_from_files(reader, profile_code: str, files: list[CsrFile]) -> list[CsrRequest]:
    """One request per file, its holder found by the file's name. Every file that cannot be used is
    named in one ValidationError, so the operator corrects them all at once."""
    profile = profiles.get(profile_code)
    if not files:
        raise ValidationError(_("Choose the CSR files to certify."))
    check_batch_size(len(files))
    # A seal names its agency; a node's client certificate may (an unknown code leaves it unnamed).
    by_agency_code = profile.holder == profiles.AGENCY or profile.code == "tls-client"
    people, agencies = {}, {}
    if profile.holder == profiles.PERSON:
        wanted = {f.stem.lower() for f in files}
        people = {p.username.lower(): p for p in selectors.holders(reader).annotate(username_lower=Lower("username"))
                  .filter(username_lower__in=wanted)}
    elif by_agency_code:
        wanted = {f.stem.upper() for f in files}
        agencies = {a.code.upper(): a for a in selectors.seal_agencies(reader).filter(code__in=wanted)}
    requests, problems, seen = [], {}, set()
    for n, f in enumerate(files):
        problem = ""
        if not f.name.lower().endswith(CSR_SUFFIXES):
            problem = _("not a CSR file (.csr, .req, .pem or .der).")
        elif len(f.data) > MAX_CSR_BYTES:
            problem = _("too large for a CSR (%(size)d KB at most).") % {"size": MAX_CSR_BYTES // 1024}
        elif f.stem.lower() in seen:
            problem = _("another file has the same name.")
        seen.add(f.stem.lower())
        person = agency = None
        if not problem and profile.holder == profiles.PERSON:
            person = people.get(f.stem.lower())
            if person is None:
                problem = _("no active person of the agencies hosted here has the username “%(username)s”.") % {"username": f.stem}
        elif not problem and by_agency_code:
            agency = agencies.get(f.stem.upper())
            if agency is None and profile.holder == profiles.AGENCY:
                problem = _("no agency hosted here has the code “%(code)s”.") % {"code": f.stem}
        if problem:
            problems[n] = [f"{f.name}: {problem}"]
        else:
            requests.append((n, CsrRequest(f.data, holder_person=person, holder_agency=agency, label=f.name)))
    if problems:
        # The batch is refused anyway: its other files' CSRs are read now, so that one answer names every bad file.
        for n, request in requests:
            try:
                csr.check_public_key(csr.load(request.csr_data).public_key())
            except ValidationError as exc:
                problems[n] = [f"{request.label}: {message}" for message in exc.messages]
        raise refusal([message for n in sorted(problems) for message in problems[n]])
    return [request for _n, request in requests]


def answer_files(files: list[CsrFile], certificates: list[Certificate]) -> list[tuple[str, str]]:
    """(file name, PEM) of each certificate, under its CSR file's name with .pem (.crt when the CSR
    was a .pem itself), then the CA chain as chain.pem."""
    answer = [(f"{f.stem}{'.crt' if f.name.lower().endswith('.pem') else '.pem'}", cert.certificate_pem)
              for f, cert in zip(files, certificates, strict=True)]
    if certificates:
        answer.append(("chain.pem", "".join(ca.certificate_pem for ca in certificates[0].issuers())))
    return answer


def certificates_zip(files: list[CsrFile], certificates: list[Certificate]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, pem in answer_files(files, certificates):
            archive.writestr(name, pem)
    return buffer.getvalue()
