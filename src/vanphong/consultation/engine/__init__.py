"""The consolidation engine: pure Python, no database, no Django models.

    from vanphong.consultation.engine import Comment, Constraints, group, parse_references, split_answer

- `group(comments, constraints)` → `list[Group]`: comments on each article grouped by what they ask
  for; staff merges, splits and moves given as `Constraints` survive every re-run.
- `parse_references(text)` → `list[Reference]`: "khoản 2 Điều 3", "tại Chương II", "Đ.5"…
- `split_answer(paragraphs)` → `list[Piece]`: a free-text answer (a Word file's paragraphs) cut into
  comments, each with the references it concerns.
The command `vanphong consultation group FILE.jsonl` and the web pages use exactly these.
"""

from vanphong.consultation.engine.grouping import (
    DISTANCE_THRESHOLD,
    Comment,
    ConstraintConflict,
    Constraints,
    Group,
    group,
    labels_of,
)
from vanphong.consultation.engine.references import Reference, parse_references
from vanphong.consultation.engine.splitting import Piece, split_answer

__all__ = ["DISTANCE_THRESHOLD", "Comment", "ConstraintConflict", "Constraints", "Group", "Piece", "Reference", "group",
           "labels_of", "parse_references", "split_answer"]
