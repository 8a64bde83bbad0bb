"""`vanphong demo`: a believable network to try the system with, built through the services.

Idempotent: agencies, units and people that already exist are left as they are. Demo accounts
share one password; those whose roles require a second factor get a fixed TOTP secret, printed
with the accounts so a newcomer can add it to an authenticator app."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.db import transaction

from vanphong.org import services
from vanphong.org.models import Agency, Person, Role, Unit

DEMO_PASSWORD = "VanPhong@2026"


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    short_name: str
    notation_code: str
    scheme: str
    key: str  # username suffix
    units: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
    people: tuple[tuple[str, str, str, str, tuple[str, ...], int], ...]  # username prefix, name, unit, position, roles, clearance


PARTY_UNITS = (
    ("Văn phòng", "VP", (("Phòng Hành chính – Văn thư", "HCVT"), ("Phòng Tổng hợp", "TH"), ("Phòng Công nghệ thông tin", "CNTT"))),
    ("Ban Tổ chức", "BTC", (("Phòng Tổ chức đảng, đảng viên", "TCĐV"),)),
    ("Ban Tuyên giáo", "BTG", ()),
    ("Ủy ban Kiểm tra", "UBKT", ()),
)
STATE_UNITS = (
    ("Văn phòng", "VP", (("Phòng Hành chính – Tổ chức", "HCTC"), ("Phòng Tổng hợp", "TH"), ("Trung tâm Thông tin – Công báo", "TTCB"))),
    ("Phòng Kinh tế", "KT", ()),
    ("Phòng Khoa giáo – Văn xã", "KGVX", ()),
)


def _party_people(leader_title: str) -> tuple:
    return (
        ("vanthu", "Nguyễn Thị Hồng Nhung", "Phòng Hành chính – Văn thư", "Văn thư", ("clerk",), 1),
        ("lanhdao", "Trần Quốc Khánh", "Văn phòng", leader_title, ("leader",), 2),
        ("chuyenvien", "Lê Minh Tuấn", "Phòng Tổng hợp", "Chuyên viên", ("specialist",), 1),
        ("chuyenvien2", "Phạm Thu Hà", "Ban Tuyên giáo", "Chuyên viên chính", ("specialist",), 0),
        ("tochuc", "Đỗ Văn Hùng", "Phòng Tổ chức đảng, đảng viên", "Chuyên viên tổ chức", ("personnel",), 2),
        ("quantri", "Vũ Thị Lan Anh", "Phòng Công nghệ thông tin", "Quản trị hệ thống", ("admin",), 2),
        ("ca", "Hoàng Đức Thắng", "Phòng Công nghệ thông tin", "Vận hành chứng thư số", ("ca_operator",), 1),
    )


STATE_PEOPLE = (
    ("vanthu", "Bùi Thị Mai", "Phòng Hành chính – Tổ chức", "Văn thư", ("clerk",), 1),
    ("lanhdao", "Ngô Văn Thành", "Văn phòng", "Chánh Văn phòng", ("leader",), 2),
    ("chuyenvien", "Đặng Thị Thảo", "Phòng Kinh tế", "Chuyên viên", ("specialist",), 1),
    ("chuyenvien2", "Trịnh Công Sơn", "Phòng Khoa giáo – Văn xã", "Chuyên viên", ("specialist",), 0),
    ("tochuc", "Lý Thị Hạnh", "Phòng Hành chính – Tổ chức", "Chuyên viên tổ chức", ("personnel",), 2),
    ("quantri", "Phan Văn Đức", "Trung tâm Thông tin – Công báo", "Quản trị hệ thống", ("admin",), 2),
    ("ca", "Tạ Minh Châu", "Trung tâm Thông tin – Công báo", "Vận hành chứng thư số", ("ca_operator",), 1),
)

NETWORK = (
    AgencySpec("000.00.00.T01", "Văn phòng Trung ương Đảng", "VPTW", "VPTW", "party", "vptw", PARTY_UNITS, _party_people("Chánh Văn phòng")),
    AgencySpec("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", "TU", "party", "bacninh", PARTY_UNITS, _party_people("Chánh Văn phòng Tỉnh ủy")),
    AgencySpec("000.00.00.T40", "Tỉnh ủy Nghệ An", "TU Nghệ An", "TU", "party", "nghean", PARTY_UNITS, _party_people("Chánh Văn phòng Tỉnh ủy")),
    AgencySpec("000.00.00.T68", "Tỉnh ủy Lâm Đồng", "TU Lâm Đồng", "TU", "party", "lamdong", PARTY_UNITS, _party_people("Chánh Văn phòng Tỉnh ủy")),
    AgencySpec("000.00.00.H27", "Ủy ban nhân dân tỉnh Bắc Ninh", "UBND Bắc Ninh", "UBND", "state", "ubndbn", STATE_UNITS, STATE_PEOPLE),
)
OPERATOR = ("vanhanh", "Nguyễn Văn Vận Hành", "Quản trị vận hành hệ thống")


def demo_totp_secret(username: str) -> str:
    """Fixed per account, so re-running the demo prints the same secrets."""
    return base64.b32encode(hashlib.sha256(f"vanphong-demo:{username}".encode()).digest()[:20]).decode()


@dataclass
class DemoAccount:
    username: str
    full_name: str
    agency: str
    roles: str
    totp_secret: str


def _enrol(person: Person) -> None:
    if person.needs_second_factor and not person.totp_confirmed:
        person.totp_secret = demo_totp_secret(person.username)
        person.totp_confirmed = True
        person.save(update_fields=["totp_secret", "totp_confirmed"])


def _finish_demo_account(person: Person) -> None:
    # Demo accounts were created with the printed password; they may keep it.
    if person.must_change_password:
        person.must_change_password = False
        person.save(update_fields=["must_change_password"])
    _enrol(person)


@transaction.atomic
def build() -> list[DemoAccount]:
    # The central office and the operator come first, as `vanphong init` makes them on a real instance.
    central_spec = NETWORK[0]
    operator = Person.objects.filter(username=OPERATOR[0]).first()
    if operator is None:
        _central, operator = services.bootstrap_instance(
            code=central_spec.code, name=central_spec.name, short_name=central_spec.short_name,
            notation_code=central_spec.notation_code, notation_scheme=central_spec.scheme,
            operator_username=OPERATOR[0], operator_full_name=OPERATOR[1], password=DEMO_PASSWORD)
        operator.position = OPERATOR[2]
        operator.save(update_fields=["position"])
    central = operator.agency

    accounts: list[DemoAccount] = []
    for spec in NETWORK:
        agency = Agency.objects.filter(code=spec.code).first()
        admin_username = f"quantri.{spec.key}"
        if agency is None:
            agency = services.create_agency(
                operator, code=spec.code, name=spec.name, short_name=spec.short_name, notation_code=spec.notation_code,
                notation_scheme=spec.scheme, parent=central if spec is not central_spec else None,
                first_admin={"username": admin_username, "full_name": next(p[1] for p in spec.people if p[0] == "quantri"),
                             "password": DEMO_PASSWORD, "clearance": 2},
            )
        admin = Person.objects.filter(username=admin_username).first()
        if admin is None:  # the central office, created at bootstrap without one
            admin = services.create_person(operator, agency, username=admin_username, clearance=2,
                                           full_name=next(p[1] for p in spec.people if p[0] == "quantri"),
                                           roles=["admin"], password=DEMO_PASSWORD)
        _finish_demo_account(admin)
        units = {}
        for name, short, children in spec.units:
            top = Unit.objects.filter(agency=agency, parent=None, name=name).first() or services.create_unit(admin, agency, name=name, short_name=short)
            units[name] = top
            for child_name, child_short in children:
                units[child_name] = Unit.objects.filter(agency=agency, parent=top, name=child_name).first() or services.create_unit(
                    admin, agency, name=child_name, short_name=child_short, parent=top)
        for prefix, full_name, unit_name, position, roles, clearance in spec.people:
            username = f"{prefix}.{spec.key}"
            person = Person.objects.filter(username=username).first()
            if person is None:
                person = services.create_person(admin, agency, username=username, full_name=full_name, unit=units[unit_name],
                                                position=position, roles=roles, clearance=min(clearance, admin.clearance),
                                                password=DEMO_PASSWORD)
            elif person.pk == admin.pk and person.unit_id is None:
                services.update_person(admin, person, unit=units[unit_name], position=position)
            _finish_demo_account(person)
            accounts.append(DemoAccount(username, person.full_name, spec.short_name, ", ".join(str(Role.Code(r).label) for r in roles),
                                        person.totp_secret if person.totp_confirmed else ""))
    _finish_demo_account(operator)
    accounts.insert(0, DemoAccount(operator.username, operator.full_name, central_spec.short_name, "instance operator, admin",
                                   operator.totp_secret))
    return accounts
