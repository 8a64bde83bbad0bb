"""Where later capabilities plug into the document life cycle, without this app knowing them.

- issue_checks: callables (actor, document) that raise ValidationError when a draft may not be
  issued yet (approval by the workflow, a valid signature by signing).
- sign_checks: callables (actor, document) that raise ValidationError when a draft may not be
  signed yet (the workflow's approval chain has not reached the signing leader).
- document_registered: a signal sent inside the registration's transaction, so that what its
  receivers write (the workflow's status event 03) commits or rolls back with the registration.
  Receivers only write rows: nothing slow, nothing outside the database.
- document_issued: a signal sent after the transaction commits; the exchange dispatches on it.
- document_issuing: a signal sent inside the issue's transaction, so that what its receivers write
  (the exchange's outbox, one package per recipient agency) commits or rolls back with the issue.
- main_file_finders: callables (document) returning the Attachment that is the draft's main file,
  or None when they have no say (the workflow's newest approved version); signing signs the first
  answer, else the draft's first PDF or Word file.
- detail_sections: callables (request, document) returning HTML that the document's page shows
  below its own sections (the workflow's handling panel and timeline).
- attachments_stored: sent after commit with the new Attachment rows of a document (signing
  queues their verification report).
- ocr_requested: sent after commit for each new OcrJob; documents.tasks queues the recognition.
  (A signal, so that services need not import the task module that imports them.)"""

from collections.abc import Callable

from django.dispatch import Signal

issue_checks: list[Callable] = []
sign_checks: list[Callable] = []
detail_sections: list[Callable] = []
main_file_finders: list[Callable] = []

document_registered = Signal()  # sender=Document, document=..., actor=...
document_issued = Signal()  # sender=Document, document=..., actor=...
document_issuing = Signal()  # sender=Document, document=..., actor=...
ocr_requested = Signal()  # sender=OcrJob, job=...
attachments_stored = Signal()  # sender=Attachment, attachments=[...]
