"""Hostile, malformed and odd packages: refused with a clear message when they cannot be read,
read with the right oddities when they can. Variants are derived in code from the third-party
samples, which stay as they were published."""

import base64
import unicodedata

import pytest

from tests.exchange.test_interop import INTEROP
from vanphong.exchange.edxml import reader
from vanphong.exchange.edxml.limits import Limits
from vanphong.exchange.edxml.oddities import UnreadablePackage

EDOC = (INTEROP / "edoc_multi_recipient.edxml").read_text(encoding="utf-8")
STATUS = (INTEROP / "status_acceptance_03.edxml").read_text(encoding="utf-8")


def refused(data: bytes | str, **kwargs) -> UnreadablePackage:
    with pytest.raises(UnreadablePackage) as caught:
        reader.read(data.encode("utf-8") if isinstance(data, str) else data, **kwargs)
    return caught.value


def oddities(data: str, **kwargs) -> dict:
    result = reader.read(data.encode("utf-8"), **kwargs)
    return {o.code: o for o in result.oddities}


def replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


# ---- refused outright

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
""" + EDOC.split("\n", 1)[1].replace("<edXML:Subject>V/v", "<edXML:Subject>&xxe; V/v")

EXTERNAL_DTD = EDOC.replace('<?xml version="1.0" encoding="UTF-8"?>',
                            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/edxml.dtd">')


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["billion-laughs", "xxe-etc-passwd", "external-dtd"])
def test_declarations_are_refused_before_anything_is_expanded_or_fetched(payload):
    error = refused(payload)
    assert error.code == "declaration"
    assert "declares a document type or entities" in error.messages[0]
    assert "root:" not in error.messages[0]  # nothing of /etc/passwd


def test_a_declaration_in_utf16_is_refused_too():
    # The raw-byte check cannot see it; the parsed tree's document information does.
    error = refused(XXE.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    assert error.code == "declaration"


@pytest.mark.parametrize(("data", "code", "message"), [
    (b"", "empty", "The file is empty."),
    (b"  \n ", "empty", "The file is empty."),
    (b"<edXML><unclosed></edXML>", "not_xml", "The file is not well-formed XML"),
    (b"\x89PNG\r\n\x1a\n", "not_xml", "The file is not well-formed XML"),
    (b"<html><body>hello</body></html>", "not_edxml", "not an edXML package: its root element is html"),
    (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>', "no_header", "has no edXMLEnvelope element"),
    (b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>',
     "no_header", "has no edXMLEnvelope/edXMLHeader/MessageHeader element"),
])
def test_what_is_not_an_edxml_package(data, code, message):
    error = refused(data)
    assert error.code == code
    assert message in error.messages[0]


def test_a_package_over_the_size_limit_is_refused_before_parsing():
    error = refused(EDOC, limits=Limits(max_package_bytes=10_000))
    assert error.code == "too_large"
    assert "larger than 0.00953674 MB" in error.messages[0]


def test_text_longer_than_the_parser_holds_is_refused_with_the_reason():
    huge = EDOC.replace("UEsDBBQACAgIAGd5i04", "A" * 10_000_004 + "UEsDBBQACAgIAGd5i04")
    error = refused(huge)
    assert error.code == "text_too_long"
    assert "7 MB" in error.messages[0]


@pytest.mark.parametrize(("old", "new", "code", "message"), [
    ("<edXML:OrganId>000.00.00.G22</edXML:OrganId>", "<edXML:OrganId> </edXML:OrganId>", "no_sender", "From/OrganId"),
    ("<edXML:From>", "<edXML:Sender>", "no_sender", "From/OrganId"),
])
def test_a_document_without_a_sender(old, new, code, message):
    data = replace(EDOC, old, new)
    if new == "<edXML:Sender>":
        data = replace(data, "</edXML:From>", "</edXML:Sender>")
    error = refused(data)
    assert error.code == code and message in error.messages[0]


def test_a_document_without_recipients():
    data = EDOC
    for code in ("000.00.00.H41", "000.00.00.H14", "000.00.00.G17"):
        data = replace(data, f"<edXML:OrganId>{code}</edXML:OrganId>", "<edXML:OrganId></edXML:OrganId>")
    assert refused(data).code == "no_recipient"


def test_a_document_without_document_id_gets_one_made_from_its_parts():
    data = replace(EDOC, "<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>", "")
    result = reader.read(data.encode())
    assert result.package.document_id == "000.00.00.G22,2019/04/11,7816/VPCP-TTĐT"
    assert "document_id_derived" in {o.code for o in result.oddities}
    data = replace(data, "<edXML:CodeNumber>7816</edXML:CodeNumber>", "")
    assert refused(data).code == "no_document_id"


@pytest.mark.parametrize(("old", "new", "code"), [
    ("<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode> </edXML:StatusCode>", "no_status_code"),
    ("<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>", "", "no_response_for"),
])
def test_a_status_that_cannot_be_matched(old, new, code):
    assert refused(replace(STATUS, old, new)).code == code


# ---- read, with oddities

def test_a_status_code_not_in_the_standard_is_an_error_oddity_and_kept():
    found = oddities(replace(STATUS, "<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>09</edXML:StatusCode>"))
    assert found["unknown_status_code"].severity == "error"
    assert found["unknown_status_code"].message == "Status code 09 is not one that edXML defines."
    assert found["unknown_status_code"].location == "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode"


@pytest.mark.parametrize("code", ["²", "٣", "０３"])  # digits to str.isdigit, not ASCII: never a crash (found by hypothesis)
def test_a_status_code_of_other_digits_is_an_unknown_code_not_a_crash(code):
    found = oddities(replace(STATUS, "<edXML:StatusCode>03</edXML:StatusCode>", f"<edXML:StatusCode>{code}</edXML:StatusCode>"))
    assert found["unknown_status_code"].severity == "error"


def test_a_one_digit_status_code_is_read_as_two():
    result = reader.read(replace(STATUS, "<edXML:StatusCode>03</edXML:StatusCode>", "<edXML:StatusCode>3</edXML:StatusCode>").encode())
    assert result.package.status_code == "03"
    assert [o.code for o in result.oddities] == ["status_code_form"]


@pytest.mark.parametrize(("old", "new", "code", "severity", "field", "value"), [
    ("<edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate>", "<edXML:PromulgationDate>11/04/2019</edXML:PromulgationDate>",
     "bad_date", "error", "promulgation_date", None),
    ("<edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate>", "<edXML:PromulgationDate>2019/02/30</edXML:PromulgationDate>",
     "bad_date", "error", "promulgation_date", None),
    ("<edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate>", "<edXML:PromulgationDate>2019-04-11</edXML:PromulgationDate>",
     "non_standard_date", "warning", "promulgation_date", "2019-04-11"),
    ("<edXML:Timestamp>2019/04/11 00:00:00</edXML:Timestamp>", "<edXML:Timestamp>yesterday</edXML:Timestamp>",
     "bad_timestamp", "error", "timestamp", None),
    ("<edXML:Timestamp>2019/04/11 00:00:00</edXML:Timestamp>", "<edXML:Timestamp>2019-04-11T08:30:00.123</edXML:Timestamp>",
     "non_standard_timestamp", "warning", "timestamp", "2019-04-11T08:30:00"),
    ("<edXML:PageAmount>22</edXML:PageAmount>", "<edXML:PageAmount>twenty</edXML:PageAmount>", "bad_integer", "error",
     "page_amount", None),
    ("<edXML:Direction>false</edXML:Direction>", "<edXML:Direction>maybe</edXML:Direction>", "bad_boolean", "error",
     "direction", None),
    ("<edXML:Direction>false</edXML:Direction>", "<edXML:Direction>0</edXML:Direction>", "non_standard_boolean", "warning",
     "direction", False),
    ("<edXML:Priority>0</edXML:Priority>", "<edXML:Priority>9</edXML:Priority>", "priority", "warning", "priority", 9),
    ("<edXML:BussinessDocType>0</edXML:BussinessDocType>", "<edXML:BussinessDocType>7</edXML:BussinessDocType>",
     "business_doc_type", "error", "bussiness_doc_type", 7),
    ("<edXML:OrganId>000.00.00.H41</edXML:OrganId>", "<edXML:OrganId>H41</edXML:OrganId>", "agency_code", "warning",
     "to_organ_id", "H41"),
])
def test_odd_values(old, new, code, severity, field, value):
    result = reader.read(replace(EDOC, old, new).encode())
    found = {o.code: o for o in result.oddities}
    assert found[code].severity == severity
    edoc = result.package
    read_value = {
        "promulgation_date": lambda: edoc.promulgation_info.promulgation_date,
        "timestamp": lambda: edoc.trace_headers[0].timestamp,
        "page_amount": lambda: edoc.other_info.page_amount,
        "direction": lambda: edoc.other_info.direction,
        "priority": lambda: edoc.other_info.priority,
        "bussiness_doc_type": lambda: edoc.bussiness.bussiness_doc_type,
        "to_organ_id": lambda: edoc.to[0].organ_id,
    }[field]()
    assert (read_value.isoformat() if hasattr(read_value, "isoformat") else read_value) == value
    assert result.has_errors == (severity == "error")


def test_attachment_that_is_not_base64():
    data = replace(EDOC, "UEsDBBQACAgIAGd5i04", "UEsDBBQACAgIAGd5i04***")
    result = reader.read(data.encode())
    [attachment] = result.package.attachments
    assert attachment.data is None and attachment.size is None
    bad = {o.code: o for o in result.oddities}["bad_base64"]
    assert bad.severity == "error"
    assert bad.message == "Attachment “1896_QD-TTg_m_294779.doc” is not valid base64 and could not be read."


def test_attachment_over_the_limit_is_not_decoded():
    result = reader.read(EDOC.encode(), limits=Limits(max_attachment_bytes=1000))
    [attachment] = result.package.attachments
    assert attachment.data is None
    over = {o.code: o for o in result.oddities}["attachment_too_large"]
    assert over.severity == "error" and "larger than 0.000953674 MB" in over.message


def test_attachment_at_the_limit_is_read():
    size = len(reader.read(EDOC.encode()).package.attachments[0].data)
    result = reader.read(EDOC.encode(), limits=Limits(max_attachment_bytes=size))
    assert result.package.attachments[0].size == size


def test_manifest_and_attachments_that_disagree():
    data = replace(EDOC, "<ContentId>cid:209</ContentId>", "<ContentId>cid:210</ContentId>")
    found = oddities(data)
    assert found["attachment_not_in_manifest"].params == {"value": "cid:210"}
    assert found["manifest_without_attachment"].params == {"value": "cid:209"}


def test_an_empty_attachment_is_read_as_empty():
    start = EDOC.index("UEsDBBQACAgIAGd5i04")
    end = EDOC.index("</edXML:ContentTransferEncoded>")
    result = reader.read((EDOC[:start] + EDOC[end:]).encode())
    assert result.package.attachments[0].data == b""


def test_nested_from_is_read_through():
    data = replace(EDOC, "<edXML:From>", "<edXML:From><edXML:From>")
    data = replace(data, "</edXML:From>", "</edXML:From></edXML:From>")
    result = reader.read(data.encode())
    assert result.package.from_.organ_id == "000.00.00.G22"
    assert [o.code for o in result.oddities if o.code == "nested_from"] == ["nested_from"]


def test_unknown_and_repeated_elements_and_a_foreign_namespace():
    data = replace(EDOC, "<edXML:Subject>", '<edXML:Colour>red</edXML:Colour><edXML:Subject>')
    data = replace(data, "<edXML:SteeringType>1</edXML:SteeringType>",
                   "<edXML:SteeringType>1</edXML:SteeringType><edXML:SteeringType>2</edXML:SteeringType>")
    data = replace(data, "<edXML:Content>", '<edXML:Content xmlns:edXML="urn:other">')
    data = replace(data, "</edXML:Content>", "</edXML:Content>")
    result = reader.read(data.encode())
    found = {o.code: o for o in result.oddities}
    assert found["unknown_element"].params == {"element": "Colour"}
    assert found["repeated_element"].params == {"element": "SteeringType", "count": 2}
    assert result.package.steering_type == 1
    assert found["namespace"].params == {"element": "Content", "namespace": "urn:other"}
    assert result.package.content == "V/v kết nối, liên thông phần mềm quản lý văn bản"


def test_decomposed_vietnamese_is_read_as_nfc_and_reported():
    subject = "V/v kết nối, liên thông phần mềm quản lý văn bản"
    result = reader.read(replace(EDOC, f"<edXML:Subject>{subject}", "<edXML:Subject>" + unicodedata.normalize("NFD", subject)).encode())
    assert result.package.subject == subject
    assert "text_not_nfc" in {o.code for o in result.oddities}


def test_a_signature_in_the_xmldsig_namespace_is_left_to_the_verifier():
    data = replace(EDOC, "<Signature>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">')
    result = reader.read(data.encode())
    assert result.signature.status == "unchecked" and result.signature.xmldsig
    assert "signature_placeholder" not in {o.code for o in result.oddities}
    assert result.root is not None and result.data == data.encode()


def test_a_signature_outside_the_header_and_a_second_one():
    data = replace(EDOC, "<edXML:edXMLBody>", '<edXML:edXMLBody><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>')
    found = oddities(data)
    assert found["signatures_repeated"].params == {"count": 2}
    data = EDOC[:EDOC.index("<Signature>")] + EDOC[EDOC.index("</Signature>") + len("</Signature>"):]
    data = replace(data, "<edXML:edXMLBody>", '<edXML:edXMLBody><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>')
    result = reader.read(data.encode())
    assert "signature_outside_header" in {o.code for o in result.oddities}
    assert result.signature.location == "/edXML/edXMLEnvelope/edXMLBody/Signature"


def test_attachments_of_random_bytes_survive_a_third_party_layout():
    payload = bytes(range(256)) * 3
    start = EDOC.index("UEsDBBQACAgIAGd5i04")
    end = EDOC.index("</edXML:ContentTransferEncoded>")
    wrapped = "\n".join(base64.b64encode(payload).decode()[i:i + 76] for i in range(0, 1024, 76))  # MIME-style lines
    result = reader.read((EDOC[:start] + wrapped + EDOC[end:]).encode())
    assert result.package.attachments[0].data == payload


def test_a_signature_in_no_namespace_is_a_placeholder():
    data = replace(EDOC, "<Signature>", '<Signature xmlns="">')
    result = reader.read(data.encode())
    assert result.signature.status == "unverifiable" and not result.signature.xmldsig
    assert result.signature.certificate_subject == "CN=user05"  # what it claims is still read
    assert "signature_placeholder" in {o.code for o in result.oddities}
