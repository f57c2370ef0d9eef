"""A real SMTP server on 127.0.0.1 that keeps every message it receives, for tests of e-mailed links;
with the fixtures ``smtp_server`` (one per test module) and ``sink`` (the same, emptied for each test),
loaded for every test by ``pytest_plugins`` in tests/conftest.py."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """Accepts every message; ``messages`` holds them parsed, oldest first."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to ``address``."""
        with self._lock:
            return [message for message in self.messages if message["To"] == address]


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text body"
    return str(part.get_content())


def links(message: EmailMessage) -> list[str]:
    """The web addresses in a message's text."""
    return LINK.findall(body(message))


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def sink(smtp_server: SmtpSink) -> SmtpSink:
    smtp_server.clear()
    return smtp_server
