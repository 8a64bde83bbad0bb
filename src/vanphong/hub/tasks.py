"""The worker's part on a node that has a hub (VANPHONG_EXCHANGE_HUB_URL set): report the node's health
every VANPHONG_HUB_REPORT_SECONDS (default 300) and take the hub's directory every
VANPHONG_HUB_DIRECTORY_SYNC_SECONDS (default 3600). On every instance (a hub is any instance that serves
agencies): the network alert scan every VANPHONG_HUB_ALERT_SCAN_SECONDS (default 120; hub.alerts) and the purge
of acknowledged packages once a day (hub.purge). Each run queues the next in its `finally`; every worker that
starts queues them unless they wait already (core.worker.enqueue_unless_waiting)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django_tasks import task

from vanphong import config
from vanphong.core.worker import enqueue_unless_waiting

logger = logging.getLogger(__name__)


def _seconds(name: str, default: int) -> dt.timedelta:
    value = getattr(settings, name, None)
    return dt.timedelta(seconds=int(value if value is not None else config.get_int(name, default)))


def hub_configured() -> bool:
    from vanphong.exchange.hub_client import node_setting

    return bool(node_setting("VANPHONG_EXCHANGE_HUB_URL"))


@task()
def report_to_hub() -> dict[str, str]:
    from vanphong.exchange.transport import TransportError
    from vanphong.hub import node_health

    try:
        outcome = node_health.report_to_hub()
        for code, problem in outcome.items():
            if problem:
                logger.warning("hub: the report of %s did not reach the hub: %s", code, problem)
        return outcome
    except TransportError as exc:
        logger.warning("hub: no report sent: %s", exc.message)
        return {}
    finally:
        schedule_report(_seconds("VANPHONG_HUB_REPORT_SECONDS", 300))


@task()
def sync_directory_from_hub() -> dict:
    from vanphong.exchange.transport import TransportError
    from vanphong.hub import node_directory

    try:
        return node_directory.sync_from_hub().as_dict()
    except TransportError as exc:
        logger.warning("hub: the directory was not synced: %s", exc.message)
        return {}
    finally:
        schedule_directory_sync(_seconds("VANPHONG_HUB_DIRECTORY_SYNC_SECONDS", 3600))


@task()
def scan_network_alerts() -> dict[str, int]:
    from vanphong.hub import alerts

    try:
        return alerts.scan().as_dict()
    finally:
        schedule_alert_scan(_seconds("VANPHONG_HUB_ALERT_SCAN_SECONDS", 120))


@task()
def purge_acknowledged_packages() -> int:
    from vanphong.hub import purge

    try:
        return purge.purge_acknowledged(None, older_than_days=purge.default_days())
    finally:
        schedule_purge(PURGE_EVERY)


PURGE_EVERY = dt.timedelta(days=1)


def schedule_alert_scan(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(scan_network_alerts, delay)


def schedule_purge(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(purge_acknowledged_packages, delay)


def schedule_report(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(report_to_hub, delay)


def schedule_directory_sync(delay: dt.timedelta = dt.timedelta(0)) -> None:
    enqueue_unless_waiting(sync_directory_from_hub, delay)


def on_worker_started(**signal_kwargs) -> None:
    schedule_alert_scan()
    schedule_purge()
    if hub_configured():
        schedule_report()
        schedule_directory_sync()
