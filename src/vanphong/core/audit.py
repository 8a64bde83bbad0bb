"""The audit log: an append-only hash chain of every change of state and every security event.

record() appends a link inside the caller's transaction, so a change and its record commit or
roll back together. verify() walks the chain and names the first record that is not what was
written: edited (its hash no longer matches), deleted (a gap in the sequence, or fewer records
than the head names) or reordered (ids out of sequence order).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vanphong.core.models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def _digest(rec: AuditRecord) -> str:
    return hashlib.sha256(_canonical(rec).encode("utf-8")).hexdigest()


def _canonical(rec: AuditRecord) -> str:
    """The text a record's hash is taken of: its fields and the previous hash, as sorted, compact JSON."""
    body = {
        "seq": rec.seq,
        "created_at": rec.created_at.isoformat(timespec="microseconds"),
        "action": rec.action,
        "actor": rec.actor_id,
        "actor_label": rec.actor_label,
        "agency": rec.agency_id,
        "target_type": rec.target_type,
        "target_id": rec.target_id,
        "ip": rec.ip_address,
        "data": rec.data,
        "prev": rec.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def client_ip(request) -> str:
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def _locked_head() -> tuple[int, str]:
    """(seq, hash) of the chain head, locked for this transaction. Plain SQL: this runs on every
    change of state. The row is created on first use (a migration normally creates it; an
    emptied database does not have it), without racing a concurrent creator."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM core_auditchainhead WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        _create_head()
        return _locked_head()
    return row


def _create_head() -> None:
    AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)


def _advance_head(seq: int, digest: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [seq, digest])


@dataclass(frozen=True)
class Entry:
    """What one record says; record_many() appends several in one go."""

    action: str
    actor: Any = None
    agency: Any = None
    target: Any = None
    data: dict[str, Any] | None = None
    request: Any = None


def record(
    action: str,
    *,
    actor=None,
    agency=None,
    target=None,
    data: dict[str, Any] | None = None,
    request=None,
) -> AuditRecord:
    """Append one record. `target` is a model instance (or None); `data` must be JSON-serialisable."""
    return record_many([Entry(action, actor=actor, agency=agency, target=target, data=data, request=request)])[0]


def record_many(entries: list[Entry]) -> list[AuditRecord]:
    """Append the records in order, under one lock of the chain head and with one insert: a batch of
    work (a thousand certificates issued at once) does not pay a round trip per link."""
    if not entries:
        return []
    if len(entries) == 1 and connection.vendor == "postgresql":
        return [_append_in_one_statement(_unlinked(entries[0], timezone.now()))]
    # No savepoint inside a caller's transaction: an audit failure must undo the caller's change anyway, and a
    # savepoint costs two round trips on every change of state.
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _locked_head()
        now = timezone.now()
        records = []
        for entry in entries:
            rec = _unlinked(entry, now)
            seq += 1
            rec.seq, rec.prev_hash = seq, prev_hash
            rec.hash = prev_hash = _digest(rec)
            records.append(rec)
        AuditRecord.objects.bulk_create(records, batch_size=500)
        _advance_head(seq, prev_hash)
    return records


def _unlinked(entry: Entry, now) -> AuditRecord:
    """The record of `entry`, not yet placed in the chain (no seq, previous hash or hash)."""
    actor = entry.actor
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser
    agency = entry.agency
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    target = entry.target
    return AuditRecord(
        created_at=now,
        action=entry.action,
        actor=actor,
        actor_label=(getattr(actor, "username", "") if actor else "")[:200],
        agency=agency,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(entry.request),
        data=json.loads(json.dumps(entry.data or {}, default=str)),
    )


# The chain's link as its canonical text has it: the previous hash, then the record's own sequence number.
_LINK = '"prev":"","seq":0'


def _append_in_one_statement(rec: AuditRecord) -> AuditRecord:
    """Lock the head, insert the record with its place and its hash, advance the head: one statement on PostgreSQL,
    whose sha256() hashes the canonical text around the previous hash and the sequence number, which only the locked
    head knows. Outside a transaction it is its own; inside one, it holds the head until the caller commits, as the
    general path does. Every change of state pays this, and on a server that went idle while the change was computed
    each round trip costs more than the insert."""
    rec.seq, rec.prev_hash = 0, ""
    canonical = _canonical(rec)
    # The record's own link is the last occurrence: the keys after it (target_id, target_type) are plain strings,
    # whose quotes JSON escapes; `data`, before it, may hold anything.
    cut = canonical.rindex(_LINK)
    before, after = canonical[:cut] + '"prev":"', canonical[cut + len(_LINK):]
    fields = [f for f in AuditRecord._meta.concrete_fields if f.attname not in ("id", "seq", "prev_hash", "hash")]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(rec, f.attname), connection) for f in fields]
    sql = (
        "WITH head AS (SELECT seq + 1 AS seq, hash AS prev FROM core_auditchainhead WHERE id = 1 FOR UPDATE), "
        f"inserted AS (INSERT INTO core_auditrecord ({columns}, seq, prev_hash, hash) "
        f"SELECT {', '.join(['%s'] * len(fields))}, head.seq, head.prev, "
        """encode(sha256(convert_to(%s || head.prev || '","seq":' || head.seq::text || %s, 'UTF8')), 'hex') FROM head """
        "RETURNING id, seq, prev_hash, hash) "
        "UPDATE core_auditchainhead SET seq = inserted.seq, hash = inserted.hash FROM inserted WHERE core_auditchainhead.id = 1 "
        "RETURNING inserted.id, inserted.seq, inserted.prev_hash, inserted.hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, before, after])
        row = cursor.fetchone()
    if row is None:  # no head yet (an emptied database): made as _locked_head makes it, then asked again
        _create_head()
        return _append_in_one_statement(rec)
    rec.pk, rec.seq, rec.prev_hash, rec.hash = row
    rec._state.adding = False
    return rec


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    bad_seq: int | None = None
    bad_id: int | None = None


def verify() -> VerifyResult:
    expected_seq, prev_hash, prev_id, checked = 1, GENESIS, 0, 0
    rows = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    for rec in rows:
        if rec.seq != expected_seq:
            return VerifyResult(False, checked, f"record #{expected_seq} is missing (deleted): next present is #{rec.seq}", expected_seq, rec.pk)
        if rec.pk <= prev_id:
            return VerifyResult(False, checked, f"record #{rec.seq} (id {rec.pk}) is out of order (reordered)", rec.seq, rec.pk)
        if _digest(rec) != rec.hash:
            return VerifyResult(
                False, checked, f"record #{rec.seq} (id {rec.pk}) was changed after it was written (edited or reordered)", rec.seq, rec.pk
            )
        if rec.prev_hash != prev_hash:
            # Its own hash holds, so the record before it was rewritten together with its hash.
            if prev_id == 0:
                return VerifyResult(False, checked, f"record #{rec.seq} (id {rec.pk}) does not start the chain (edited)", rec.seq, rec.pk)
            return VerifyResult(
                False, checked,
                f"record #{rec.seq - 1} (id {prev_id}) was changed after it was written (edited): record #{rec.seq} no longer links to it",
                rec.seq - 1, prev_id,
            )
        prev_hash, prev_id, expected_seq, checked = rec.hash, rec.pk, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(seq=0, hash=GENESIS)
    if head.seq != checked or head.hash != prev_hash:
        return VerifyResult(
            False, checked, f"the chain ends at #{checked} but its head names #{head.seq}: the last records were deleted", checked + 1, None
        )
    return VerifyResult(True, checked)
