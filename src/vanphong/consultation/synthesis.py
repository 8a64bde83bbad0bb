"""The synthesis report of a consultation (báo cáo tổng hợp, giải trình, tiếp thu ý kiến góp ý): for each article of the
latest version, in draft order (the draft as a whole first), the groups of comments with their counts, the units,
people and agencies that raised them, a representative wording and the drafting body's response; and the overview
(who was invited, who answered, agreed, is late; comments per article).

`synthesis_for_staff` gathers it into plain dataclasses that the DOCX (synthesis_docx), the XLSX (synthesis_xlsx) and
the API all draw from, so they never disagree. Comments not consolidated yet are each a row of their own: the report
drops no comment."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from vanphong.consultation import selectors
from vanphong.consultation.models import Comment, CommentGroup, Consultation, Invitation, Node
from vanphong.core import audit
from vanphong.core.report_layout import agency_lines, national_lines
from vanphong.org.models import Unit
from vanphong.workflow.reports import FORMATS

RESPONSES = {
    "": pgettext_lazy("synthesis response", "No response yet"),
    "accepted": pgettext_lazy("synthesis response", "Accepted"),
    "explained": pgettext_lazy("synthesis response", "Explained"),
    "noted": pgettext_lazy("synthesis response", "Noted"),
}
KINDS = {
    Invitation.Kind.UNIT: pgettext_lazy("synthesis invitees", "Units"),
    Invitation.Kind.PERSON: pgettext_lazy("synthesis invitees", "People"),
    Invitation.Kind.AGENCY: pgettext_lazy("synthesis invitees", "Other agencies"),
}
_IN_CHUNKS = 900  # ids per "IN (…)" query: SQLite's limit on parameters is far, and the queries stay small


@dataclass
class Respondent:
    name: str
    kind: str  # Invitation.Kind


@dataclass
class GroupRow:
    """A group of comments that ask for the same thing, or a comment not consolidated yet (id None)."""

    id: int | None
    unit_id: int | None  # the unit of the latest version it concerns; None: the draft as a whole
    unit_label: str
    comments: int
    respondents: list[Respondent]
    representative: str
    response: str = ""  # CommentGroup.Response: "", "accepted", "explained", "noted"
    response_text: str = ""
    response_unit_id: int | None = None
    response_unit_label: str = ""

    @property
    def response_label(self) -> str:
        return str(RESPONSES[self.response])

    @property
    def respondent_names(self) -> list[str]:
        return [r.name for r in self.respondents]


@dataclass
class Section:
    """An article (a report's numbered section; a chapter or part when comments name it alone), or the draft as a whole
    (unit_id None), with the groups on it and on its clauses and points."""

    unit_id: int | None
    label: str
    title: str
    groups: list[GroupRow] = field(default_factory=list)

    @property
    def comments(self) -> int:
        return sum(g.comments for g in self.groups)


@dataclass
class InviteeFigures:
    """Answers of a set of invitees: one kind (units, people, other agencies), or one unit or agency."""

    name: str
    invited: int = 0
    answered: int = 0  # with comments, on time or late
    agreed: int = 0  # "nhất trí": agrees, no comment
    answered_late: int = 0  # of those answered or agreed, after the deadline
    late: int = 0  # not answered, and the deadline has passed
    comments: int = 0

    @property
    def responded(self) -> int:
        return self.answered + self.agreed

    @property
    def not_answered(self) -> int:
        return self.invited - self.responded

    @property
    def rate(self) -> float:
        """Share of invitees who answered (with comments or "agree"), in per cent."""
        return 100.0 * self.responded / self.invited if self.invited else 0.0


@dataclass
class ArticleCount:
    unit_id: int | None
    label: str
    comments: int


@dataclass
class Synthesis:
    consultation_id: int
    title: str
    agency_lines: list[str]  # the header's agency names, upper case (the parent's first)
    national_lines: list[str]  # the national motto, or the Party's name
    notation_code: str
    drafting_unit: str
    deadline: dt.date
    version_number: int
    version_filename: str
    as_of: dt.date
    prepared_by: str
    prepared_by_position: str
    total: InviteeFigures
    by_kind: list[InviteeFigures]
    by_unit: list[InviteeFigures]
    per_article: list[ArticleCount]
    sections: list[Section]
    agency_name: str = ""

    @property
    def groups(self) -> list[GroupRow]:
        return [g for s in self.sections for g in s.groups]

    @property
    def comments(self) -> int:
        return sum(s.comments for s in self.sections)

    @property
    def consolidated(self) -> int:
        """Groups (not counting comments yet to consolidate)."""
        return sum(1 for g in self.groups if g.id is not None)

    @property
    def not_consolidated(self) -> int:
        return sum(g.comments for g in self.groups if g.id is None)

    @property
    def responded_groups(self) -> int:
        return sum(1 for g in self.groups if g.id is not None and g.response)


def whole_draft_label() -> str:
    return pgettext("synthesis", "The draft as a whole")


def synthesis_for_staff(person, consultation_pk: int) -> Synthesis:
    """The report's data, for the staff of the drafting body (NotFound for anyone else)."""
    return synthesis_of(selectors.consultation_for_staff(person, consultation_pk), person)


def synthesis_of(consultation: Consultation, reader, today: dt.date | None = None) -> Synthesis:
    today = today or timezone.localdate()
    version = selectors.latest_version(consultation)
    nodes = list(version.nodes.all())
    node_of = {n.pk: n for n in nodes}
    for node in nodes:  # labels read their parents from here: no query per node
        if node.parent_id in node_of:
            node.parent = node_of[node.parent_id]
    owner, tops = _owners(nodes)

    rows = selectors.invitation_rows(consultation)
    invitations = {row.invitation.pk: row.invitation for row in rows}
    respondent_of = {pk: Respondent(i.invitee_name, i.kind) for pk, i in invitations.items()}

    members: dict[int, list[tuple[int, int]]] = defaultdict(list)  # group id -> [(comment id, invitation id)]
    loose: list[tuple[int, int | None, int]] = []  # comments in no group: (id, node id, invitation id)
    for pk, group_id, node_id, invitation_id in (consultation.comments.filter(excluded=False).order_by("id")
                                                 .values_list("id", "group_id", "node_id", "invitation_id")):
        if group_id is None:
            loose.append((pk, node_id, invitation_id))
        else:
            members[group_id].append((pk, invitation_id))
    groups = [g for g in CommentGroup.objects.filter(consultation=consultation).order_by("position", "id") if g.pk in members]
    first_node = dict(Comment.objects.filter(pk__in=[members[g.pk][0][0] for g in groups if g.node_id and g.node_id not in node_of])
                      .values_list("pk", "node_id")) if groups else {}

    # A representative marked as no comment since (or gone) gives way to the group's first counted member.
    representative = {g.pk: g.representative_id if any(pk == g.representative_id for pk, _inv in members[g.pk]) else members[g.pk][0][0]
                      for g in groups}
    texts = _texts({pk for pk, _node, _inv in loose} | set(representative.values()))
    response_labels = _labels({g.response_node_id for g in groups if g.response_node_id}, node_of)

    by_node: dict[int | None, list[tuple[tuple, GroupRow]]] = defaultdict(list)
    for group in groups:
        ids = members[group.pk]
        node_id = group.node_id if group.node_id is None or group.node_id in node_of else first_node.get(ids[0][0])
        node_id = node_id if node_id in node_of else None
        row = GroupRow(id=group.pk, unit_id=node_id, unit_label=node_of[node_id].full_label() if node_id else "",
                       comments=len(ids), respondents=[respondent_of[i] for i in dict.fromkeys(inv for _pk, inv in ids)],
                       representative=texts.get(representative[group.pk], ""), response=group.response or "",
                       response_text=group.response_text, response_unit_id=group.response_node_id,
                       response_unit_label=response_labels.get(group.response_node_id, ""))
        order = (node_of[node_id].position if node_id else -1, 0, -len(ids), group.position, group.pk)
        by_node[owner[node_id] if node_id else None].append((order, row))
    for pk, node_id, invitation_id in loose:
        node_id = node_id if node_id in node_of else None
        row = GroupRow(id=None, unit_id=node_id, unit_label=node_of[node_id].full_label() if node_id else "", comments=1,
                       respondents=[respondent_of[invitation_id]], representative=texts.get(pk, ""))
        order = (node_of[node_id].position if node_id else -1, 1, 0, 0, pk)  # after the groups on the same unit
        by_node[owner[node_id] if node_id else None].append((order, row))

    sections = []
    if by_node.get(None):
        sections.append(Section(None, whole_draft_label(), "", [row for _o, row in sorted(by_node[None], key=lambda o: o[0])]))
    for node in nodes:
        if by_node.get(node.pk):
            sections.append(Section(node.pk, node.full_label(), node.title,
                                    [row for _o, row in sorted(by_node[node.pk], key=lambda o: o[0])]))

    counted = {s.unit_id: s.comments for s in sections}
    per_article = ([ArticleCount(None, whole_draft_label(), counted[None])] if None in counted else []) + [
        ArticleCount(n.pk, n.full_label(), counted.get(n.pk, 0)) for n in nodes if n.pk in tops or n.pk in counted]

    total, by_kind, by_unit = _answers(rows, today)
    agency = consultation.agency
    return Synthesis(
        consultation_id=consultation.pk, title=consultation.title, agency_lines=agency_lines(agency),
        national_lines=national_lines(agency), notation_code=agency.notation_code,
        drafting_unit=consultation.drafting_unit.name if consultation.drafting_unit_id else "", deadline=consultation.deadline,
        version_number=version.number, version_filename=version.filename, as_of=today,
        prepared_by=reader.full_name, prepared_by_position=reader.position,
        total=total, by_kind=by_kind, by_unit=by_unit, per_article=per_article, sections=sections, agency_name=agency.name)


def _owners(nodes: list[Node]) -> tuple[dict[int, int], set[int]]:
    """Each unit's section, and the articles: a clause or point belongs to its article (a report's subsection to its top
    numbered section), as the staff's page counts comments per article (selectors.counts_by_article); a unit above the
    articles (a chapter, a part) is a section of its own."""
    tops = {node.pk for node, _count in selectors.counts_by_article([selectors.Article(n, []) for n in nodes])}
    owner: dict[int, int] = {}
    for node in nodes:  # in document order: a parent comes before its children
        owner[node.pk] = owner[node.parent_id] if node.pk not in tops and owner.get(node.parent_id) in tops else node.pk
    return owner, tops


def _texts(ids: set[int]) -> dict[int, str]:
    ids, texts = sorted(ids), {}
    for start in range(0, len(ids), _IN_CHUNKS):
        texts.update(Comment.objects.filter(pk__in=ids[start:start + _IN_CHUNKS]).values_list("pk", "text"))
    return texts


def _labels(ids: set[int], node_of: dict[int, Node]) -> dict[int, str]:
    """Labels of the units responses point to; one of an older version says which."""
    labels = {pk: node_of[pk].full_label() for pk in ids if pk in node_of}
    for node in Node.objects.filter(pk__in=ids - set(labels)).select_related("version", "parent__parent"):
        labels[node.pk] = _("%(unit)s (version %(number)d)") % {"unit": node.full_label(), "number": node.version.number}
    return labels


def _answers(rows: list[selectors.InvitationRow], today: dt.date) -> tuple[InviteeFigures, list[InviteeFigures], list[InviteeFigures]]:
    """The figures of all invitees, of each kind, and of each unit or agency (people counted with their unit)."""
    person_units = dict(Unit.objects.filter(pk__in={r.invitation.person.unit_id for r in rows if r.invitation.person_id}
                                            ).values_list("pk", "name"))
    total = InviteeFigures(_("Total"))
    kinds = {kind: InviteeFigures(str(label)) for kind, label in KINDS.items()}
    units: dict[tuple, InviteeFigures] = {}
    for row in rows:
        invitation = row.invitation
        if invitation.unit_id:
            key, name = ("unit", invitation.unit_id), invitation.unit.name
        elif invitation.agency_id:
            key, name = ("agency", invitation.agency_id), invitation.agency.name
        elif invitation.person.unit_id in person_units:
            key, name = ("unit", invitation.person.unit_id), person_units[invitation.person.unit_id]
        else:
            key, name = ("person", None), pgettext("synthesis invitees", "People outside the units")
        unit = units.setdefault(key, InviteeFigures(name))
        for figures in (total, kinds[invitation.kind], unit):
            figures.invited += 1
            figures.comments += row.comments
            if row.state == "agreed":
                figures.agreed += 1
            elif row.state in ("answered", "answered_late"):
                figures.answered += 1
            elif row.state == "late":
                figures.late += 1
            if invitation.answered_at is not None and invitation.late:
                figures.answered_late += 1
    return total, [k for k in kinds.values() if k.invited], list(units.values())


def filename(synthesis: Synthesis, fmt: str) -> str:
    """"Báo cáo tổng hợp ý kiến góp ý - Dự thảo Nghị quyết….docx": the title kept readable, less what file systems refuse."""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", synthesis.title).strip()
    title = re.sub(r"\s+", " ", title)[:120].rstrip()
    return _("Synthesis of comments - %(title)s") % {"title": title} + f".{fmt}"


def export(reader, consultation_pk: int, fmt: str, *, request=None) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the report as DOCX or XLSX, for the staff of the drafting body."""
    from vanphong.consultation import synthesis_docx, synthesis_xlsx

    consultation = selectors.consultation_for_staff(reader, consultation_pk)
    synthesis = synthesis_of(consultation, reader)
    content = synthesis_docx.render(synthesis) if fmt == "docx" else synthesis_xlsx.render(synthesis)
    audit.record("consultation.report.exported", actor=reader, agency=consultation.agency, target=consultation, request=request,
                 data={"format": fmt, "groups": synthesis.consolidated, "comments": synthesis.comments})
    return content, filename(synthesis, fmt), FORMATS[fmt]
