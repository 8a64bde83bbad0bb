"""What one document costs the database on its way through the exchange: a guard against a query per
document creeping back into the outbox, the inbox or the signatures (bench/exchange.py measures the time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.exchange.helpers import issued_document
from vanphong.exchange import cycle

pytestmark = pytest.mark.django_db

DOCUMENTS = 10
# Measured: 55.6 per document on SQLite and PostgreSQL (67.6 before the trust anchors were read in one query,
# the seal's row passed on and the held certificate's CAs kept in the process): built, signed, sent, verified, taken in with its notification and audit
# record, answered 01, that status signed, sent, verified and recorded at the sender.
BUDGET_PER_DOCUMENT = 58


def test_a_round_trip_costs_a_bounded_number_of_queries_per_document(clerk_a, clerk_b, agency_b, seals):
    issued_document(clerk_a, [agency_b])
    cycle.run_once()  # warm: the first round reads what later ones find kept
    for _ in range(DOCUMENTS):
        issued_document(clerk_a, [agency_b])
    with CaptureQueriesContext(connection) as queries:
        outcome = cycle.run_once()
    assert outcome["sent"] == 2 * DOCUMENTS and outcome["accepted"] == DOCUMENTS and outcome["receipt"] == DOCUMENTS
    per_document = len(queries.captured_queries) / DOCUMENTS
    assert per_document <= BUDGET_PER_DOCUMENT, f"{per_document:.1f} queries per document"


def test_a_round_with_nothing_to_do_asks_little(clerk_a, agency_b, seals):
    cycle.run_once()
    with CaptureQueriesContext(connection) as queries:
        cycle.run_once()
    assert len(queries.captured_queries) <= 6, [q["sql"][:120] for q in queries.captured_queries]
