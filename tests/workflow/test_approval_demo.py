"""The demo network's approval: a chain in each demo agency and drafts awaiting their approvers, built once."""

import pytest

from vanphong.documents import demo as documents_demo
from vanphong.org import demo
from vanphong.org.models import Person
from vanphong.workflow import approval_demo
from vanphong.workflow import approval_selectors as selectors
from vanphong.workflow.models import Approval, ApprovalChain


@pytest.mark.django_db
def test_demo_agencies_get_a_chain_and_drafts_on_their_way(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.build()
    documents_demo.build()
    accounts = approval_demo.build()
    agencies = len(demo.NETWORK)
    assert ApprovalChain.objects.count() == agencies and len(accounts) == 2 * agencies
    assert Approval.objects.filter(status="in_progress").count() == 2 * agencies
    head, office = Person.objects.get(username="truongphong.vptw"), Person.objects.get(username="phochanhvp.vptw")
    assert selectors.awaiting_count(head) == 1 and selectors.awaiting_count(office) == 1
    assert not head.must_change_password
    again = approval_demo.build()  # idempotent: nothing new, the same approvers printed
    assert [a.username for a in again] == [a.username for a in accounts]
    assert ApprovalChain.objects.count() == agencies and Approval.objects.count() == 2 * agencies
