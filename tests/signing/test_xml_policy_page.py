"""The page where an administrator accepts or refuses SHA-1 XML signatures from other systems."""

import pytest

from tests.conftest import signed_in
from vanphong.core.models import AuditRecord
from vanphong.signing import selectors

pytestmark = pytest.mark.django_db
URL = "/signing/xml-signatures/"


def test_administrator_accepts_then_refuses_sha1(client, admin_a):
    signed_in(client, admin_a)
    response = client.get(URL)
    assert response.status_code == 200 and response.context["form"]["sha1"].value() == "refuse"
    response = client.post(URL, {"sha1": "accept"}, follow=True)
    assert response.status_code == 200 and selectors.xml_signature_policy().accept_sha1
    assert AuditRecord.objects.filter(action="signing.xml_policy.changed", actor=admin_a).count() == 1
    assert admin_a.full_name in response.content.decode()  # "Last changed on … by …"
    assert client.get(URL).context["form"]["sha1"].value() == "accept"
    client.post(URL, {"sha1": "refuse"})
    assert not selectors.xml_signature_policy().accept_sha1
    assert AuditRecord.objects.filter(action="signing.xml_policy.changed").count() == 2


def test_bad_input_changes_nothing(client, admin_a):
    signed_in(client, admin_a)
    response = client.post(URL, {"sha1": "maybe"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not selectors.xml_signature_policy().accept_sha1
    assert not AuditRecord.objects.filter(action="signing.xml_policy.changed").exists()


def test_only_administrators_reach_the_xml_policy_page(client, clerk_a, official):
    assert client.get(URL).status_code == 302  # to sign-in
    for person in (clerk_a, official):
        signed_in(client, person)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"sha1": "accept"}).status_code == 403
    assert not selectors.xml_signature_policy().accept_sha1
    assert not AuditRecord.objects.filter(action="signing.xml_policy.changed").exists()
