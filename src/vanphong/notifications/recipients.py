"""Who a task reaches, and what every notification about a task says of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from vanphong.notifications.texts import MAX_SUBJECT
from vanphong.org.models import Person


def holders(tasks: Iterable) -> dict[int, list[int]]:
    """Task id → the people it reaches: the person it names, or every active member of the unit it names."""
    tasks = list(tasks)
    members: dict[int, list[int]] = defaultdict(list)
    unit_ids = {t.unit_id for t in tasks if t.unit_id}
    if unit_ids:
        for pk, unit_id in Person.objects.filter(unit_id__in=unit_ids, is_active=True).values_list("pk", "unit_id"):
            members[unit_id].append(pk)
    return {t.pk: ([t.person_id] if t.person_id else members.get(t.unit_id, [])) for t in tasks}


def document_link(document_id: int) -> str:
    return reverse("documents:detail", args=[document_id]) + "#handling"


def task_params(task, **extra) -> dict:
    """`task` with its document, person and unit loaded."""
    document = task.document
    return {"document": document.subject[:MAX_SUBJECT], "confidential": document.confidentiality > 0, "role": task.role,
            "deadline": task.deadline.isoformat(), "holder": task.holder_name, **extra}
