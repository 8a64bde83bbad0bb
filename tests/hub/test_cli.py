"""`vanphong hub member add`: the hub starts serving an agency of the directory."""

import pytest

from vanphong.cli import main
from vanphong.core.models import AuditRecord
from vanphong.hub.models import Member

pytestmark = pytest.mark.django_db


def test_member_add_serves_an_agency_and_refuses_unknown_codes(agency_a, capsys, english_shell):
    assert main(["hub", "member", "add", "000.00.00.T27", "--endpoint", "https://tu.example.vn/hub/api/"]) == 0
    assert "now serves 000.00.00.T27" in capsys.readouterr().out
    member = Member.objects.get()
    assert (member.agency, member.endpoint) == (agency_a, "https://tu.example.vn/hub/api/")
    assert AuditRecord.objects.filter(action="hub.member.served").count() == 1

    assert main(["hub", "member", "add", "000.00.00.X99"]) == 2
    assert "no agency 000.00.00.X99" in capsys.readouterr().err
    assert main(["hub", "member", "add", "000.00.00.T27", "--endpoint", "not a url"]) == 2
    assert Member.objects.get().endpoint == "https://tu.example.vn/hub/api/"


def test_serve_refuses_a_missing_certificate_file(tmp_path, capsys, english_shell):
    key = tmp_path / "hub.key"
    key.write_text("not used")
    assert main(["hub", "serve", "--certfile", str(tmp_path / "missing.pem"), "--keyfile", str(key), "--ca-file", str(key),
                 "--no-migrate"]) == 2
    err = capsys.readouterr().err
    assert "Cannot read" in err and "missing.pem" in err
