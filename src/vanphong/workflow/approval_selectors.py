"""Reads of the approval of outgoing drafts, filtered by what the reader may see.

A draft's approval, versions and comparisons are read through its document, which the caller got from
documents.selectors (the reader's agency, clearance and distribution). "Awaiting my approval" reads the
partial indexes of pending steps by person and by unit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanphong.core.choices import choice_label
from vanphong.core.clearance import Clearance
from vanphong.core.errors import NotFound
from vanphong.documents.models import Attachment, Direction, Document
from vanphong.documents.selectors import documents_visible_to, readable
from vanphong.documents.types import Competence, DocumentType, Urgency
from vanphong.org.models import Person, Role, Unit
from vanphong.workflow.approval import chain_for
from vanphong.workflow.models import Approval, ApprovalChain, ApprovalEvent, ApprovalStep, DraftVersion, StepRole, UnitHead
from vanphong.workflow.permissions import can_manage_calendar

# The text compared: beyond this, a draft's text is not something one reads as a difference.
MAX_COMPARED_CHARS = 200_000


def _active(reader) -> bool:
    return bool(reader and reader.is_authenticated and reader.is_active)


def _pending_parts(reader) -> list[QuerySet[ApprovalStep]]:
    """The reader's pending steps as one query per kind of holder (the reader, the reader's unit): each is a short range
    of its partial index, where "person or unit" made SQLite scan every pending step of every unit."""
    if not _active(reader):
        return []
    pending = ApprovalStep.objects.filter(readable(reader, via="approval__document"), status=ApprovalStep.Status.PENDING).order_by()
    return [pending.filter(person_id=reader.pk)] + ([pending.filter(unit_id=reader.unit_id)] if reader.unit_id else [])


def awaiting_my_approval(reader) -> QuerySet[ApprovalStep]:
    """The steps waiting for the reader (or the reader's unit), oldest submission first."""
    parts = _pending_parts(reader)
    if not parts:
        return ApprovalStep.objects.none()
    ids = [part.order_by().values("pk") for part in parts]
    ids = ids[0] if len(ids) == 1 else ids[0].union(ids[1])
    return ApprovalStep.objects.filter(pk__in=ids).select_related("approval__document", "approval__drafter", "unit") \
        .order_by("approval__submitted_at", "id")


def awaiting_count(reader) -> int:
    """The navigation's count, in one query: a step is held by a person or by a unit, never both, so the parts add up."""
    parts = [part.values("pk") for part in _pending_parts(reader)]
    if not parts:
        return 0
    return (parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)).count()


def returned_to_me(reader) -> QuerySet[Approval]:
    """The reader's drafts returned to them, to change and submit again."""
    if not _active(reader):
        return Approval.objects.none()
    return Approval.objects.filter(readable(reader, via="document"), drafter=reader, status=Approval.Status.RETURNED) \
        .select_related("document").order_by("-pk")


# ---- one draft ------------------------------------------------------------------------------------------------


@dataclass
class ApprovalState:
    """What the draft's page shows of its approval, and what the reader may do there."""

    document: Document
    approval: Approval | None
    chain: ApprovalChain | None
    steps: list[ApprovalStep] = field(default_factory=list)
    events: list[ApprovalEvent] = field(default_factory=list)
    latest: DraftVersion | None = None
    version_count: int = 0
    current: ApprovalStep | None = None
    can_submit: bool = False
    choose_signer: bool = False
    leaders: list[Person] = field(default_factory=list)
    can_act: bool = False  # approve, return, edit: the current step is the reader's
    own_step_forbidden: bool = False  # ...but it is the reader's own draft and the step forbids approving it
    can_edit: bool = False

    @property
    def applies(self) -> bool:
        return self.approval is not None or self.chain is not None


def approval_state(reader, document: Document) -> ApprovalState:
    """`document` must come from a selector that checked the reader may see it (documents.selectors)."""
    approval = Approval.objects.filter(document=document).select_related("drafter").first()
    chain = chain_for(document.agency_id, document.doc_type) if approval is None else None
    state = ApprovalState(document, approval, chain)
    versions = DraftVersion.objects.filter(document=document)
    state.version_count = versions.count()
    state.latest = versions.order_by("-number").first()
    is_drafter = document.created_by_id == reader.pk
    if document.status != Document.Status.DRAFT:
        if approval is not None:
            state.steps, state.events = _steps_and_events(approval)
        return state
    if approval is None:
        state.can_submit = chain is not None and is_drafter
        state.can_edit = is_drafter and state.version_count > 0
        if state.can_submit and any(s.role == StepRole.SIGNING_LEADER and s.person_id is None for s in chain.steps.all()):
            state.choose_signer = True
            state.leaders = list(leaders_of(reader))
        return state
    state.steps, state.events = _steps_and_events(approval)
    if approval.status == Approval.Status.RETURNED:
        state.can_submit = state.can_edit = is_drafter
    elif approval.status == Approval.Status.IN_PROGRESS:
        state.current = next((s for s in state.steps if s.position == approval.current_position), None)
        if state.current is not None and state.current.is_held_by(reader):
            state.can_act = state.can_edit = True
            state.own_step_forbidden = reader.pk == approval.drafter_id and not state.current.drafter_may_approve
    return state


def _steps_and_events(approval: Approval) -> tuple[list[ApprovalStep], list[ApprovalEvent]]:
    steps = list(approval.steps.select_related("person", "unit", "decided_by").order_by("position"))
    events = list(approval.events.select_related("actor", "step__person", "step__unit").order_by("created_at", "pk"))
    return steps, events


def leaders_of(reader) -> QuerySet[Person]:
    """Who may be chosen to sign: the active leaders of the reader's agency."""
    if not _active(reader):
        return Person.objects.none()
    return Person.objects.filter(agency_id=reader.agency_id, is_active=True, roles__code=Role.Code.LEADER).order_by("sort_name", "pk")


def latest_version_main_file(document: Document) -> Attachment | None:
    """The main file of the draft's latest version, None before any version: what the official
    signs (registered in documents.hooks.main_file_finders)."""
    latest = DraftVersion.objects.filter(document=document).order_by("-number").select_related("main_attachment").first()
    return latest.main_attachment if latest is not None else None


def current_main_attachment(document: Document) -> Attachment | None:
    """The main file of the draft's latest version, else its first file."""
    return latest_version_main_file(document) or document.attachments.order_by("pk").first()


# ---- versions and their comparison --------------------------------------------------------------------------


def versions_of(document: Document) -> list[DraftVersion]:
    return list(DraftVersion.objects.filter(document=document).select_related("created_by").order_by("number"))


def version_of(document: Document, number) -> DraftVersion:
    try:
        return DraftVersion.objects.select_related("main_attachment", "created_by").get(document=document, number=int(number))
    except (DraftVersion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed", "gap"
    text: str


@dataclass
class Comparison:
    old: DraftVersion
    new: DraftVersion
    fields: list[FieldChange]
    main_changed: bool
    files_added: list[dict]
    files_removed: list[dict]
    text_lines: list[DiffLine]
    added: int = 0
    removed: int = 0
    truncated: bool = False


def _labels() -> dict[str, str]:
    fields = {f.name: str(f.verbose_name) for f in Document._meta.fields}
    return {**fields, "drafting_unit": str(Document._meta.get_field("drafting_unit").verbose_name), "recipients": _("Recipients")}


def _shown(name: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if name == "doc_type":
        return choice_label(DocumentType, value)
    if name == "urgency":
        return choice_label(Urgency, value)
    if name == "confidentiality":
        return choice_label(Clearance, value)
    if name == "signer_competence":
        return choice_label(Competence, value)
    if name == "due_date":
        return "/".join(reversed(str(value).split("-")))
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _text_of(version: DraftVersion) -> str:
    if version.main_attachment_id is None:
        return ""
    return Attachment.objects.filter(pk=version.main_attachment_id).values_list("text", flat=True).first() or ""


def compare(document: Document, old_number, new_number) -> Comparison:
    """The differences between two versions of the draft: its fields, its files, and the text of its main file."""
    old, new = version_of(document, old_number), version_of(document, new_number)
    labels = _labels()
    names = list(dict.fromkeys([*old.metadata, *new.metadata]))
    changes = [FieldChange(n, labels.get(n, n), _shown(n, old.metadata.get(n)), _shown(n, new.metadata.get(n)))
               for n in names if old.metadata.get(n) != new.metadata.get(n)]
    old_files, new_files = {f["sha256"]: f for f in old.files}, {f["sha256"]: f for f in new.files}
    old_main = old.files[0]["sha256"] if old.main_attachment_id and old.files else ""
    new_main = new.files[0]["sha256"] if new.main_attachment_id and new.files else ""
    old_text, new_text = _text_of(old), _text_of(new)
    truncated = len(old_text) > MAX_COMPARED_CHARS or len(new_text) > MAX_COMPARED_CHARS
    lines, added, removed = _diff(old_text[:MAX_COMPARED_CHARS].splitlines(), new_text[:MAX_COMPARED_CHARS].splitlines())
    return Comparison(old, new, changes, old_main != new_main,
                      [f for h, f in new_files.items() if h not in old_files], [f for h, f in old_files.items() if h not in new_files],
                      lines, added, removed, truncated)


def _diff(a: list[str], b: list[str], context: int = 3) -> tuple[list[DiffLine], int, int]:
    lines, added, removed = [], 0, 0
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", line) for line in a[i1:i2]]
                continue
            if tag in ("replace", "delete"):
                lines += [DiffLine("removed", line) for line in a[i1:i2]]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                lines += [DiffLine("added", line) for line in b[j1:j2]]
                added += j2 - j1
    return lines, added, removed


# ---- the chains page ------------------------------------------------------------------------------------------


def chains_of_agency(reader) -> list[ApprovalChain]:
    if not (_active(reader) and can_manage_calendar(reader, reader.agency)):
        return []
    return list(ApprovalChain.objects.filter(agency_id=reader.agency_id).prefetch_related("steps__person", "steps__unit")
                .order_by("doc_type"))


def chain_detail(reader, doc_type: str) -> ApprovalChain | None:
    if doc_type and doc_type not in DocumentType.values:
        raise NotFound()
    return ApprovalChain.objects.filter(agency_id=reader.agency_id, doc_type=doc_type).prefetch_related("steps").first()


def unit_heads_of_agency(reader) -> list[UnitHead]:
    return list(UnitHead.objects.filter(unit__agency_id=reader.agency_id).select_related("unit", "person").order_by("unit__path", "unit__name"))


def units_of_agency(reader) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=reader.agency_id, is_active=True).order_by("path", "sort_order", "name")


def people_of_agency(reader) -> QuerySet[Person]:
    return Person.objects.filter(agency_id=reader.agency_id, is_active=True).select_related("unit").prefetch_related("roles") \
        .order_by("sort_name", "pk")


def draft_for(reader, pk) -> Document:
    """An outgoing document of the reader's agency that the reader may read (the API's way in)."""
    try:
        return documents_visible_to(reader).select_related("drafting_unit", "created_by").get(pk=pk, direction=Direction.OUTGOING)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
