"""A real SMTP server for the notification tests: aiosmtpd on a free loopback port."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

SITE = "https://tropa.example.org/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(self.message.get_content_charset() or "utf-8")


@dataclass
class Mailbox:
    """What the server received, in order."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.original_content),
            )
        )
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def configure(settings: Any, port: int) -> None:
    settings.TROPA_EMAIL_HOST = "127.0.0.1"
    settings.TROPA_EMAIL_PORT = port
    settings.TROPA_EMAIL_USE_TLS = False
    settings.TROPA_EMAIL_USE_SSL = False
    settings.TROPA_EMAIL_FROM = "Tropa <tropa@example.org>"
    settings.TROPA_EMAIL_TIMEOUT = 5
    settings.TROPA_SITE_URL = SITE


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    configure(settings, controller.port)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings: Any) -> int:
    """Configured, but nothing listens on the port: every connection is refused."""
    port = free_port()
    configure(settings, port)
    return port


@pytest.fixture
def mail_off(settings: Any) -> None:
    settings.TROPA_EMAIL_HOST = ""
    settings.TROPA_EMAIL_FROM = ""
