"""Where later capabilities plug into the document life cycle, without this app knowing them.

- issue_checks: callables (actor, document) that raise ValidationError when a draft may not be
  issued yet (approval by the workflow, a valid signature by signing).
- document_registered / document_issued: signals sent after the transaction commits; the workflow
  records status events from the first, the exchange dispatches on the second.
- ocr_requested: sent after commit for each new OcrJob; documents.tasks queues the recognition.
  (A signal, so that services need not import the task module that imports them.)"""

from collections.abc import Callable

from django.dispatch import Signal

issue_checks: list[Callable] = []

document_registered = Signal()  # sender=Document, document=..., actor=...
document_issued = Signal()  # sender=Document, document=..., actor=...
ocr_requested = Signal()  # sender=OcrJob, job=...
