"""The exchange between agencies A and B hosted on one instance, for the consultation's tests: seals, B's clerk, and
the steps of an invitation by exchange and its answer (tests/consultation/test_exchange.py, test_exchange_pages.py)."""

import pytest

from tests.consultation.drafts import ANSWER, docx_bytes, upload
from tests.factories import make_person, make_unit
from tests.pki.conftest import _fast_passwords  # noqa: F401  (the exchange's seals, as tests/exchange has them)
from tests.signing.conftest import pki  # noqa: F401
from vanphong.consultation import exchange_services, services
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.exchange import cycle, replies
from vanphong.exchange import services as exchange
from vanphong.exchange.models import InboundPackage
from vanphong.pki import services as pki_services
from vanphong.signing import document_services


@pytest.fixture
def seals(pki, ca_operator, agency_a, agency_b):  # noqa: F811
    return {agency.code: pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency)
            for agency in (agency_a, agency_b)}


@pytest.fixture
def clerk_b(agency_b):
    """B's clerk, in the office whose short name B's công văn notations carry."""
    return make_person(agency_b, "vanthu.b", "Hoàng Thị Văn Thư B", roles=["clerk"], unit=make_unit(agency_b, "Văn phòng", "VP"))


def issue(clerk, draft):
    document_services.mark_signed_on_paper(clerk, draft)
    return documents.issue_outgoing(clerk, draft)


def invited_by_exchange(drafter, consultation, clerk_a, agency):
    [invitation] = services.invite(drafter, consultation, agencies=[agency])
    [letter] = exchange_services.send_by_exchange(drafter, consultation)
    letter = issue(clerk_a, letter)
    cycle.run_once()
    invitation.refresh_from_db()
    return invitation, letter


def reply_from(clerk, agency, *, data=None, name="Góp ý dự thảo.docx"):
    """The agency's clerk registers the letter it received and replies to it with a file (ANSWER by default)."""
    received = InboundPackage.objects.get(agency=agency, state="received")
    incoming = exchange.register_received(clerk, received, doc_type="CV")
    draft = replies.draft_reply(clerk, incoming, subject="Góp ý dự thảo Nghị quyết về văn bản điện tử",
                                files=[store(upload(docx_bytes(ANSWER) if data is None else data, name))])
    issue(clerk, draft)
    cycle.run_once()
    return draft


def registered_answer(clerk_a, agency_a):
    package = InboundPackage.objects.get(agency=agency_a, state="received")
    return exchange.register_received(clerk_a, package, doc_type="CV")
