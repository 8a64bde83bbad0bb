"""Notifications of what people do in the handling of a document (workflow.hooks), written in the
transaction of the change. Nobody is notified of their own action."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from vanphong.notifications.models import Notification, Preference
from vanphong.notifications.outbox import Entry, notify
from vanphong.notifications.recipients import document_link, holders, task_params
from vanphong.notifications.texts import MAX_SUBJECT, MAX_TEXT
from vanphong.workflow.models import Task

Kind = Notification.Kind


def on_tasks_given(sender, tasks, actor, **kwargs) -> None:
    tasks = list(Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related("document", "person", "unit"))
    reach = holders(tasks)
    notify(Entry(pid, Kind.TASK_GIVEN, f"task-given:task:{t.pk}", document_link(t.document_id),
                 task_params(t, actor=actor.full_name)) for t in tasks for pid in reach[t.pk] if pid != actor.pk)


def on_task_returned(sender, task, actor, reason, **kwargs) -> None:
    if task.given_by_id == actor.pk:
        return
    task = Task.objects.select_related("document", "person", "unit").get(pk=task.pk)
    notify([Entry(task.given_by_id, Kind.TASK_RETURNED, f"task-returned:task:{task.pk}", document_link(task.document_id),
                  task_params(task, actor=actor.full_name, text=reason[:MAX_TEXT]))])


def _ask_entry(ask, recipient_id: int, kind: str, key: str, actor, **extra) -> Entry:
    task = Task.objects.select_related("document", "person", "unit").get(pk=ask.task_id)
    return Entry(recipient_id, kind, key, document_link(task.document_id), task_params(task, actor=actor.full_name, **extra))


def on_extension_requested(sender, ask, actor, **kwargs) -> None:
    leader_id = ask.assignment.assigned_by_id
    if leader_id != actor.pk:
        notify([_ask_entry(ask, leader_id, Kind.EXTENSION_ASKED, f"extension-asked:request:{ask.pk}", actor,
                           deadline=ask.requested_deadline.isoformat(), text=ask.reason[:MAX_TEXT])])


def on_extension_decided(sender, ask, actor, **kwargs) -> None:
    granted = ask.status == ask.Status.GRANTED
    extra = {"granted": granted, "text": ask.decision_note[:MAX_TEXT]}
    if granted:
        extra["deadline"] = ask.granted_deadline.isoformat()
    notify([_ask_entry(ask, ask.requested_by_id, Kind.EXTENSION_DECIDED, f"extension-decided:request:{ask.pk}", actor, **extra)])


def on_approval_awaiting(sender, step, actor, **kwargs) -> None:
    """A draft waits for a step's holder. Each time a step becomes pending is an event of its own (a draft
    returned and submitted again waits again), so the key carries the moment it was sent."""
    document = step.approval.document
    reach = holders([step])[step.pk]
    params = {"document": document.subject[:MAX_SUBJECT], "confidential": document.confidentiality > 0,
              "actor": actor.full_name if actor else ""}
    key = f"approval-awaiting:step:{step.pk}:{timezone.now().isoformat()}"
    link = reverse("documents:detail", args=[document.pk]) + "#approval"
    notify(Entry(pid, Kind.APPROVAL_AWAITING, key, link, params) for pid in reach if not actor or pid != actor.pk)


def on_handling_ended(sender, withdrawal, tasks, actor, **kwargs) -> None:
    """Everyone whose task ended with the withdrawn document, and the leader who assigned the round."""
    tasks = list(Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related("document", "person", "unit"))
    reach = holders(tasks)
    extra = {"actor": actor.full_name, "withdrawal": withdrawal.kind, "text": withdrawal.reason[:MAX_TEXT]}
    entries = [Entry(pid, Kind.HANDLING_ENDED, f"handling-ended:task:{t.pk}", document_link(t.document_id), task_params(t, **extra))
               for t in tasks for pid in reach[t.pk] if pid != actor.pk]
    if withdrawal.assignment_id and tasks and withdrawal.assignment.assigned_by_id != actor.pk:
        entries.append(Entry(withdrawal.assignment.assigned_by_id, Kind.HANDLING_ENDED, f"handling-ended:assignment:{withdrawal.assignment_id}",
                             document_link(withdrawal.document_id), task_params(tasks[0], **extra)))
    notify(entries)


def on_signed_in(sender, request, user, **kwargs) -> None:
    """Until a person chooses in My account, their e-mails are in the language they first signed in with."""
    from django.conf import settings

    language = getattr(request, "LANGUAGE_CODE", None)
    if language in dict(settings.LANGUAGES) and not Preference.objects.filter(person_id=user.pk).exists():
        Preference.objects.bulk_create([Preference(person_id=user.pk, language=language)], ignore_conflicts=True)


def on_package_received(sender, package, **kwargs) -> None:
    """A package taken in by the exchange waits for its agency's clerks (those who may register it: a Mật
    package, which arrived encrypted, only those cleared for Mật), once per package."""
    from vanphong.core.clearance import Clearance
    from vanphong.exchange.models import BUSINESS_RECALL, BUSINESS_REPLACE, BUSINESS_UPDATE
    from vanphong.org.models import Person, Role

    clerks = Person.objects.filter(agency_id=package.agency_id, is_active=True, roles__code=Role.Code.CLERK)
    if package.encrypted:
        clerks = clerks.filter(clearance__gte=Clearance.CONFIDENTIAL)
    request = {BUSINESS_RECALL: "recall", BUSINESS_UPDATE: "update", BUSINESS_REPLACE: "replace"}.get(package.business_doc_type, "") \
        if package.original_id else ""
    params = {"document": package.subject[:MAX_SUBJECT], "confidential": package.encrypted,
              "actor": package.sender_name or package.sender_code, "request": request}
    link = reverse("exchange:package", args=[package.pk])
    notify(Entry(pid, Kind.PACKAGE_RECEIVED, f"package-received:inbound:{package.pk}", link, params)
           for pid in clerks.values_list("pk", flat=True).distinct())
