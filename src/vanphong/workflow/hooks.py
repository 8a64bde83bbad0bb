"""Where other apps hear of the handling of documents, without workflow knowing them (notifications).

Each signal is sent inside the transaction of its cause, so that what receivers write (a notification, an
e-mail waiting in the outbox) commits or rolls back with it. Receivers only write rows: nothing slow, nothing
outside the database.

- tasks_given: sender=Task, tasks=[Task, ...], actor: new tasks of a round, or a task passed down.
- task_returned: sender=Task, task=Task, actor, reason: a task given back to whoever gave it.
- extension_requested: sender=ExtensionRequest, ask=ExtensionRequest, actor: more time asked of the leader.
- extension_decided: sender=ExtensionRequest, ask=ExtensionRequest, actor: the leader granted or refused it.
- approval_awaiting: sender=ApprovalStep, step=ApprovalStep, actor: an outgoing draft now waits for the step's
  holder (a person, or any member of a unit). For workflow.approval to send wherever a step becomes pending
  (submitted, approved on to the next step, returned to a previous one); notifications tells the holders.
- handling_ended: sender=Withdrawal, withdrawal=Withdrawal, tasks=[Task, ...], actor: the document was withdrawn by
  its sender; `tasks` are those that were still open, ended with it."""

from django.dispatch import Signal

tasks_given = Signal()
task_returned = Signal()
extension_requested = Signal()
extension_decided = Signal()
approval_awaiting = Signal()
handling_ended = Signal()
