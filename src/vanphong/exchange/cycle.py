"""One round of the exchange's background work, repeated while it moves something (at most a few
passes): what the workflow recorded (03–06) goes into the outbox, the outbox is delivered, and
each transport is asked what waits for the agencies hosted here. Between two agencies of this
instance a package, its 01 and the 01's arrival thus complete in one round."""

from __future__ import annotations

from vanphong.exchange import inbox, outbox

MAX_PASSES = 4


def run_once() -> dict[str, int]:
    totals = {"status_events_queued": 0, "sent": 0, "not_sent": 0, inbox.ACCEPTED: 0, inbox.DUPLICATE: 0, inbox.RECEIPT: 0,
              inbox.REFUSED: 0}
    for _pass in range(MAX_PASSES):
        queued = outbox.queue_status_events()
        delivered = outbox.deliver_all()
        received = inbox.receive_all()
        totals["status_events_queued"] += queued
        totals["sent"] += delivered.sent
        totals["not_sent"] += delivered.failed
        for key, value in received.items():
            totals[key] += value
        if queued + delivered.sent + sum(received.values()) == 0:
            break
    return totals
