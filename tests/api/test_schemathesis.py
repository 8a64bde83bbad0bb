"""Property-based run of every API operation (schemathesis): no input makes the server fail, and
every answer matches the OpenAPI document (status code, content type, body schema).

The run is bounded and derandomized so that CI sees the same cases each time. It goes through the
real WSGI application, middleware included, as an agency administrator with a bearer token."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import PREFIX, token_of
from tests.factories import make_person, make_unit
from vanphong.org.models import Agency, Person, Unit
from vanphong.wsgi import application

pytestmark = pytest.mark.django_db

# The document needs no authentication and no database.
schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django closes the database connection at the end of each request, which would end the
    test's transaction: the test client disconnects that handler, and so does this fixture."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def known_ids(world) -> dict[str, list[int]]:
    """Some data to find: units and people in agency A (the caller's), and agency B's, which must
    stay hidden. Returns their ids by kind."""
    unit = make_unit(world.agency_a, "Ban Tổ chức", "BTC", parent=world.unit_a)
    make_person(world.agency_a, "tochuc.a", "Trịnh Thị Tổ Chức", roles=["personnel"], unit=unit, clearance=1)
    make_unit(world.agency_b, "Sở Nội vụ", "SNV")
    return {
        "agency": list(Agency.objects.values_list("pk", flat=True)),
        "unit": list(Unit.objects.values_list("pk", flat=True)),
        "person": list(Person.objects.values_list("pk", flat=True)),
    }


@pytest.fixture(params=["admin_a", "operator"])
def token(request, world):
    """An agency administrator; and the instance operator, the only one who reaches the agency
    services (everyone else gets 403 there)."""
    return token_of(getattr(world, request.param))


def aim_at_existing_records(case, known: dict[str, list[int]]) -> None:
    """Random ids almost never name a record. Half of the positive ids that hypothesis draws are
    replaced by ids that exist (of the caller's agency or another), so that the handlers and
    services run past their lookups, with the fuzzed bodies."""
    in_agencies = case.operation.path.startswith(f"{PREFIX}/agencies")
    kinds = {"agency_id": "agency", "unit_id": "unit", "person_id": "person", "parent_id": "agency" if in_agencies else "unit"}

    def aim(values):
        if not isinstance(values, dict):
            return
        for name, kind in kinds.items():
            value = values.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0 and value % 2 == 0:
                values[name] = known[kind][value // 2 % len(known[kind])]

    aim(case.path_parameters)
    aim(case.query)
    aim(case.body)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_api(case, token, known_ids):
    aim_at_existing_records(case, known_ids)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
