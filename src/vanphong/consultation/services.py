"""Every change of state in a consultation: one function per thing a person does, permission-checked, in a
transaction, audited. Bad input raises ValidationError with a message in the user's language, and nothing
is changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.consultation import files, matching, permissions
from vanphong.consultation.engine import parse_references, split_answer
from vanphong.consultation.models import MAX_COMMENT, MAX_TITLE, Answer, Comment, Consultation, DraftVersion, Invitation, Node
from vanphong.consultation.structure import find_structure, resolve
from vanphong.core import audit
from vanphong.core.errors import NotFound, ValidationError
from vanphong.org.models import Agency, Person, Unit

MAX_COMMENTS_PER_ANSWER = 2_000


def today() -> dt.date:
    return timezone.localdate()


# ---- drafts -------------------------------------------------------------------------------------------


def _check_title_and_deadline(title: str, deadline) -> str:
    errors = {}
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = _("Enter the title of the draft.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(max)d characters).") % {"max": MAX_TITLE}
    if not isinstance(deadline, dt.date):
        errors["deadline"] = _("Enter the deadline as dd/mm/yyyy.")
    elif deadline < today():
        errors["deadline"] = _("The deadline has already passed: choose today or a later day.")
    if errors:
        raise ValidationError(errors)
    return title


def _structure_of(stored: files.Stored):
    structure = find_structure(stored.paragraphs)
    if not structure.units:
        raise ValidationError({"file": _("No articles (Điều 1, Điều 2…) and no numbered sections (I., 1., 2…) were "
                                         "found in this file, so comments could not be placed on its parts. Check that "
                                         "it is the draft, with its articles or sections numbered.")})
    return structure


def _save_version(consultation: Consultation, stored: files.Stored, structure, actor, note: str = "") -> DraftVersion:
    number = (consultation.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = DraftVersion.objects.create(
        consultation=consultation, number=number, filename=stored.filename, content_type=stored.content_type,
        sha256=stored.sha256, size=stored.size, layout=structure.kind, preamble=structure.preamble, note=note[:500],
        uploaded_by=actor)
    made: list[Node] = []
    for position, unit in enumerate(structure.units):
        parent = made[unit.parent] if unit.parent is not None else None
        node = Node(version=version, parent=parent, position=position, depth=(parent.depth + 1) if parent else 0,
                    level=unit.level, number=unit.number[:20], key=unit.key[:200], label=unit.label()[:60],
                    title=unit.title, text=unit.text)
        node.save()  # one by one: each needs its parent's id
        made.append(node)
    return version


@transaction.atomic
def start_consultation(actor, *, title: str, deadline, upload, drafting_unit: Unit | None = None, request=None) -> Consultation:
    """Put a draft out for comments: its first version is the uploaded Word or PDF file."""
    permissions.require_starter(actor)
    title = _check_title_and_deadline(title, deadline)
    if drafting_unit is None:
        drafting_unit = actor.unit
    elif drafting_unit.agency_id != actor.agency_id:
        raise ValidationError({"drafting_unit": _("Choose a unit of your own agency.")})
    stored = files.store(upload)
    structure = _structure_of(stored)
    consultation = Consultation.objects.create(agency_id=actor.agency_id, drafting_unit=drafting_unit, title=title,
                                               deadline=deadline, created_by=actor)
    _save_version(consultation, stored, structure, actor)
    audit.record("consultation.started", actor=actor, target=consultation, request=request,
                 data={"title": title, "deadline": deadline.isoformat(), "file": stored.sha256, "units": len(structure.units)})
    return consultation


@transaction.atomic
def add_version(actor, consultation: Consultation, *, upload, note: str = "", request=None) -> DraftVersion:
    """A new version of the draft. Its units are matched with the last version's (by number and wording), and every
    comment moves to the unit that continues its own; a comment whose unit has no successor goes up to the nearest
    matched unit above it, or to the draft as a whole, and is marked for the staff to check."""
    permissions.require_staff(actor, consultation)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    previous = consultation.versions.order_by("-number").first()
    stored = files.store(upload)
    structure = _structure_of(stored)
    version = _save_version(consultation, stored, structure, actor, " ".join((note or "").split()))
    moved = _carry_comments(previous, version) if previous else 0
    audit.record("consultation.version_added", actor=actor, target=version, agency=consultation.agency, request=request,
                 data={"consultation": consultation.pk, "number": version.number, "file": stored.sha256, "comments_moved": moved})
    return version


def _items(version: DraftVersion) -> list[matching.Item]:
    return [matching.Item(n.pk, n.level, n.number, f"{n.title}\n{n.text}", n.parent_id)
            for n in version.nodes.only("pk", "level", "number", "title", "text", "parent_id")]


def _carry_comments(previous: DraftVersion, version: DraftVersion) -> int:
    matches = matching.match_units(_items(previous), _items(version))
    successor = {m.old: m.new for m in matches}
    for m in matches:
        Node.objects.filter(pk=m.new).update(predecessor_id=m.old, similarity=m.similarity)
    parent_of = dict(previous.nodes.values_list("pk", "parent_id"))
    moved = 0
    comments = list(Comment.objects.filter(node__version=previous))
    for comment in comments:
        if comment.node_id is None:
            continue
        old, target = comment.node_id, None
        while old is not None and target is None:
            target = successor.get(old)
            if target is None:
                old = parent_of.get(old)
        if old != comment.node_id:  # its own unit was dropped: on the nearest unit above that goes on, or on none
            comment.mapping = Comment.Mapping.CARRIED if target is not None else Comment.Mapping.UNRESOLVED
        comment.node_id = target
        moved += 1
    Comment.objects.bulk_update(comments, ["node", "mapping"], batch_size=500)
    return moved


@transaction.atomic
def close_consultation(actor, consultation: Consultation, *, request=None) -> Consultation:
    permissions.require_staff(actor, consultation)
    if consultation.status != Consultation.Status.CLOSED:
        Consultation.objects.filter(pk=consultation.pk).update(status=Consultation.Status.CLOSED)
        consultation.status = Consultation.Status.CLOSED
        audit.record("consultation.closed", actor=actor, target=consultation, request=request)
    return consultation


# ---- invitations --------------------------------------------------------------------------------------


@transaction.atomic
def invite(actor, consultation: Consultation, *, units: Iterable[Unit] = (), people: Iterable[Person] = (),
           agencies: Iterable[Agency] = (), deadline: dt.date | None = None, request=None) -> list[Invitation]:
    """Invite units and people of the drafting agency, and other agencies, to comment by `deadline` (by default the
    consultation's). Someone invited already keeps their invitation."""
    permissions.require_staff(actor, consultation)
    if consultation.status == Consultation.Status.CLOSED:
        raise ValidationError(_("The consultation is closed."))
    units, people, agencies = list(units), list(people), list(agencies)
    deadline = deadline or consultation.deadline
    errors = {}
    if not (units or people or agencies):
        errors["invitees"] = _("Choose at least one unit, person or agency to invite.")
    if not isinstance(deadline, dt.date):
        errors["deadline"] = _("Enter the deadline as dd/mm/yyyy.")
    elif deadline < today():
        errors["deadline"] = _("The deadline has already passed: choose today or a later day.")
    if any(u.agency_id != consultation.agency_id or not u.is_active for u in units):
        errors["units"] = _("Choose active units of your own agency.")
    if any(p.agency_id != consultation.agency_id or not p.is_active for p in people):
        errors["people"] = _("Choose active people of your own agency; invite another agency as a whole.")
    if any(a.pk == consultation.agency_id or not a.is_active for a in agencies):
        errors["agencies"] = _("Choose other active agencies; invite your own agency's units and people instead.")
    if errors:
        raise ValidationError(errors)
    existing = consultation.invitations.all()
    have = ({("unit", i.unit_id) for i in existing} | {("person", i.person_id) for i in existing}
            | {("agency", i.agency_id) for i in existing})
    made = []
    for kind, items in (("unit", units), ("person", people), ("agency", agencies)):
        for item in items:
            if (kind, item.pk) in have:
                continue
            have.add((kind, item.pk))
            made.append(Invitation.objects.create(consultation=consultation, kind=kind, deadline=deadline, invited_by=actor,
                                                  **{kind: item}))
    if made:
        audit.record("consultation.invited", actor=actor, target=consultation, request=request,
                     data={"invitations": [i.pk for i in made], "deadline": deadline.isoformat()})
        from vanphong.consultation import reminders

        reminders.tell_invited(made, actor)
    return made


# ---- answers ------------------------------------------------------------------------------------------


def latest_version(consultation: Consultation) -> DraftVersion:
    return consultation.versions.order_by("-number").first()


def _check_open_for(invitation: Invitation, *, by_staff: bool, received_on: dt.date) -> bool:
    """True if the answer is late (only the staff may record a late one, from paper)."""
    consultation = invitation.consultation
    if consultation.status == Consultation.Status.CLOSED:
        raise ValidationError(_("The consultation is closed: it takes no more comments."))
    late = received_on > invitation.deadline
    if late and not by_staff:
        raise ValidationError(_("The deadline for comments was %(date)s: it has passed, and no comment can be sent "
                                "any more. Ask the drafting body if they still take yours.")
                              % {"date": invitation.deadline.strftime("%d/%m/%Y")})
    return late


def _record_answer(actor, invitation: Invitation, *, source: str, agreed: bool, received_on: dt.date, late: bool,
                   stored: files.Stored | None = None) -> Answer:
    answer = Answer.objects.create(invitation=invitation, source=source, agreed=agreed, received_on=received_on,
                                   submitted_by=actor, filename=stored.filename if stored else "",
                                   sha256=stored.sha256 if stored else "")
    if invitation.answered_at is None:
        Invitation.objects.filter(pk=invitation.pk).update(answered_at=timezone.now(), agreed=agreed, late=late)
    elif not agreed and invitation.agreed:
        Invitation.objects.filter(pk=invitation.pk).update(agreed=False)  # comments after all
    invitation.refresh_from_db(fields=["answered_at", "agreed", "late"])
    return answer


def _locked(invitation: Invitation) -> Invitation:
    """The invitation, locked with its consultation's row first: a new version (add_version) holds that row while it
    moves the comments to its units, so that no answer lands on the units of the version it replaces."""
    list(Consultation.objects.select_for_update().filter(pk=invitation.consultation_id).values_list("pk", flat=True))
    return Invitation.objects.select_for_update().select_related("consultation").get(pk=invitation.pk)


def _respondent_invitation(actor, invitation: Invitation) -> Invitation:
    if not permissions.is_respondent_of(actor, invitation):
        raise NotFound()
    return _locked(invitation)


def _clean_text(text: str, field: str = "text") -> str:
    text = "\n".join(" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")).strip()
    if len(text) > MAX_COMMENT:
        raise ValidationError({field: _("A comment is too long (at most %(max)d characters).") % {"max": MAX_COMMENT}})
    return text


@transaction.atomic
def answer_on_web(actor, invitation: Invitation, *, comments: Iterable[tuple[int | None, str]] = (), agreed: bool = False,
                  request=None) -> Answer:
    """The respondent's answer typed in the browser: a comment per unit of the latest version (node id, or None for the
    draft as a whole), or "nhất trí" (agreed, no comment)."""
    invitation = _respondent_invitation(actor, invitation)
    late = _check_open_for(invitation, by_staff=False, received_on=today())
    version = latest_version(invitation.consultation)
    nodes = {n.pk: n for n in version.nodes.all()}
    rows, errors = [], {}
    for node_id, text in comments:
        text = _clean_text(text)
        if not text:
            continue
        if node_id is not None and node_id not in nodes:
            errors["comments"] = _("A comment names a part that is not in the current version of the draft. Reload the page "
                                   "and try again.")
            continue
        rows.append((nodes.get(node_id), text))
    if agreed and rows:
        errors["agreed"] = _("Either agree without comment, or send comments: not both.")
    if not agreed and not rows and "comments" not in errors:
        errors["comments"] = _("Write at least one comment, or choose “Agree, no comment”.")
    if len(rows) > MAX_COMMENTS_PER_ANSWER:
        errors["comments"] = _("Too many comments in one answer (at most %(max)d).") % {"max": MAX_COMMENTS_PER_ANSWER}
    if errors:
        raise ValidationError(errors)
    answer = _record_answer(actor, invitation, source=Answer.Source.WEB, agreed=agreed, received_on=today(), late=late)
    Comment.objects.bulk_create([
        Comment(consultation=invitation.consultation, answer=answer, invitation=invitation, position=k, text=text,
                reference=node.full_label() if node else "", source_node=node, node=node,
                mapping=Comment.Mapping.CHOSEN if node else Comment.Mapping.NONE)
        for k, (node, text) in enumerate(rows)])
    audit.record("consultation.answered", actor=actor, target=answer, agency=invitation.consultation.agency, request=request,
                 data={"invitation": invitation.pk, "source": "web", "agreed": agreed, "comments": len(rows)})
    return answer


def _split_into_comments(version: DraftVersion, paragraphs: list[str]) -> list[dict]:
    """engine.split_answer's pieces, each placed on the unit its references name in `version`."""
    nodes = {n.key: n for n in version.nodes.all()}
    out = []
    for piece in split_answer(paragraphs):
        text = piece.text[:MAX_COMMENT]
        if not piece.references:
            out.append({"text": text, "node": None, "reference": "", "mapping": Comment.Mapping.NONE})
            continue
        reference = piece.references[0]
        key, exact = resolve(reference, nodes)
        if key is None:
            mapping = Comment.Mapping.UNRESOLVED
        elif not exact:
            mapping = Comment.Mapping.UNRESOLVED  # "khoản 9 Điều 5" where Điều 5 has no clause 9: on the article, checked
        else:
            mapping = Comment.Mapping.INHERITED if piece.inherited else Comment.Mapping.FOUND
        out.append({"text": text, "node": nodes.get(key), "reference": reference.label()[:200], "mapping": mapping})
    return out


def _save_split(answer: Answer, invitation: Invitation, pieces: list[dict]) -> None:
    Comment.objects.bulk_create([
        Comment(consultation=invitation.consultation, answer=answer, invitation=invitation, position=k, text=p["text"],
                reference=p["reference"], source_node=p["node"], node=p["node"], mapping=p["mapping"])
        for k, p in enumerate(pieces)])


@transaction.atomic
def answer_with_file(actor, invitation: Invitation, *, upload, request=None) -> Answer:
    """The respondent's answer as a Word or PDF file: cut into comments, each placed on the unit it names."""
    if not permissions.is_respondent_of(actor, invitation):
        raise NotFound()
    _check_open_for(invitation, by_staff=False, received_on=today())  # refused before the file is read or kept
    stored = files.store(upload)  # before the locks: reading a file takes time, answers of others wait for none of it
    invitation = _locked(invitation)
    late = _check_open_for(invitation, by_staff=False, received_on=today())
    version = latest_version(invitation.consultation)
    pieces = _split_into_comments(version, stored.paragraphs)
    if not pieces:
        raise ValidationError({"file": _("No comment was found in this file. If you agree with the draft, choose “Agree, "
                                         "no comment”.")})
    if len(pieces) > MAX_COMMENTS_PER_ANSWER:
        raise ValidationError({"file": _("Too many comments in one answer (at most %(max)d).") % {"max": MAX_COMMENTS_PER_ANSWER}})
    answer = _record_answer(actor, invitation, source=Answer.Source.FILE, agreed=False, received_on=today(), late=late,
                            stored=stored)
    _save_split(answer, invitation, pieces)
    audit.record("consultation.answered", actor=actor, target=answer, agency=invitation.consultation.agency, request=request,
                 data={"invitation": invitation.pk, "source": "file", "file": stored.sha256, "comments": len(pieces)})
    return answer


@transaction.atomic
def enter_paper_answer(actor, invitation: Invitation, *, received_on: dt.date, text: str = "", upload=None,
                       agreed: bool = False, request=None) -> Answer:
    """Staff type (or scan to Word) an answer that came on paper: split and placed like a file. One received after the
    deadline is kept and shown as late: the drafting body decides whether to consider it."""
    permissions.require_staff(actor, invitation.consultation)
    errors = {}
    if not isinstance(received_on, dt.date):
        errors["received_on"] = _("Enter the day the answer was received, as dd/mm/yyyy.")
    elif received_on > today():
        errors["received_on"] = _("The day received cannot be in the future.")
    text = _clean_text(text)
    if agreed and (text or upload):
        errors["agreed"] = _("Either agree without comment, or give the comments: not both.")
    if not agreed and not text and upload is None:
        errors["text"] = _("Type the answer's text, attach its file, or choose “Agree, no comment”.")
    if errors:
        raise ValidationError(errors)
    _check_open_for(invitation, by_staff=True, received_on=received_on)  # refused before the file is read or kept
    stored = files.store(upload) if upload is not None else None
    invitation = _locked(invitation)
    late = _check_open_for(invitation, by_staff=True, received_on=received_on)
    version = latest_version(invitation.consultation)
    pieces = [] if agreed else _split_into_comments(version, (stored.paragraphs if stored else []) + text.split("\n"))
    if not agreed and not pieces:
        raise ValidationError({"text": _("No comment was found in the answer. If it agrees with the draft, choose “Agree, "
                                         "no comment”.")})
    answer = _record_answer(actor, invitation, source=Answer.Source.PAPER, agreed=agreed, received_on=received_on, late=late,
                            stored=stored)
    _save_split(answer, invitation, pieces)
    audit.record("consultation.answered", actor=actor, target=answer, agency=invitation.consultation.agency, request=request,
                 data={"invitation": invitation.pk, "source": "paper", "agreed": agreed, "comments": len(pieces),
                       "received_on": received_on.isoformat(), "late": late})
    return answer


@transaction.atomic
def place_comment(actor, comment: Comment, *, node: Node | None, request=None) -> Comment:
    """Staff correct the unit a comment concerns (None: the draft as a whole). Only units of the latest version."""
    permissions.require_staff(actor, comment.consultation)
    version = latest_version(comment.consultation)
    if node is not None and node.version_id != version.pk:
        raise ValidationError({"node": _("Choose a part of the current version of the draft.")})
    before = comment.node_id
    Comment.objects.filter(pk=comment.pk).update(node=node, mapping=Comment.Mapping.STAFF)
    comment.refresh_from_db(fields=["node", "mapping"])
    audit.record("consultation.comment_placed", actor=actor, target=comment, agency=comment.consultation.agency, request=request,
                 data={"from": before, "to": node.pk if node else None})
    return comment


@transaction.atomic
def set_excluded(actor, comment: Comment, *, excluded: bool, request=None) -> Comment:
    """Staff mark a piece of an answer as no comment (or count it again)."""
    permissions.require_staff(actor, comment.consultation)
    if not isinstance(excluded, bool):
        raise ValidationError({"excluded": _("Choose yes or no.")})
    if comment.excluded != excluded:
        Comment.objects.filter(pk=comment.pk).update(excluded=excluded)
        comment.excluded = excluded
        audit.record("consultation.comment_excluded" if excluded else "consultation.comment_included", actor=actor,
                     target=comment, agency=comment.consultation.agency, request=request)
    return comment


def place_comment_at(actor, comment: Comment, *, named: str, request=None) -> Comment:
    """As place_comment, with the part named as staff write it: "Điều 5", "khoản 2 Điều 3", "Chương II"; empty: the
    draft as a whole. A name the current version does not have is refused, naming what was read."""
    permissions.require_staff(actor, comment.consultation)
    named = " ".join((named or "").split())
    if not named:
        return place_comment(actor, comment, node=None, request=request)
    references = parse_references(named)
    if not references:
        raise ValidationError({"node": _("Write the part as the draft names it, e.g. “Điều 5” or “khoản 2 Điều 3”; leave it "
                                         "empty for the draft as a whole.")})
    nodes = {n.key: n for n in latest_version(comment.consultation).nodes.all()}
    key, exact = resolve(references[0], nodes)
    if key is None or not exact:
        raise ValidationError({"node": _("The current version of the draft has no %(part)s.") % {"part": references[0].label()}})
    return place_comment(actor, comment, node=nodes[key], request=request)
