"""Comments on a draft in the browser: the drafting office uploads a Word draft and sees it article by article,
invites two units and another agency; one unit comments article by article in the browser, one agrees without
comment, the other agency's clerk sends a Word file naming the articles; the staff see each comment under its
article, correct the one that named an article the draft does not have, and see who answered."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from tests.factories import PASSWORD, make_agency, make_person, make_unit
from vanphong.consultation.models import Comment, Consultation, Invitation


def either(*texts):
    return re.compile("|".join(re.escape(t) for t in texts))


def sign_out(page):
    page.context.clear_cookies()


@pytest.mark.django_db(transaction=True)
def test_a_draft_is_put_out_answered_three_ways_and_read_article_by_article(page, tmp_path):
    agency = make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", notation_scheme="party")
    other = make_agency("000.00.00.H40", "Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An")
    office = make_unit(agency, "Văn phòng Tỉnh ủy", "VP")
    organisation = make_unit(agency, "Ban Tổ chức Tỉnh ủy", "BTC")
    propaganda = make_unit(agency, "Ban Tuyên giáo Tỉnh ủy", "BTG")
    make_person(agency, "soanthao.e2e", "Phạm Văn Soạn", roles=["specialist"], unit=office)
    make_person(agency, "btc.e2e", "Đỗ Thị Tổ Chức", roles=["specialist"], unit=organisation)
    make_person(agency, "btg.e2e", "Vũ Văn Tuyên", roles=["specialist"], unit=propaganda)
    make_person(other, "vanthu.na", "Hoàng Thị Văn Thư", roles=["clerk"])
    draft = tmp_path / "du-thao-nghi-quyet.docx"
    draft.write_bytes(docx_bytes(DRAFT))
    answer = tmp_path / "gop-y-ubnd-nghe-an.docx"
    answer.write_bytes(docx_bytes(ANSWER))
    deadline = timezone.localdate() + dt.timedelta(days=14)

    # The drafting office puts the draft out.
    sign_in(page, "soanthao.e2e", PASSWORD)
    page.get_by_role("link", name=either("Comments on drafts", "Góp ý dự thảo")).first.click()
    page.get_by_role("link", name=either("Put a draft out for comments", "Đưa dự thảo ra lấy ý kiến")).click()
    page.locator("#id_title").fill("Dự thảo Nghị quyết về tiếp nhận và xử lý văn bản điện tử")
    page.locator("#id_deadline").fill(deadline.strftime("%d/%m/%Y"))
    page.locator("#id_file").set_input_files(str(draft))
    screenshot(page, "consultation-start")
    page.get_by_role("button", name=either("Upload and find its articles", "Tải lên và tìm các điều")).click()
    page.wait_for_url(re.compile(r"/consultation/\d+/$"))
    consultation = Consultation.objects.get()
    assert page.locator(".unit[data-key='article:3'] h3").inner_text() == "Điều 3. Thời hạn tiếp nhận"
    assert page.locator(".unit[data-key]").count() == 16

    # Invites two units and the other agency.
    page.get_by_role("link", name=either("Invite comments", "Mời góp ý")).first.click()
    page.get_by_label("Ban Tổ chức Tỉnh ủy").check()
    page.get_by_label("Ban Tuyên giáo Tỉnh ủy").check()
    page.locator("#id_agencies").select_option(label="Ủy ban nhân dân tỉnh Nghệ An")
    screenshot(page, "consultation-invite")
    page.get_by_role("button", name=either("Invite", "Mời"), exact=True).click()
    page.wait_for_url(re.compile(r"/consultation/\d+/#invitations$"))
    assert Invitation.objects.filter(consultation=consultation).count() == 3
    sign_out(page)

    # Ban Tổ chức comments article by article in the browser.
    sign_in(page, "btc.e2e", PASSWORD)
    page.goto("/consultation/")
    page.get_by_role("link", name="Dự thảo Nghị quyết về tiếp nhận và xử lý văn bản điện tử").click()
    article3 = page.locator(".unit", has=page.locator("h3", has_text="Điều 3. Thời hạn tiếp nhận"))
    article3.locator("summary").click()
    article3.locator("textarea").fill("Đề nghị quy định rõ thời hạn tiếp nhận văn bản đến ngoài giờ hành chính.")
    point = page.locator(".unit", has=page.locator("p.unit-line", has_text="Văn bản khẩn được tiếp nhận ngay"))
    point.locator("summary").click()
    point.locator("textarea").fill("Cần nêu rõ văn bản hỏa tốc được tiếp nhận cả ngày nghỉ.")
    screenshot(page, "consultation-answer-web")
    page.get_by_role("button", name=either("Send my comments", "Gửi ý kiến")).click()
    page.wait_for_url(re.compile(r"/consultation/invitations/\d+/$"))
    assert "Đề nghị quy định rõ thời hạn" in article3.inner_text()
    sign_out(page)

    # Ban Tuyên giáo agrees without comment.
    sign_in(page, "btg.e2e", PASSWORD)
    page.goto("/consultation/")
    page.get_by_role("link", name="Dự thảo Nghị quyết về tiếp nhận và xử lý văn bản điện tử").click()
    page.get_by_role("button", name=either("Agree, no comment", "Nhất trí, không góp ý")).click()
    page.wait_for_url(re.compile(r"/consultation/invitations/\d+/$"))
    sign_out(page)

    # The other agency's clerk sends a Word file naming the articles.
    sign_in(page, "vanthu.na", PASSWORD)
    page.goto("/consultation/")
    page.get_by_role("link", name="Dự thảo Nghị quyết về tiếp nhận và xử lý văn bản điện tử").click()
    page.locator("#id_file").set_input_files(str(answer))
    page.get_by_role("button", name=either("Send the file", "Gửi tệp")).click()
    page.wait_for_url(re.compile(r"/consultation/invitations/\d+/$"))
    assert page.locator(".messages").inner_text().count("5") >= 1
    screenshot(page, "consultation-answer-file")
    sign_out(page)

    # The staff see every comment under its article and who answered.
    sign_in(page, "soanthao.e2e", PASSWORD)
    page.goto(f"/consultation/{consultation.pk}/")
    article3 = page.locator(".unit[data-key='article:3']")
    assert article3.locator("li.comment").count() == 2  # one typed by Ban Tổ chức, one from the Word file
    assert "Ban Tổ chức Tỉnh ủy" in article3.inner_text() and "Ủy ban nhân dân tỉnh Nghệ An" in article3.inner_text()
    assert page.locator(".unit[data-key='article:3/clause:2'] li.comment").count() == 1
    assert page.locator(".unit[data-key='article:5/clause:2'] li.comment").count() == 1
    cards = page.locator("ul.cards").inner_text()
    assert re.search(r"3\s+(Invited|Được mời)", cards) and re.search(r"1\s+(Agreed, no comment|Nhất trí, không góp ý)", cards)
    screenshot(page, "consultation-staff-view")
    # "Điều 9" does not exist: the comment is flagged; the staff move it to Điều 5.
    assert page.locator(".warnbox").count() == 1
    wrong = page.locator("li.comment", has_text="Đề nghị sửa Điều 9")
    wrong.locator("summary").click()
    wrong.locator("input[name=part]").fill("Điều 5")
    wrong.get_by_role("button", name=either("Move", "Chuyển")).click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    assert page.locator(".unit[data-key='article:5'] li.comment", has_text="Đề nghị sửa Điều 9").count() == 1
    moved = Comment.objects.get(text__startswith="Đề nghị sửa Điều 9")
    assert moved.node.key == "article:5" and moved.mapping == "staff"
    screenshot(page, "consultation-staff-moved")
    assert (ARTIFACTS / "consultation-staff-view.png").exists()

    # Version 2 inserts an article before Điều 3: the comments follow their articles, renumbered, and the match shows.
    second = tmp_path / "du-thao-lan-2.docx"
    second.write_bytes(docx_bytes(DRAFT.replace("Điều 5. Lưu trữ", "Điều 6. Lưu trữ").replace("Điều 4. Trách nhiệm", "Điều 5. Trách nhiệm")
                                  .replace("Điều 3. Thời hạn tiếp nhận", "Điều 4. Thời hạn tiếp nhận")
                                  .replace("Mục 1. TIẾP NHẬN VĂN BẢN\n", "Mục 1. TIẾP NHẬN VĂN BẢN\nĐiều 3. Nguyên tắc chung\nBảo đảm an toàn thông tin.\n")))
    page.get_by_role("link", name=either("Upload a new version", "Tải lên phiên bản mới")).click()
    page.locator("#id_file").set_input_files(str(second))
    page.locator("#id_note").fill("Bổ sung Điều 3 về nguyên tắc chung")
    page.get_by_role("button", name=either("Upload the new version", "Tải lên phiên bản mới")).click()
    page.wait_for_url(re.compile(r"/versions/2/$"))
    row = page.locator("tr", has=page.locator("td", has_text=re.compile(r"^Điều 4$")))
    assert "Điều 3" in row.inner_text()
    screenshot(page, "consultation-version-2")
    page.goto(f"/consultation/{consultation.pk}/")
    assert page.locator(".unit[data-key='article:4'] li.comment").count() == 2
