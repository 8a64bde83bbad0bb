"""Reads for signing: which held certificate signs for whom, and which roots are trusted."""

from __future__ import annotations

import threading
from functools import lru_cache

from cryptography import x509
from django.db import connection
from django.db.models import F, Value
from django.utils import timezone

from vanphong.core.errors import NotFound
from vanphong.pki.models import Certificate, CertificateAuthority
from vanphong.pki.selectors import loaded_ca
from vanphong.signing.models import TrustedRoot, XmlSignaturePolicy
from vanphong.signing.permissions import require_trust_manager

# The rows of held certificates, kept per process under (id, serial): what a signature reads from them (the
# certificate, the key, the holder's id) never changes once issued, and the serial, random, tells a row from another
# that took the same id after a rollback. Whether one still signs is asked of the database every time (_HELD_SQL).
_held_rows: dict[tuple[int, str], Certificate] = {}
_held_rows_lock = threading.Lock()
MAX_KEPT_ROWS = 4096
_HELD_SQL = (f"SELECT id, serial FROM {Certificate._meta.db_table} WHERE {{holder}} = %s AND profile = %s AND status = %s "
             "AND not_after > %s AND private_key <> '' ORDER BY not_after DESC LIMIT 1")


def _held(profile: str, holder_column: str, holder_id: int) -> Certificate | None:
    """The newest certificate of `profile` that is valid now and whose key the system holds for the holder. Plain SQL:
    compiling the ORM's query and building the rows cost six times the query, on every signature."""
    with connection.cursor() as cursor:
        cursor.execute(_HELD_SQL.format(holder=holder_column), [holder_id, profile, Certificate.Status.VALID, timezone.now()])
        found = cursor.fetchone()
    if found is None:
        return None
    key = (found[0], found[1])
    row = _held_rows.get(key)
    if row is None:
        row = Certificate.objects.annotate(ca_serial=F("ca__serial")).select_related("holder_agency").get(pk=found[0])
        row.ca = loaded_ca(row.ca_id, row.ca_serial)  # kept in the process: joined here, it cost more than the query
        with _held_rows_lock:
            if len(_held_rows) >= MAX_KEPT_ROWS:
                _held_rows.clear()
            row = _held_rows.setdefault(key, row)
    return row


def held_official_certificate(person) -> Certificate | None:
    """The newest valid official certificate whose key the system holds for `person`."""
    return _held("official", "holder_person_id", person.pk)


def held_seal_certificate(agency) -> Certificate | None:
    return _held("agency-seal", "holder_agency_id", agency.pk)


@lru_cache(maxsize=256)
def parsed(pem: str) -> x509.Certificate:
    """Certificates are parsed once per process: every signature and verification needs the roots."""
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def trust_anchors() -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """(every trusted root, our issuing CAs), in one query: each signature made or checked needs both.
    The roots are ours (retired ones too, for what they signed) and those an administrator added."""
    Kind = CertificateAuthority.Kind
    ours = CertificateAuthority.objects.filter(kind__in=(Kind.ROOT, Kind.ISSUING)).values_list("kind", "certificate_pem").order_by()
    added = TrustedRoot.objects.annotate(kind=Value(Kind.ROOT)).values_list("kind", "certificate_pem").order_by()
    rows = ours.union(added, all=True)
    return [parsed(pem) for kind, pem in rows if kind == Kind.ROOT], [parsed(pem) for kind, pem in rows if kind == Kind.ISSUING]


def trusted_root_certificates() -> list[x509.Certificate]:
    return trust_anchors()[0]


def trusted_roots(reader):
    """The roots an administrator added, for the page where they are managed."""
    require_trust_manager(reader)
    return TrustedRoot.objects.select_related("added_by").order_by("name", "pk")


def trusted_root(reader, pk) -> TrustedRoot:
    try:
        return trusted_roots(reader).get(pk=pk)
    except TrustedRoot.DoesNotExist:
        raise NotFound() from None


# ---- the document page's panels ---------------------------------------------------------------------


def signatures_on(document):
    """The signatures made on a document from its page. The caller read `document` through
    documents.selectors.document_detail, which decides who may see it."""
    from vanphong.signing.models import DocumentSignature

    return DocumentSignature.objects.filter(document=document).select_related("signed_by", "certificate", "source", "result")


def verifications_of(document) -> dict:
    """attachment id -> AttachmentVerification of the document's PDFs (same caveat as above)."""
    from vanphong.signing.models import AttachmentVerification

    return {v.attachment_id: v for v in AttachmentVerification.objects.filter(attachment__document=document)}


def xml_signature_policy(reader=None):
    """The administrator's XML signature policy, or the strict default when none was set. `reader`
    None is the system verifying a package; a person must be one who decides what is trusted."""
    if reader is not None:
        require_trust_manager(reader)
    return XmlSignaturePolicy.objects.order_by("pk").first() or XmlSignaturePolicy()
