"""Alert channels: one Apprise URL per user, vetted like any outbound destination, and sending.

Apprise URLs name a service (slack://, discord://, msteams://: the service's own host) or a host
of the user's choosing (mailto:// an SMTP server, json:// a webhook, ...). Those that carry a host
are checked against the outbound rules of app.security.outbound: never link-local, metadata or
reserved addresses; private networks only with ALLOW_PRIVATE_ENDPOINTS; this machine only with
ALLOW_CUSTOM_ENDPOINTS. A channel's answer is never shown to anyone: only sent or not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import apprise

from app.security.outbound import EndpointRefused, OutboundPolicy, Resolver, address_kinds

log = logging.getLogger(__name__)

# Schemes whose URL host is a server the user chose (not a fixed service with a token path).
HOST_SCHEMES = frozenset(
    {
        *("json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"),
        *("ntfy", "ntfys", "gotify", "gotifys", "mmost", "mmosts", "rocket", "rockets"),
        *("matrix", "matrixs", "apprise", "apprises", "ncloud", "nclouds", "mqtt", "mqtts"),
        *("kodi", "kodis", "xbmc", "xbmcs", "emby", "embys", "jellyfin", "jellyfins"),
    }
)
MAIL_SCHEMES = frozenset({"mailto", "mailtos"})
MAX_URL = 2000


class ChannelRefused(ValueError):
    """An Apprise URL the server will not use; the message says why, for the user to read."""


class DeliveryFailed(RuntimeError):
    """The channel did not accept a message (details are in the server log only)."""


@dataclass(frozen=True)
class Message:
    """One notification: title, the sentence a person reads, and fields for JSON channels."""

    title: str
    body: str
    fields: Mapping[str, str] | None = None


def _plugin(url: str) -> Any:
    raw = (url or "").strip()
    if not raw or len(raw) > MAX_URL or any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise ChannelRefused("Enter one Apprise URL, such as mailto://... or slack://...")
    plugin = apprise.Apprise.instantiate(raw, suppress_exceptions=True)
    if plugin is None:
        raise ChannelRefused(
            "Apprise does not understand this URL: check the service name and its parts."
        )
    return plugin


def check_channel_url(url: str, policy: OutboundPolicy, resolver: Resolver | None = None) -> str:
    """The URL, stripped, if the server may send to it; else ChannelRefused saying why."""
    plugin = _plugin(url)
    scheme = (url.strip().split("://", 1)[0]).lower()
    if scheme not in HOST_SCHEMES:
        return url.strip()
    host = str(getattr(plugin, "smtp_host", "") or "") if scheme in MAIL_SCHEMES else ""
    host = (host or str(getattr(plugin, "host", "") or "")).strip("[]").lower()
    if not host:
        raise ChannelRefused("The URL names no host.")
    port = getattr(plugin, "port", None)
    effective = int(port) if port else (443 if getattr(plugin, "secure", False) else 80)
    if scheme not in MAIL_SCHEMES and effective in policy.blocked_ports:
        raise ChannelRefused(f"Port {effective} belongs to a database or system service.")
    try:
        kinds = address_kinds(host, effective, policy, resolver)
    except EndpointRefused as exc:
        raise ChannelRefused(str(exc)) from None
    if "loopback" in kinds and not policy.allow_custom:
        raise ChannelRefused(
            f"The host {host} is this server (allowed only with ALLOW_CUSTOM_ENDPOINTS=1)."
        )
    return url.strip()


def send(url: str, message: Message, policy: OutboundPolicy | None) -> None:
    """Deliver one message; DeliveryFailed if the channel refused or could not be reached.

    A user's URL is checked again first (what a host resolves to may have changed); `policy`
    None is for the operator's own MAIL_URL, which is configuration, not user input.
    """
    if policy is not None:
        try:
            check_channel_url(url, policy)
        except ChannelRefused as exc:
            raise DeliveryFailed(f"channel refused: {exc}") from None
    plugin = _plugin(url)
    extras = getattr(plugin, "payload_extras", None)
    if isinstance(extras, dict) and message.fields:
        # JSON/XML/form channels: the event's fields beside Apprise's title and message.
        extras.update({k: v for k, v in message.fields.items() if v})
    notifier = apprise.Apprise()
    notifier.add(plugin)
    ok = notifier.notify(title=message.title, body=message.body)
    if not ok:
        log.warning("alert channel %s did not accept a message", plugin.url(privacy=True))
        raise DeliveryFailed("the channel did not accept the message")
