"""From a draft to its synthesis report, in the browser (issue 7's check): the drafting office uploads a Word draft and
invites three units; two comment in the browser and the third sends a Word file naming the articles; the consolidation
groups their comments; the staff merge two groups that ask the same thing and answer the groups; the synthesis report
downloaded from the consultation's page holds those groups, who raised them and the answers."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from tests.e2e.test_signing import run_worker
from tests.e2e.test_workflow_assignment import in_english, sign_in_en, sign_out
from tests.factories import PASSWORD, make_agency, make_person, make_unit
from vanphong.consultation.models import CommentGroup, Consultation

TITLE = "Dự thảo Nghị quyết về tiếp nhận và xử lý văn bản điện tử"
HOURS = "Đề nghị quy định rõ thời hạn tiếp nhận văn bản đến ngoài giờ hành chính."  # Ban Tổ chức's, and in the Word file
HOLIDAYS = "Cần bổ sung việc tiếp nhận trong ngày nghỉ lễ, Tết."  # Ban Tuyên giáo's: says the same in other words


def group_card(page, text):
    return page.locator("article.group-card", has=page.locator("blockquote.representative", has_text=text))


@pytest.mark.django_db(transaction=True)
def test_comments_are_consolidated_merged_answered_and_reported(page, tmp_path):
    agency = make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", notation_scheme="party")
    office = make_unit(agency, "Văn phòng Tỉnh ủy", "VP")
    units = {code: make_unit(agency, name, code) for code, name in
             (("BTC", "Ban Tổ chức Tỉnh ủy"), ("BTG", "Ban Tuyên giáo Tỉnh ủy"), ("BDV", "Ban Dân vận Tỉnh ủy"))}
    make_person(agency, "soanthao.th", "Phạm Văn Soạn", roles=["specialist"], unit=office, position="Chuyên viên")
    make_person(agency, "btc.th", "Đỗ Thị Tổ Chức", roles=["specialist"], unit=units["BTC"])
    make_person(agency, "btg.th", "Vũ Văn Tuyên", roles=["specialist"], unit=units["BTG"])
    make_person(agency, "bdv.th", "Lý Thị Dân", roles=["specialist"], unit=units["BDV"])
    draft = tmp_path / "du-thao-nghi-quyet.docx"
    draft.write_bytes(docx_bytes(DRAFT))
    letter = tmp_path / "gop-y-ban-dan-van.docx"
    letter.write_bytes(docx_bytes(ANSWER.replace("Sở Nội vụ", "Ban Dân vận Tỉnh ủy")))

    # The drafting office uploads the draft and invites the three units.
    sign_in(page, "soanthao.th", PASSWORD)
    in_english(page)
    page.goto("/consultation/new/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_deadline").fill((timezone.localdate() + dt.timedelta(days=14)).strftime("%d/%m/%Y"))
    page.locator("#id_file").set_input_files(str(draft))
    page.get_by_role("button", name="Upload and find its articles").click()
    page.wait_for_url(re.compile(r"/consultation/\d+/$"))
    consultation = Consultation.objects.get()
    page.get_by_role("link", name="Invite comments").first.click()
    for name in ("Ban Tổ chức Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy", "Ban Dân vận Tỉnh ủy"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Invite", exact=True).click()
    page.wait_for_url(re.compile(r"#invitations$"))
    sign_out(page)

    # Two units comment in the browser, on Điều 3.
    for username, text in (("btc.th", HOURS), ("btg.th", HOLIDAYS)):
        sign_in_en(page, username)
        page.goto("/consultation/")
        page.get_by_role("link", name=TITLE).click()
        article = page.locator(".unit", has=page.locator("h3", has_text="Điều 3. Thời hạn tiếp nhận"))
        article.locator("summary").click()
        article.locator("textarea").fill(text)
        page.get_by_role("button", name="Send my comments").click()
        expect(page.locator(".messages")).to_contain_text("Thank you")
        sign_out(page)

    # The third sends a Word letter naming the articles ("Về Điều 3:", "khoản 2 Điều 5", …).
    sign_in_en(page, "bdv.th")
    page.goto("/consultation/")
    page.get_by_role("link", name=TITLE).click()
    page.locator("#id_file").set_input_files(str(letter))
    page.get_by_role("button", name="Send the file").click()
    expect(page.locator(".messages")).to_contain_text("comments were found in it")
    sign_out(page)

    # The staff run the consolidation; the worker groups the comments while the page shows its progress.
    sign_in_en(page, "soanthao.th")
    page.goto(f"/consultation/{consultation.pk}/")
    page.get_by_role("link", name="Consolidation of comments").click()
    page.get_by_role("button", name="Run the consolidation").click()
    expect(page.locator("#consolidation-progress")).to_be_visible()
    run_worker()
    expect(page.locator("#group-total")).to_be_visible(timeout=20_000)  # the page reloads once the run is done
    hours, holidays = group_card(page, HOURS), group_card(page, HOLIDAYS)
    expect(hours).to_contain_text("2 comments")  # Ban Tổ chức's and the letter's, word for word the same
    expect(holidays).to_contain_text("1 comment")
    screenshot(page, "consultation-synthesis-groups-en")

    # They merge the two groups on Điều 3, which ask the same thing, and answer the merged group and another.
    hours.get_by_label("Choose for merging").check()
    holidays.get_by_label("Choose for merging").check()
    page.locator("#part-" + str(consultation.versions.get().nodes.get(key="article:3").pk)).get_by_role(
        "button", name="Merge the chosen groups").click()
    expect(page.locator(".messages")).to_contain_text("The groups are merged")
    merged = page.locator("article.group-card", has=page.get_by_text("Ban Tuyên giáo Tỉnh ủy")).filter(has_text="3 comments")
    expect(merged).to_have_count(1)
    merged.get_by_text("Give the response").click()  # the form is folded until asked for
    merged.get_by_label("Accepted").check()
    merged.get_by_label("Text of the response").fill("Tiếp thu: bổ sung khoản 3 về tiếp nhận ngoài giờ và ngày nghỉ.")
    merged.get_by_label("Part of the new draft it concerns (optional)").select_option(label="Điều 3. Thời hạn tiếp nhận")
    merged.get_by_role("button", name="Save the response").click()
    expect(page.locator(".messages")).to_contain_text("The response is saved")
    keeping = group_card(page, "nâng thời hạn lưu trữ lên 20 năm")
    keeping.get_by_text("Give the response").click()  # the form is folded until asked for
    keeping.get_by_label("Explained").check()
    keeping.get_by_label("Text of the response").fill("Luật Lưu trữ đã quy định thời hạn lưu trữ.")
    keeping.get_by_role("button", name="Save the response").click()
    expect(page.locator(".messages")).to_contain_text("The response is saved")
    screenshot(page, "consultation-synthesis-answered-en")
    assert CommentGroup.objects.filter(consultation=consultation).exclude(response="").count() == 2

    # The synthesis report, downloaded from the consultation's page, holds the groups, who raised them and the answers.
    page.goto(f"/consultation/{consultation.pk}/")
    screenshot(page, "consultation-synthesis-links-en")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Synthesis report (DOCX)").click()
    download = download_info.value
    assert download.suggested_filename == f"Synthesis of comments - {TITLE}.docx"
    download.save_as(ARTIFACTS / "consultation-synthesis-report.docx")  # to open and look at
    from docx import Document

    document = Document(io.BytesIO((ARTIFACTS / "consultation-synthesis-report.docx").read_bytes()))
    table = next(t for t in document.tables if len(t.columns) == 5 and t.rows[0].cells[0].text == "No.")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    merged_row = next(r for r in rows if r[4].startswith("Accepted"))
    assert merged_row[1] == "Điều 3"
    assert merged_row[3] == "Ban Tổ chức Tỉnh ủy; Ban Tuyên giáo Tỉnh ủy; Ban Dân vận Tỉnh ủy\n(3 respondents, 3 comments)"
    assert merged_row[4] == "Accepted: Tiếp thu: bổ sung khoản 3 về tiếp nhận ngoài giờ và ngày nghỉ.\nSee Điều 3 of the revised draft."
    assert merged_row[2] in (HOURS, HOLIDAYS)
    explained = next(r for r in rows if r[4].startswith("Explained"))
    assert explained[1:3] == ["Khoản 2 Điều 5", "Tại khoản 2 Điều 5, đề nghị nâng thời hạn lưu trữ lên 20 năm."]
    assert explained[3] == "Ban Dân vận Tỉnh ủy\n(1 respondent, 1 comment)"
    assert ["Điều 3. Thời hạn tiếp nhận"] * 5 in rows and ["Điều 5. Lưu trữ văn bản điện tử"] * 5 in rows
    assert len(document.inline_shapes) == 2  # the two charts
    text = "\n".join(p.text for p in document.paragraphs)
    assert "3 answered (100.0%): 3 with comments" in text
