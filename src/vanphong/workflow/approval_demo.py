"""Approval for the demo network: in each demo agency, a head for the demo specialist's unit and a deputy head of the
Office, the default chain (head of the drafting unit → the Office → the agency's leader), and two drafts on their way:
one awaiting the room's head, one the Office. Built through the services, after the organisation (org.demo) and the
registers (documents.demo).

Idempotent: an agency that already has a chain is left as it is."""

from __future__ import annotations

import io

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.org import demo as org_demo
from vanphong.org import services as org
from vanphong.org.models import Agency, Person, Role, Unit
from vanphong.workflow import approval
from vanphong.workflow.approval import StepSpec
from vanphong.workflow.models import ApprovalChain

OFFICE = "Văn phòng"
DRAFTS = (
    ("KH", "Kế hoạch triển khai chuyển đổi số năm 2027",
     ["I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP", "1. Hoàn thiện hạ tầng số", "2. Phát triển dữ liệu số", "III. TỔ CHỨC THỰC HIỆN"]),
    ("BC", "Báo cáo kết quả công tác văn phòng năm 2026",
     ["I. KẾT QUẢ ĐẠT ĐƯỢC", "II. HẠN CHẾ, NGUYÊN NHÂN", "III. PHƯƠNG HƯỚNG NĂM 2027"]),
)


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _person(admin, agency: Agency, key: str, prefix: str, name: str, unit: Unit, position: str) -> Person:
    username = f"{prefix}.{key}"
    person = Person.objects.filter(username=username).first() or org.create_person(
        admin, agency, username=username, full_name=name, unit=unit, position=position, roles=[Role.Code.SPECIALIST], clearance=1,
        password=org_demo.DEMO_PASSWORD)
    org_demo._finish_demo_account(person)
    return person


@transaction.atomic
def build() -> list[org_demo.DemoAccount]:
    """The approvers of each demo agency, as demo accounts to print."""
    accounts = []
    for spec in org_demo.NETWORK:
        agency = Agency.objects.filter(code=spec.code).first()
        admin = Person.objects.filter(username=f"quantri.{spec.key}").first()
        leader = Person.objects.filter(username=f"lanhdao.{spec.key}").first()
        drafter = Person.objects.filter(username=f"chuyenvien.{spec.key}").first()
        office = Unit.objects.filter(agency=agency, parent=None, name=OFFICE).first()
        if None in (agency, admin, leader, drafter, drafter.unit if drafter else None, office):
            continue
        if ApprovalChain.objects.filter(agency=agency).exists():  # built before: its approvers are still printed
            made = Person.objects.filter(username__in=[f"truongphong.{spec.key}", f"phochanhvp.{spec.key}"]).order_by("-username")
            accounts += [_account(p, spec) for p in made]
            continue
        room = drafter.unit
        made = [_person(admin, agency, spec.key, "truongphong", "Nguyễn Văn Tổng", room, f"Trưởng {room.name[0].lower()}{room.name[1:]}"),
                _person(admin, agency, spec.key, "phochanhvp", "Lê Thị Thẩm Định", office, "Phó Chánh Văn phòng")]
        approval.set_unit_head(admin, room, made[0])
        approval.set_unit_head(admin, office, leader)
        approval.save_chain(admin, agency, doc_type="", steps=[StepSpec("unit_head"), StepSpec("office", unit=office),
                                                               StepSpec("signing_leader", person=leader)])
        for n, (doc_type, subject, lines) in enumerate(DRAFTS):
            file = store(SimpleUploadedFile("du-thao.docx", _docx(lines)))
            draft = documents.create_outgoing_draft(drafter, doc_type=doc_type, subject=subject, drafting_unit=drafter.unit, files=[file])
            approval.submit(drafter, draft, comment="Kính trình xem xét, cho ý kiến.")
            if n == 1:  # the second is already with the Office
                approval.approve(made[0], draft, version=1, comment="Đồng ý, kính trình Văn phòng.")
        accounts += [_account(p, spec) for p in made]
    return accounts


def _account(person: Person, spec) -> org_demo.DemoAccount:
    return org_demo.DemoAccount(person.username, person.full_name, spec.short_name, f"{person.position} ({Role.Code.SPECIALIST.label})", "")
