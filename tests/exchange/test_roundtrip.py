"""What the strict writer produces, the tolerant reader reads back identically, without oddities;
and the writer's output is stable."""

import dataclasses
import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.exchange import strategies
from vanphong.exchange.edxml import model, reader, values, writer

_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(strategies.packages)
def test_what_we_write_reads_back_equal_and_without_oddities(package):
    data = writer.write(package)
    result = reader.read(data)
    assert result.package == package
    assert result.oddities == []
    assert result.signature.status == "unsigned"


@_SETTINGS
@given(strategies.packages)
def test_the_writer_is_stable(package):
    data = writer.write(package)
    assert writer.write(reader.read(data).package) == data


@_SETTINGS
@given(strategies.edocs())
def test_attachments_come_back_byte_for_byte(edoc):
    result = reader.read(writer.write(edoc))
    assert [(a.content_id, a.data, a.sha256) for a in result.package.attachments] == \
           [(a.content_id, a.data, a.sha256) for a in edoc.attachments]


@settings(max_examples=50, deadline=None)
@given(strategies.edocs(), strategies.vietnamese_text.filter(lambda t: t.strip()))
def test_text_in_decomposed_form_is_written_and_read_as_nfc(edoc, subject):
    decomposed = unicodedata.normalize("NFD", subject)
    edoc.subject = decomposed
    result = reader.read(writer.write(edoc))
    assert result.package.subject == unicodedata.normalize("NFC", decomposed)


def test_canonical_form_uses_the_edxml_prefix_once_and_standard_dates():
    edoc = _edoc()
    data = writer.write(edoc)
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">')
    assert text.count("xmlns") == 1
    assert "<edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate>" in text
    assert "<edXML:Timestamp>2026/03/05 08:09:07</edXML:Timestamp>" in text
    assert "<edXML:ContentTransferEncoded>JVBERi0=</edXML:ContentTransferEncoded>" in text
    # Recipients keep their order; the subject keeps its diacritics as UTF-8.
    assert text.index("000.00.00.H41") < text.index("000.00.00.H14")
    assert "Về việc kết nối liên thông" in text


def _edoc(**changes) -> model.Edoc:
    edoc = model.Edoc(
        from_=model.Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ"),
        to=[model.Organization(organ_id="000.00.00.H41"), model.Organization(organ_id="000.00.00.H14")],
        document_id="000.00.00.G22,2026/03/05,45/VPCP-TTĐT", code=model.Code("45", "VPCP-TTĐT"),
        promulgation_info=model.PromulgationInfo("Hà Nội", dt.date(2026, 3, 5)), subject="Về việc kết nối liên thông",
        trace_headers=[model.TraceHeader("000.00.00.G22", dt.datetime(2026, 3, 5, 8, 9, 7))],
        attachments=[model.Attachment(content_id="cid:1", attachment_name="công văn.pdf", content_type="application/pdf",
                                      data=b"%PDF-")])
    return dataclasses.replace(edoc, **changes)


def _status(**changes) -> model.Status:
    status = model.Status(from_=model.Organization(organ_id="000.00.00.H41"),
                          response_for=model.ResponseFor(document_id="000.00.00.G22,2026/03/05,45/VPCP-TTĐT"),
                          status_code="03", timestamp=dt.datetime(2026, 3, 6, 9, 0, 0))
    return dataclasses.replace(status, **changes)


@pytest.mark.parametrize(("package", "expected"), [
    (_edoc(from_=model.Organization(organ_id="")), "From/OrganId is required."),
    (_edoc(from_=model.Organization(organ_id="G22")), "From/OrganId “G22” is not an agency code"),
    (_edoc(to=[]), "at least one recipient"),
    (_edoc(to=[model.Organization(organ_id="000.00.00.H41 ")]), "may not begin or end with white space"),
    (_edoc(document_id=""), "DocumentId is required."),
    (_edoc(document_id="000.00.00.H99,2026/03/05,45/VPCP"), "is not of the form OrganId,yyyy/MM/dd,number/notation"),
    (_edoc(subject="  "), "Subject is required."),
    (_edoc(promulgation_info=model.PromulgationInfo()), "PromulgationInfo/PromulgationDate is required."),
    (_edoc(other_info=model.OtherInfo(priority=9)), "Priority 9 is not one of 0 to 4."),
    (_edoc(bussiness=model.Bussiness(bussiness_doc_type=7)), "BussinessDocType 7 is not one of"),
    (_edoc(bussiness=model.Bussiness(bussiness_doc_type=None)), "BussinessDocType None is not one of"),
    (_edoc(subject="bell \x07"), "Subject holds characters that XML cannot carry."),
    (_edoc(attachments=[model.Attachment(content_id="cid:1", attachment_name="a", data=b""),
                        model.Attachment(content_id="cid:1", attachment_name="b", data=b"")]), "Two attachments have the ContentId cid:1."),
    (_edoc(attachments=[model.Attachment(content_id="cid:1", attachment_name="a", data=None)]), "Attachment “a” has no content."),
    (_edoc(trace_headers=[model.TraceHeader("000.00.00.G22", dt.datetime(2026, 3, 5, 8, 9, 7, tzinfo=dt.UTC))]),
     "must be a local time to the second"),
    (_status(status_code="07"), "Status code “07” is not one that edXML defines."),
    (_status(timestamp=None), "Timestamp is required."),
    (_status(response_for=model.ResponseFor()), "ResponseFor/DocumentId is required."),
])
def test_the_writer_refuses_what_is_not_valid_edxml(package, expected):
    with pytest.raises(ValidationError) as caught:
        writer.write(package)
    assert any(expected in message for message in caught.value.messages), caught.value.messages


def test_the_writer_lists_every_problem_at_once():
    with pytest.raises(ValidationError) as caught:
        writer.write(_edoc(to=[], subject="", document_id=""))
    assert len(caught.value.messages) == 3


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(strategies.organizations(), min_size=100, max_size=150))
def test_many_recipients(recipients):
    edoc = _edoc(to=recipients)
    assert reader.read(writer.write(edoc)).package.to == recipients


def test_a_status_answering_a_document_we_read():
    edoc = _edoc()
    status = model.Status(from_=model.Organization(organ_id="000.00.00.H41"), response_for=model.ResponseFor.answering(edoc),
                          status_code="01", timestamp=values.local_timestamp(dt.datetime(2026, 3, 5, 1, 2, 3, 456, tzinfo=dt.UTC)))
    assert status.response_for == model.ResponseFor(organ_id="000.00.00.G22", code="45/VPCP-TTĐT",
                                                    promulgation_date=dt.date(2026, 3, 5),
                                                    document_id="000.00.00.G22,2026/03/05,45/VPCP-TTĐT")
    assert status.timestamp == dt.datetime(2026, 3, 5, 8, 2, 3)  # Vietnam is UTC+7, and edXML counts seconds
    assert reader.read(writer.write(status)).package == status
    with pytest.raises(ValueError):
        values.local_timestamp(dt.datetime(2026, 3, 5))
