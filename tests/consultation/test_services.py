import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes, pdf_bytes, upload
from vanphong.consultation import reminders, selectors, services
from vanphong.consultation.models import Answer, Comment, Consultation, DraftVersion, Invitation, Node
from vanphong.core.errors import NotFound
from vanphong.core.models import AuditRecord
from vanphong.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _node(consultation, key):
    return Node.objects.get(version=selectors.latest_version(consultation), key=key)


def test_a_word_draft_is_put_out_with_its_articles(consultation, drafter):
    version = selectors.latest_version(consultation)
    assert version.number == 1 and version.layout == "legal" and version.filename == "du-thao.docx"
    assert version.nodes.filter(level="article").count() == 5
    assert _node(consultation, "article:2/clause:2/point:a").full_label() == "Điểm a khoản 2 Điều 2"
    assert AuditRecord.objects.filter(action="consultation.started", target_id=str(consultation.pk)).exists()


def test_a_pdf_draft_is_read_too(drafter, deadline):
    c = services.start_consultation(drafter, title="Dự thảo PDF", deadline=deadline, upload=upload(pdf_bytes(DRAFT), "du-thao.pdf"))
    assert selectors.latest_version(c).nodes.filter(level="article").count() == 5


@pytest.mark.parametrize("data,name,message", [
    (b"MZ\x90\x00" + b"\x00" * 200, "du-thao.docx", "Windows"),
    (b"PK\x03\x04 not really a zip" * 10, "du-thao.docx", ""),
    (b"%PDF-1.4\n%%EOF\n", "du-thao.pdf", "damaged"),
    ("Điều 1. Chỉ là văn bản".encode(), "du-thao.txt", "text"),
])
def test_a_file_that_is_not_a_word_or_pdf_draft_is_refused(drafter, deadline, data, name, message):
    with pytest.raises(ValidationError) as info:
        services.start_consultation(drafter, title="X", deadline=deadline, upload=upload(data, name))
    assert message.lower() in " ".join(info.value.messages).lower()
    assert not Consultation.objects.exists()


def test_an_excel_file_and_an_oversized_file_are_refused(drafter, deadline, settings):
    import io

    import openpyxl
    book = openpyxl.Workbook()
    book.active["A1"] = "Điều 1"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ValidationError, match="Word"):
        services.start_consultation(drafter, title="X", deadline=deadline, upload=upload(out.getvalue(), "du-thao.xlsx"))
    settings.VANPHONG_CONSULTATION_MAX_FILE_BYTES = 1000
    with pytest.raises(ValidationError, match="limit"):
        services.start_consultation(drafter, title="X", deadline=deadline, upload=upload(docx_bytes(DRAFT), "du-thao.docx"))
    assert not Consultation.objects.exists()


def test_a_draft_without_articles_or_sections_is_refused(drafter, deadline):
    with pytest.raises(ValidationError, match="No articles"):
        services.start_consultation(drafter, title="X", deadline=deadline, upload=upload(docx_bytes("Một lá thư.\nKhông có điều nào."), "a.docx"))
    assert not DraftVersion.objects.exists()


def test_bad_title_and_deadline_change_nothing(drafter):
    with pytest.raises(ValidationError) as info:
        services.start_consultation(drafter, title=" ", deadline=dt.date(2020, 1, 1), upload=upload(docx_bytes(DRAFT), "a.docx"))
    assert set(info.value.message_dict) == {"title", "deadline"}
    assert not Consultation.objects.exists()


def test_only_people_with_a_role_start_one(agency_a, deadline):
    from tests.factories import make_person
    nobody = make_person(agency_a, "khong.vai", "Không Vai Trò")
    with pytest.raises(PermissionDenied):
        services.start_consultation(nobody, title="X", deadline=deadline, upload=upload(docx_bytes(DRAFT), "a.docx"))


def test_invitations_tell_the_invitees(invited, organiser, propagandist, clerk_b, drafter):
    assert Notification.objects.filter(recipient=organiser, kind="consultation_invited").count() == 1
    assert Notification.objects.filter(recipient=propagandist, kind="consultation_invited").count() == 1
    assert Notification.objects.filter(recipient=clerk_b, kind="consultation_invited").count() == 1
    assert not Notification.objects.filter(recipient=drafter).exists()


def test_invitations_refuse_bad_invitees(consultation, drafter, agency_a, agency_b, admin_b):
    with pytest.raises(ValidationError) as info:
        services.invite(drafter, consultation, people=[admin_b], agencies=[agency_a])
    assert set(info.value.message_dict) == {"people", "agencies"}
    with pytest.raises(ValidationError):
        services.invite(drafter, consultation)
    assert not Invitation.objects.exists()


def test_a_respondent_comments_per_article_in_the_browser(consultation, invited, organiser):
    article3 = _node(consultation, "article:3")
    answer = services.answer_on_web(organiser, invited["org"], comments=[(article3.pk, "Đề nghị rút ngắn thời hạn."), (None, "Nhìn chung tán thành.")])
    assert answer.source == Answer.Source.WEB
    comments = list(answer.comments.order_by("position"))
    assert [(c.node_id, c.mapping) for c in comments] == [(article3.pk, "chosen"), (None, "none")]
    invitation = Invitation.objects.get(pk=invited["org"].pk)
    assert selectors.state_of(invitation) == "answered"


def test_agree_without_comment(consultation, invited, propagandist):
    services.answer_on_web(propagandist, invited["prop"], agreed=True)
    assert selectors.state_of(Invitation.objects.get(pk=invited["prop"].pk)) == "agreed"
    with pytest.raises(ValidationError):
        services.answer_on_web(propagandist, invited["prop"], agreed=True, comments=[(None, "Và góp ý")])


def test_an_answer_file_is_split_into_comments_on_the_articles_it_names(consultation, invited, clerk_b):
    answer = services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    rows = [(" ".join(c.text.split()[:4]), c.node.key if c.node else None, c.mapping) for c in answer.comments.order_by("position")]
    assert rows == [
        ("Sở Nội vụ có", None, "none"),
        ("Đề nghị quy định", "article:3", "inherited"),
        ("Đề nghị bổ sung", "article:2/clause:2", "unresolved"),  # no point c: on its clause, to check
        ("Tại khoản 2 Điều", "article:5/clause:2", "found"),
        ("Đề nghị sửa Điều", None, "unresolved"),  # the draft has no Điều 9
    ]
    assert answer.filename == "gop-y.docx"


def test_nobody_answers_anothers_invitation(consultation, invited, organiser, clerk_b):
    with pytest.raises(NotFound):
        services.answer_on_web(organiser, invited["prop"], comments=[(None, "Góp ý")])
    with pytest.raises(NotFound):
        services.answer_with_file(organiser, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    with pytest.raises(NotFound):
        selectors.invitation_for_respondent(clerk_b, invited["org"].pk)
    with pytest.raises(NotFound):
        selectors.consultation_for_staff(organiser, consultation.pk)
    assert not Answer.objects.exists()


def test_a_comment_after_the_deadline_is_refused(consultation, invited, organiser, drafter):
    Invitation.objects.filter(pk=invited["org"].pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="has passed"):
        services.answer_on_web(organiser, invited["org"], comments=[(None, "Muộn")])
    assert not Answer.objects.exists()
    # Staff may still record a paper answer that arrived late: it shows as late.
    services.enter_paper_answer(drafter, invited["org"], received_on=dt.date.today(), text="Về Điều 4:\nĐề nghị bỏ điều này.")
    invitation = Invitation.objects.get(pk=invited["org"].pk)
    assert selectors.state_of(invitation) == "answered_late"
    assert Comment.objects.get().node.key == "article:4"


def test_staff_correct_a_mapping(consultation, invited, clerk_b, drafter, organiser):
    answer = services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    wrong = answer.comments.get(position=4)
    target = _node(consultation, "article:4")
    services.place_comment(drafter, wrong, node=target)
    wrong.refresh_from_db()
    assert (wrong.node_id, wrong.mapping) == (target.pk, "staff")
    with pytest.raises(PermissionDenied):
        services.place_comment(organiser, wrong, node=None)


def test_a_new_version_keeps_comments_on_their_articles(consultation, invited, clerk_b, drafter):
    services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    # Version 2: a new article inserted before Điều 3, so the old Điều 3–5 become Điều 4–6; Điều 2's clause 2 dropped.
    new = DRAFT.replace("Điều 5. Lưu trữ", "Điều 6. Lưu trữ").replace("Điều 4. Trách nhiệm", "Điều 5. Trách nhiệm") \
        .replace("Điều 3. Thời hạn tiếp nhận", "Điều 4. Thời hạn tiếp nhận") \
        .replace("Mục 1. TIẾP NHẬN VĂN BẢN\n", "Mục 1. TIẾP NHẬN VĂN BẢN\nĐiều 3. Nguyên tắc chung\nBảo đảm an toàn thông tin.\n") \
        .replace("2. Các cơ quan, tổ chức sau đây:\na) Cơ quan nhà nước cấp tỉnh, cấp huyện;\nb) Đơn vị sự nghiệp công lập trực thuộc.\n", "")
    version = services.add_version(drafter, consultation, upload=upload(docx_bytes(new), "du-thao-2.docx"), note="Thêm Điều 3")
    assert version.number == 2
    placed = {" ".join(c.text.split()[:4]): (c.node.key if c.node else None, c.mapping) for c in Comment.objects.all()}
    assert placed["Đề nghị quy định"] == ("article:4", "inherited")  # old Điều 3 is now Điều 4
    assert placed["Tại khoản 2 Điều"] == ("article:6/clause:2", "found")
    assert placed["Đề nghị bổ sung"] == ("article:2", "carried")  # its clause was dropped: up to the article
    new_article4 = Node.objects.get(version=version, key="article:4")
    assert new_article4.predecessor.key == "article:3" and new_article4.similarity > 0.8
    assert Node.objects.get(version=version, key="article:3").predecessor is None
    # the source unit stays the one of version 1
    assert Comment.objects.get(text__startswith="Tại khoản").source_node.version.number == 1


def test_reminders_reach_those_who_have_not_answered(consultation, invited, organiser, propagandist, drafter):
    services.answer_on_web(organiser, invited["org"], agreed=True)
    assert reminders.remind_unanswered(drafter, consultation) == 2  # the propaganda unit's member and agency B's clerk
    assert Notification.objects.filter(recipient=propagandist, kind="consultation_due").count() == 1
    assert not Notification.objects.filter(recipient=organiser, kind="consultation_due").exists()
    assert reminders.remind_unanswered(drafter, consultation) == 0  # once a day
    with pytest.raises(PermissionDenied):
        reminders.remind_unanswered(organiser, consultation)


def test_tally(consultation, invited, organiser, propagandist):
    services.answer_on_web(organiser, invited["org"], comments=[(None, "Góp ý chung")])
    services.answer_on_web(propagandist, invited["prop"], agreed=True)
    Invitation.objects.filter(pk=invited["b"].pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    counts = selectors.tally(selectors.invitation_rows(consultation))
    assert counts == {"invited": 3, "waiting": 0, "answered": 1, "agreed": 1, "late": 1, "answered_total": 2}


def test_a_scanned_pdf_without_text_is_refused_with_the_reason(drafter, deadline):
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for row in range(30):  # lines of "ink" as a scanner leaves them: no text layer
        pdf.rect(20, 20 + row * 8, 170, 3, style="F")
    with pytest.raises(ValidationError, match="is a scan"):
        services.start_consultation(drafter, title="Bản quét", deadline=deadline, upload=upload(bytes(pdf.output()), "ban-quet.pdf"))
    assert not Consultation.objects.exists()


def test_staff_place_a_comment_by_naming_the_part(consultation, invited, organiser, drafter):
    answer = services.answer_on_web(organiser, invited["org"], comments=[(None, "Góp ý")])
    comment = answer.comments.get()
    for named, key in [("điểm b khoản 2 Điều 2", "article:2/clause:2/point:b"), ("Mục 1", "chapter:II/section:1"),
                       ("Chương II", "chapter:II"), ("Dieu 5", "article:5")]:
        services.place_comment_at(drafter, comment, named=named)
        comment.refresh_from_db()
        assert comment.node.key == key, named
    for named in ("Điều 99", "khoản 9 Điều 5", "ở đâu đó"):
        with pytest.raises(ValidationError):
            services.place_comment_at(drafter, comment, named=named)
    comment.refresh_from_db()
    assert comment.node.key == "article:5"
    # Every unit's own label names it back (the page offers these labels to pick from).
    for node in selectors.latest_version(consultation).nodes.all():
        services.place_comment_at(drafter, comment, named=node.full_label())
        comment.refresh_from_db()
        assert comment.node_id == node.pk, node.full_label()


def test_every_unit_of_a_report_is_named_back_by_its_label(drafter, deadline, organisation_unit, organiser):
    from tests.consultation.drafts import REPORT

    report = services.start_consultation(drafter, title="Báo cáo", deadline=deadline, upload=upload(docx_bytes(REPORT), "bao-cao.docx"))
    (invitation,) = services.invite(drafter, report, units=[organisation_unit])
    comment = services.answer_on_web(organiser, invitation, comments=[(None, "Góp ý")]).comments.get()
    labels = []
    for node in selectors.latest_version(report).nodes.all():
        labels.append(node.full_label())
        services.place_comment_at(drafter, comment, named=node.full_label())
        comment.refresh_from_db()
        assert comment.node_id == node.pk, node.full_label()
    assert labels == ["Phần I", "Mục 1 Phần I", "Mục 2 Phần I", "Phần II", "Mục 1 Phần II", "Điểm a Mục 1 Phần II", "Điểm b Mục 1 Phần II"]


def test_a_draft_numbered_by_word_itself_has_its_articles_clauses_and_points(drafter, deadline):
    from tests.consultation.drafts import auto_numbered_docx

    c = services.start_consultation(drafter, title="Đánh số tự động", deadline=deadline, upload=upload(auto_numbered_docx(), "tu-dong.docx"))
    nodes = list(selectors.latest_version(c).nodes.values_list("key", "title"))
    assert nodes == [
        ("chapter:I", "QUY ĐỊNH CHUNG"), ("article:1", "Phạm vi điều chỉnh"), ("article:2", "Đối tượng áp dụng"),
        ("article:2/clause:1", "Cán bộ, công chức."), ("article:2/clause:2", "Các cơ quan sau đây:"),
        ("article:2/clause:2/point:a", "Cơ quan nhà nước;"), ("article:2/clause:2/point:b", "Đơn vị sự nghiệp."),
        ("article:3", "Thời hạn tiếp nhận"), ("article:3/clause:1", "Văn bản đến được tiếp nhận trong ngày."),
        ("article:3/clause:2", "Văn bản khẩn được tiếp nhận ngay.")]


def test_an_answer_as_a_pdf_is_split_too(consultation, invited, clerk_b):
    answer = services.answer_with_file(clerk_b, invited["b"], upload=upload(pdf_bytes(ANSWER), "gop-y.pdf"))
    placed = [(c.node.key if c.node else None, c.mapping) for c in answer.comments.order_by("position")]
    assert ("article:3", "inherited") in placed and ("article:5/clause:2", "found") in placed and (None, "unresolved") in placed


def test_comments_are_counted_per_article_with_their_clauses_and_points(consultation, invited, clerk_b, organiser):
    services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    point = _node(consultation, "article:2/clause:2/point:a")
    services.answer_on_web(organiser, invited["org"], comments=[(point.pk, "Góp ý điểm a"), (None, "Góp ý chung")])
    articles, _general = selectors.outline(selectors.latest_version(consultation), comments=selectors.all_comments(consultation))
    counts = [(node.key, count) for node, count in selectors.counts_by_article(articles)]
    assert counts == [("article:1", 0), ("article:2", 2), ("article:3", 1), ("article:4", 0), ("article:5", 1)]


def test_a_reports_sections_are_counted(drafter, deadline, organisation_unit, organiser):
    from tests.consultation.drafts import REPORT

    report = services.start_consultation(drafter, title="Báo cáo", deadline=deadline, upload=upload(docx_bytes(REPORT), "bao-cao.docx"))
    (invitation,) = services.invite(drafter, report, units=[organisation_unit])
    point = Node.objects.get(version__consultation=report, key="part:II/section:1/point:b")
    services.answer_on_web(organiser, invitation, comments=[(point.pk, "Góp ý")])
    articles, _general = selectors.outline(selectors.latest_version(report), comments=selectors.all_comments(report))
    assert [(n.key, c) for n, c in selectors.counts_by_article(articles)] == [
        ("part:I/section:1", 0), ("part:I/section:2", 0), ("part:II/section:1", 1)]
