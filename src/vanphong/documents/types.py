"""Document types (Decree 30/2020/NĐ-CP, Phụ lục III; Party types from Hướng dẫn 36-HD/VPTW)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    NGHI_QUYET = "NQ", _("Resolution (Nghị quyết)")
    QUYET_DINH = "QĐ", _("Decision (Quyết định)")
    CHI_THI = "CT", _("Directive (Chỉ thị)")
    QUY_CHE = "QC", _("Regulation (Quy chế)")
    QUY_DINH = "QyĐ", _("Rule (Quy định)")
    THONG_CAO = "TC", _("Communiqué (Thông cáo)")
    THONG_BAO = "TB", _("Notice (Thông báo)")
    HUONG_DAN = "HD", _("Guidance (Hướng dẫn)")
    CHUONG_TRINH = "CTr", _("Programme (Chương trình)")
    KE_HOACH = "KH", _("Plan (Kế hoạch)")
    PHUONG_AN = "PA", _("Scheme (Phương án)")
    DE_AN = "ĐA", _("Project proposal (Đề án)")
    DU_AN = "DA", _("Project (Dự án)")
    BAO_CAO = "BC", _("Report (Báo cáo)")
    BIEN_BAN = "BB", _("Minutes (Biên bản)")
    TO_TRINH = "TTr", _("Submission (Tờ trình)")
    HOP_DONG = "HĐ", _("Contract (Hợp đồng)")
    CONG_DIEN = "CĐ", _("Official telegram (Công điện)")
    BAN_GHI_NHO = "BGN", _("Memorandum (Bản ghi nhớ)")
    BAN_THOA_THUAN = "BTT", _("Agreement (Bản thỏa thuận)")
    GIAY_UY_QUYEN = "GUQ", _("Power of attorney (Giấy ủy quyền)")
    GIAY_MOI = "GM", _("Invitation (Giấy mời)")
    GIAY_GIOI_THIEU = "GGT", _("Letter of introduction (Giấy giới thiệu)")
    GIAY_NGHI_PHEP = "GNP", _("Leave permit (Giấy nghỉ phép)")
    PHIEU_GUI = "PG", _("Dispatch slip (Phiếu gửi)")
    PHIEU_CHUYEN = "PC", _("Transfer slip (Phiếu chuyển)")
    PHIEU_BAO = "PB", _("Notification slip (Phiếu báo)")
    SAO_Y = "SY", _("Certified copy (Sao y)")
    TRICH_SAO = "TrS", _("Extract copy (Trích sao)")
    SAO_LUC = "SL", _("Transcribed copy (Sao lục)")
    KET_LUAN = "KL", _("Conclusion (Kết luận)")
    THONG_TRI = "TT", _("Circular instruction (Thông tri)")
    CONG_VAN = "CV", _("Official letter (Công văn)")


class Urgency(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    URGENT = 1, _("Urgent (Khẩn)")
    VERY_URGENT = 2, _("Very urgent (Thượng khẩn)")
    FLASH = 3, _("Flash (Hỏa tốc)")


class Competence(models.TextChoices):
    NONE = "", _("—")
    ON_BEHALF = "T/M", _("On behalf of (T/M)")
    DEPUTY = "K/T", _("Signing for (K/T)")
    BY_ORDER = "T/L", _("By order of (T/L)")
    BY_AUTHORISATION = "TUQ", _("By authorisation of (TUQ)")
    ACTING = "Q.", _("Acting (Q.)")
