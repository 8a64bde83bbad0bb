"""The demo network's registers: believable documents, entered through the services, once."""

import pytest

from vanphong.documents import demo as documents_demo
from vanphong.documents.models import Document
from vanphong.documents.types import DocumentType
from vanphong.org import demo


@pytest.mark.django_db
def test_demo_documents_fill_each_hosted_agency_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.build()
    made = documents_demo.build()
    assert made > 0 and Document.objects.count() == made
    assert {code for code, *_ in documents_demo.INCOMING} <= set(DocumentType.values)
    clerk_agency = Document.objects.filter(direction="in").values_list("agency", flat=True).first()
    incoming = Document.objects.filter(agency=clerk_agency, direction="in").order_by("number")
    assert list(incoming.values_list("number", flat=True)) == list(range(1, len(documents_demo.INCOMING) + 1))
    assert sorted(incoming.values_list("arrival_date", flat=True)) == list(incoming.values_list("arrival_date", flat=True))
    issued = Document.objects.filter(agency=clerk_agency, direction="out", status="issued")
    assert issued.count() == len(documents_demo.OUTGOING) and all(d.reference for d in issued)
    assert documents_demo.build() == 0 and Document.objects.count() == made  # idempotent
