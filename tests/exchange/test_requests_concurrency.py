"""Two clerks deciding the same recall at the same moment, on PostgreSQL (SQLite has one writer and
no row locks): one decision wins, the other is told it was already decided; one status goes back."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from tests.exchange.helpers import recall_request, received_package
from tests.factories import make_person
from vanphong.core.errors import ValidationError
from vanphong.exchange import services
from vanphong.exchange.models import InboundPackage, OutboundMessage


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer and no row locks: PostgreSQL decides this")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_deciding_one_recall_at_once_make_one_decision(clerk_a, agency_a, agency_b):
    request = recall_request(received_package(agency_a, agency_b))
    other = make_person(agency_a, "vanthu.a2", "Văn Thư Thứ Hai", roles=["clerk"])
    start = threading.Barrier(2)
    outcomes = []

    def decide(action):
        try:
            start.wait()
            with translation.override("en"):  # a thread starts in the default language
                action()
            outcomes.append("done")
        except ValidationError as exc:
            with translation.override("en"):
                outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(lambda: services.accept_request(clerk_a, request),)),
               threading.Thread(target=decide, args=(lambda: services.refuse_request(other, request, reason="Đã triển khai"),))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(o == "done" for o in outcomes) == [False, True], outcomes
    assert any("already been decided" in o for o in outcomes), outcomes
    request.refresh_from_db()
    statuses = list(OutboundMessage.objects.filter(inbound=request).values_list("status_code", flat=True))
    assert len(statuses) == 1 and statuses[0] == ("15" if request.state == "accepted" else "16")
    original = InboundPackage.objects.get(pk=request.original_id)
    assert original.state == ("recalled" if request.state == "accepted" else "received")
