"""Where the server may send a seller's credentials: Amazon's hosts, or a vetted custom endpoint.

A seller account names two URLs the server connects to with live credentials: the SP-API
endpoint and the LWA token URL. By default only Amazon's hosts are accepted, derived from
python-amazon-sp-api's marketplace table (`amazon_hosts()`), so a new marketplace there is
allowed without anyone editing a list here. A custom endpoint (the simulator) is accepted only
with ALLOW_CUSTOM_ENDPOINTS, and only after it is parsed and resolved: every address it
resolves to must be loopback or public (private ranges need ALLOW_PRIVATE_ENDPOINTS as well;
link-local and cloud metadata addresses are never accepted), plain http only to loopback, and
never a port of a database, cache or mail server. `check_endpoint` runs when the URL is entered
and again each time a client is built, because DNS answers can change.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient
from sp_api.base import Marketplaces

from integrations.amazon import marketplaces

Purpose = Literal["api", "token"]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]

# Cloud metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, ECS task credentials, Alibaba).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)
# Ports of services that are not HTTP APIs: a custom endpoint there is a port scan, not a sim.
BLOCKED_PORTS = frozenset(
    {
        *(21, 22, 23, 25, 53, 110, 111, 135, 139, 143, 389, 445, 465, 587, 636, 993, 995),
        *(1433, 1521, 2049, 2375, 2376, 2379, 3306, 3389, 5432, 5672, 5984, 6379, 6443),
        *(9042, 9092, 9200, 9300, 11211, 15672, 27017),
    }
)


class EndpointRefused(ValueError):
    """A URL the server must not connect to; the message says why, for the user to read."""


@cache
def sp_api_hosts() -> frozenset[str]:
    """SP-API regional hosts of every marketplace sp_api knows, with their sandbox twins."""
    hosts = {urlsplit(m.endpoint).hostname or "" for m in Marketplaces}
    hosts.discard("")
    return frozenset(hosts | {f"sandbox.{h}" for h in hosts})


@cache
def lwa_token_hosts() -> frozenset[str]:
    """Login with Amazon token hosts (the one sp_api's token client posts to)."""
    regional = {urlsplit(u).hostname or "" for u in marketplaces.lwa_token_urls()}
    return frozenset({AccessTokenClient.host} | regional - {""})


def amazon_hosts() -> frozenset[str]:
    """Every Amazon host a seller account may use without ALLOW_CUSTOM_ENDPOINTS."""
    return sp_api_hosts() | lwa_token_hosts()


def amazon_endpoint(marketplace_id: str) -> str:
    """The SP-API endpoint of a marketplace, from sp_api's table (KeyError if unknown)."""
    return marketplaces.by_id(marketplace_id).endpoint


def is_amazon(url: str, purpose: Purpose = "api") -> bool:
    """True for an https URL on one of Amazon's hosts for this purpose (default port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return False
    allowed = sp_api_hosts() if purpose == "api" else lwa_token_hosts()
    return (
        parts.scheme == "https"
        and _host(parts.hostname) in allowed
        and port in (None, 443)
        and not parts.username
        and not parts.password
    )


@dataclass(frozen=True)
class OutboundPolicy:
    """What a deployment allows beyond Amazon's hosts."""

    allow_custom: bool = False
    allow_private: bool = False
    blocked_ports: frozenset[int] = field(default=BLOCKED_PORTS)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> OutboundPolicy:
        """From app settings (ALLOW_CUSTOM_ENDPOINTS, ALLOW_PRIVATE_ENDPOINTS) or environ."""
        config = config or {}
        ports = set(BLOCKED_PORTS)
        # The app's own database and Redis, wherever they listen.
        for key in ("DATABASE_URL", "REDIS_URL"):
            try:
                port = urlsplit(str(config.get(key) or "")).port
            except ValueError:
                port = None
            if port:
                ports.add(port)
        return cls(
            allow_custom=_flag(config.get("ALLOW_CUSTOM_ENDPOINTS")),
            allow_private=_flag(config.get("ALLOW_PRIVATE_ENDPOINTS")),
            blocked_ports=frozenset(ports),
        )


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _host(hostname: str | None) -> str:
    return (hostname or "").lower().rstrip(".")


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to now (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def classify(address: str) -> str:
    """loopback, private, public, link-local, metadata or reserved."""
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "private"
    return "public"


def address_kinds(
    host: str, port: int, policy: OutboundPolicy, resolver: Resolver | None = None
) -> set[str]:
    """The kinds of address `host` resolves to (see `classify`), or EndpointRefused when it does
    not resolve, or resolves to a metadata, link-local or reserved address, or to a private one
    without ALLOW_PRIVATE_ENDPOINTS. Every outbound destination a user enters goes through it."""
    try:
        addresses = list((resolver or resolve)(host, port))
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise EndpointRefused(f"The host {host} cannot be resolved.")
    try:
        kinds = {classify(a) for a in addresses}
    except ValueError:
        raise EndpointRefused(f"The host {host} has an address that is not valid.") from None
    for bad in ("metadata", "link-local", "reserved"):
        if bad in kinds:
            raise EndpointRefused(f"The host {host} resolves to a {bad} address.")
    if "private" in kinds and not policy.allow_private:
        raise EndpointRefused(
            f"The host {host} resolves to a private network address "
            "(allowed only with ALLOW_PRIVATE_ENDPOINTS=1)."
        )
    return kinds


def check_endpoint(
    url: str,
    policy: OutboundPolicy,
    purpose: Purpose = "api",
    resolver: Resolver | None = None,
) -> str:
    """The URL, normalised, if the server may connect to it; else EndpointRefused saying why.

    `resolver(host, port)` returns the host's addresses (default: the system resolver, now).
    """
    raw = (url or "").strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        raise EndpointRefused("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise EndpointRefused("The URL's host or port is not valid.") from None
    host = _host(parts.hostname)
    if parts.scheme not in ("http", "https") or not host:
        raise EndpointRefused("Enter an absolute http(s) URL, like https://host/path.")
    if parts.username or parts.password:
        raise EndpointRefused("The URL must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise EndpointRefused("The URL must not have a query string or fragment.")
    normalised = raw.rstrip("/") if purpose == "api" else raw
    if is_amazon(raw, purpose):
        return normalised
    names = sorted(sp_api_hosts() if purpose == "api" else lwa_token_hosts())
    if not policy.allow_custom:
        raise EndpointRefused(
            f"Only Amazon's hosts are allowed here ({', '.join(names[:4])}, ...). Custom "
            "endpoints such as the simulator need ALLOW_CUSTOM_ENDPOINTS=1 on the server."
        )
    effective_port = port or (443 if parts.scheme == "https" else 80)
    if effective_port in policy.blocked_ports:
        raise EndpointRefused(f"Port {effective_port} belongs to a database or system service.")
    kinds = address_kinds(host, effective_port, policy, resolver)
    if parts.scheme == "http" and kinds != {"loopback"}:
        raise EndpointRefused("Use an https:// URL (plain http only to this machine).")
    return normalised
