"""Reminders and e-mail at scale: the worker's reminder scan over the open tasks of N assignments, its steady state
(the same scan again, which writes nothing), e-mail delivery to a local SMTP server (aiosmtpd, in this process), and
the bell's unread count, in a fresh database of its own (SQLite by default, PostgreSQL when DATABASE_URL is set).
The organisation and the work are bench/workflow.py's (5,000 people; most work completed, the recent open, some
overdue); everyone has an e-mail address.

  first_scan_s          the first scan: every reminder due today written, with its e-mail in the outbox
  steady_scan_s         the scan again, every five minutes thereafter: finds that all exist, writes nothing
  emails_per_s          e-mails sent over one SMTP connection per batch of 50 (claim, send, mark sent)
  bell_p95_ms           the bell's unread count of a random person (one indexed count), and, as the baseline in the
  work_counts_p95_ms    same run, the navigation's "My work" counts of the same person

    python bench/notifications.py --assignments 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/notifications.py --assignments 200000
"""

import argparse
import json
import logging
import os
import random
import statistics
import time

import _shared as shared
import workflow as workflow_bench

PG_BENCH_DB = "vanphong_bench_notifications"


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=20_000, help="assignments to seed (default: %(default)s)")
    parser.add_argument("--emails", type=int, default=2_000, help="most e-mails to send for the delivery figure (default: %(default)s)")
    parser.add_argument("--reads", type=int, default=2_000, help="bell counts timed (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Value
    from django.db.models.functions import Concat

    from vanphong.notifications import delivery, reminders, selectors
    from vanphong.notifications.models import Notification, OutgoingEmail
    from vanphong.org.models import Person
    from vanphong.workflow.handling_selectors import work_counts

    rng = random.Random(2026)
    try:
        agency, rooms, staff, room_leaders, agency_leaders = workflow_bench.seed_people(rng)
        tasks = workflow_bench.seed_work(agency, rooms, staff, room_leaders + agency_leaders, args.assignments, rng)
        Person.objects.update(email=Concat("username", Value("@bacninh.gov.vn")))
        print(f"seeded {args.assignments:,} assignments ({tasks:,} tasks)", flush=True)

        written, first = timed(reminders.scan)
        again, steady = timed(reminders.scan)
        assert again == 0, again
        kinds = dict(Notification.objects.values_list("kind").annotate(n=Count("pk")))
        outbox = OutgoingEmail.objects.count()
        print(f"first scan: {written:,} reminders in {first:.2f} s {kinds}; steady scan {steady:.2f} s; {outbox:,} e-mails waiting",
              flush=True)

        class Sink:
            received = 0

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                Sink.received += 1
                return "250 OK"

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        port = shared._free_port()
        smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
        smtp.start()
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        OutgoingEmail.objects.exclude(pk__in=list(OutgoingEmail.objects.order_by("pk").values_list("pk", flat=True)[:args.emails])).update(
            status=OutgoingEmail.Status.CANCELLED)
        outcome, sending = timed(delivery.deliver_all)
        smtp.stop()
        assert outcome.sent == Sink.received, (outcome, Sink.received)
        print(f"delivery: {outcome.sent:,} e-mails in {sending:.2f} s", flush=True)

        people = list(Person.objects.filter(pk__in=[pk for pk, _unit in staff]).select_related("agency", "unit"))
        sample = [rng.choice(people) for _ in range(args.reads)]
        bell, nav = [], []
        for person in sample:
            _n, took = timed(lambda: selectors.unread_count(person))
            bell.append(took * 1000)
            _c, took = timed(lambda: work_counts(person))
            nav.append(took * 1000)
        figures = {
            "database": connection.vendor, "assignments": args.assignments, "tasks": tasks, "reminders": written,
            "first_scan_s": round(first, 2), "steady_scan_s": round(steady, 2), "emails_sent": outcome.sent,
            "emails_per_s": round(outcome.sent / sending, 1) if sending else None,
            "bell_p50_ms": round(statistics.median(bell), 3), "bell_p95_ms": round(shared.percentile(bell, 0.95), 3),
            "work_counts_p50_ms": round(statistics.median(nav), 3), "work_counts_p95_ms": round(shared.percentile(nav, 0.95), 3),
        }
        print(f"bell count p95 {figures['bell_p95_ms']} ms = {figures['bell_p95_ms'] / figures['work_counts_p95_ms']:.2f}× the "
              f"navigation's work counts ({figures['work_counts_p95_ms']} ms)")
        print(json.dumps(figures))
    finally:
        if not args.keep:
            shared.drop_database()


if __name__ == "__main__":
    main()
