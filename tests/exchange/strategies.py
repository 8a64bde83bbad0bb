"""Hypothesis strategies for edXML packages that the strict writer accepts."""

import datetime as dt
import unicodedata

from hypothesis import strategies as st

from vanphong.exchange.edxml import model

VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
              "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ0123456789 ,./-:()")
# Any character XML 1.0 can carry, with the white space that edges of text may hold.
_XML_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff") | st.sampled_from("\t\n\r ")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


vietnamese_text = st.text(alphabet=st.sampled_from(VIETNAMESE), max_size=60)
any_text = st.text(alphabet=_XML_CHARACTERS, max_size=40).map(_nfc)
# Vietnamese mostly, some arbitrary text, some with white space at its edges.
text = st.one_of(vietnamese_text, any_text, st.tuples(st.sampled_from([" ", "\n  ", "\t", ""]), vietnamese_text,
                                                      st.sampled_from([" ", "\n", "  \r\n", ""])).map("".join))
non_blank_text = text.filter(lambda t: t.strip())

agency_code = st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True)
code_number = st.from_regex(r"[0-9]{1,5}", fullmatch=True)
code_notation = st.text(alphabet=st.sampled_from("ABCDĐGHKLMNPQSTUVXyĐ-"), min_size=1, max_size=15).map(_nfc).filter(
    lambda t: t == t.strip())
token = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789@.:-_/ Đ"), min_size=1, max_size=20).filter(
    lambda t: t == t.strip())
dates = st.dates(min_value=dt.date(1000, 1, 1))
timestamps = st.datetimes(min_value=dt.datetime(1000, 1, 1)).map(lambda d: d.replace(microsecond=0))
small_int = st.none() | st.integers(min_value=0, max_value=10**6)


def organizations(organ_id=agency_code):
    return st.builds(model.Organization, organ_id=organ_id, organization_in_charge=text, organ_name=text, organ_add=text,
                     email=text, telephone=text, fax=text, website=text)


staff = st.builds(model.StaffInfo, department=text, staff=text, mobile=text, email=text)


@st.composite
def document_ids(draw, organ_id=None):
    return model.document_id_for(organ_id or draw(agency_code), draw(dates), draw(code_number), draw(code_notation))


response_for = st.builds(model.ResponseFor, organ_id=st.just("") | agency_code, code=st.just("") | token,
                         promulgation_date=st.none() | dates, document_id=document_ids())

attachments = st.lists(
    st.builds(model.Attachment, content_id=token.map(lambda t: "cid:" + t.replace(" ", "")), attachment_name=non_blank_text,
              description=text, content_type=st.sampled_from(["", "application/pdf", "application/zip", "image/png"]),
              data=st.binary(max_size=3000)),
    max_size=4, unique_by=lambda a: a.content_id)

business = st.builds(
    model.Bussiness, document_id=st.just("") | document_ids(), bussiness_doc_type=st.integers(0, 3), bussiness_doc_reason=text,
    paper=small_int,
    document_info=st.none() | st.builds(model.BussinessDocumentInfo, document_info=text, document_receiver=text,
                                        receivers=st.lists(st.builds(model.Receiver, organ_id=agency_code, receiver_type=small_int),
                                                           max_size=4)),
    replacements=st.lists(st.builds(model.ReplacementInfo, document_id=document_ids(), organ_ids=st.lists(agency_code, max_size=3)),
                          max_size=3),
    staff_info=st.none() | staff)


@st.composite
def edocs(draw):
    sender = draw(organizations())
    date, number, notation = draw(dates), draw(code_number), draw(code_notation)
    return model.Edoc(
        from_=sender, to=draw(st.lists(organizations(), min_size=1, max_size=30)),
        document_id=model.document_id_for(sender.organ_id, date, number, notation),
        code=model.Code(code_number=number, code_notation=notation),
        promulgation_info=model.PromulgationInfo(place=draw(text), promulgation_date=date),
        document_type=draw(st.builds(model.DocumentType, type=small_int, type_detail=small_int, type_name=text)),
        subject=draw(non_blank_text), content=draw(text),
        signer_info=draw(st.builds(model.SignerInfo, competence=text, position=text, full_name=text)),
        due_date=draw(st.none() | dates),
        other_info=draw(st.builds(model.OtherInfo, priority=st.none() | st.integers(0, 4), sphere_of_promulgation=text,
                                  typer_notation=text, promulgation_amount=small_int, page_amount=small_int,
                                  direction=st.none() | st.booleans(), appendixes=st.lists(text, max_size=3))),
        steering_type=draw(small_int), to_places=draw(st.lists(text, max_size=4)),
        response_for=draw(st.none() | response_for),
        trace_headers=draw(st.lists(st.builds(model.TraceHeader, organ_id=agency_code, timestamp=st.none() | timestamps), max_size=3)),
        bussiness=draw(st.none() | business),
        attachments=draw(attachments))


statuses = st.builds(model.Status, from_=organizations(), response_for=response_for, staff_info=st.none() | staff,
                     status_code=st.sampled_from(sorted(model.STATUS_CODES)), description=text, timestamp=timestamps)

packages = edocs() | statuses
