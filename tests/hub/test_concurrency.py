"""Two requests at once (threads, each with its own database connection; meaningful on PostgreSQL, where the
transactions really overlap): the same package sent twice is kept once, and a package fetched and
acknowledged by two fetchers of the same node is acknowledged once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from vanphong.hub import services
from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import Package

pytestmark = pytest.mark.django_db(transaction=True)


def together(*calls):
    """Run the calls at the same moment, each in a thread with its own connection; their results or errors."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_the_same_package_sent_twice_at_once_is_kept_once(member_a, member_b):
    sender = NodeIdentity(member_a, "a1")

    def send():
        return services.accept_package(sender, message_type="edoc", doc_id="x", recipient_code=member_b.agency.code, data=b"<edXML/>")

    for _round in range(5):
        Package.objects.all().delete()
        results = together(send, send, send)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({package.pk for package, _created in results}) == 1
        assert sorted(created for _package, created in results) == [False, False, True]
        assert Package.objects.count() == 1


def test_two_fetchers_acknowledge_a_package_once(member_a, member_b):
    package, _ = services.accept_package(NodeIdentity(member_a, "a1"), message_type="edoc", doc_id="x",
                                         recipient_code=member_b.agency.code, data=b"<edXML/>")
    receiver = NodeIdentity(member_b, "b1")
    fetched = together(lambda: services.fetch_package(receiver, str(package.pk)), lambda: services.fetch_package(receiver, str(package.pk)))
    assert [bytes(p.data) for p in fetched] == [b"<edXML/>", b"<edXML/>"]
    acknowledged = together(lambda: services.acknowledge(receiver, [str(package.pk)]), lambda: services.acknowledge(receiver, [str(package.pk)]))
    assert sorted(acknowledged) == [0, 1]
    package.refresh_from_db()
    assert package.fetch_count == 2 and package.acknowledged_at is not None
