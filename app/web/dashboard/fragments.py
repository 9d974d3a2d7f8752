"""Rendered dashboard tables, kept per process and keyed by the data they were made from.

Most dashboard views repeat: a team opens the same first page, sort or filter many times between
two writes of the seller's summaries. A view's content block (headline cards, filters, table
rows, pager) depends only on the seller's summary rows, the page's controls and a few of the
seller's settings, and every write of the summary rows goes through app.summaries._refresh, which
stamps the state row (`refreshed_at`, with the source marks) in the same transaction. So a
fragment is stored under

    (tenant, seller, the state's stamp and marks, the controls, the page, the seller's
     name, marketplace and review period, whether its business sells in several currencies
     (US$ / CA$), today's date, the SKU link prefix)

and is never stale: a newer write gives a new key, which every request reads first (the state is
read on every request by app.summaries.ensure, and the fragment after it, so a fragment can only
be newer than its key, never older). Old keys are never asked for again and fall out of the LRU.

Nothing leaks between tenants: the key starts with the tenant and seller ids that the request's
login check and tenant-scoped seller lookup produced, the same ids the uncached path would read
with. Nothing user-specific is in a fragment (the CSRF token, flash messages and user menu are
rendered around it, by base.html, on every request).

Per process (each gunicorn worker its own), bounded by entries and by bytes; DASHBOARD_CACHE_MB
= 0 turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Fragment:
    """One rendered dashboard content block (headline cards, filters, the table, the pager)."""

    body: Markup

    @property
    def size(self) -> int:
        """Approximate bytes held."""
        return len(self.body) * 2 + 512


class FragmentCache:
    """A thread-safe LRU of fragments bounded by total size."""

    def __init__(self, max_bytes: int, max_entries: int = 4096):
        self.max_bytes = max(0, int(max_bytes))
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[Any, ...], Fragment] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when sized 0."""
        return self.max_bytes > 0

    def get(self, key: tuple[Any, ...]) -> Fragment | None:
        """The fragment stored under `key`, or None."""
        if not self.enabled:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], fragment: Fragment) -> None:
        """Store `fragment` under `key`, dropping the least recently used beyond the bounds."""
        if not self.enabled or fragment.size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._items[key] = fragment
            self._bytes += fragment.size
            while self._items and (
                self._bytes > self.max_bytes or len(self._items) > self.max_entries
            ):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


def state_stamp(state: Any) -> tuple[Any, ...]:
    """What identifies one write of a seller's summaries: the state row's id, its refresh time
    and the marks it was built from."""
    return (
        state.id,
        state.refreshed_at,
        state.as_of,
        state.model_version_id,
        state.products_changed_at,
        state.recommendation_id,
        state.sku_count,
    )
