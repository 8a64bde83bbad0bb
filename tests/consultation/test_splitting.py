"""A free-text answer (a Word file's paragraphs) cut into comments mapped to the draft."""

from vanphong.consultation.engine.splitting import split_answer

ANSWER = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Kính gửi: Sở Tư pháp tỉnh Bắc Ninh
Sau khi nghiên cứu dự thảo, Phòng Tư pháp huyện Tiên Du nhất trí với sự cần thiết ban hành và góp ý như sau:
1. Về Điều 3:
Đề nghị làm rõ khái niệm thủ tục hành chính liên thông.
Đồng thời bổ sung giải thích từ ngữ "bản sao điện tử".
2. Tại khoản 2 Điều 5, thời hạn 03 ngày làm việc là quá ngắn, đề nghị nâng lên 07 ngày.
Lý do: hồ sơ thường phức tạp, phải lấy ý kiến nhiều cơ quan.
Điều 12. Trách nhiệm của Ủy ban nhân dân cấp xã
Đề nghị bỏ điểm c khoản 1 vì trùng với nhiệm vụ của cấp huyện.

4. dieu 20: de nghi lui thoi diem co hieu luc sang 01/01/2027.
Trân trọng.
Nơi nhận:
- Như trên;
TRƯỞNG PHÒNG"""


def test_answer_is_cut_into_comments_with_their_articles():
    pieces = split_answer(ANSWER)
    got = [([r.label() for r in p.references], p.inherited, p.text[:30]) for p in pieces]
    assert got == [
        ([], False, "Sau khi nghiên cứu dự thảo, Ph"),
        (["Điều 3"], True, "Đề nghị làm rõ khái niệm thủ t"),
        (["Điều 3"], True, "Đồng thời bổ sung giải thích t"),
        (["khoản 2 Điều 5"], False, "2. Tại khoản 2 Điều 5, thời hạ"),
        (["khoản 2 Điều 5"], True, "Lý do: hồ sơ thường phức tạp, "),
        (["điểm c khoản 1 Điều 12"], False, "Đề nghị bỏ điểm c khoản 1 vì t"),
        (["Điều 20"], False, "4. dieu 20: de nghi lui thoi d"),
    ]


def test_paragraph_list_and_a_paragraph_without_reference_first():
    pieces = split_answer(["Nhất trí với toàn bộ dự thảo.", "", "Riêng Điều 7 đề nghị bổ sung chế tài."])
    assert [(p.text, [r.label() for r in p.references]) for p in pieces] == [
        ("Nhất trí với toàn bộ dự thảo.", []), ("Riêng Điều 7 đề nghị bổ sung chế tài.", ["Điều 7"])]


def test_a_comment_that_ends_with_references_is_no_heading_and_the_letter_ends_at_its_recipients():
    pieces = split_answer(["Góp ý cụ thể:", "- Chương III: đề nghị gộp Mục 1 và Mục 2.", "- Điều 7: đề nghị bổ sung khoản 3 Điều 8",
                           "Điều 12. Trách nhiệm của Ủy ban nhân dân cấp xã", "Đề nghị bỏ điểm c khoản 1.",
                           "Trân trọng./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT, VP.", "Nguyễn Văn An"])
    assert [(p.text[:24], [r.label() for r in p.references]) for p in pieces] == [
        ("Góp ý cụ thể:", []),
        ("- Chương III: đề nghị gộ", ["Chương III", "Mục 1", "Mục 2"]),
        ("- Điều 7: đề nghị bổ sun", ["Điều 7", "khoản 3 Điều 8"]),
        ("Đề nghị bỏ điểm c khoản ", ["điểm c khoản 1 Điều 12"]),
    ]


def test_the_senders_name_above_the_letter_is_no_comment():
    pieces = split_answer(["UBND HUYỆN TIÊN DU", "PHÒNG TƯ PHÁP", "Số: 12/TP", "Góp ý Điều 3: đề nghị làm rõ.",
                           "ĐỀ NGHỊ BỎ ĐIỀU 4", "KHÔNG CÓ Ý KIẾN KHÁC"])
    assert [p.text for p in pieces] == ["Góp ý Điều 3: đề nghị làm rõ.", "ĐỀ NGHỊ BỎ ĐIỀU 4", "KHÔNG CÓ Ý KIẾN KHÁC"]
