"""The consolidation page in the browser (English): the drafting office runs the consolidation of the comments
received, follows its progress while the worker groups them, merges two groups that ask the same thing and answers
the merged group; a re-run keeps both."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.consultation.drafts import DRAFT, docx_bytes, upload
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_signing import run_worker
from tests.e2e.test_workflow_assignment import in_english
from tests.factories import PASSWORD, make_agency, make_person, make_unit
from vanphong.consultation import services
from vanphong.consultation.models import Comment, CommentGroup, Node

HOURS = "Đề nghị quy định rõ thời hạn tiếp nhận văn bản đến ngoài giờ hành chính."
HOLIDAYS = "Cần bổ sung việc tiếp nhận văn bản trong ngày nghỉ lễ, Tết."
URGENT = "Đề nghị làm rõ ai là người xác định độ khẩn của văn bản."


def group_card(page, text):
    return page.locator("article.group-card", has=page.locator("blockquote.representative", has_text=text))


@pytest.mark.django_db(transaction=True)
def test_staff_run_the_consolidation_merge_two_groups_and_answer(page):
    agency = make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", notation_scheme="party")
    office = make_unit(agency, "Văn phòng Tỉnh ủy", "VP")
    drafter = make_person(agency, "soanthao.th", "Phạm Văn Soạn", roles=["specialist"], unit=office)
    units = [make_unit(agency, name, code) for code, name in
             (("BTC", "Ban Tổ chức Tỉnh ủy"), ("BTG", "Ban Tuyên giáo Tỉnh ủy"), ("BDV", "Ban Dân vận Tỉnh ủy"))]
    people = [make_person(agency, f"u{i}.th", f"Người Góp Ý {i}", roles=["specialist"], unit=unit) for i, unit in enumerate(units)]
    consultation = services.start_consultation(drafter, title="Dự thảo Nghị quyết về văn bản điện tử",
                                               deadline=timezone.localdate() + dt.timedelta(days=9),
                                               upload=upload(docx_bytes(DRAFT), "du-thao.docx"))
    invitations = services.invite(drafter, consultation, units=units)
    article3 = Node.objects.get(version__consultation=consultation, key="article:3")
    for person, invitation, texts in zip(people, invitations, ([HOURS, URGENT], [HOURS], [HOLIDAYS]), strict=True):
        services.answer_on_web(person, invitation, comments=[(article3.pk, t) for t in texts])

    sign_in(page, "soanthao.th", PASSWORD)
    in_english(page)
    page.goto(f"/consultation/{consultation.pk}/")
    page.get_by_role("link", name="Consolidation of comments").click()
    expect(page.get_by_text("have not been consolidated yet")).to_be_visible()
    page.get_by_role("button", name="Run the consolidation").click()
    expect(page.locator("#consolidation-bar")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("The consolidation is queued")
    screenshot(page, "consultation-consolidation-queued-en")
    run_worker()
    expect(page.locator("#group-total")).to_be_visible(timeout=20_000)  # the page reloads itself once the run is done
    hours, holidays = group_card(page, HOURS), group_card(page, HOLIDAYS)
    expect(hours).to_contain_text("2 comments · from 2 respondents (2 units)")
    expect(holidays).to_contain_text("1 comment")
    screenshot(page, "consultation-consolidation-groups-en")

    hours.get_by_label("Choose for merging").check()
    holidays.get_by_label("Choose for merging").check()
    page.locator(f"#part-{article3.pk}").get_by_role("button", name="Merge the chosen groups").click()
    expect(page.locator(".messages")).to_contain_text("The groups are merged")
    merged = page.locator("article.group-card").filter(has_text="3 comments")
    expect(merged).to_have_count(1)
    merged.get_by_text("Give the response").click()  # the form is folded until asked for
    merged.get_by_label("Accepted").check()
    merged.get_by_label("Text of the response").fill("Tiếp thu: bổ sung khoản 3 về tiếp nhận ngoài giờ và ngày nghỉ.")
    merged.get_by_label("Part of the new draft it concerns (optional)").select_option(label="Điều 3. Thời hạn tiếp nhận")
    merged.get_by_role("button", name="Save the response").click()
    expect(page.locator(".messages")).to_contain_text("The response is saved")
    expect(merged.locator("p.response")).to_contain_text("Accepted: Tiếp thu: bổ sung khoản 3")
    screenshot(page, "consultation-consolidation-answered-en")

    # A re-run keeps the merge and the response.
    page.get_by_role("button", name="Run the consolidation again").click()
    run_worker()
    expect(page.locator("#group-total")).to_have_text("2", timeout=20_000)
    expect(page.locator("article.group-card").filter(has_text="3 comments").locator("p.response")).to_contain_text("Tiếp thu")
    group = Comment.objects.get(text=HOLIDAYS).group
    assert group.response == "accepted" and group.members.count() == 3 and group.response_node == article3
    assert CommentGroup.objects.filter(consultation=consultation).count() == 2
    page.wait_for_url(re.compile(r"/consolidation/"))

    # The same page in Vietnamese, the interface's default language.
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Tổng hợp ý kiến", level=1)).to_be_visible()
    expect(page.locator(f"#part-{article3.pk}").locator("article.group-card").first).to_contain_text("3 ý kiến")
    page.locator("article.group-card").first.get_by_text("Sửa ý kiến tiếp thu, giải trình").click()
    screenshot(page, "consultation-consolidation-vi")
