"""An SMTP server on loopback (aiosmtpd): mailto:// channels and MAIL_URL deliver to it for real."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

ATTEMPTS = 5
SENDER = "planner@example.com"


@dataclass
class Mail:
    """One accepted message: the SMTP envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body (or the only body), decoded."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        assert part is not None, "the message has no body"
        return str(part.get_content())


@dataclass
class SmtpServer:
    """The mails accepted so far, in order; with `refuse` set, each message is refused (554)."""

    port: int
    mails: list[Mail] = field(default_factory=list)
    refuse: bool = False
    refused: int = 0

    def url(self, to: str | None = None) -> str:
        """An Apprise URL for plain SMTP to this server (mailto://, no TLS, no login)."""
        target = f"&to={to}" if to else ""
        return f"mailto://127.0.0.1:{self.port}?from={SENDER}{target}"

    def to(self, address: str) -> list[Mail]:
        """The mails whose envelope names `address` as a recipient."""
        return [m for m in self.mails if address in m.rcpt_tos]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.server.refuse:
            self.server.refused += 1
            return "554 5.7.1 refused by the test server"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    """A port the kernel just found free on loopback. Ephemeral ports rotate, so two test
    processes (xdist workers, or another checkout's run) do not land on the port one of them
    has just closed, whose late deliveries would otherwise arrive in the other's mailbox."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """Serve SMTP on a free loopback port until the block ends."""
    controller = None
    for _ in range(ATTEMPTS):
        server = SmtpServer(_free_port())
        candidate = Controller(_Handler(server), hostname="127.0.0.1", port=server.port)
        try:
            candidate.start()
        except (OSError, RuntimeError):
            candidate.loop.close()
            continue
        controller = candidate
        break
    assert controller is not None, "no free loopback port for the SMTP server"
    try:
        yield server
    finally:
        controller.stop()
        controller.loop.close()
