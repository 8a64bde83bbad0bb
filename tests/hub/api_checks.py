"""Isolation check of the hub's endpoint, registered in tests/api/test_api_isolation.py (which imports this module):
the network's health is the instance operators' alone, whatever a person's agency or role."""

from __future__ import annotations

from tests.api.test_api_isolation import covers
from vanphong.hub import services


@covers("GET", "/hub/network")
def check_network_health(w, as_):
    services.serve_agency(None, w.agency_a, endpoint="https://rieng-cua-a.example.vn/hub/api/")
    for person in (w.person_a, w.admin_a, w.admin_b, w.clerk_a):
        response = as_(person).get("/hub/network")
        assert response.status_code == 403 and "rieng-cua-a" not in response.content.decode(), person
    body = as_(w.operator).get("/hub/network").json()
    assert [(n["code"], n["endpoint"]) for n in body["nodes"]] == [(w.agency_a.code, "https://rieng-cua-a.example.vn/hub/api/")]
