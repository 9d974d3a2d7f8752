"""Account mail (password resets, invitations) through the operator's MAIL_URL, an Apprise URL."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app

from app.alerts.channels import DeliveryFailed, Message, send

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    """Whether the operator set MAIL_URL (without it, pages say so instead of sending)."""
    return bool(current_app.config.get("MAIL_URL"))


def mail_url_to(mail_url: str, address: str) -> str:
    """The operator's Apprise mailto:// URL addressed to `address` (its `to` replaced)."""
    parts = urlsplit(mail_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "to"]
    query.append(("to", address))
    return urlunsplit(parts._replace(query=urlencode(query)))


def send_mail(address: str, subject: str, body: str) -> bool:
    """Mail `address` through MAIL_URL; False (and a log line, never the server's answer) if the
    mail server did not accept it."""
    try:
        # policy None: MAIL_URL is the operator's configuration, not a user's input.
        send(mail_url_to(current_app.config["MAIL_URL"], address), Message(subject, body), None)
    except DeliveryFailed:
        log.warning("mail %r was not accepted by MAIL_URL", subject)
        return False
    return True
