"""Every change in the approval of outgoing drafts, and of the chains that shape it.

Each function is one thing a person does. It locks the draft's approval, checks who may act and on what
version, writes the change, its timeline event and its audit record in one transaction, and otherwise
raises PermissionDenied or ValidationError having changed nothing. The rules:

- An administrator of an agency sets its chains: a default one and one per document type, each an ordered
  list of steps (head of the drafting unit, the Office, a named person or unit, and last the signing
  leader), each saying whether the drafter may approve it themselves; and who heads each unit.
- The drafter submits a draft of their agency. The chain for its type (else the agency's default) is copied
  into the approval with each holder resolved: the head of the drafting unit (walking up the tree when the
  unit has none, or when the head is the drafter and may not approve their own draft), the Office unit, the
  named person or unit, the signing leader named in the chain or chosen by the drafter among the agency's
  leaders. A confidential draft goes to named people only: a unit's step goes to its head, and each
  holder is put on the draft's distribution.
- The holder of the current step approves the latest version (an older one is refused), returns the draft
  with comments to the drafter or to the previous step, or edits it: a new version. The drafter edits a
  draft that is with them (not yet submitted, or returned) and submits it again to the step that returned
  it. Nobody approves a step that is not theirs, nor their own draft where the step forbids it.
- Signing waits until every step before the signing leader has approved, and only the chain's signing
  leader signs; issuing waits until the whole chain has approved (documents.hooks). An agency without any
  chain keeps its drafts free of approval; once it has one, every draft of it (older ones too) goes
  through approval before it is signed or issued."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.core import audit
from vanphong.core.clearance import Clearance
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.text import fold
from vanphong.documents import services as documents
from vanphong.documents.models import Attachment, Direction, Document
from vanphong.documents.types import DocumentType
from vanphong.org.models import Agency, Person, Role, Unit
from vanphong.workflow import hooks
from vanphong.workflow.handling import _check_target, _require_reader, _text
from vanphong.workflow.models import (
    Approval,
    ApprovalChain,
    ApprovalChainStep,
    ApprovalEvent,
    ApprovalStep,
    DraftVersion,
    StepRole,
    UnitHead,
)
from vanphong.workflow.permissions import require_calendar_manager

MAX_STEPS = 10
# What an approver or the drafter may change in a version. The type, confidentiality and recipients stay
# as drafted: they decide the chain, the readers and the exchange; so does the signer, the chain's signing leader.
EDITABLE_FIELDS = ("subject", "urgency", "due_date", "notes", "signer_position", "signer_competence", "page_count", "copies")
SNAPSHOT_FIELDS = ("doc_type", "confidentiality", "signer_name") + EDITABLE_FIELDS


# ---- chains -------------------------------------------------------------------------------------------------


@dataclass
class StepSpec:
    role: str
    person: Person | None = None
    unit: Unit | None = None
    drafter_may_approve: bool = False


def _check_steps(agency: Agency, steps: list[StepSpec]) -> None:
    if not steps:
        raise ValidationError({"steps": _("A chain needs at least one step.")})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": _("A chain has at most %(n)s steps.") % {"n": MAX_STEPS}})
    errors = []
    for n, step in enumerate(steps, 1):
        if step.role not in StepRole.values:
            errors.append(_("Step %(n)s: choose who approves.") % {"n": n})
            continue
        needs_person, needs_unit = step.role == StepRole.PERSON, step.role in (StepRole.UNIT, StepRole.OFFICE)
        if needs_person and step.person is None:
            errors.append(_("Step %(n)s: choose the person.") % {"n": n})
        if needs_unit and step.unit is None:
            errors.append(_("Step %(n)s: choose the unit.") % {"n": n})
        if step.unit is not None and not needs_unit:
            errors.append(_("Step %(n)s: a unit is only chosen for the Office or a named unit.") % {"n": n})
        if step.person is not None and step.role not in (StepRole.PERSON, StepRole.SIGNING_LEADER):
            errors.append(_("Step %(n)s: a person is only chosen for a named person or the signing leader.") % {"n": n})
        if step.unit is not None and (step.unit.agency_id != agency.pk or not step.unit.is_active):
            errors.append(_("Step %(n)s: %(name)s is not an open unit of your agency.") % {"n": n, "name": step.unit.name})
        if step.person is not None and (step.person.agency_id != agency.pk or not step.person.is_active):
            errors.append(_("Step %(n)s: %(name)s is not an active person of your agency.") % {"n": n, "name": step.person.full_name})
        elif step.role == StepRole.SIGNING_LEADER and step.person is not None and not step.person.has_role(Role.Code.LEADER):
            errors.append(_("Step %(n)s: %(name)s is not a leader, who signs.") % {"n": n, "name": step.person.full_name})
    leaders = [n for n, s in enumerate(steps, 1) if s.role == StepRole.SIGNING_LEADER]
    if leaders != [len(steps)]:
        errors.append(_("The last step, and only the last, is the signing leader's."))
    if errors:
        raise ValidationError({"steps": errors})


@transaction.atomic
def save_chain(actor, agency: Agency, *, doc_type: str, steps: list[StepSpec], request=None) -> ApprovalChain:
    """Set the agency's default chain (doc_type "") or its chain for a document type, replacing the one there."""
    require_calendar_manager(actor, agency)
    if doc_type and doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Choose a document type, or none for the default chain.")})
    steps = list(steps)
    _check_steps(agency, steps)
    chain, _created = ApprovalChain.objects.select_for_update().get_or_create(agency=agency, doc_type=doc_type)
    chain.updated_by = actor
    chain.save(update_fields=["updated_by", "updated_at"])
    chain.steps.all().delete()
    ApprovalChainStep.objects.bulk_create([
        ApprovalChainStep(chain=chain, position=n, role=s.role, person=s.person, unit=s.unit, drafter_may_approve=s.drafter_may_approve)
        for n, s in enumerate(steps, 1)])
    audit.record("workflow.approval_chain.saved", actor=actor, agency=agency, target=chain, request=request, data={
        "doc_type": doc_type, "steps": [{"role": s.role, "person": s.person.pk if s.person else None, "unit": s.unit.pk if s.unit else None,
                                         "drafter_may_approve": s.drafter_may_approve} for s in steps]})
    return chain


@transaction.atomic
def remove_chain(actor, chain: ApprovalChain, *, request=None) -> None:
    """Drafts already submitted keep the steps they were given."""
    require_calendar_manager(actor, chain.agency)
    audit.record("workflow.approval_chain.removed", actor=actor, agency=chain.agency, target=chain, request=request,
                 data={"doc_type": chain.doc_type})
    chain.delete()


@transaction.atomic
def set_unit_head(actor, unit: Unit, person: Person | None, *, request=None) -> None:
    """Name the head of a unit of the actor's agency (or, with None, no one)."""
    require_calendar_manager(actor, actor.agency)
    if unit.agency_id != actor.agency_id:
        raise ValidationError({"unit": _("There is no such unit in your agency.")})
    if person is not None and (person.agency_id != unit.agency_id or not person.is_active):
        raise ValidationError({"person": _("%(name)s is not an active person of your agency.") % {"name": person.full_name}})
    if person is None:
        UnitHead.objects.filter(unit=unit).delete()
    else:
        UnitHead.objects.update_or_create(unit=unit, defaults={"person": person})
    audit.record("workflow.unit_head.set", actor=actor, target=unit, request=request, data={"person": person.pk if person else None})


def chain_for(agency_id: int, doc_type: str) -> ApprovalChain | None:
    """The chain a draft of this type follows: the type's own, else the agency's default, else none."""
    chains = {c.doc_type: c for c in ApprovalChain.objects.filter(agency_id=agency_id, doc_type__in=[doc_type, ""])}
    return chains.get(doc_type) or chains.get("")


# ---- versions ------------------------------------------------------------------------------------------------


def _snapshot(document: Document) -> dict:
    values = {f: getattr(document, f) for f in SNAPSHOT_FIELDS}
    values["due_date"] = document.due_date.isoformat() if document.due_date else None
    values["drafting_unit"] = document.drafting_unit.name if document.drafting_unit_id else ""
    values["recipients"] = [str(r) for r in document.recipients.select_related("unit", "agency")]
    return values


def _file_ref(attachment: Attachment) -> dict:
    return {"attachment": attachment.pk, "sha256": attachment.sha256, "filename": attachment.filename, "size": attachment.size}


def latest_version(document: Document) -> DraftVersion | None:
    return DraftVersion.objects.filter(document=document).order_by("-number").first()


def _new_version(actor, document: Document, *, note: str = "", main: Attachment | None = None) -> DraftVersion:
    """The draft as it is now, with `main` as its main file (by default the previous version's, or at first the
    draft's first file); the other files are those of the previous version."""
    previous = latest_version(document)
    if previous is None:
        attachments = list(document.attachments.order_by("pk"))
        main = main or (attachments[0] if attachments else None)
        others = [_file_ref(a) for a in attachments if main is None or a.pk != main.pk]
    else:
        # A new main file replaces the previous one; the other files stay.
        others = [f for f in previous.files if f["attachment"] != previous.main_attachment_id]
        main = main or previous.main_attachment
    files = ([_file_ref(main)] if main is not None else []) + others
    number = (previous.number if previous else 0) + 1
    return DraftVersion.objects.create(document=document, number=number, created_by=actor, note=note, metadata=_snapshot(document),
                                       files=files, main_attachment=main)


def _ensure_first_version(actor, document: Document) -> DraftVersion:
    return latest_version(document) or _new_version(actor, document, note=_("As drafted."))


# ---- submitting -------------------------------------------------------------------------------------------------


def _lock_draft(actor, document: Document) -> Document:
    """The draft, locked, once the actor may read it and it is an unissued draft of their agency."""
    if not (actor and actor.is_authenticated and actor.is_active) or document.agency_id != actor.agency_id:
        raise PermissionDenied(_("This draft belongs to another agency."))
    _require_reader(actor, document)
    document = Document.objects.select_for_update(of=("self",)).select_related("drafting_unit", "created_by").get(pk=document.pk)
    if document.direction != Direction.OUTGOING or document.status != Document.Status.DRAFT:
        raise ValidationError(_("Only an outgoing draft not yet issued goes through approval."))
    return document


def _head_of(unit: Unit | None, *, not_person: Person | None) -> Person | None:
    """The head of `unit`, else of the nearest unit above it that has one (other than `not_person`)."""
    while unit is not None:
        head = UnitHead.objects.filter(unit=unit, person__is_active=True).select_related("person").first()
        if head is not None and head.person != not_person:
            return head.person
        unit = unit.parent
    return None


def _resolve(step: ApprovalChainStep, document: Document, drafter: Person, signer: Person | None) -> tuple[Person | None, Unit | None]:
    confidential = document.confidentiality > Clearance.NONE
    if step.role == StepRole.UNIT_HEAD:
        unit = document.drafting_unit or drafter.unit
        head = _head_of(unit, not_person=None if step.drafter_may_approve else drafter)
        if head is None:
            raise ValidationError({"steps": _("No head is set for %(unit)s or a unit above it: ask an administrator to name one.") % {
                "unit": unit.name if unit else _("your unit")}})
        return head, None
    if step.role == StepRole.SIGNING_LEADER:
        leader = step.person or signer
        if leader is None:
            raise ValidationError({"signer": _("Choose the leader who will sign.")})
        if leader.agency_id != document.agency_id or not leader.is_active or not leader.has_role(Role.Code.LEADER):
            raise ValidationError({"signer": _("%(name)s is not a leader of your agency.") % {"name": leader.full_name}})
        return leader, None
    if step.role == StepRole.PERSON:
        return step.person, None
    if confidential:  # a unit's step: its head, as a confidential draft goes to named people only
        head = UnitHead.objects.filter(unit=step.unit, person__is_active=True).select_related("person").first()
        head = head.person if head else None
        if head is None:
            raise ValidationError({"steps": _("A confidential draft goes to named people: name a head for %(unit)s first.") % {
                "unit": step.unit.name}})
        return head, None
    return None, step.unit


def _refresh_search_text(document: Document) -> None:
    document.search_text = documents.search_text_of(document, document.attachments.values_list("text", flat=True))
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text)


def _name_signer(document: Document, leader: Person | None) -> None:
    """The chain's signing leader is the draft's signer (Người ký), whom signing checks: filled in when the draft names
    no one, refused when it names someone else."""
    if leader is None:
        return
    if document.signer_name:
        if fold(document.signer_name) != fold(leader.full_name):
            raise ValidationError({"signer": _("The draft names %(named)s as its signer, but its signing leader is %(leader)s: correct the "
                                               "draft's signer or choose that leader.") % {"named": document.signer_name,
                                                                                            "leader": leader.full_name}})
        return
    document.signer_name, document.signer_position = leader.full_name, document.signer_position or leader.position[:150]
    document.save(update_fields=["signer_name", "signer_position", "updated_at"])
    _refresh_search_text(document)


def _awaiting(step: ApprovalStep, actor) -> None:
    """The draft now waits for this step's holder: notifications tells them (inside this transaction)."""
    step.refresh_from_db()
    hooks.approval_awaiting.send(sender=ApprovalStep, step=step, actor=actor)


@transaction.atomic
def submit(actor, document: Document, *, signer: Person | None = None, comment: str = "", request=None) -> Approval:
    """The drafter submits the draft: along its chain the first time, or again to the step that returned it."""
    document = _lock_draft(actor, document)
    comment = _text(comment, "comment", required=False)
    if document.created_by_id != actor.pk:
        raise PermissionDenied(_("Only the drafter, %(name)s, submits this draft.") % {"name": document.created_by.full_name})
    approval = Approval.objects.select_for_update().filter(document=document).first()
    if approval is not None:
        if approval.status != Approval.Status.RETURNED:
            raise ValidationError(_("This draft is already being approved.") if approval.status == Approval.Status.IN_PROGRESS
                                  else _("This draft is already approved."))
        step = approval.steps.get(position=approval.current_position)
        ApprovalStep.objects.filter(pk=step.pk).update(status=ApprovalStep.Status.PENDING)
        approval.status = Approval.Status.IN_PROGRESS
        approval.save(update_fields=["status"])
        _awaiting(step, actor)
        version = _ensure_first_version(actor, document)
        ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.RESUBMITTED, actor=actor, step=step, version=version.number,
                                     comment=comment)
        audit.record("workflow.approval.resubmitted", actor=actor, target=document, request=request,
                     data={"version": version.number, "step": step.position})
        return approval
    chain = chain_for(document.agency_id, document.doc_type)
    if chain is None:
        raise ValidationError(_("Your agency has no approval chain for this type of document: an administrator sets one."))
    resolved = []
    for step in chain.steps.select_related("person", "unit").order_by("position"):
        person, unit = _resolve(step, document, actor, signer)
        problem = _check_target(document, person or unit)
        if problem:
            raise ValidationError({"steps": problem})
        resolved.append((step, person, unit))
    if signer is not None and not any(s.role == StepRole.SIGNING_LEADER and s.person is None for s, _p, _u in resolved):
        raise ValidationError({"signer": _("This chain names its signing leader: do not choose another.")})
    _name_signer(document, next((p for s, p, _u in resolved if s.role == StepRole.SIGNING_LEADER), None))
    approval = Approval.objects.create(agency_id=document.agency_id, document=document, drafter=actor)
    steps = ApprovalStep.objects.bulk_create([
        ApprovalStep(approval=approval, position=s.position, role=s.role, person=p, unit=u, drafter_may_approve=s.drafter_may_approve,
                     status=ApprovalStep.Status.PENDING if n == 0 else ApprovalStep.Status.WAITING)
        for n, (s, p, u) in enumerate(resolved)])
    approval.current_position = steps[0].position
    approval.save(update_fields=["current_position"])
    _awaiting(steps[0], actor)
    documents.add_readers(actor, document, [p for _s, p, _u in resolved if p is not None])
    version = _ensure_first_version(actor, document)
    ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.SUBMITTED, actor=actor, version=version.number, comment=comment)
    audit.record("workflow.approval.submitted", actor=actor, target=document, request=request, data={
        "chain": chain.pk, "version": version.number,
        "steps": [f"{s.role}:{'person:%s' % p.pk if p else 'unit:%s' % u.pk}" for s, p, u in resolved]})
    return approval


# ---- acting on a step -----------------------------------------------------------------------------------------


def _lock_current(actor, document: Document) -> tuple[Document, Approval, ApprovalStep]:
    document = _lock_draft(actor, document)
    approval = Approval.objects.select_for_update().filter(document=document).first()
    if approval is None:
        raise ValidationError(_("This draft has not been submitted for approval."))
    if approval.status != Approval.Status.IN_PROGRESS:
        raise ValidationError(_("This draft is not awaiting approval: %(status)s.") % {"status": approval.get_status_display().lower()})
    step = approval.steps.select_related("person", "unit").get(position=approval.current_position)
    if not step.is_held_by(actor):
        raise PermissionDenied(_("This step is not yours: it awaits %(name)s.") % {"name": step.holder_name})
    return document, approval, step


def _check_version(document: Document, version: int | None) -> DraftVersion:
    latest = latest_version(document)
    if version is None or latest is None or int(version) != latest.number:
        raise ValidationError({"version": _("You approved version %(seen)s, but the draft is now at version %(latest)s: read the "
                                            "latest version, then approve it.") % {"seen": version, "latest": latest.number if latest else 1}})
    return latest


@transaction.atomic
def approve(actor, document: Document, *, version: int, comment: str = "", request=None) -> Approval:
    """The holder of the current step approves the version they read, which must be the latest."""
    document, approval, step = _lock_current(actor, document)
    if actor.pk == approval.drafter_id and not step.drafter_may_approve:
        raise PermissionDenied(_("You drafted this document, and this step may not be approved by its drafter: it needs "
                                 "another person's approval."))
    latest = _check_version(document, version)
    comment = _text(comment, "comment", required=False)
    now = timezone.now()
    step.status, step.decided_by, step.decided_at, step.approved_version = ApprovalStep.Status.APPROVED, actor, now, latest.number
    step.save(update_fields=["status", "decided_by", "decided_at", "approved_version"])
    ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.APPROVED, actor=actor, step=step, version=latest.number,
                                 comment=comment)
    following = approval.steps.filter(position__gt=step.position).order_by("position").first()
    if following is None:
        approval.status, approval.completed_at = Approval.Status.APPROVED, now
        approval.save(update_fields=["status", "completed_at"])
        ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.COMPLETED, actor=actor, version=latest.number)
    else:
        ApprovalStep.objects.filter(pk=following.pk).update(status=ApprovalStep.Status.PENDING)
        approval.current_position = following.position
        approval.save(update_fields=["current_position"])
        _awaiting(following, actor)
    audit.record("workflow.approval.approved", actor=actor, target=document, request=request,
                 data={"step": step.position, "version": latest.number, "complete": following is None})
    return approval


@transaction.atomic
def return_draft(actor, document: Document, *, comment: str, to_previous: bool = False, request=None) -> Approval:
    """The holder of the current step returns the draft with comments: to the drafter, or to the previous step
    (whose approval is then undone)."""
    document, approval, step = _lock_current(actor, document)
    comment = _text(comment, "comment", required=True, message=_("Write your comments: what should change."))
    ApprovalStep.objects.filter(pk=step.pk).update(status=ApprovalStep.Status.WAITING)
    previous = approval.steps.filter(position__lt=step.position).order_by("-position").first() if to_previous else None
    if to_previous and previous is None:
        raise ValidationError({"to": _("This is the first step: return it to the drafter.")})
    if previous is not None:
        ApprovalStep.objects.filter(pk=previous.pk).update(status=ApprovalStep.Status.PENDING, decided_by=None, decided_at=None,
                                                           approved_version=None)
        approval.current_position = previous.position
        approval.save(update_fields=["current_position"])
        _awaiting(previous, actor)
    else:
        approval.status = Approval.Status.RETURNED
        approval.save(update_fields=["status"])
    latest = latest_version(document)
    ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.RETURNED, actor=actor, step=step, comment=comment,
                                 version=latest.number if latest else None, returned_to=previous.position if previous else None)
    audit.record("workflow.approval.returned", actor=actor, target=document, request=request,
                 data={"step": step.position, "to": previous.position if previous else "drafter"})
    return approval


def _holding(actor, document: Document) -> tuple[Document, Approval | None, ApprovalStep | None]:
    """The draft locked, with its approval and current step, if the actor holds it: the current step's holder, or the
    drafter while it is with them (not yet submitted, or returned)."""
    document = _lock_draft(actor, document)
    approval = Approval.objects.select_for_update().filter(document=document).first()
    step = None
    if approval is None or approval.status == Approval.Status.RETURNED:
        if document.created_by_id != actor.pk:
            raise PermissionDenied(_("The draft is with its drafter, %(name)s: only they change it now.") % {
                "name": document.created_by.full_name})
    elif approval.status == Approval.Status.APPROVED:
        raise ValidationError(_("This draft is approved: it can no longer be changed."))
    else:
        _document, _approval, step = _lock_current(actor, document)
    return document, approval, step


@transaction.atomic
def check_may_edit(actor, document: Document) -> None:
    """Refuses as edit_draft would, before the caller keeps an uploaded file."""
    _holding(actor, document)


@transaction.atomic
def edit_draft(actor, document: Document, *, changes: dict | None = None, file: documents.UploadedFile | None = None, note: str = "",
               request=None) -> DraftVersion:
    """Whoever holds the draft changes its fields or gives it a new main file (already checked by
    documents.attachments.store): a new version."""
    document, approval, step = _holding(actor, document)
    unknown = set(changes or {}) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed during approval: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    changes = {k: v for k, v in (changes or {}).items() if getattr(document, k) != v}
    if not changes and file is None:
        raise ValidationError(_("Nothing was changed: change a field or choose a new file."))
    note = _text(note, "note", required=False)
    _ensure_first_version(actor, document)
    if changes:
        if "subject" in changes and not (changes["subject"] or "").strip():
            raise ValidationError({"subject": _("The subject (trích yếu) is required.")})
        for name, value in changes.items():
            setattr(document, name, value.strip() if isinstance(value, str) and name != "notes" else value)
        document.full_clean(exclude=["search_text", "created_by", "agency", "register", "issuing_agency", "receiving_unit",
                                     "receiving_person", "drafting_unit", "file_copy_unit"])
        document.save(update_fields=[*changes, "updated_at"])
    main = documents.attach_files(actor, document, [file])[0] if file is not None else None
    if changes and file is None:  # attach_files refreshes it with the new file
        _refresh_search_text(document)
    version = _new_version(actor, document, note=note, main=main)
    if approval is not None:
        ApprovalEvent.objects.create(approval=approval, kind=ApprovalEvent.Kind.EDITED, actor=actor, step=step, version=version.number,
                                     comment=note)
    audit.record("workflow.approval.edited", actor=actor, target=document, request=request,
                 data={"version": version.number, "fields": sorted(changes), "file": file.sha256 if file else None})
    return version


# ---- what signing and issuing ask (documents.hooks) ----------------------------------------------------------------


def _leader_step(approval: Approval) -> ApprovalStep | None:
    return approval.steps.filter(role=StepRole.SIGNING_LEADER).select_related("person").order_by("-position").first()


def sign_check(actor, document: Document) -> None:
    """Signing waits for every step before the signing leader's, and only that leader signs."""
    approval = Approval.objects.filter(document=document).first()
    if approval is None:
        if chain_for(document.agency_id, document.doc_type) is not None:
            raise ValidationError(_("This draft has not been approved: its drafter submits it for approval first."))
        return
    leader = _leader_step(approval)
    if leader is None:  # a chain that had no leader's step: it must simply be complete
        if approval.status != Approval.Status.APPROVED:
            raise ValidationError(_("This draft is still being approved."))
        return
    before = approval.steps.filter(position__lt=leader.position).exclude(status=ApprovalStep.Status.APPROVED).first()
    if before is not None or approval.status == Approval.Status.RETURNED:
        raise ValidationError(_("This draft is still being approved: it awaits %(name)s.") % {
            "name": (before or approval.steps.get(position=approval.current_position)).holder_name})
    if not leader.is_held_by(actor):
        raise PermissionDenied(_("Only %(name)s, the signing leader of its approval, signs this draft.") % {"name": leader.holder_name})


def issue_check(actor, document: Document) -> None:
    """Issuing waits for the whole chain."""
    approval = Approval.objects.filter(document=document).first()
    if approval is None:
        if chain_for(document.agency_id, document.doc_type) is not None:
            raise ValidationError(_("This draft has not been approved: its drafter submits it for approval first."))
        return
    if approval.status != Approval.Status.APPROVED:
        step = approval.steps.select_related("person", "unit").get(position=approval.current_position)
        raise ValidationError(_("This draft's approval is not complete: it awaits %(name)s.") % {
            "name": step.holder_name if approval.status == Approval.Status.IN_PROGRESS else approval.drafter.full_name})
