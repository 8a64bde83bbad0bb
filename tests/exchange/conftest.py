import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, the msgids; the Vietnamese comes from the catalogue."""
    with translation.override("en"):
        yield


# ---- the exchange between two hosted agencies (tests/exchange/test_flow.py and the others) ----------

from tests.factories import make_person  # noqa: E402
from tests.pki.conftest import _fast_passwords  # noqa: E402, F401
from tests.signing.conftest import pki  # noqa: E402, F401


@pytest.fixture
def clerk_b(agency_b):
    return make_person(agency_b, "vanthu.b", "Hoàng Thị Văn Thư", roles=["clerk"])


@pytest.fixture
def seals(pki, ca_operator, agency_a, agency_b):  # noqa: F811
    """Seal certificates, with keys the system holds, of agencies A and B."""
    from vanphong.pki import services as pki_services

    return {agency.code: pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency)
            for agency in (agency_a, agency_b)}
