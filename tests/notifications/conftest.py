"""A real SMTP server (aiosmtpd) on a free local port, and the workflow's organisation of an agency."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.workflow.conftest import _fast_password_hashing, org  # noqa: F401  (fixtures shared with the workflow tests)
from tests.workflow.test_approval import d  # noqa: F401  (the approval tests' drafting office)

# aiosmtpd logs every SMTP command at INFO from its own thread, which can outlive pytest's captured stream
# ("--- Logging error ---" in the output): only its warnings are worth reading.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received: each message parsed, with its envelope recipients."""

    messages: list = field(default_factory=list)
    raw: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's handler protocol)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((tuple(envelope.rcpt_tos), message))
            self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]


class SmtpServer:
    def __init__(self, port: int):
        self.port, self.mailbox, self.controller = port, Mailbox(), None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """An aiosmtpd server that Django's SMTP backend sends to (pytest-django's in-memory backend replaced)."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    server.start()
    yield server
    server.stop()


@pytest.fixture
def emails(org):  # noqa: F811  (the fixture imported above)
    """Everyone of the organisation has an address."""
    for person in (org.leader, org.head, org.specialist, org.board_specialist, org.clerk):
        person.email = f"{person.username}@bacninh.gov.vn"
        person.save(update_fields=["email"])
    return org
