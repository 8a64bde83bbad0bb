"""Issuing many certificates at once (pki.services.issue_batch_from_csrs): all or none, each with its own audit
record, every certificate as good as one issued alone."""

import pytest
from cryptography import x509

from tests.factories import make_person
from tests.pki.conftest import make_csr, openssl, weak_rsa_csr, write
from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.pki import services
from vanphong.pki.models import Certificate

pytestmark = pytest.mark.django_db


def _officials(agency, count):
    return [make_person(agency, f"chuyenvien.{n}", f"Trần Văn Chuyên Viên {n}", roles=["specialist"]) for n in range(count)]


def test_a_batch_issues_each_official_a_certificate_that_openssl_chains(pki, ca_operator, agency_a, tmp_path):
    people = _officials(agency_a, 5)
    requests = [services.CsrRequest(make_csr(), holder_person=person, label=f"{person.username}.csr") for person in people]
    records_before = AuditRecord.objects.count()

    issued = services.issue_batch_from_csrs(ca_operator, profile="official", requests=requests)

    assert [cert.holder_person for cert in issued] == people
    assert [cert.common_name for cert in issued] == [person.full_name for person in people]
    assert len({cert.serial for cert in issued}) == 5 and all(cert.pk for cert in issued)
    assert Certificate.objects.filter(profile="official", holder_person__in=people).count() == 5
    for cert in issued:
        path = write(tmp_path / f"{cert.serial}.pem", cert.certificate_pem)
        assert "OK" in openssl("verify", "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem, path).stdout
    records = list(AuditRecord.objects.filter(action="pki.certificate.issued").order_by("seq"))[-5:]
    assert AuditRecord.objects.count() == records_before + 5
    assert [rec.target_id for rec in records] == [str(cert.pk) for cert in issued]
    assert all(rec.actor == ca_operator and rec.data["source"] == "csr" for rec in records)
    assert audit.verify().ok


def test_one_bad_request_refuses_the_whole_batch_and_names_each_bad_entry(pki, ca_operator, agency_a):
    good, other = _officials(agency_a, 2)
    requests = [
        services.CsrRequest(make_csr(), holder_person=good, label="good.csr"),
        services.CsrRequest(weak_rsa_csr(), holder_person=other, label="weak.csr"),
        services.CsrRequest(b"not a csr", holder_person=other, label="garbage.csr"),
        services.CsrRequest(make_csr(), label="nobody.csr"),
    ]
    before = (Certificate.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.issue_batch_from_csrs(ca_operator, profile="official", requests=requests)
    assert refused.value.messages == [
        "weak.csr: The key is too weak: RSA with 1024 bits. At least 2048 bits are required.",
        "garbage.csr: This is not a certificate signing request (PEM or DER).",
        "nobody.csr: An official's certificate must name the person it belongs to.",
    ]
    assert (Certificate.objects.count(), AuditRecord.objects.count()) == before
    assert audit.verify().ok


def test_a_long_list_of_problems_is_cut_short(pki, ca_operator):
    requests = [services.CsrRequest(b"x", label=f"{n}.csr") for n in range(services.MAX_BATCH_ERRORS + 7)]
    with pytest.raises(ValidationError) as refused:
        services.issue_batch_from_csrs(ca_operator, profile="tls-client", requests=requests)
    assert len(refused.value.messages) == services.MAX_BATCH_ERRORS + 1
    assert refused.value.messages[-1] == "… and 7 more."


def test_an_empty_or_oversized_batch_or_an_unknown_profile_is_refused(pki, ca_operator, settings):
    with pytest.raises(ValidationError, match="at least one certificate signing request"):
        services.issue_batch_from_csrs(ca_operator, profile="tls-client", requests=[])
    too_many = [services.CsrRequest(b"x")] * (services.MAX_BATCH + 1)
    with pytest.raises(ValidationError, match=f"At most {services.MAX_BATCH} certificates are issued at once; this batch has "
                                              f"{services.MAX_BATCH + 1}"):
        services.issue_batch_from_csrs(ca_operator, profile="tls-client", requests=too_many)
    with pytest.raises(ValidationError, match="Unknown certificate profile “root”") as refused:
        services.issue_batch_from_csrs(ca_operator, profile="root", requests=[services.CsrRequest(make_csr())] * 3)
    assert len(refused.value.messages) == 1
    assert not Certificate.objects.filter(profile="tls-client").exists()


def test_only_a_ca_operator_issues_a_batch(pki, agency_a, official):
    clerk = make_person(agency_a, "vanthu.b", "Lê Văn Thư", roles=["clerk"])
    for person in (clerk, official):
        with pytest.raises(PermissionDenied):
            services.issue_batch_from_csrs(person, profile="tls-client", requests=[services.CsrRequest(make_csr())] * 2)
    assert not Certificate.objects.filter(profile="tls-client").exists()


def test_tls_certificates_in_a_batch_take_their_names_from_each_csr(pki, ca_operator):
    requests = [services.CsrRequest(make_csr(common_name=f"node{n}.vanphong.test", dns=[f"node{n}.vanphong.test"]), label=f"node{n}")
                for n in range(3)]
    issued = services.issue_batch_from_csrs(ca_operator, profile="tls-server", requests=requests)
    assert [cert.common_name for cert in issued] == ["node0.vanphong.test", "node1.vanphong.test", "node2.vanphong.test"]
    names = [cert.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
             for cert in issued]
    assert names == [[f"node{n}.vanphong.test"] for n in range(3)]
