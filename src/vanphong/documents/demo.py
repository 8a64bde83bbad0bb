"""Documents for the demo network: a few weeks of a believable register in each hosted agency,
entered through the services (numbers, search text and audit records as in real use).

Idempotent: an agency that already has documents is left as it is."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from vanphong.core.clearance import Clearance
from vanphong.core.errors import ValidationError
from vanphong.documents import services
from vanphong.documents.models import Document
from vanphong.documents.types import Urgency
from vanphong.org.models import Agency, Person, Role

# (type, notation of the issuer, subject, issuer) of documents an agency receives.
INCOMING = [
    ("CV", "BNV-CCVC", "V/v hướng dẫn đánh giá, xếp loại chất lượng cán bộ, công chức năm 2026", "Bộ Nội vụ"),
    ("QĐ", "QĐ-TTg", "Quyết định phê duyệt Chương trình chuyển đổi số quốc gia giai đoạn 2026 – 2030", "Thủ tướng Chính phủ"),
    ("KH", "KH-UBND", "Kế hoạch phòng, chống thiên tai và tìm kiếm cứu nạn năm 2026", "Ủy ban nhân dân tỉnh Nghệ An"),
    ("TB", "TB-VPCP", "Thông báo kết luận của Phó Thủ tướng tại cuộc họp về cải cách thủ tục hành chính", "Văn phòng Chính phủ"),
    ("GM", "GM-STTTT", "Giấy mời dự hội nghị tập huấn sử dụng chữ ký số chuyên dùng", "Sở Thông tin và Truyền thông tỉnh Bắc Ninh"),
    ("BC", "BC-STC", "Báo cáo tình hình thực hiện dự toán ngân sách nhà nước 9 tháng đầu năm", "Sở Tài chính tỉnh Bắc Ninh"),
    ("CT", "CT-TTg", "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính trong cơ quan nhà nước", "Thủ tướng Chính phủ"),
    ("CV", "VPCP-KSTT", "V/v triển khai Cổng Dịch vụ công quốc gia tại các bộ, ngành, địa phương", "Văn phòng Chính phủ"),
    ("HD", "HD-BTCTW", "Hướng dẫn công tác kiểm điểm, đánh giá, xếp loại tổ chức đảng và đảng viên", "Ban Tổ chức Trung ương"),
    ("NQ", "NQ-HĐND", "Nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026 – 2030", "Hội đồng nhân dân tỉnh Bắc Ninh"),
    ("TTr", "TTr-SNV", "Tờ trình về việc kiện toàn tổ chức bộ máy các phòng chuyên môn", "Sở Nội vụ tỉnh Bắc Ninh"),
    ("CV", "SYT-NVY", "V/v chủ động phòng, chống dịch bệnh mùa đông xuân", "Sở Y tế tỉnh Lâm Đồng"),
]

# (type, subject, urgency) of what an agency issues.
OUTGOING = [
    ("CV", "V/v báo cáo kết quả thực hiện nhiệm vụ năm 2026 và phương hướng năm 2027", Urgency.NORMAL),
    ("QĐ", "Quyết định về việc thành lập Tổ công tác chuyển đổi số", Urgency.NORMAL),
    ("KH", "Kế hoạch tổ chức hội nghị tổng kết công tác năm 2026", Urgency.URGENT),
    ("TB", "Thông báo lịch làm việc của lãnh đạo tháng 12 năm 2026", Urgency.NORMAL),
    ("BC", "Báo cáo sơ kết công tác văn thư, lưu trữ năm 2026", Urgency.NORMAL),
]
DRAFTS = [
    ("CV", "V/v góp ý dự thảo Quy chế làm việc nhiệm kỳ 2026 – 2031"),
    ("QĐ", "Quyết định ban hành Quy chế quản lý, sử dụng chữ ký số"),
]


def _people(agency: Agency, role: str):
    return Person.objects.filter(agency=agency, is_active=True, roles__code=role).order_by("pk")


def build(seed: int = 2026) -> int:
    """Register the demo documents; returns how many were made."""
    rng = random.Random(seed)
    made = 0
    now = timezone.now()
    start = max(now - dt.timedelta(days=45), timezone.make_aware(dt.datetime(now.year, 1, 1, 8, 0)))
    span = (now - start).total_seconds()
    for agency in Agency.objects.filter(hosted=True, is_active=True).order_by("code"):
        clerk = _people(agency, Role.Code.CLERK).first()
        if clerk is None or Document.objects.filter(agency=agency).exists():
            continue
        arrivals = sorted(start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in INCOMING)
        for arrival, (doc_type, notation, subject, issuer) in zip(arrivals, INCOMING, strict=True):
            issued = (timezone.localtime(arrival) - dt.timedelta(days=rng.randint(1, 6))).date()
            services.register_incoming(
                clerk, doc_type=doc_type, code_number=str(rng.randint(12, 2400)), code_notation=notation, issued_date=issued,
                issuing_agency_name=issuer, subject=subject, arrival_date=arrival,
                urgency=rng.choice([Urgency.NORMAL] * 4 + [Urgency.URGENT, Urgency.VERY_URGENT]),
                due_date=(issued + dt.timedelta(days=rng.choice([7, 10, 15, 30]))) if doc_type in ("CV", "KH", "TTr") else None,
                page_count=rng.randint(1, 12), confidentiality=Clearance.NONE)
            made += 1
        drafter = _people(agency, Role.Code.SPECIALIST).first() or clerk
        for doc_type, subject, urgency in OUTGOING:
            draft = services.create_outgoing_draft(drafter, doc_type=doc_type, subject=subject, urgency=urgency,
                                                   recipient_places=["Như trên;", "Lưu: VT."])
            try:
                services.issue_outgoing(clerk, draft)
            except ValidationError:
                pass  # e.g. a công văn whose drafting unit has no short name: it stays a draft
            made += 1
        for doc_type, subject in DRAFTS:
            services.create_outgoing_draft(drafter, doc_type=doc_type, subject=subject)
            made += 1
    return made
