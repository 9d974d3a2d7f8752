"""A webhook receiver on loopback: Apprise json:// channels deliver to it for real."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """The JSON bodies posted to it, in order; `status` is what it answers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[dict[str, Any]] = []
        self.status = 200

    @property
    def url(self) -> str:
        """An Apprise URL that delivers here."""
        return f"json://127.0.0.1:{self.port}/hook"


@contextmanager
def json_receiver() -> Iterator[Receiver]:
    """Serve on a free loopback port until the block ends."""
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver = holder["r"]
            if receiver.status == 200:
                receiver.messages.append(json.loads(body))
            self.send_response(receiver.status)
            self.end_headers()
            self.wfile.write(b"secret-response-body")

        def log_message(self, *_args: Any) -> None:
            pass

    # Port 0: the kernel picks a free ephemeral port, and does not hand out one just closed, so
    # late deliveries meant for another process's receiver never arrive here.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = Receiver(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["r"]
    finally:
        server.shutdown()
        server.server_close()
