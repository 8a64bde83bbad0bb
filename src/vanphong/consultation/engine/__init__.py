"""The consolidation engine: pure Python, no database, no Django models.

    from vanphong.consultation.engine import Comment, Constraints, group, parse_references, split_answer

- `group(comments, constraints)` → `list[Group]`: comments on each article grouped by what they ask
  for; staff merges, splits and moves given as `Constraints` survive every re-run.
- `parse_references(text)` → `list[Reference]`: "khoản 2 Điều 3", "tại Chương II", "Đ.5"…
- `split_answer(paragraphs)` → `list[Piece]`: a free-text answer (a Word file's paragraphs) cut into
  comments, each with the references it concerns.
The command `vanphong consultation group FILE.jsonl` and the web pages use exactly these.
"""

from __future__ import annotations

import importlib

# Each name is imported from its module on first use (PEP 562): grouping needs numpy, scipy and scikit-learn, seconds
# to import, and every process of an instance (web, worker, each `vanphong` command) imports this package at start-up
# through the consultation app while few ever group comments.
_MODULE_OF = {"DISTANCE_THRESHOLD": "grouping", "Comment": "grouping", "ConstraintConflict": "grouping", "Constraints": "grouping",
              "Group": "grouping", "group": "grouping", "labels_of": "grouping", "Reference": "references",
              "parse_references": "references", "Piece": "splitting", "split_answer": "splitting"}


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value
    return value


__all__ = ["DISTANCE_THRESHOLD", "Comment", "ConstraintConflict", "Constraints", "Group", "Piece", "Reference", "group",
           "labels_of", "parse_references", "split_answer"]
