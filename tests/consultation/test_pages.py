"""The consultation pages: the staff's, the respondents', and who reaches which (404 for anyone else)."""

import datetime as dt

import pytest

from tests.conftest import signed_in
from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes, upload
from vanphong.consultation import selectors
from vanphong.consultation.models import Answer, Comment, Consultation, Invitation, Node

pytestmark = pytest.mark.django_db


def test_staff_put_a_draft_out_and_invite(client, drafter, organisation_unit, agency_b, deadline):
    signed_in(client, drafter)
    assert client.get("/consultation/new/").status_code == 200
    response = client.post("/consultation/new/", {"title": "Dự thảo Quy chế", "deadline": deadline.strftime("%d/%m/%Y"),
                                                  "file": upload(docx_bytes(DRAFT), "quy-che.docx")})
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consultation/{consultation.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Điều 3. Thời hạn tiếp nhận" in page and "QUY ĐỊNH CHUNG" in page
    response = client.post(f"/consultation/{consultation.pk}/invite/", {"units": [organisation_unit.pk], "agencies": [agency_b.pk]})
    assert response.status_code == 302
    page = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert organisation_unit.name in page and agency_b.name in page


def test_a_bad_file_is_refused_on_the_page_and_nothing_is_made(client, drafter, deadline):
    signed_in(client, drafter)
    response = client.post("/consultation/new/", {"title": "X", "deadline": deadline.strftime("%d/%m/%Y"),
                                                  "file": upload(b"MZ" + b"\x00" * 300, "x.docx")})
    assert response.status_code == 200 and "Windows" in response.content.decode()
    assert not Consultation.objects.exists()


def test_a_respondent_answers_article_by_article(client, consultation, invited, organiser):
    signed_in(client, organiser)
    url = f"/consultation/invitations/{invited['org'].pk}/"
    page = client.get(url).content.decode()
    assert "Điều 5. Lưu trữ văn bản điện tử" in page
    article = Node.objects.get(key="article:5")
    response = client.post(url, {f"comment-{article.pk}": "Đề nghị nâng thời hạn lưu trữ.", "comment-general": ""})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.node == article and comment.invitation_id == invited["org"].pk
    assert "Đề nghị nâng thời hạn lưu trữ." in client.get(url).content.decode()


def test_an_empty_answer_keeps_nothing_and_says_why(client, consultation, invited, organiser):
    signed_in(client, organiser)
    response = client.post(f"/consultation/invitations/{invited['org'].pk}/", {"comment-general": "  "})
    assert response.status_code == 400 and "Write at least one comment" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_respondent_sends_a_word_file(client, consultation, invited, clerk_b):
    signed_in(client, clerk_b)
    response = client.post(f"/consultation/invitations/{invited['b'].pk}/file/", {"file": upload(docx_bytes(ANSWER), "gop-y.docx")})
    assert response.status_code == 302
    assert Comment.objects.filter(invitation=invited["b"]).count() == 5


def test_a_comment_after_the_deadline_is_refused_on_the_page(client, consultation, invited, organiser):
    Invitation.objects.filter(pk=invited["org"].pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    signed_in(client, organiser)
    url = f"/consultation/invitations/{invited['org'].pk}/"
    assert "it has passed" in client.get(url).content.decode()
    response = client.post(url, {"comment-general": "Muộn"})
    assert response.status_code == 400 and "it has passed" in response.content.decode()
    client.post(f"{url}file/", {"file": upload(docx_bytes(ANSWER), "gop-y.docx")})
    assert not Answer.objects.exists()


def test_respondents_reach_only_their_invitation(client, consultation, invited, organiser, clerk_b, admin_b, propagandist):
    signed_in(client, organiser)
    for other in (invited["prop"], invited["b"]):
        assert client.get(f"/consultation/invitations/{other.pk}/").status_code == 404
        assert client.post(f"/consultation/invitations/{other.pk}/", {"agreed": "1"}).status_code == 404
        assert client.post(f"/consultation/invitations/{other.pk}/file/", {"file": upload(docx_bytes(ANSWER), "a.docx")}).status_code == 404
        assert client.get(f"/consultation/invitations/{other.pk}/paper/").status_code == 404
    for url in [f"/consultation/{consultation.pk}/", f"/consultation/{consultation.pk}/invite/", f"/consultation/{consultation.pk}/versions/1/",
                f"/consultation/{consultation.pk}/versions/new/"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/consultation/{consultation.pk}/remind/", f"/consultation/{consultation.pk}/close/"]:
        assert client.post(url).status_code == 404, url
    assert not Answer.objects.exists()
    assert Consultation.objects.get().status == "open"
    assert consultation.title not in client.get("/consultation/").content.decode().replace(
        f'href="/consultation/invitations/{invited["org"].pk}/">{consultation.title}', "")
    client.logout()
    signed_in(client, admin_b)  # an administrator of the invited agency B answers for it, and sees nothing else
    assert client.get(f"/consultation/invitations/{invited['b'].pk}/").status_code == 200
    assert client.get(f"/consultation/{consultation.pk}/").status_code == 404


def test_staff_record_a_paper_answer_and_move_a_comment(client, consultation, invited, drafter):
    signed_in(client, drafter)
    response = client.post(f"/consultation/invitations/{invited['prop'].pk}/paper/", {
        "received_on": dt.date.today().strftime("%d/%m/%Y"), "text": "Về Điều 9:\nĐề nghị bỏ."})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.node is None and comment.mapping == "unresolved"
    page = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert "1 comment needs checking" in page
    target = Node.objects.get(key="article:4")
    # A part the draft does not have is refused, naming it; the comment stays where it was.
    response = client.post(f"/consultation/comments/{comment.pk}/place/", {"part": "khoản 9 Điều 4"}, follow=True)
    assert "has no khoản 9 Điều 4" in response.content.decode()
    comment.refresh_from_db()
    assert comment.node is None and comment.mapping == "unresolved"
    assert client.post(f"/consultation/comments/{comment.pk}/place/", {"part": "Điều 4"}).status_code == 302
    comment.refresh_from_db()
    assert comment.node == target and comment.mapping == "staff"
    assert client.post(f"/consultation/comments/{comment.pk}/place/", {"part": ""}).status_code == 302
    comment.refresh_from_db()
    assert comment.node is None and comment.mapping == "staff"


def test_another_agency_reaches_nothing(client, consultation, invited, clerk_b, organiser):
    from vanphong.consultation import services
    services.answer_on_web(organiser, invited["org"], comments=[(None, "Ý kiến riêng của Ban Tổ chức")])
    comment = Comment.objects.get()
    signed_in(client, clerk_b)
    assert client.post(f"/consultation/comments/{comment.pk}/place/", {"part": ""}).status_code == 404
    assert "Ý kiến riêng của Ban Tổ chức" not in client.get(f"/consultation/invitations/{invited['b'].pk}/").content.decode()
    comment.refresh_from_db()
    assert comment.mapping == "none"


def test_a_new_version_shows_its_matches(client, consultation, drafter):
    signed_in(client, drafter)
    new = DRAFT.replace("Điều 4. Trách nhiệm của văn thư", "Điều 4. Trách nhiệm của người làm văn thư")
    response = client.post(f"/consultation/{consultation.pk}/versions/new/", {"file": upload(docx_bytes(new), "v2.docx"), "note": "Sửa Điều 4"})
    assert response.status_code == 302 and response["Location"] == f"/consultation/{consultation.pk}/versions/2/"
    page = client.get(response["Location"]).content.decode()
    assert "Continues" in page or "Tiếp nối" in page
    assert selectors.latest_version(consultation).number == 2


def test_reminders_from_the_page(client, consultation, invited, drafter):
    signed_in(client, drafter)
    response = client.post(f"/consultation/{consultation.pk}/remind/")
    assert response.status_code == 302
    from vanphong.notifications.models import Notification
    assert Notification.objects.filter(kind="consultation_due").count() == 3


def test_the_draft_file_downloads_for_staff_and_respondents_only(client, consultation, invited, drafter, organiser, admin_b, agency_a):
    from tests.factories import make_person

    url = f"/consultation/{consultation.pk}/versions/1/file/"
    for person in (drafter, organiser, admin_b):  # staff; a member of an invited unit; B's administrator, B being invited
        client.logout()
        signed_in(client, person)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK", person
        assert "du-thao.docx" in response["Content-Disposition"]
    client.logout()
    signed_in(client, make_person(agency_a, "ngoai.cuoc", "Người Ngoài Cuộc", roles=["specialist"]))
    assert client.get(url).status_code == 404
    assert client.get(f"/consultation/{consultation.pk}/versions/2/file/").status_code == 404


def test_the_staff_page_reads_a_bounded_number_of_queries(client, consultation, invited, drafter, organiser, clerk_b,
                                                          django_assert_max_num_queries):
    from vanphong.consultation import services

    nodes = list(Node.objects.filter(version__consultation=consultation))
    services.answer_on_web(organiser, invited["org"], comments=[(n.pk, f"Góp ý số {k}") for k, n in enumerate(nodes * 5)])
    services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    signed_in(client, drafter)
    with django_assert_max_num_queries(25):
        page = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert page.count('class="comment"') == 16 * 5 + 5
    with django_assert_max_num_queries(25):
        client.get("/consultation/")


def test_staff_mark_a_piece_as_no_comment_and_count_it_again(client, consultation, invited, drafter, clerk_b, organiser):
    from vanphong.consultation import services

    services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    intro = Comment.objects.get(text__startswith="Sở Nội vụ có ý kiến")
    signed_in(client, organiser)
    assert client.post(f"/consultation/comments/{intro.pk}/exclude/", {"excluded": "1"}).status_code == 404
    client.logout()
    signed_in(client, drafter)
    assert client.post(f"/consultation/comments/{intro.pk}/exclude/", {"excluded": "1"}).status_code == 302
    intro.refresh_from_db()
    assert intro.excluded
    page = client.get(f"/consultation/{consultation.pk}/").content.decode()
    assert "No comment: not counted" in page and "Count it as a comment again" in page
    rows = {r.invitation.pk: r.comments for r in selectors.invitation_rows(consultation)}
    assert rows[invited["b"].pk] == 4
    client.post(f"/consultation/comments/{intro.pk}/exclude/", {"excluded": "0"})
    intro.refresh_from_db()
    assert not intro.excluded


def test_staff_read_one_invitees_comments_alone(client, consultation, invited, drafter, clerk_b, organiser):
    from vanphong.consultation import services

    services.answer_with_file(clerk_b, invited["b"], upload=upload(docx_bytes(ANSWER), "gop-y.docx"))
    services.answer_on_web(organiser, invited["org"], comments=[(None, "Ý kiến của Ban Tổ chức")])
    signed_in(client, drafter)
    page = client.get(f"/consultation/{consultation.pk}/?invitation={invited['org'].pk}").content.decode()
    assert page.count('class="comment"') == 1 and "Only the comments of Ban Tổ chức Tỉnh ủy are shown." in page
    page = client.get(f"/consultation/{consultation.pk}/?invitation=999999").content.decode()
    assert page.count('class="comment"') == 6  # an invitation not of this consultation: everyone's
