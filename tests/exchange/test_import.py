"""Other implementations' files (../shared/interop/edxml/) imported by an operator: each document
becomes a received package whose fields match the file, flagged as not verified (their signatures
are placeholders, their senders outside our directory), answered with no status; the clerk can
register it. A status file answers no document of ours, and is refused with that reason."""

import json

import pytest

from tests.conftest import signed_in
from tests.exchange.test_interop import INTEROP
from vanphong import cli
from vanphong.exchange import services
from vanphong.exchange.edxml import reader
from vanphong.exchange.models import InboundPackage, OutboundMessage

pytestmark = pytest.mark.django_db

DOCUMENTS = sorted(INTEROP.glob("edoc_*.edxml"))
STATUSES = sorted(INTEROP.glob("status_*.edxml"))


def import_file(capsys, path, agency, *flags):
    code = cli.main(["exchange", "receive", str(path), "--agency", agency.code, *flags])
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]), err


def test_there_are_files_to_import():
    assert len(DOCUMENTS) == 2 and len(STATUSES) == 4


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_a_document_file_imports_as_a_received_package_whose_fields_match_the_file(capsys, client, path, agency_a, clerk_a):
    code, out, err = import_file(capsys, path, agency_a)  # without the flag: refused, the sender is not in our directory
    assert code == 1 and "not an agency of the directory" in err
    code, out, err = import_file(capsys, path, agency_a, "--without-verification")
    assert code == 0 and out["outcome"] == "accepted", err
    edoc = reader.read(path.read_bytes()).package
    package = InboundPackage.objects.get(pk=out["package"])
    assert (package.state, package.sender, package.sender_code, package.sender_name) == ("received", None, edoc.from_.organ_id,
                                                                                          edoc.from_.organ_name)
    assert (package.edxml_document_id, package.business_doc_type) == (edoc.document_id, edoc.business_doc_type)
    assert (package.subject, package.code_number, package.code_notation) == (edoc.subject, edoc.code.code_number, edoc.code.code_notation)
    assert (package.promulgation_date, package.due_date) == (edoc.promulgation_info.promulgation_date, edoc.due_date)
    assert package.verification["valid"] is False and package.verification["imported"] is True
    assert not OutboundMessage.objects.exists()  # nobody to answer
    again = services.read_package(package).package
    assert [(a.attachment_name, a.sha256) for a in again.attachments] == [(a.attachment_name, a.sha256) for a in edoc.attachments]
    code, out, _err = import_file(capsys, path, agency_a, "--without-verification")
    assert out["outcome"] == "duplicate"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = signed_in(client, clerk_a).get(f"/exchange/received/{package.pk}/").content.decode()
    assert "Not verified" in page and "without verifying its signature or its sender" in page and edoc.subject in page
    document = services.register_received(clerk_a, package, doc_type="CV")
    assert (document.issuing_agency, document.issuing_agency_name) == (None, edoc.from_.organ_name)
    assert (document.subject, document.code_number, document.issued_date) == (edoc.subject, edoc.code.code_number,
                                                                             edoc.promulgation_info.promulgation_date)


@pytest.mark.parametrize("path", STATUSES, ids=lambda p: p.name)
def test_a_status_file_answers_nothing_of_ours_and_is_refused(capsys, path, agency_a):
    code, out, err = import_file(capsys, path, agency_a, "--without-verification")
    assert code == 1 and out["outcome"] == "refused"
    assert "not an agency of the directory" in err or "did not send" in err
