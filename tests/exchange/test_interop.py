"""Every third-party file in ../shared/interop/edxml/ reads, with the fields it holds and the
oddities it has; what we write from it reads back the same."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from vanphong.exchange.edxml import model, reader, writer

INTEROP = Path(__file__).resolve().parents[3] / "shared" / "interop" / "edxml"  # ../shared beside the checkout

FILES = sorted(p.name for p in INTEROP.glob("*.edxml"))


def read(name: str) -> reader.ReadResult:
    return reader.read((INTEROP / name).read_bytes())


def codes(result) -> list[str]:
    return [o.code for o in result.oddities]


def test_the_samples_are_there():
    assert FILES == ["edoc_multi_recipient.edxml", "edoc_update_with_attachment.edxml", "status_acceptance_03.edxml",
                     "status_finish_06.edxml", "status_inbox_01.edxml", "status_rejection_02.edxml"]


@pytest.mark.parametrize("name", FILES)
def test_every_file_reads_and_what_we_write_from_it_reads_back_the_same(name):
    result = read(name)
    assert result.package.from_.organ_id
    again = reader.read(writer.write(result.package))
    assert again.package == result.package
    # What was odd in the sender's values stays odd; what was odd in their XML is gone.
    assert not {"signature_placeholder", "unknown_element", "namespace"} & set(codes(again))


def test_document_to_several_agencies():
    result = read("edoc_multi_recipient.edxml")
    edoc = result.package
    assert result.kind == "edoc"
    assert edoc.from_ == model.Organization(
        organ_id="000.00.00.G22", organization_in_charge="Văn phòng Chính phủ", organ_name="Văn phòng Chính phủ",
        organ_add="Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội", email="vpcp@gov.vn", telephone="8043100", fax="048989898789",
        website="vpcp.vn")
    assert [t.organ_id for t in edoc.to] == ["000.00.00.H41", "000.00.00.H14", "000.00.00.G17"]
    assert [t.organ_name for t in edoc.to] == ["UBND Tỉnh Nghệ An", "UBND Tỉnh Cao Bằng", "Sở Thông tin truyền thông Hải Phòng"]
    assert edoc.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert edoc.code == model.Code("7816", "VPCP-TTĐT")
    assert edoc.promulgation_info == model.PromulgationInfo("Hà Nội", dt.date(2019, 4, 11))
    assert edoc.document_type == model.DocumentType(1, 0, "Công văn")
    assert edoc.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert edoc.signer_info == model.SignerInfo("TL. BO TRUONG", "Cuc truong cuc ung dung cong nghe thong tin", "Nguyen Thanh Phuc")
    assert edoc.due_date == dt.date(2019, 4, 11)
    assert edoc.other_info == model.OtherInfo(
        priority=0, sphere_of_promulgation="Liên thông văn bản quốc gia", typer_notation="TVC", promulgation_amount=2,
        page_amount=22, direction=False, appendixes=["Công văn về việc kết nối, liên thông phần mềm quản lý văn bản"])
    assert edoc.steering_type == 1
    assert edoc.to_places == ["Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP"]
    assert edoc.trace_headers == [model.TraceHeader("000.00.00.G22", dt.datetime(2019, 4, 11))]
    assert edoc.bussiness.bussiness_doc_type == model.BUSINESS_NEW
    assert edoc.bussiness.bussiness_doc_reason == "Văn bản điện tử mới"
    assert edoc.bussiness.staff_info == model.StaffInfo("Văn thư văn phòng", "Nguyễn Thị Ngọc Trâm", "84912000001",
                                                        "vanthuvanphong@gov.vn")
    [attachment] = edoc.attachments
    assert (attachment.content_id, attachment.attachment_name, attachment.content_type) == \
           ("cid:209", "1896_QD-TTg_m_294779.doc", "application/zip")
    assert attachment.data.startswith(b"PK\x03\x04")  # a zip, as its ContentType says
    assert attachment.size == len(attachment.data) and attachment.sha256 == hashlib.sha256(attachment.data).hexdigest()
    # The signature is a placeholder outside the XML-DSig namespace: reported, never verified.
    assert result.signature.status == "unverifiable"
    assert result.signature.location == "/edXML/edXMLEnvelope/edXMLHeader/Signature"
    assert result.signature.signature_method == "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    assert result.signature.certificate_subject == "CN=user05"
    assert codes(result) == ["signature_placeholder", "document_id_date", "document_id_bad_date"]
    assert not result.has_errors
    by_code = {o.code: o for o in result.oddities}
    assert by_code["document_id_date"].message == \
           "DocumentId carries the date 2015/09/30, but the promulgation date is 2019/04/11."
    assert by_code["document_id_bad_date"].location == "/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/DocumentId"


def test_update_with_its_receivers_and_a_zipped_attachment():
    result = read("edoc_update_with_attachment.edxml")
    edoc = result.package
    assert edoc.business_doc_type == model.BUSINESS_UPDATE
    assert edoc.bussiness.bussiness_doc_reason == "Cập nhật văn bản điện tử"
    assert edoc.bussiness.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert edoc.bussiness.document_info == model.BussinessDocumentInfo(
        document_info="1", document_receiver="1",
        receivers=[model.Receiver("000.00.00.H41", 0), model.Receiver("000.00.00.H14", 1)])
    assert [t.organ_id for t in edoc.to] == ["000.00.00.H53", "000.00.12.H53", "000.00.00.G17"]
    assert edoc.promulgation_info.promulgation_date == dt.date(2018, 9, 28)
    [attachment] = edoc.attachments
    assert attachment.data.startswith(b"PK\x03\x04") and attachment.size > 250_000
    assert result.signature.status == "unverifiable"
    assert codes(result) == ["signature_placeholder", "document_id_date", "document_id_bad_date"]


@pytest.mark.parametrize(("name", "code", "description"), [
    ("status_inbox_01.edxml", "01", "Văn thư - Phòng Văn thư - Lưu trữ: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"),
    ("status_rejection_02.edxml", "02", "Văn thư - Phòng Văn thư - Lưu trữ: Từ chối không tiếp nhận văn bản điện tử"),
    ("status_acceptance_03.edxml", "03", "Văn thư cơ - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị"),
    ("status_finish_06.edxml", "06", "Văn thư: Ban hành văn bản đến, hoàn thành xử lý"),
])
def test_status_messages(name, code, description):
    result = read(name)
    status = result.package
    assert result.kind == "status"
    assert status.status_code == code and status.description == description
    assert status.from_.organ_id == "000.00.00.H41" and status.from_.organ_name == "UBND Tỉnh Nghệ An"
    assert status.response_for == model.ResponseFor(organ_id="000.00.00.G22", code="7816/VPCP-TTĐT",
                                                    promulgation_date=dt.date(2015, 9, 30),
                                                    document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    assert status.staff_info == model.StaffInfo("Phong hanh chinh", "Nguyen thi ngoc tram", "84912000001", "ngoctram@nghean.vn")
    assert status.timestamp == dt.datetime(2015, 9, 20, 11, 8, 36)
    assert result.signature.status == "unsigned"
    assert result.oddities == []
