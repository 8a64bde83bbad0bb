"""What we write, signing.xmldsig signs, and the reader reads back unchanged with the signature
where edXML puts it; `vanphong exchange read` has it verified."""

import dataclasses
import json

import pytest

from tests.exchange.test_roundtrip import _edoc
from tests.signing.conftest import pki, seal_cert  # noqa: F401  (fixtures)
from vanphong import cli
from vanphong.exchange.edxml import model, reader, writer
from vanphong.signing import credentials, xmldsig

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_package(seal_cert, agency_a):  # noqa: F811
    edoc = _edoc(from_=model.Organization(organ_id=agency_a.code, organ_name=agency_a.name),
                 document_id=f"{agency_a.code},2026/03/05,45/VPCP-TTĐT")
    return edoc, xmldsig.sign_package(writer.write(edoc), credentials.held(seal_cert))


def test_a_signed_package_reads_back_unchanged_with_its_signature_found(signed_package):
    edoc, signed = signed_package
    result = reader.read(signed)
    assert result.package == edoc
    assert result.oddities == []
    assert result.signature.status == "unchecked" and result.signature.xmldsig and result.signature.has_certificate
    assert result.signature.location == "/edXML/edXMLEnvelope/edXMLHeader/Signature"
    assert result.signature.signature_method == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"


def test_the_command_has_the_signature_verified(signed_package, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    _edoc_, signed = signed_package
    path = tmp_path / "signed.edxml"
    path.write_bytes(signed)
    assert cli.main(["exchange", "read", str(path)]) == 0
    signature = json.loads(capsys.readouterr().out)["signature"]
    assert signature["status"] == "valid", signature["problems"]
    assert signature["signer"]


def test_a_package_altered_after_signing_reads_but_does_not_verify(signed_package, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    edoc, signed = signed_package
    altered = signed.replace("Về việc kết nối liên thông".encode(), "Về việc khác hẳn".encode())
    assert reader.read(altered).package == dataclasses.replace(edoc, subject="Về việc khác hẳn")
    path = tmp_path / "altered.edxml"
    path.write_bytes(altered)
    assert cli.main(["exchange", "read", str(path)]) == 0
    signature = json.loads(capsys.readouterr().out)["signature"]
    assert signature["status"] == "invalid" and signature["problems"]
