"""The receiving pipeline on every kind of bad input: each refused with a clear reason recorded and
audited, nothing registered, and status 02 back only when the sender is proven; a package taken in
twice (same bytes, or same sender and DocumentId) is acknowledged and kept once; `vanphong exchange
receive` and `send` for scripts."""

import json

import pytest

from tests.exchange.helpers import issued_document
from tests.exchange.test_hostile import XXE
from tests.factories import make_agency
from vanphong import cli
from vanphong.core.models import AuditRecord
from vanphong.exchange import cycle, inbox, packages
from vanphong.exchange.edxml import model, writer
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt
from vanphong.pki import services as pki_services
from vanphong.signing import credentials, xmldsig

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML>"""


def package_bytes(sender, recipient, *, number="15", promulgation="2026/11/30", to_code=None, subject="Về việc thử nghiệm"):
    edoc = model.Edoc(from_=packages.organization(sender), to=[model.Organization(organ_id=to_code or recipient.code)],
                      document_id=f"{sender.code},2026/11/30,{number}/KH-UBND", code=model.Code(number, "KH-UBND"),
                      promulgation_info=model.PromulgationInfo(promulgation_date=__import__("datetime").date(2026, 11, 30)),
                      subject=subject)
    data = writer.write(edoc)
    if promulgation != "2026/11/30":
        data = data.replace(b"<edXML:PromulgationDate>2026/11/30<", f"<edXML:PromulgationDate>{promulgation}<".encode())
    return data


def signed_by(seal, data: bytes) -> bytes:
    return xmldsig.sign_package(data, credentials.held(seal))


@pytest.fixture
def a_to_b(agency_a, agency_b, seals):
    return signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a))


def refused(data, agency, match):
    intake = inbox.receive(data, agency=agency, transport_name="local")
    assert intake.outcome == "refused", intake
    assert match in intake.reason, intake.reason
    package = intake.package
    assert package.state == "refused" and package.reason == intake.reason
    assert AuditRecord.objects.filter(action="exchange.refused_on_arrival", target_id=str(package.pk)).exists()
    return package


def test_a_good_package_is_taken_in_and_answered_01(agency_a, a_to_b):
    intake = inbox.receive(a_to_b, agency=agency_a, transport_name="local", transport_id="local-7")
    assert intake.outcome == "accepted" and intake.package.state == "received"
    assert intake.package.verification["signer_matches_from"] is True and intake.package.transport_id == "local-7"
    answer = OutboundMessage.objects.get(inbound=intake.package)
    assert (answer.kind, answer.status_code, answer.recipient.code) == ("status", "01", "000.00.00.H40")


def test_the_same_package_twice_is_acknowledged_and_kept_once(agency_a, agency_b, a_to_b, seals, monkeypatch):
    first = inbox.receive(a_to_b, agency=agency_a)
    with monkeypatch.context() as patched:  # the same bytes are recognised before anything is verified again
        patched.setattr(inbox, "_verify", lambda *a: pytest.fail("verified twice"))
        again = inbox.receive(a_to_b, agency=agency_a)
    assert again.outcome == "duplicate" and again.package == first.package
    resigned = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a))  # same DocumentId, other bytes
    assert resigned != a_to_b
    third = inbox.receive(resigned, agency=agency_a)
    assert third.outcome == "duplicate" and third.package == first.package
    assert InboundPackage.objects.count() == 1 and OutboundMessage.objects.filter(status_code="01").count() == 1


def test_each_kind_of_bad_input_is_refused_with_its_reason(agency_a, agency_b, a_to_b, seals, ca_operator, settings):
    nothing_before = OutboundMessage.objects.count()
    refused(b"not xml at all", agency_a, "cannot be read")
    refused(XXE.encode(), agency_a, "cannot be read")
    refused(BILLION_LAUGHS, agency_a, "cannot be read")
    refused(b"<html><body>hello</body></html>", agency_a, "not an edXML package")
    refused(package_bytes(agency_b, agency_a), agency_a, "carries no signature")
    altered = a_to_b.replace("Về việc thử nghiệm".encode(), "Về việc khác hẳn".encode())
    refused(altered, agency_a, "changed after signing")
    refused(signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a).replace(b"000.00.00.H40", b"000.00.00.H99")),
            agency_a, "not an agency of the directory")
    # Signed with A's own seal but saying it is from B: the signer is not the sender.
    refused(signed_by(seals[agency_a.code], package_bytes(agency_b, agency_a, number="16")), agency_a, "not by that agency's seal")
    assert OutboundMessage.objects.count() == nothing_before  # no 02 to a sender nobody proved
    settings.VANPHONG_EDXML_MAX_BYTES = 1000
    big = refused(a_to_b, agency_a, "over this instance's limit")
    assert big.payload_sha256 == ""
    assert not InboundPackage.objects.exclude(state="refused").exists()


def test_a_revoked_seal_is_refused(agency_a, agency_b, seals, ca_operator):
    data = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a))
    pki_services.revoke(ca_operator, seals[agency_b.code], reason="keyCompromise")
    refused(data, agency_a, "was revoked")


def test_a_proven_sender_hears_02_for_a_misaddressed_or_malformed_package(agency_a, agency_b, seals):
    other = make_agency("000.00.00.H50", "UBND tỉnh Khác", "Khác")
    misaddressed = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a, to_code=other.code))
    package = refused(misaddressed, agency_a, "is addressed to 000.00.00.H50")
    assert OutboundMessage.objects.get(inbound=package).status_code == "02"
    malformed = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a, number="17", promulgation="2026/02/30"))
    package = refused(malformed, agency_a, "not a valid date")
    assert OutboundMessage.objects.get(inbound=package).description.startswith("The package is not valid edXML")


def test_a_status_about_a_document_we_did_not_send_is_refused(agency_a, agency_b, seals):
    status = model.Status(from_=packages.organization(agency_b),
                          response_for=model.ResponseFor(organ_id=agency_a.code, document_id=f"{agency_a.code},2026/11/30,99/TU"),
                          status_code="03", timestamp=__import__("datetime").datetime(2026, 11, 30, 9, 0, 0))
    refused(signed_by(seals[agency_b.code], writer.write(status)), agency_a, "which this agency did not send")
    assert not Receipt.objects.exists()


def test_receive_and_send_commands(capsys, agency_a, a_to_b, tmp_path, clerk_a, agency_b):
    path = tmp_path / "goi.edxml"
    path.write_bytes(a_to_b)
    assert cli.main(["exchange", "receive", str(path), "--agency", agency_a.code]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "accepted" and out["document_id"].startswith("000.00.00.H40,")
    assert cli.main(["exchange", "receive", str(path), "--agency", agency_a.code]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "duplicate"
    (tmp_path / "hong.edxml").write_bytes(b"<edXML")
    assert cli.main(["exchange", "receive", str(tmp_path / "hong.edxml"), "--agency", agency_a.code]) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert cli.main(["exchange", "receive", str(path)]) == 2
    assert cli.main(["exchange", "receive", str(path), "--agency", "000.00.00.Z00"]) == 2
    assert cli.main(["exchange", "send"]) == 0  # the 01 goes back to B
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["sent"] == 1
    assert OutboundMessage.objects.get(status_code="01").state == "sent"
    assert cli.main(["exchange", "receive"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["receipt"] == 0  # B has sent nothing of ours back


def test_a_full_round_counts_what_it_did(clerk_a, agency_b, seals):
    issued_document(clerk_a, [agency_b])
    outcome = cycle.run_once()
    assert outcome["sent"] == 2 and outcome["accepted"] == 1 and outcome["receipt"] == 1
