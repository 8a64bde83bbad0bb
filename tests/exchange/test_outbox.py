"""Delivery of the outbox: at least once and never lost. Two workers claiming at the same moment
deliver each package once (PostgreSQL: a claim is an UPDATE conditioned on the row still being
due); a worker that dies between claim and send leaves the package due again when its lease ends;
one that dies after sending, before marking, sends the very same bytes again, and the receiver
keeps one. Failures are retried with exponential back-off and jitter, or stop with the reason."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.exchange.helpers import issued_document
from tests.factories import make_agency
from vanphong.exchange import cycle, inbox, outbox
from vanphong.exchange import transport as transports
from vanphong.exchange.models import ExchangeEndpoint, InboundPackage, LocalMailbox, OutboundMessage


class Recording:
    """A transport that keeps what it was given, and can fail or wait on demand."""

    name = "hub"
    sent: list = []
    fail: transports.TransportError | None = None
    pause = 0.0

    def send(self, data, *, sender_code, recipient_code, message_type, doc_id):
        if Recording.pause:
            threading.Event().wait(Recording.pause)
        if Recording.fail is not None:
            raise Recording.fail
        Recording.sent.append((recipient_code, doc_id, data))
        return f"rec-{len(Recording.sent)}"

    def fetch(self, *, agency_code, limit=100):
        return []

    def acknowledge(self, *, agency_code, ids):
        pass


@pytest.fixture
def recording(monkeypatch):
    monkeypatch.setattr(transports, "_FACTORIES", {**transports._FACTORIES, "hub": Recording})
    Recording.sent, Recording.fail, Recording.pause = [], None, 0.0
    yield Recording


def far_agencies(n):
    """Agencies of another instance, reached through the (recording) hub."""
    agencies = [make_agency(f"000.00.00.K{i:02d}", f"Cơ quan xa {i}", f"Xa {i}", hosted=False) for i in range(n)]
    ExchangeEndpoint.objects.bulk_create([ExchangeEndpoint(agency=a, transport="hub", url="https://hub.example") for a in agencies])
    return agencies


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling(settings):
    settings.VANPHONG_EXCHANGE_RETRY_BASE_SECONDS = 30
    settings.VANPHONG_EXCHANGE_RETRY_MAX_SECONDS = 3600
    rng = random.Random(7)
    for attempts, full in ((1, 30), (2, 60), (3, 120), (5, 480), (12, 3600), (60, 3600)):
        delays = {outbox.backoff(attempts, rng=rng).total_seconds() for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays) and len(delays) > 40, attempts


@pytest.mark.django_db
def test_a_retryable_failure_waits_and_a_final_one_stops_with_its_reason(clerk_a, seals, recording):
    [far] = far_agencies(1)
    document = issued_document(clerk_a, [far])
    recording.fail = transports.TransportError("The hub did not answer.", retryable=True)
    assert outbox.deliver_all().failed == 1
    package = OutboundMessage.objects.get(document=document)
    assert package.state == "pending" and package.last_error == "The hub did not answer." and package.attempts == 1
    assert package.next_attempt_at >= timezone.now() + dt.timedelta(seconds=14)
    assert outbox.deliver_all().failed == 0  # not due yet
    recording.fail = transports.TransportError("The hub does not know this agency.", retryable=False)
    assert outbox.deliver_due(now=package.next_attempt_at + dt.timedelta(seconds=1)).failed == 1
    package.refresh_from_db()
    assert package.state == "failed" and package.last_error == "The hub does not know this agency." and package.attempts == 2
    recording.fail = None
    first_bytes = package.payload_sha256
    assert first_bytes  # kept from the first attempt: a retry sends the same package


@pytest.mark.django_db
def test_a_worker_that_dies_after_claiming_loses_nothing(clerk_a, seals, recording):
    far = far_agencies(3)
    issued_document(clerk_a, far)
    token, claimed = outbox.claim_due()
    assert len(claimed) == 3 and not recording.sent  # ...and the worker dies here
    assert outbox.deliver_all().sent == 0  # leased: nobody else takes them meanwhile
    later = timezone.now() + outbox.lease() + dt.timedelta(seconds=1)
    assert outbox.deliver_due(now=later).sent == 3
    assert sorted(r for r, _d, _b in recording.sent) == [a.code for a in far]
    assert set(OutboundMessage.objects.values_list("state", "attempts")) == {("sent", 2)}


@pytest.mark.django_db
def test_a_worker_that_dies_after_sending_sends_the_same_bytes_and_the_receiver_keeps_one(clerk_a, agency_b, seals, monkeypatch):
    issued_document(clerk_a, [agency_b])
    real_sent = outbox._sent
    monkeypatch.setattr(outbox, "_sent", lambda *a, **k: None)  # dies before marking it sent
    token, batch = outbox.claim_due()
    outbox.deliver(batch[0], token)
    monkeypatch.setattr(outbox, "_sent", real_sent)
    later = timezone.now() + outbox.lease() + dt.timedelta(seconds=1)
    assert outbox.deliver_due(now=later).sent == 1
    copies = list(LocalMailbox.objects.values_list("data", flat=True))
    assert len(copies) == 2 and bytes(copies[0]) == bytes(copies[1])
    outcome = inbox.receive_all()
    assert (outcome["accepted"], outcome["duplicate"]) == (1, 1)
    assert InboundPackage.objects.count() == 1
    cycle.run_once()
    assert OutboundMessage.objects.filter(kind="status", status_code="01").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer and no row locks: PostgreSQL decides this")
@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_batch_deliver_each_package_once(clerk_a, seals, recording):
    far = far_agencies(12)
    issued_document(clerk_a, far)
    recording.pause = 0.05
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(outbox.deliver_all(limit=12))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(o.sent for o in outcomes) == 12
    assert sorted(r for r, _d, _b in recording.sent) == sorted(a.code for a in far)  # each once
    assert set(OutboundMessage.objects.values_list("state", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_vanphong_check_reports_packages_that_keep_failing(clerk_a, seals, recording):
    from vanphong.exchange.health import check_exchange

    [far] = far_agencies(1)
    issued_document(clerk_a, [far])
    assert check_exchange().ok and "1 package(s) waiting" in check_exchange().detail
    recording.fail = transports.TransportError("The hub refused the agency.", retryable=False)
    outbox.deliver_all()
    check = check_exchange()
    assert not check.ok and "1 given up" in check.detail and "The hub refused the agency." in check.detail


@pytest.mark.django_db
def test_a_starting_worker_schedules_the_exchange_round():
    from django_tasks_db.models import DBTaskResult

    from vanphong.core.worker import worker_started
    from vanphong.exchange import tasks

    worker_started.send(sender=None)
    worker_started.send(sender=None)  # a second worker: still one waiting
    assert DBTaskResult.objects.filter(task_path=tasks.exchange_round.module_path, status="READY").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer and no row locks: PostgreSQL decides this")
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_in_the_same_package_keep_it_once(agency_a, agency_b, seals):
    from tests.exchange.test_inbox import package_bytes, signed_by

    data = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a))
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(inbox.receive(data, agency=agency_a, transport_name="local").outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["accepted", "duplicate"]
    assert InboundPackage.objects.count() == 1 and OutboundMessage.objects.filter(status_code="01").count() == 1


@pytest.mark.django_db
def test_a_clerk_sends_again_a_package_the_exchange_gave_up_on(client, clerk_a, agency_a, seals, recording):
    from tests.conftest import signed_in
    from tests.factories import make_person
    from vanphong.core.errors import PermissionDenied, ValidationError
    from vanphong.exchange import services

    [far] = far_agencies(1)
    document = issued_document(clerk_a, [far])
    recording.fail = transports.TransportError("The hub does not know this agency.", retryable=False)
    outbox.deliver_all()
    package = OutboundMessage.objects.get(document=document)
    assert package.state == "failed"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = signed_in(client, clerk_a).get(f"/documents/{document.pk}/").content.decode()
    assert "The hub does not know this agency." in page and "Send again" in page
    specialist = make_person(agency_a, "chuyenvien.gui", "Chuyên Viên", roles=["specialist"])
    with pytest.raises(PermissionDenied):
        services.resend(specialist, package)
    recording.fail = None
    response = client.post(f"/exchange/sent/{package.pk}/resend/")
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/#exchange"
    package.refresh_from_db()
    assert (package.state, package.attempts) == ("pending", 0)
    with pytest.raises(ValidationError, match="Only a package that could not be sent"):
        services.resend(clerk_a, package)
    assert outbox.deliver_all().sent == 1 and len(recording.sent) == 1


@pytest.mark.django_db
def test_an_attachment_too_large_for_edxml_stops_with_the_reason(clerk_a, agency_b, seals, settings):
    settings.VANPHONG_EDXML_MAX_ATTACHMENT_BYTES = 100
    document = issued_document(clerk_a, [agency_b])
    outbox.deliver_all()
    package = OutboundMessage.objects.get(document=document)
    assert package.state == "failed" and "Quyết định.pdf: larger than the 100" in package.last_error
    assert not LocalMailbox.objects.exists()
