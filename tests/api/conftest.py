"""Fixtures for the REST API tests: token clients and a small organisation in two agencies."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import make_person, make_unit
from vanphong.accounts.services import create_api_token

PREFIX = "/api/v1"


class Api:
    """A test client speaking JSON to /api/v1 with a bearer token (or a session, or nothing)."""

    def __init__(self, client: Client, token: str | None = None, language: str = "en"):
        self.client, self.token, self.language = client, token, language

    def _headers(self, extra=None):
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, path, params=None, headers=None):
        return self.client.get(PREFIX + path, params or {}, headers=self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(PREFIX + path, json.dumps(body if body is not None else {}), content_type="application/json",
                                headers=self._headers(headers))

    def patch(self, path, body=None, headers=None):
        return self.client.patch(PREFIX + path, json.dumps(body if body is not None else {}), content_type="application/json",
                                 headers=self._headers(headers))

    def put(self, path, body=None, headers=None):
        return self.client.put(PREFIX + path, json.dumps(body if body is not None else {}), content_type="application/json",
                               headers=self._headers(headers))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The fixtures create many people; what is tested here is the API, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def token_of(person, days=30) -> str:
    return create_api_token(person, "test system", days=days)[1]


@pytest.fixture
def api_as():
    """api_as(person) → an Api authenticated with a fresh token of that person."""

    def make(person, language="en"):
        return Api(Client(), token_of(person), language)

    return make


@dataclass
class World:
    agency_a: object
    agency_b: object
    admin_a: object
    admin_b: object
    clerk_a: object
    operator: object
    unit_a: object
    subunit_a: object
    unit_b: object
    person_a: object
    person_b: object


@pytest.fixture
def world(agency_a, agency_b, admin_a, admin_b, clerk_a, operator):
    unit_a = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    subunit_a = make_unit(agency_a, "Phòng Hành chính", "HC", parent=unit_a)
    unit_b = make_unit(agency_b, "Văn phòng UBND", "VP")
    person_a = make_person(agency_a, "chuyenvien.a", "Đỗ Thị Chuyên", roles=["specialist"], unit=subunit_a)
    person_b = make_person(agency_b, "chuyenvien.b", "Hoàng Văn Bảo", roles=["specialist"], unit=unit_b)
    return World(agency_a, agency_b, admin_a, admin_b, clerk_a, operator, unit_a, subunit_a, unit_b, person_a, person_b)
