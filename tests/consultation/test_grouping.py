"""Grouping comments by what they ask for: campaigns, paraphrases, outliers, staff decisions."""

import json
from pathlib import Path

import pytest

from vanphong.consultation.engine import Comment, ConstraintConflict, Constraints, group, labels_of

DATA = Path(__file__).parent / "data"


def comments(*texts, article="5"):
    return [Comment(f"c{k}", article, text) for k, text in enumerate(texts)]


def together(groups, *ids):
    labels = labels_of(groups)
    return len({labels[i] for i in ids}) == 1


def test_a_campaign_with_numbering_signatures_and_no_diacritics_is_one_group():
    base = "Chúng tôi đề nghị không thu phí đối với hồ sơ nộp trực tuyến quy định tại khoản 3 Điều 5."
    given = comments(base, "1. " + base, base + " Người góp ý: Trần Văn Hùng, tổ dân phố 7.", base.upper(),
                     "Chung toi de nghi khong thu phi doi voi ho so nop truc tuyen quy dinh tai khoan 3 Dieu 5.",
                     "Đề nghị bổ sung chế tài xử lý vi phạm đối với cán bộ tiếp nhận hồ sơ.")
    groups = group(given)
    assert together(groups, "c0", "c1", "c2", "c3", "c4")
    assert not together(groups, "c0", "c5")


def test_paraphrases_meet_and_opposite_requests_stay_apart():
    groups = group(comments(
        "Đề nghị kéo dài thời hạn thẩm định hồ sơ lên 7 ngày làm việc.",
        "Thời gian thẩm định hồ sơ quá ngắn, kiến nghị tăng lên 7 ngày.",
        "Đề nghị rút ngắn thời hạn trả kết quả xuống còn 2 ngày làm việc.",
        "Thời hạn trả kết quả còn dài, nên giảm xuống 2 ngày.",
    ))
    assert together(groups, "c0", "c1") and together(groups, "c2", "c3")
    assert not together(groups, "c0", "c2")


def test_every_comment_is_in_exactly_one_group_and_outliers_stay():
    given = comments("Nhất trí với dự thảo.", "Đồng ý với nội dung dự thảo.", "Đề nghị viết hoa chữ Ủy ban cho thống nhất.")
    given.append(Comment("d0", "9", "Đề nghị bỏ Điều 9."))
    groups = group(given)
    members = [m for g in groups for m in g.members]
    assert sorted(members) == sorted(c.id for c in given)
    assert [g.article for g in groups] == ["5", "5", "9"]  # articles never mix, biggest group first
    assert groups[0].members == ["c0", "c1"] and groups[1].members == ["c2"]
    for g in groups:
        assert g.representative in g.members
        assert g.representative_text == next(c.text for c in given if c.id == g.representative)


def test_handwritten_consultation_meets_the_quality_floor():
    """Real-style comments written by hand (not by the benchmark's generator), with their true groups."""
    rows = [json.loads(line) for line in (DATA / "handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    groups = group([Comment(r["id"], r["article"], r["text"]) for r in rows])
    labels = labels_of(groups)
    pairs = [(a, b) for k, a in enumerate(rows) for b in rows[k + 1:]]
    same_truth = {(a["id"], b["id"]) for a, b in pairs if (a["article"], a["truth"]) == (b["article"], b["truth"])}
    same_group = {(a["id"], b["id"]) for a, b in pairs if labels[a["id"]] == labels[b["id"]]}
    precision = len(same_truth & same_group) / len(same_group)
    recall = len(same_truth & same_group) / len(same_truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.85, (precision, recall)


def test_staff_merges_and_splits_survive_a_rerun():
    given = comments(
        "Đề nghị kéo dài thời hạn thẩm định hồ sơ lên 7 ngày làm việc.",
        "Thời gian thẩm định hồ sơ quá ngắn, kiến nghị tăng lên 7 ngày.",
        "Đề nghị bổ sung quy định chuyển tiếp cho hồ sơ đã nộp.",
        "Cấp xã thiếu người, cần bố trí thêm biên chế.",
    )
    first = group(given)
    assert together(first, "c0", "c1") and not together(first, "c2", "c3")
    decided = Constraints(together=[{"c2", "c3"}], apart=[({"c0"}, {"c1"})])
    again = group(given, decided)
    assert together(again, "c2", "c3") and not together(again, "c0", "c1")
    # a re-run with new comments keeps the decisions
    more = [*given, Comment("c9", "5", "Đề nghị tăng thời hạn thẩm định lên 7 ngày làm việc.")]
    third = group(more, decided)
    assert together(third, "c2", "c3") and not together(third, "c0", "c1")


def test_a_closed_group_keeps_exactly_its_members():
    given = comments("Đề nghị bỏ khoản 2 vì không khả thi.", "Kiến nghị bãi bỏ khoản 2 do khó thực hiện.",
                     "Đề nghị bỏ khoản 2.")
    groups = group(given, Constraints(closed=[{"c0", "c1"}]))
    closed = [g for g in groups if g.closed]
    assert [sorted(g.members) for g in closed] == [["c0", "c1"]]
    assert not together(groups, "c0", "c2")


def test_moving_a_comment_to_another_group():
    given = comments("Đề nghị bỏ khoản 2 vì không khả thi.", "Kiến nghị bãi bỏ khoản 2 do khó thực hiện.",
                     "Đề nghị làm rõ khái niệm hồ sơ hợp lệ.")
    moved = Constraints(together=[{"c1", "c2"}], apart=[({"c1"}, {"c0"})])
    groups = group(given, moved)
    assert together(groups, "c1", "c2") and not together(groups, "c0", "c1")


def test_contradicting_or_unknown_constraints_are_refused():
    given = comments("Đề nghị bỏ khoản 2.", "Đề nghị bỏ khoản 3.")
    with pytest.raises(ConstraintConflict, match="comments c[01] and c[01] are asked"):
        group(given, Constraints(together=[{"c0", "c1"}], apart=[({"c0"}, {"c1"})]))
    with pytest.raises(ValueError, match="not given"):
        group(given, Constraints(together=[{"c0", "nope"}]))
    with pytest.raises(ValueError, match="unique"):
        group(given + comments("Trùng mã."))


def test_large_articles_are_clustered_in_blocks(monkeypatch):
    from vanphong.consultation.engine import grouping

    monkeypatch.setattr(grouping, "BLOCK", 8)
    asks = ["Đề nghị kéo dài thời hạn thẩm định hồ sơ lên {n} ngày làm việc.",
            "Đề nghị bổ sung chế tài xử lý vi phạm đối với cán bộ số {n}.",
            "Cấp xã thiếu người, cần bố trí thêm biên chế cho xã số {n}."]
    given = [Comment(f"{k}-{n}", "1", ask.format(n=n)) for n in range(10) for k, ask in enumerate(asks)]
    groups = group(given, Constraints(apart=[({"0-0"}, {"0-1"})]))
    labels = labels_of(groups)
    for k in range(3):
        assert len({labels[f"{k}-{n}"] for n in range(10)}) == (2 if k == 0 else 1)
    assert labels["0-0"] != labels["0-1"]
    assert labels["0-5"] != labels["1-5"]
