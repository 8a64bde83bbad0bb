"""`vanphong exchange read FILE`: JSON on stdout, exit 0 when readable; a clear message on
stderr and a non-zero exit when not."""

import json
import os
import subprocess
import sys

import pytest

from tests.exchange.test_hostile import EDOC, XXE
from tests.exchange.test_interop import INTEROP
from vanphong import cli


@pytest.fixture
def english(monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


def run(capsys, *args):
    code = cli.main(["exchange", "read", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_document_prints_as_json_with_attachments_summarised(capsys, english):
    code, out, err = run(capsys, INTEROP / "edoc_update_with_attachment.edxml")
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "edoc"
    assert data["package"]["from"]["organ_name"] == "Văn phòng Chính phủ"
    assert "Văn phòng Chính phủ" in out  # UTF-8 as is, not \u escapes
    assert data["package"]["business_doc_type_meaning"] == "update"
    [attachment] = data["package"]["attachments"]
    assert attachment["attachment_name"] == "1896_QD-TTg_m_294779.doc"
    assert attachment["size"] > 250_000 and len(attachment["sha256"]) == 64 and attachment["readable"] is True
    assert "UEsDBBQ" not in out  # the content is summarised, never dumped
    assert data["signature"]["status"] == "unverifiable" and data["signature"]["present"] is True
    assert [o["code"] for o in data["oddities"]] == ["signature_placeholder", "document_id_date", "document_id_bad_date"]
    assert data["oddities"][1]["message"] == "DocumentId carries the date 2015/09/30, but the promulgation date is 2018/09/28."
    assert data["package"]["promulgation_info"]["promulgation_date"] == "2018-09-28"


def test_a_status_prints_with_its_meaning(capsys, english):
    code, out, _err = run(capsys, INTEROP / "status_rejection_02.edxml")
    data = json.loads(out)
    assert code == 0
    assert (data["kind"], data["package"]["status_code"], data["package"]["status_meaning"]) == ("status", "02", "rejected")
    assert data["package"]["timestamp"] == "2015-09-20T11:08:36"
    assert data["signature"]["status"] == "unsigned" and data["oddities"] == []


def test_a_hostile_file_is_refused_with_a_clear_message(capsys, english, tmp_path):
    path = tmp_path / "xxe.edxml"
    path.write_text(XXE, encoding="utf-8")
    code, out, err = run(capsys, path)
    assert code == 2 and out == ""
    assert f"{path} is not a readable edXML package: The file declares a document type or entities" in err


def test_a_file_that_does_not_exist(capsys, english, tmp_path):
    code, out, err = run(capsys, tmp_path / "nothing.edxml")
    assert code == 2 and out == ""
    assert "Cannot read" in err and "No such file or directory" in err


def test_a_signature_that_cannot_be_checked_here_never_breaks_the_command(capsys, english, tmp_path):
    """An XML-DSig signature goes to signing.xmldsig; without a database (as here) or with a
    broken signature, the command still prints the package, with the reason."""
    path = tmp_path / "signed.edxml"
    path.write_text(EDOC.replace("<Signature>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'), encoding="utf-8")
    code, out, err = run(capsys, path)
    assert code == 0, err
    signature = json.loads(out)["signature"]
    assert signature["xmldsig"] is True
    assert signature["status"] in {"unchecked", "invalid", "unverifiable"}
    assert signature["problems"]


def test_no_verify_leaves_the_signature_unchecked(capsys, english, tmp_path):
    path = tmp_path / "signed.edxml"
    path.write_text(EDOC.replace("<Signature>", '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'), encoding="utf-8")
    code, out, _err = run(capsys, "--no-verify", path)
    assert code == 0
    assert json.loads(out)["signature"]["status"] == "unchecked"


def test_the_installed_command(tmp_path):
    """The real entry point, as a script calls it: exit codes and UTF-8 on a pipe."""
    env = {**os.environ, "LANG": "C.UTF-8", "VANPHONG_DATA_DIR": str(tmp_path)}
    env.pop("LC_ALL", None)
    command = [sys.executable, "-m", "vanphong.cli", "exchange", "read", "--no-verify"]
    done = subprocess.run([*command, str(INTEROP / "status_finish_06.edxml")], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["package"]["description"] == "Văn thư: Ban hành văn bản đến, hoàn thành xử lý"
    (tmp_path / "bad.edxml").write_bytes(b"<edXML>")
    done = subprocess.run([*command, str(tmp_path / "bad.edxml")], capture_output=True, env=env, timeout=300)
    assert done.returncode == 2 and done.stdout == b""
    assert b"is not a readable edXML package" in done.stderr
