"""An SMTP server on loopback (aiosmtpd): mailto:// channels and MAIL_URL deliver to it for real."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

PORTS = range(18970, 19000)
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


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """Serve SMTP on the first free port of PORTS until the block ends."""
    controller = None
    for port in PORTS:
        server = SmtpServer(port)
        candidate = Controller(_Handler(server), hostname="127.0.0.1", port=port)
        try:
            candidate.start()
        except (OSError, RuntimeError):
            continue
        controller = candidate
        break
    assert controller is not None, "no free loopback port for the SMTP server"
    try:
        yield server
    finally:
        controller.stop()
