"""Behind a TLS-terminating reverse proxy: trust its X-Forwarded-* headers, and only then.

With TRUSTED_PROXIES=N (the number of proxies in front of the app), ProxyFix takes the client
address, scheme and host from the last N hops. HSTS, `request.is_secure` and the login limiter's
per-client key depend on them: without it, every user behind the proxy shares the proxy's
address (one attacker's failures lock out everyone trying that e-mail). Without the setting the
headers are ignored, so a client cannot spoof its address or scheme by sending them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when TRUSTED_PROXIES is a positive number."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
