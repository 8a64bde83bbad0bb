"""The synthesis report: its data gathered from a consultation's groups (synthesis.synthesis_of), the Word file and the
workbook drawn from it (read back with python-docx and openpyxl), and who may download it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest

from vanphong.consultation import synthesis_docx, synthesis_xlsx
from vanphong.consultation.synthesis import ArticleCount, GroupRow, InviteeFigures, Respondent, Section, Synthesis


def sample() -> Synthesis:
    btc, btg, so = (Respondent("Ban Tổ chức Tỉnh ủy", "unit"), Respondent("Ban Tuyên giáo Tỉnh ủy", "unit"),
                    Respondent("Sở Nội vụ", "agency"))
    whole = Section(None, "The draft as a whole", "", [
        GroupRow(7, None, "", 1, [so], "Đề nghị rà soát thể thức toàn văn.", "noted", "Cơ quan soạn thảo ghi nhận.")])
    article_3 = Section(13, "Điều 3", "Thời hạn tiếp nhận", [
        GroupRow(8, 14, "Khoản 1 Điều 3", 3, [btc, btg], "Đề nghị quy định rõ thời hạn tiếp nhận ngoài giờ hành chính.",
                 "accepted", "Đã bổ sung khoản 3.", 31, "Khoản 3 Điều 3"),
        GroupRow(None, 13, "Điều 3", 1, [so], "Đề nghị gộp Điều 3 với Điều 4.")])
    article_5 = Section(20, "Điều 5", "Lưu trữ văn bản điện tử", [
        GroupRow(9, 22, "Khoản 2 Điều 5", 2, [btg, so], "Đề nghị nâng thời hạn lưu trữ lên 20 năm.", "explained",
                 "Luật Lưu trữ đã quy định thời hạn này.")])
    kinds = [InviteeFigures("Đơn vị", invited=3, answered=2, comments=5, late=1),
             InviteeFigures("Cơ quan khác", invited=1, answered=1, answered_late=1, comments=3)]
    total = InviteeFigures("Tổng", invited=4, answered=3, answered_late=1, late=1, comments=8)
    units = [InviteeFigures("Ban Tổ chức Tỉnh ủy", invited=1, answered=1, comments=2),
             InviteeFigures("Ban Tuyên giáo Tỉnh ủy", invited=1, answered=1, comments=3),
             InviteeFigures("Văn phòng Tỉnh ủy", invited=1, late=1), InviteeFigures("Sở Nội vụ", invited=1, answered=1, comments=3)]
    per_article = [ArticleCount(None, "The draft as a whole", 1), ArticleCount(1, "Điều 1", 0), ArticleCount(13, "Điều 3", 4),
                   ArticleCount(20, "Điều 5", 2)]
    return Synthesis(consultation_id=1, title="Dự thảo Nghị quyết về văn bản điện tử", agency_lines=["TỈNH ỦY BẮC NINH"],
                     national_lines=["ĐẢNG CỘNG SẢN VIỆT NAM"], notation_code="TU", drafting_unit="Văn phòng Tỉnh ủy",
                     deadline=dt.date(2026, 12, 20), version_number=2, version_filename="du-thao-2.docx",
                     as_of=dt.date(2026, 12, 7), prepared_by="Phạm Văn Soạn", prepared_by_position="Chuyên viên",
                     total=total, by_kind=kinds, by_unit=units, per_article=per_article, sections=[whole, article_3, article_5])


def docx_table_rows(content: bytes) -> tuple[list[list[str]], object]:
    from docx import Document

    document = Document(io.BytesIO(content))
    comments = next(t for t in document.tables if t.rows[0].cells[0].text == "No." and len(t.columns) == 5)
    return [[c.text for c in row.cells] for row in comments.rows], document


def test_the_word_report_lists_each_group_under_its_article_with_counts_respondents_and_response():
    rows, document = docx_table_rows(synthesis_docx.render(sample()))
    assert rows[0] == ["No.", "Article, clause", "Comment", "Agencies, units and people commenting", "Acceptance or explanation"]
    # An article's heading spans the row (merged cells repeat its text), then its groups, numbered through the table.
    assert rows[1] == ["The draft as a whole"] * 5
    assert rows[2][:3] == ["1", "The draft as a whole", "Đề nghị rà soát thể thức toàn văn."]
    assert rows[2][4] == "Noted: Cơ quan soạn thảo ghi nhận."
    assert rows[3] == ["Điều 3. Thời hạn tiếp nhận"] * 5
    assert rows[4][:3] == ["2", "Khoản 1 Điều 3", "Đề nghị quy định rõ thời hạn tiếp nhận ngoài giờ hành chính."]
    assert rows[4][3] == "Ban Tổ chức Tỉnh ủy; Ban Tuyên giáo Tỉnh ủy\n(2 respondents, 3 comments)"
    assert rows[4][4] == "Accepted: Đã bổ sung khoản 3.\nSee Khoản 3 Điều 3 of the revised draft."
    assert rows[5][1:] == ["Điều 3", "Đề nghị gộp Điều 3 với Điều 4.", "Sở Nội vụ\n(1 respondent, 1 comment)", "Not consolidated yet."]
    assert rows[6] == ["Điều 5. Lưu trữ văn bản điện tử"] * 5
    assert rows[7][0] == "4" and rows[7][4] == "Explained: Luật Lưu trữ đã quy định thời hạn này."
    assert len(rows) == 8
    table = next(t for t in document.tables if len(t.columns) == 5)
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # the heading repeats on every page
    assert all(table.rows[k]._tr.xpath("./w:trPr/w:cantSplit") for k in (2, 4, 5, 7))  # a group's row is never cut in two
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Synthesis of the comments on Dự thảo Nghị quyết về văn bản điện tử" in text
    assert "4 invitees" in text and "3 answered (75.0%)" in text and "1 of these answers came after the deadline" in text
    assert "7 comments were received and consolidated into 3 groups; 3 groups have" in text
    assert "Not answered: 1, of which 1 past the deadline." in text
    assert "1 comment is not consolidated yet" in text
    # The header of Decree 30: the agency, the number, the Party's name; the signer at the end.
    header = document.tables[0].rows[0].cells
    assert header[0].text.split("\n") == ["TỈNH ỦY BẮC NINH", "No.: …/BC-TU"]
    assert header[1].text.startswith("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert "Phạm Văn Soạn" in document.tables[-1].rows[0].cells[1].text
    # The two charts are pictures in the file, each with its caption.
    assert len(document.inline_shapes) == 2
    assert "Figure 1. Response rate by unit" in text and "Figure 2. Comments per article" in text
    images = [n for n in zipfile.ZipFile(io.BytesIO(synthesis_docx.render(sample()))).namelist() if n.startswith("word/media/")]
    assert len(images) == 2
    section = document.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_the_kind_table_gives_the_response_rates():
    _rows, document = docx_table_rows(synthesis_docx.render(sample()))
    kinds = next(t for t in document.tables if t.rows[0].cells[0].text == "Invitees")
    assert [[c.text for c in r.cells] for r in kinds.rows[1:]] == [
        ["Đơn vị", "3", "2", "0", "0", "1", "66.7%"], ["Cơ quan khác", "1", "1", "0", "1", "0", "100.0%"],
        ["Tổng", "4", "3", "0", "1", "1", "75.0%"]]


def test_the_charts_are_drawn_from_the_figures():
    s = sample()
    png = synthesis_docx.rate_chart_png(s)
    assert png.startswith(b"\x89PNG")
    # Too many units to draw: the chart shows the kinds instead, and says so.
    s.by_unit = [InviteeFigures(f"Đơn vị {n}", invited=1) for n in range(synthesis_docx.CHART_ROWS + 1)]
    assert synthesis_docx.rate_chart_rows(s) == ("Response rate by kind of invitee", s.by_kind)
    s.per_article = [ArticleCount(n, f"Điều {n}", n % 7) for n in range(1, 61)]
    title, shown = synthesis_docx.article_chart_rows(s)
    assert title == "Comments per article (the 40 most commented)" and len(shown) == 40
    assert [a.unit_id for a in shown] == sorted(a.unit_id for a in shown)  # still in draft order
    assert min(a.comments for a in shown) >= max(a.comments for a in s.per_article if a not in shown)


def test_the_workbook_has_a_row_a_group_and_an_overview_with_two_bar_charts():
    from openpyxl import load_workbook

    content = synthesis_xlsx.render(sample())
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Overview", "Comments"]
    sheet = workbook["Comments"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    head = rows.index(synthesis_xlsx.comment_headers())
    body = rows[head + 1:]
    assert [r[:6] for r in body] == [
        [1, "The draft as a whole", "The draft as a whole", "Đề nghị rà soát thể thức toàn văn.", 1, 1],
        [2, "Điều 3", "Khoản 1 Điều 3", "Đề nghị quy định rõ thời hạn tiếp nhận ngoài giờ hành chính.", 3, 2],
        [3, "Điều 3", "Điều 3", "Đề nghị gộp Điều 3 với Điều 4.", 1, 1],
        [4, "Điều 5", "Khoản 2 Điều 5", "Đề nghị nâng thời hạn lưu trữ lên 20 năm.", 2, 2]]
    assert body[1][6:] == ["Ban Tổ chức Tỉnh ủy; Ban Tuyên giáo Tỉnh ủy", "Accepted", "Đã bổ sung khoản 3.", "Khoản 3 Điều 3"]
    assert body[2][7:] == [None, None, None]  # not consolidated: no response
    assert sheet.auto_filter.ref == f"A{head + 1}:J{head + 5}"
    overview = [list(r) for r in workbook["Overview"].iter_rows(values_only=True)]
    by_unit = overview.index(["Response rate by unit", None, None, None, None, None, None])
    assert overview[by_unit + 2][:3] == ["Ban Tổ chức Tỉnh ủy", 1, 1] and overview[by_unit + 4][6] == 0
    by_article = overview.index(["Comments per article", None, None, None, None, None, None])
    assert [r[:2] for r in overview[by_article + 2:by_article + 6]] == [
        ["The draft as a whole", 1], ["Điều 1", 0], ["Điều 3", 4], ["Điều 5", 2]]
    # openpyxl does not read charts back: the chart parts are read from the file itself.
    archive = zipfile.ZipFile(io.BytesIO(content))
    charts = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert len(charts) == 2
    rate, article = (archive.read(n).decode() for n in charts)
    assert '<barDir val="bar"/>' in rate and f"'Overview'!$G${by_unit + 3}:$G${by_unit + 6}" in rate
    assert "'Overview'!$A$" in rate and "Response rate by unit" in rate
    assert '<barDir val="col"/>' in article and f"'Overview'!$B${by_article + 3}:$B${by_article + 6}" in article


@pytest.mark.parametrize("render", [synthesis_docx.render, synthesis_xlsx.render])
def test_a_consultation_without_comments_still_makes_a_report(render):
    s = sample()
    s.sections, s.per_article = [], []
    assert render(s)[:2] == b"PK"


# ---- from a consultation's groups -----------------------------------------------------------------------------------


@pytest.fixture
def consolidated(consultation, invited, organiser, propagandist, clerk_b, drafter):
    """Two units comment, agency B agrees without comment; two groups are made and answered, one comment stays loose."""
    from vanphong.consultation import services
    from vanphong.consultation.models import Comment, CommentGroup, Node

    node = {n.key: n for n in Node.objects.filter(version__consultation=consultation)}
    services.answer_on_web(organiser, invited["org"], comments=[
        (node["article:3/clause:1"].pk, "Đề nghị quy định rõ thời hạn tiếp nhận ngoài giờ hành chính."),
        (node["article:5"].pk, "Đề nghị nâng thời hạn lưu trữ lên 20 năm."),
        (node["article:5/clause:2"].pk, "Kính gửi Văn phòng Tỉnh ủy."),
        (None, "Đề nghị rà soát thể thức toàn văn.")])
    services.answer_on_web(propagandist, invited["prop"], comments=[
        (node["article:3/clause:1"].pk, "Cần quy định rõ thời hạn tiếp nhận văn bản ngoài giờ."),
        (node["article:5/clause:2"].pk, "Nên nâng thời hạn lưu trữ lên 20 năm.")])
    services.answer_on_web(clerk_b, invited["b"], agreed=True)
    comment = {c.text[:12]: c for c in Comment.objects.all()}
    services.set_excluded(drafter, comment["Kính gửi Văn"], excluded=True)
    hours = CommentGroup.objects.create(consultation=consultation, node=node["article:3/clause:1"],
                                        representative=comment["Cần quy định"], response="accepted",
                                        response_text="Đã bổ sung vào Điều 4.", response_node=node["article:4"])
    keeping = CommentGroup.objects.create(consultation=consultation, node=node["article:5"], representative=comment["Kính gửi Văn"],
                                          response="explained", response_text="Luật Lưu trữ đã quy định.")
    only_excluded = CommentGroup.objects.create(consultation=consultation, node=node["article:1"])
    Comment.objects.filter(pk__in=[comment["Đề nghị quy "].pk, comment["Cần quy định"].pk]).update(group=hours)
    Comment.objects.filter(pk__in=[comment["Đề nghị nâng"].pk, comment["Nên nâng thờ"].pk]).update(group=keeping)
    Comment.objects.filter(pk=comment["Kính gửi Văn"].pk).update(group=only_excluded)
    return {"hours": hours, "keeping": keeping, "node": node}


@pytest.mark.django_db
def test_the_synthesis_gathers_groups_per_article_with_their_respondents_and_responses(consultation, consolidated, drafter):
    from vanphong.consultation.synthesis import synthesis_for_staff

    s = synthesis_for_staff(drafter, consultation.pk)
    assert [(x.label, x.comments) for x in s.sections] == [("The draft as a whole", 1), ("Điều 3", 2), ("Điều 5", 2)]
    loose, = s.sections[0].groups
    assert (loose.id, loose.representative, loose.respondent_names) == (None, "Đề nghị rà soát thể thức toàn văn.", ["Ban Tổ chức Tỉnh ủy"])
    hours, = s.sections[1].groups
    assert (hours.id, hours.unit_label, hours.comments) == (consolidated["hours"].pk, "Khoản 1 Điều 3", 2)
    assert hours.respondent_names == ["Ban Tổ chức Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy"]
    assert hours.representative == "Cần quy định rõ thời hạn tiếp nhận văn bản ngoài giờ."
    assert (hours.response, hours.response_text, hours.response_unit_label) == ("accepted", "Đã bổ sung vào Điều 4.", "Điều 4")
    keeping, = s.sections[2].groups
    # Its representative was marked as no comment: the group's first counted member stands for it; the excluded one is
    # not counted, and a group of excluded comments only is left out.
    assert (keeping.comments, keeping.representative, keeping.response) == (2, "Đề nghị nâng thời hạn lưu trữ lên 20 năm.", "explained")
    assert (s.comments, s.consolidated, s.responded_groups, s.not_consolidated) == (5, 2, 2, 1)
    assert [(a.label, a.comments) for a in s.per_article] == [
        ("The draft as a whole", 1), ("Điều 1", 0), ("Điều 2", 0), ("Điều 3", 2), ("Điều 4", 0), ("Điều 5", 2)]
    t = s.total
    assert (t.invited, t.answered, t.agreed, t.late, t.not_answered, t.rate, t.comments) == (3, 2, 1, 0, 0, 100.0, 6 - 1)
    assert [(k.name, k.invited, k.answered, k.agreed) for k in s.by_kind] == [("Units", 2, 2, 0), ("Other agencies", 1, 0, 1)]
    assert [(u.name, u.responded) for u in s.by_unit] == [("Ban Tổ chức Tỉnh ủy", 1), ("Ban Tuyên giáo Tỉnh ủy", 1),
                                                          (consultation.invitations.get(kind="agency").agency.name, 1)]
    assert s.agency_lines[-1] == consultation.agency.name.upper() and s.prepared_by == drafter.full_name


@pytest.mark.django_db
def test_a_late_invitee_and_a_person_count_with_their_unit(consultation, invited, organiser, drafter):
    from vanphong.consultation import services
    from vanphong.consultation.models import Invitation
    from vanphong.consultation.synthesis import synthesis_of

    services.invite(drafter, consultation, people=[organiser])
    Invitation.objects.filter(pk=invited["prop"].pk).update(deadline=dt.date(2020, 1, 1))
    s = synthesis_of(consultation, drafter)
    assert s.sections == [] and s.total.late == 1 and s.total.not_answered == 4
    assert [(u.name, u.invited, u.late) for u in s.by_unit][:2] == [("Ban Tổ chức Tỉnh ủy", 2, 0), ("Ban Tuyên giáo Tỉnh ủy", 1, 1)]
    assert [k.name for k in s.by_kind] == ["Units", "People", "Other agencies"]


@pytest.mark.django_db
def test_the_reports_drawn_from_a_consultation_hold_its_groups_and_answers(consultation, consolidated, drafter):
    from openpyxl import load_workbook

    from vanphong.consultation import synthesis

    content, name, content_type = synthesis.export(drafter, consultation.pk, "docx")
    assert name == "Synthesis of comments - Dự thảo Nghị quyết về văn bản điện tử.docx" and "wordprocessingml" in content_type
    rows, document = docx_table_rows(content)
    groups = [r for r in rows[1:] if r[0] != r[1]]  # less the articles' headings
    assert [g[1:3] for g in groups] == [["The draft as a whole", "Đề nghị rà soát thể thức toàn văn."],
                                        ["Khoản 1 Điều 3", "Cần quy định rõ thời hạn tiếp nhận văn bản ngoài giờ."],
                                        ["Điều 5", "Đề nghị nâng thời hạn lưu trữ lên 20 năm."]]
    assert groups[1][3] == "Ban Tổ chức Tỉnh ủy; Ban Tuyên giáo Tỉnh ủy\n(2 respondents, 2 comments)"
    assert groups[1][4] == "Accepted: Đã bổ sung vào Điều 4.\nSee Điều 4 of the revised draft."
    assert groups[2][4] == "Explained: Luật Lưu trữ đã quy định." and groups[0][4] == "Not consolidated yet."
    assert len(document.inline_shapes) == 2
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Văn phòng Tỉnh ủy put the draft out for comments to 3 invitees" in text
    consultation.drafting_unit = None
    consultation.save()
    _rows, document = docx_table_rows(synthesis.export(drafter, consultation.pk, "docx")[0])
    assert f"{consultation.agency.name} put the draft out" in "\n".join(p.text for p in document.paragraphs)
    content, name, _type = synthesis.export(drafter, consultation.pk, "xlsx")
    sheet = load_workbook(io.BytesIO(content))["Comments"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    body = values[values.index(synthesis_xlsx.comment_headers()) + 1:]
    assert [(r[2], r[4], r[5], r[7]) for r in body] == [("The draft as a whole", 1, 1, None), ("Khoản 1 Điều 3", 2, 2, "Accepted"),
                                                        ("Điều 5", 2, 2, "Explained")]
    from vanphong.core.models import AuditRecord

    assert list(AuditRecord.objects.filter(action="consultation.report.exported").order_by("id").values_list("data__format", flat=True)) == ["docx", "docx", "xlsx"]


@pytest.mark.django_db
def test_only_the_drafting_body_downloads_the_report(client, consultation, consolidated, drafter, organiser, admin_b):
    from tests.conftest import signed_in

    url = f"/consultation/{consultation.pk}/report.docx"
    for person in (organiser, admin_b):  # a respondent, another agency
        signed_in(client, person)
        assert client.get(url).status_code == 404
        assert client.get(f"/consultation/{consultation.pk}/report.xlsx").status_code == 404
        client.logout()
    signed_in(client, drafter)
    page = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert f'href="{url}"' in page and f'href="/consultation/{consultation.pk}/report.xlsx"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith(synthesis_docx_type())
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Synthesis of comments - Du thao Nghi quyet ve van ban dien tu.docx\"; "
        "filename*=UTF-8''Synthesis%20of%20comments%20-%20D%E1%BB%B1%20th%E1%BA%A3o%20Ngh%E1%BB%8B%20quy%E1%BA%BFt%20v%E1%BB%81"
        "%20v%C4%83n%20b%E1%BA%A3n%20%C4%91i%E1%BB%87n%20t%E1%BB%AD.docx")
    assert "Khoản 1 Điều 3" in [r[1] for r in docx_table_rows(response.content)[0]]
    assert client.get(f"/consultation/{consultation.pk}/report.pdf").status_code == 404
    assert client.get(f"/consultation/{consultation.pk}/report.xlsx")["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")


def synthesis_docx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.django_db
def test_the_api_gives_the_results_per_article_and_the_reports(consultation, consolidated, drafter, organiser):
    from django.test import Client

    from tests.api.conftest import Api, token_of

    api = Api(Client(), token_of(drafter))
    body = api.get(f"/consultations/{consultation.pk}/results").json()
    assert [(s["label"], s["comments"]) for s in body["sections"]] == [("The draft as a whole", 1), ("Điều 3", 2), ("Điều 5", 2)]
    hours = body["sections"][1]["groups"][0]
    assert hours == {
        "id": consolidated["hours"].pk, "unit_id": consolidated["node"]["article:3/clause:1"].pk, "unit_label": "Khoản 1 Điều 3",
        "comments": 2, "respondents": [{"name": "Ban Tổ chức Tỉnh ủy", "kind": "unit"}, {"name": "Ban Tuyên giáo Tỉnh ủy", "kind": "unit"}],
        "representative": "Cần quy định rõ thời hạn tiếp nhận văn bản ngoài giờ.", "response": "accepted",
        "response_text": "Đã bổ sung vào Điều 4.", "response_unit_id": consolidated["node"]["article:4"].pk, "response_unit_label": "Điều 4"}
    assert body["sections"][0]["groups"][0]["id"] is None
    assert (body["comments"], body["groups"], body["groups_responded"], body["comments_not_consolidated"]) == (5, 2, 2, 1)
    assert body["total"] | {"name": ""} == {"name": "", "invited": 3, "answered": 2, "agreed": 1, "answered_late": 0, "late": 0,
                                            "not_answered": 0, "rate": 100.0, "comments": 5}
    assert [a["comments"] for a in body["per_article"]] == [1, 0, 0, 2, 0, 2]
    response = api.get(f"/consultations/{consultation.pk}/report.xlsx")
    assert response.status_code == 200 and "filename*=UTF-8''Synthesis%20of%20comments" in response["Content-Disposition"]
    assert Api(Client(), token_of(organiser)).get(f"/consultations/{consultation.pk}/results").status_code == 404
    assert api.get("/consultations/999999/results").status_code == 404
    assert api.get("/consultations/0/results").status_code == 422
