"""What words mean to the grouping: phrases that carry no request (courtesy, address, filler) and
phrases that ask for the same thing in other words (synonyms of the drafting register).

Written from how Vietnamese agencies write comments on a draft, not from any test set. Matching is
on canonical syllables, and on folded ones for people who type without diacritics (only phrases of
two syllables or more then, since one folded syllable is ambiguous: "bo" is "bỏ" or "bổ")."""

from __future__ import annotations

from functools import lru_cache

from vanphong.consultation.engine.text import canonical_syllable, fold_syllable

# Courtesy, addressing, hedging and function words: they say how, not what, a unit asks.
# Negations ("không", "chưa") and modality that flips a request are deliberately absent.
STOP_PHRASES = """
kính gửi | kính đề nghị | kính mong | trân trọng | trân trọng cảm ơn | xin cảm ơn | cảm ơn | xin chân thành cảm ơn
xin | xin được | xin phép | xin góp ý | góp ý | ý kiến | ý kiến góp ý | nội dung góp ý | tham gia ý kiến | có ý kiến
đề nghị | kiến nghị | đề xuất | đề nghị ban soạn thảo | cơ quan soạn thảo | ban soạn thảo | tổ biên tập | ban biên tập
cơ quan chủ trì soạn thảo | ban | tổ | soạn thảo | dự thảo | văn bản | nghị quyết | nghị định | thông tư | luật
theo tôi | theo chúng tôi | theo ý kiến của chúng tôi | chúng tôi | tôi | em | đơn vị chúng tôi | đơn vị tôi
thiết nghĩ | chúng tôi thấy | tôi thấy | thấy rằng | thấy | cho rằng | nhận thấy | được biết
nên | cần | cần phải | phải | nghiên cứu | xem xét | cân nhắc | nghiên cứu xem xét | xem xét lại | nghiên cứu lại
tại | của | và | các | những | là | thì | mà | được | có | với | cho | để | này | đó | trong | về | một | việc | như
cũng | rất | đã | sẽ | đang | nhằm | bởi | vì | do | nếu | khi | hoặc | hay | theo | từ | đến | trên | dưới | ra | vào
lại | nữa | thêm nữa | đồng thời | ngoài ra | bên cạnh đó | mặt khác | tuy nhiên | vì vậy | do đó | như vậy
quy định tại | nêu tại | tại điểm | tại khoản | tại điều | ở | vấn đề | nội dung | phần | mục | điểm | khoản | điều
ạ | nhé | nha | à | ơi | vâng | dạ | kính | thưa | mong | hy vọng | hi vọng | rằng | nhất là | đặc biệt là
qua nghiên cứu | sau khi nghiên cứu | qua nghiên cứu dự thảo | có ý kiến như sau | góp ý như sau | như sau
mong được tiếp thu | đề nghị tiếp thu | mong ban soạn thảo tiếp thu | xin được góp ý | về nội dung này | đối với nội dung này
người góp ý | người gửi | họ và tên | địa chỉ | đơn vị | cơ quan chúng tôi | trân trọng đề nghị
""".replace("\n", " | ")

# Each line: the canonical wording first, then other ways the same request is written.
SYNONYMS = """
bỏ | bãi bỏ | loại bỏ | xóa bỏ | lược bỏ | bỏ đi | xóa | không quy định | không nên quy định | bỏ hẳn
bổ sung | thêm | bổ xung | bổ sung thêm | đưa thêm | thêm vào | đưa vào | quy định thêm
sửa đổi | sửa | điều chỉnh | chỉnh sửa | thay đổi | sửa lại | viết lại | chỉnh lại
làm rõ | giải thích rõ | nêu rõ | cụ thể hóa | quy định cụ thể | quy định rõ | định nghĩa rõ | rõ ràng | làm rõ hơn | cụ thể
chưa rõ | chưa cụ thể | còn chung chung | chung chung | mơ hồ | chưa rõ ràng | không rõ | không rõ ràng | khó hiểu
tăng | nâng | kéo dài | nâng lên | tăng lên | mở rộng | tăng thêm | nới
giảm | rút ngắn | hạ | giảm xuống | thu hẹp | hạ xuống | rút bớt | cắt giảm
thời hạn | thời gian | hạn | kỳ hạn | khoảng thời gian | mốc thời gian
trách nhiệm | nhiệm vụ | nghĩa vụ
người dân | công dân | nhân dân | dân | người dân và doanh nghiệp
doanh nghiệp | công ty | dn
gộp | hợp nhất | sáp nhập | nhập | ghép | gộp chung | gộp lại | nhập chung
tách | tách riêng | tách ra | chia tách | tách thành
phù hợp | thống nhất với | đồng bộ | tương thích | đồng bộ với | phù hợp với | khớp với
thủ tục | thủ tục hành chính | tthc
hồ sơ | giấy tờ | hồ sơ giấy tờ
phí | lệ phí | mức thu | mức phí | chi phí
không khả thi | khó thực hiện | khó áp dụng | không thực tế | khó triển khai | thiếu khả thi | khó khả thi | không thể thực hiện
nhất trí | đồng ý | tán thành | hoàn toàn nhất trí | thống nhất cao | nhất trí cao | thống nhất như dự thảo | cơ bản nhất trí | cơ bản đồng ý | đồng tình | nhất trí với | nhất trí như dự thảo | không có ý kiến khác | không có ý kiến gì thêm | không có ý kiến
trực tuyến | điện tử | online | qua mạng | môi trường điện tử | môi trường mạng
quy định | qui định | điều khoản
cơ quan có thẩm quyền | cấp có thẩm quyền | cơ quan chức năng
chế tài | xử phạt | xử lý vi phạm | biện pháp xử lý | hình thức xử lý
trùng lặp | trùng | lặp lại | chồng chéo | trùng với
""".strip().splitlines()


def _syllables_of(phrase: str) -> tuple[str, ...]:
    return tuple(canonical_syllable(w) for w in phrase.split())


@lru_cache(maxsize=1)
def tables() -> tuple[dict[tuple[str, ...], str], dict[str, int]]:
    """Phrase → replacement ("" to drop it, else the canonical token); for each first syllable, the
    longest phrase that starts with it (most syllables start none, so most look-ups stop at once)."""
    table: dict[tuple[str, ...], str] = {}
    folded: dict[tuple[str, ...], str] = {}
    for line in SYNONYMS:
        phrases = [p.strip() for p in line.split("|") if p.strip()]
        token = "~" + "_".join(_syllables_of(phrases[0]))
        for phrase in phrases:
            key = _syllables_of(phrase)
            table[key] = token
            if len(key) > 1:
                folded.setdefault(tuple(fold_syllable(s) for s in key), token)
    for phrase in (p.strip() for p in STOP_PHRASES.split("|")):
        if phrase:
            key = _syllables_of(phrase)
            table.setdefault(key, "")
            if len(key) > 1:
                folded.setdefault(tuple(fold_syllable(s) for s in key), "")
    for key, token in folded.items():
        table.setdefault(key, token)
    longest: dict[str, int] = {}
    for key in table:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return table, longest


def content_tokens(syllables: list[str]) -> list[str]:
    """Syllables with courtesy and filler dropped and synonyms replaced by one canonical token
    ("~bỏ"); the longest phrase wins. Other syllables pass through unchanged."""
    table, longest = tables()
    out: list[str] = []
    i, n = 0, len(syllables)
    while i < n:
        for size in range(min(longest.get(syllables[i], 0), n - i), 0, -1):
            replacement = table.get(tuple(syllables[i:i + size]))
            if replacement is not None:
                if replacement:
                    out.append(replacement)
                i += size
                break
        else:
            out.append(syllables[i])
            i += 1
    return out
