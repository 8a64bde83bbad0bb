"""Revocation and the CRL, judged by `openssl verify -crl_check` and `openssl crl`."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.pki.conftest import make_csr, openssl, write
from vanphong.core.errors import ValidationError
from vanphong.pki import selectors, services, tasks
from vanphong.pki.models import Certificate, CertificateAuthority

pytestmark = pytest.mark.django_db


def _crl_file(client, ca, path):
    response = client.get(f"/pki/crl/{ca.slug}.crl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    der = write(path.with_suffix(".der"), response.content)
    openssl("crl", "-inform", "DER", "-in", der, "-out", path)
    return path


def _verify(pki, client, cert, tmp_path, check=True):
    crl = _crl_file(client, pki.issuing, tmp_path / "issuing-crl.pem")
    leaf = write(tmp_path / "leaf.pem", cert.certificate_pem)
    return openssl("verify", "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem, "-crl_check", "-CRLfile", crl, leaf, check=check)


def test_openssl_accepts_then_rejects_after_revocation(pki, ca_operator, client, tmp_path):
    cert = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(), dns_names=["node1.vanphong.test"])
    assert _verify(pki, client, cert, tmp_path).stdout.strip().endswith(": OK")
    services.revoke(ca_operator, cert, reason="keyCompromise")
    result = _verify(pki, client, cert, tmp_path, check=False)
    assert result.returncode != 0 and "certificate revoked" in result.stdout + result.stderr
    text = openssl("crl", "-in", tmp_path / "issuing-crl.pem", "-noout", "-text").stdout
    assert format(cert.serial_number, "X") in text
    assert "Key Compromise" in text and "X509v3 CRL Number: \n                2" in text
    # Its whole chain, with the root's CRL too.
    root_crl = _crl_file(client, pki.root, tmp_path / "root-crl.pem")
    other = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    openssl("verify", "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem, "-crl_check_all", "-CRLfile", tmp_path / "issuing-crl.pem",
            "-CRLfile", root_crl, write(tmp_path / "other.pem", other.certificate_pem))


def test_revoking_twice_or_without_a_known_reason_is_refused(pki, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    with pytest.raises(ValidationError, match="Unknown reason for revocation"):
        services.revoke(ca_operator, cert, reason="certificateHold")
    cert.refresh_from_db()
    assert cert.status == "valid"
    services.revoke(ca_operator, cert, reason="affiliationChanged")
    number = CertificateAuthority.objects.get(pk=pki.issuing.pk).crl_number
    with pytest.raises(ValidationError, match="already revoked on"):
        services.revoke(ca_operator, cert, reason="keyCompromise")
    cert.refresh_from_db()
    assert (cert.status, cert.revocation_reason) == ("revoked", "affiliationChanged")
    assert CertificateAuthority.objects.get(pk=pki.issuing.pk).crl_number == number


def test_unspecified_reason_is_left_out_of_the_crl(pki, ca_operator, client, tmp_path):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    services.revoke(ca_operator, cert, reason="unspecified")
    text = openssl("crl", "-in", _crl_file(client, pki.issuing, tmp_path / "c.pem"), "-noout", "-text").stdout
    assert "Revoked Certificates:" in text and "CRL Reason Code" not in text


def test_a_stale_crl_is_refreshed_when_fetched(pki, client, tmp_path):
    CertificateAuthority.objects.filter(pk=pki.issuing.pk).update(crl_next_update=timezone.now() + dt.timedelta(hours=1))
    path = _crl_file(client, pki.issuing, tmp_path / "c.pem")
    assert "X509v3 CRL Number: \n                2" in openssl("crl", "-in", path, "-noout", "-text").stdout
    # Fresh now: served as it is.
    assert client.get(f"/pki/crl/{pki.issuing.slug}.crl").content == bytes(CertificateAuthority.objects.get(pk=pki.issuing.pk).crl_der)
    assert CertificateAuthority.objects.get(pk=pki.issuing.pk).crl_number == 2
    assert client.get("/pki/crl/no-such-ca.crl").status_code == 404


def test_ca_certificates_are_published_as_der(pki, client, tmp_path):
    response = client.get(f"/pki/ca/{pki.issuing.slug}.crt")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-cert"
    pem = openssl("x509", "-inform", "DER", "-in", write(tmp_path / "i.der", response.content)).stdout
    assert pem == pki.issuing.certificate_pem


def test_scheduled_refresh_reissues_crls_and_replaces_expiring_service_certificates(pki):
    old_signer = selectors.service_certificate(pki.issuing, "ocsp-signer")
    Certificate.objects.filter(pk=old_signer.pk).update(not_after=timezone.now() + dt.timedelta(days=10))
    CertificateAuthority.objects.filter(pk=pki.root.pk).update(crl_next_update=timezone.now())
    done = services.refresh_status_services()
    assert done == {"crls": 1, "service_certificates": 1}
    new_signer = selectors.service_certificate(pki.issuing, "ocsp-signer")
    assert new_signer != old_signer and new_signer.renewal_of == old_signer
    assert services.refresh_status_services() == {"crls": 0, "service_certificates": 0}


def test_the_refresh_task_runs_and_is_queued_once(pki):
    from django_tasks_db.models import DBTaskResult

    tasks.schedule_refresh()
    tasks.on_worker_started()
    queued = DBTaskResult.objects.filter(task_path="vanphong.pki.tasks.refresh_status_services")
    assert queued.count() == 1
    queued.delete()
    assert tasks.refresh_status_services.call() == {"crls": 0, "service_certificates": 0}
    assert queued.count() == 1 and queued.get().run_after > timezone.now() + dt.timedelta(minutes=50)  # the next run
