"""`vanphong consultation group FILE.jsonl`: the grouping engine for scripts and evaluation.

Reads one JSON object a line ({"id": …, "article": …, "text": …}; other keys are ignored), prints one
a line ({"id": …, "group": N}) in the input's order, with the engine the web pages use. Needs no
database and no Django: nothing here imports it.
"""

from __future__ import annotations

import json
import sys

FIELDS = ("id", "article", "text")


class InputError(Exception):
    """Bad input, with a message that says where."""


def read_comments(data: bytes, name: str):
    """Comments from JSON Lines (UTF-8, with or without BOM); blank lines are skipped."""
    from vanphong.consultation.engine import Comment

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"{name}, line {line}: not UTF-8 text (byte {exc.start + 1} of the file).") from None
    comments, first_line = [], {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}, line {number}: not valid JSON ({exc.msg} at column {exc.colno}).") from None
        if not isinstance(row, dict):
            raise InputError(f"{name}, line {number}: expected a JSON object with {', '.join(FIELDS)}.")
        missing = [f for f in FIELDS if f not in row or row[f] is None]
        if missing:
            raise InputError(f"{name}, line {number}: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
        cid, article, body = row["id"], row["article"], row["text"]
        if isinstance(cid, bool) or not isinstance(cid, (str, int)):
            raise InputError(f"{name}, line {number}: id must be a string or an integer.")
        if isinstance(article, bool) or not isinstance(article, (str, int)):
            raise InputError(f"{name}, line {number}: article must be a string or an integer.")
        if not isinstance(body, str):
            raise InputError(f"{name}, line {number}: text must be a string.")
        if cid in first_line:
            raise InputError(f"{name}, line {number}: id {json.dumps(cid, ensure_ascii=False)} was already used on "
                             f"line {first_line[cid]}.")
        first_line[cid] = number
        comments.append(Comment(cid, str(article), body))
    return comments, first_line


def read_constraints(path: str, known: dict):
    """{"together": [[id, …], …], "apart": [[[id, …], [id, …]], …], "closed": [[id, …], …]}"""
    from vanphong.consultation.engine import Constraints

    try:
        with open(path, "rb") as handle:
            raw = json.loads(handle.read().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc}).") from None
    if not isinstance(raw, dict) or set(raw) - {"together", "apart", "closed"}:
        raise InputError(f"{path}: expected an object with the keys together, apart and closed.")

    def ids(value, where):
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise InputError(f"{path}: {where} must be a list of comment ids.")
        unknown = [v for v in value if v not in known]
        if unknown:
            raise InputError(f"{path}: {where} names comments that are not in the input: "
                             f"{', '.join(json.dumps(v, ensure_ascii=False) for v in unknown[:5])}.")
        return value

    together = [ids(s, f"together[{k}]") for k, s in enumerate(raw.get("together", []))]
    closed = [ids(s, f"closed[{k}]") for k, s in enumerate(raw.get("closed", []))]
    apart = []
    for k, pair in enumerate(raw.get("apart", [])):
        if not isinstance(pair, list) or len(pair) != 2:
            raise InputError(f"{path}: apart[{k}] must be a pair of lists of comment ids.")
        apart.append((ids(pair[0], f"apart[{k}][0]"), ids(pair[1], f"apart[{k}][1]")))
    return Constraints(together=together, apart=apart, closed=closed)


def cmd_group(args) -> int:
    """Group comments by what they ask for, article by article, as the consolidation pages do."""
    from vanphong.consultation.engine import ConstraintConflict, group

    name = "standard input" if args.file == "-" else args.file
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                with open(args.file, "rb") as handle:
                    data = handle.read()
            except FileNotFoundError:
                raise InputError(f"Cannot read {args.file}: no such file.") from None
            except OSError as exc:
                raise InputError(f"Cannot read {args.file}: {exc.strerror}.") from None
        comments, known = read_comments(data, name)
        constraints = read_constraints(args.constraints, known) if args.constraints else None
        groups = group(comments, constraints, **({"threshold": args.threshold} if args.threshold is not None else {}))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2 if str(exc).startswith("Cannot read") else 1
    except ConstraintConflict as exc:
        print(f"The constraints contradict each other: {exc}.", file=sys.stderr)
        return 1
    number = {cid: n for n, g in enumerate(groups, 1) for cid in g.members}
    out = sys.stdout
    for comment in comments:
        out.write(json.dumps({"id": comment.id, "group": number[comment.id]}, ensure_ascii=False) + "\n")
    out.flush()
    if sys.stderr.isatty():
        print(f"{len(comments)} comments, {len(groups)} groups.", file=sys.stderr)
    return 0


def _threshold(value: str) -> float:
    import argparse

    number = float(value)
    if not 0.0 < number < 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


def add_commands(sub) -> None:
    p = sub.add_parser("consultation", help="consultation on drafts: group comments",
                       description="Consultation on drafts (góp ý dự thảo).")
    consultation = p.add_subparsers(dest="consultation_command", required=True, metavar="SUBCOMMAND")
    q = consultation.add_parser(
        "group", help="group comments by what they ask for (JSON Lines in, JSON Lines out)",
        description=cmd_group.__doc__ + " Input: one JSON object a line with id, article and text (UTF-8, a BOM is fine). "
        "Output: one JSON object a line with id and group, in the input's order; groups are numbered from 1, article by "
        "article, the biggest first. No database is needed. Exit status: 0 done, 1 bad input, 2 the file cannot be read.")
    q.add_argument("file", metavar="FILE.jsonl", help="the comments, or - for standard input")
    q.add_argument("--constraints", metavar="FILE.json",
                   help='staff decisions to keep: {"together": [[id, …]], "apart": [[[id, …], [id, …]]], "closed": [[id, …]]}')
    q.add_argument("--threshold", type=_threshold, metavar="D",
                   help="average cosine distance under which comments join one group (default: the engine's)")
    q.set_defaults(func=cmd_group)
