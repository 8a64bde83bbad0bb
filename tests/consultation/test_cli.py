"""`vanphong consultation group FILE.jsonl`: the engine for scripts, no database."""

import json
import subprocess
import sys

import pytest

from vanphong.cli import main

ROWS = [
    {"id": "a1", "article": "5", "text": "Đề nghị kéo dài thời hạn thẩm định hồ sơ lên 7 ngày làm việc."},
    {"id": "a2", "article": "5", "text": "Thời gian thẩm định hồ sơ quá ngắn, kiến nghị tăng lên 7 ngày."},
    {"id": 3, "article": 5, "text": "Đề nghị bổ sung chế tài xử lý vi phạm đối với cán bộ tiếp nhận hồ sơ."},
    {"id": "b1", "article": "7", "text": "de nghi keo dai thoi han tham dinh ho so len 7 ngay lam viec"},
]


def write(tmp_path, lines, name="comments.jsonl", bom=False):
    path = tmp_path / name
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(capsys, *args):
    code = main(["consultation", "group", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_groups_in_input_order_with_a_bom(tmp_path, capsys):
    code, out, err = run(capsys, write(tmp_path, ROWS, bom=True))
    assert code == 0 and err == ""
    assert [row["id"] for row in out] == ["a1", "a2", 3, "b1"]
    group = {row["id"]: row["group"] for row in out}
    assert group["a1"] == group["a2"] != group[3]
    assert group["b1"] not in (group["a1"], group[3])  # another article is another group, whatever it says
    assert sorted(set(group.values())) == [1, 2, 3]


def test_constraints_file_keeps_staff_decisions(tmp_path, capsys):
    constraints = tmp_path / "decisions.json"
    constraints.write_text(json.dumps({"apart": [[["a1"], ["a2"]]], "together": [["a2", 3]]}), encoding="utf-8")
    code, out, _ = run(capsys, write(tmp_path, ROWS), "--constraints", constraints)
    group = {row["id"]: row["group"] for row in out}
    assert code == 0 and group["a2"] == group[3] != group["a1"]


@pytest.mark.parametrize(("lines", "message"), [
    ([ROWS[0], '{"id": "x", "article": "1", "text": '], "line 2: not valid JSON"),
    ([ROWS[0], {"id": "x", "text": "Góp ý"}], "line 2: missing field article."),
    ([{"article": "1"}], "line 1: missing fields id, text."),
    ([ROWS[0], ROWS[0]], 'line 2: id "a1" was already used on line 1.'),
    ([{"id": "x", "article": "1", "text": 5}], "line 1: text must be a string."),
    (["[1, 2]"], "line 1: expected a JSON object"),
])
def test_bad_lines_are_named_and_nothing_is_printed(tmp_path, capsys, lines, message):
    code, out, err = run(capsys, write(tmp_path, lines))
    assert code == 1 and out == []
    assert message in err


def test_missing_file_and_bad_encoding(tmp_path, capsys):
    code, out, err = run(capsys, tmp_path / "nowhere.jsonl")
    assert code == 2 and out == [] and "no such file" in err
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"id": "1", "article": "1", "text": "ok"}\n{"id": "2", "article": "1", "text": "\xe9"}\n')
    code, out, err = run(capsys, path)
    assert code == 1 and "line 2: not UTF-8" in err


def test_contradicting_constraints_are_refused(tmp_path, capsys):
    constraints = tmp_path / "decisions.json"
    constraints.write_text(json.dumps({"apart": [[["a1"], ["a2"]]], "together": [["a1", "a2"]]}), encoding="utf-8")
    code, out, err = run(capsys, write(tmp_path, ROWS), "--constraints", constraints)
    assert code == 1 and out == [] and "contradict" in err
    constraints.write_text(json.dumps({"together": [["a1", "zz"]]}), encoding="utf-8")
    code, out, err = run(capsys, write(tmp_path, ROWS), "--constraints", constraints)
    assert code == 1 and '"zz"' in err


def test_standard_input_in_a_real_process_without_django(tmp_path):
    """`-` reads standard input; the command runs without any Django settings or database."""
    script = ("import sys; from vanphong.cli import main; code = main(['consultation', 'group', '-']); "
              "assert 'django.db' not in sys.modules, 'the command set Django up'; sys.exit(code)")
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS).encode("utf-8")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [row["id"] for row in out] == ["a1", "a2", 3, "b1"]
