"""The audit chain: appends link up, and verify() names the first record that was tampered with."""

import pytest
from django.db import connection

from vanphong.core import audit
from vanphong.core.models import AuditRecord


def _append(n, agency=None):
    return [audit.record("test.event", agency=agency, data={"i": i, "text": "Quyết định số 0{}".format(i)}) for i in range(n)]


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_intact_chain_verifies():
    recs = _append(5)
    assert [r.seq for r in recs] == [1, 2, 3, 4, 5]
    assert recs[1].prev_hash == recs[0].hash
    result = audit.verify()
    assert result.ok and result.checked == 5


@pytest.mark.django_db
def test_every_kind_of_record_hashes_as_verify_recomputes_it(agency_a, admin_a):
    """On PostgreSQL one record is linked by the database itself (its sha256 of the canonical text): each hash must
    be the one verify() computes, whatever the record holds, even a `data` that mimics the chain's own link."""
    tricky = {"prev": "", "seq": 0, "nested": {"prev": "", "seq": 0}, "quote": 'a"b', "text": "Tỉnh ủy Bắc Ninh — “ý kiến”"}
    recs = [
        audit.record("test.plain"),
        audit.record("test.full", actor=admin_a, target=agency_a, data=tricky),
        *audit.record_many([audit.Entry("test.many", data={"n": n}) for n in range(3)]),
        audit.record("test.after_many", agency=agency_a, data={"prev": "", "seq": 0}),
    ]
    assert [r.seq for r in recs] == list(range(1, 7))
    assert all(r.pk for r in recs) and [r.pk for r in recs] == sorted(r.pk for r in recs)
    stored = {r.pk: r for r in AuditRecord.objects.all()}
    for rec in recs:
        assert stored[rec.pk].hash == rec.hash == audit._digest(stored[rec.pk])
        assert stored[rec.pk].prev_hash == rec.prev_hash
    assert stored[recs[1].pk].data == tricky and stored[recs[1].pk].actor_id == admin_a.pk
    assert audit.verify().ok


@pytest.mark.django_db
def test_empty_chain_verifies():
    assert audit.verify().ok


@pytest.mark.django_db
def test_edited_row_is_named():
    recs = _append(5)
    _sql("UPDATE core_auditrecord SET action = %s WHERE id = %s", ["test.forged", recs[2].pk])
    result = audit.verify()
    assert not result.ok
    assert result.bad_seq == 3 and result.bad_id == recs[2].pk
    assert "edited" in result.problem


@pytest.mark.django_db
def test_edited_json_detail_is_named():
    recs = _append(4)
    _sql("UPDATE core_auditrecord SET data = %s WHERE id = %s", ['{"i": 99}', recs[1].pk])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2


@pytest.mark.django_db
def test_edit_with_recomputed_hash_is_caught_by_the_next_link():
    recs = _append(4)
    forged = AuditRecord.objects.get(pk=recs[1].pk)
    forged.action = "test.forged"
    new_hash = audit._digest(forged)
    _sql("UPDATE core_auditrecord SET action = %s, hash = %s WHERE id = %s", ["test.forged", new_hash, recs[1].pk])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2 and result.bad_id == recs[1].pk


@pytest.mark.django_db
def test_deleted_row_is_named():
    recs = _append(5)
    _sql("DELETE FROM core_auditrecord WHERE id = %s", [recs[2].pk])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 3 and "deleted" in result.problem


@pytest.mark.django_db
def test_deleted_last_rows_are_noticed():
    recs = _append(5)
    _sql("DELETE FROM core_auditrecord WHERE id >= %s", [recs[3].pk])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 4 and "deleted" in result.problem


@pytest.mark.django_db
def test_reordered_rows_are_named():
    recs = _append(5)
    # Swap the sequence numbers of two records, as someone reordering history would.
    _sql("UPDATE core_auditrecord SET seq = -1 WHERE id = %s", [recs[1].pk])
    _sql("UPDATE core_auditrecord SET seq = 2 WHERE id = %s", [recs[2].pk])
    _sql("UPDATE core_auditrecord SET seq = 3 WHERE id = %s", [recs[1].pk])
    result = audit.verify()
    assert not result.ok and result.bad_seq == 2


@pytest.mark.django_db
def test_records_refuse_orm_edits_and_deletes():
    rec = _append(1)[0]
    rec.action = "x"
    with pytest.raises(RuntimeError):
        rec.save()
    with pytest.raises(RuntimeError):
        rec.delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    import threading

    errors = []

    def append():
        try:
            for i in range(25):
                audit.record("test.concurrent", data={"i": i})
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(AuditRecord.objects.values_list("seq", flat=True)) == list(range(1, 101))
    result = audit.verify()
    assert result.ok and result.checked == 100
