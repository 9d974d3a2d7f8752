"""All orders and lines of a seller as flat numpy columns, with time indexes for the API."""

from __future__ import annotations

import numpy as np

STATUS_NAMES = np.array(["Pending", "Unshipped", "Shipped", "Canceled"])
_NEVER = np.iinfo(np.int64).max


class OrderBook:
    """Columnar orders (sorted by purchase time) and their lines; indexes rebuilt by finish()."""

    def __init__(self) -> None:
        self._order_chunks: list[dict[str, np.ndarray]] = []
        self._line_chunks: list[dict[str, np.ndarray]] = []
        self.o: dict[str, np.ndarray] = {}
        self.line: dict[str, np.ndarray] = {}
        self.day_first: dict[int, int] = {}
        self._n_orders = 0
        self._n_lines = 0

    def add_day(self, orders: dict[str, np.ndarray], lines: dict[str, np.ndarray]) -> None:
        """Append one day's orders and lines (local indexes are shifted to global ones)."""
        n_o = len(orders["day"])
        if n_o:
            self.day_first[int(orders["day"][0])] = self._n_orders
        orders = dict(orders)
        lines = dict(lines)
        orders["line_start"] = orders["line_start"] + self._n_lines
        lines["order"] = lines["order"] + self._n_orders
        self._order_chunks.append(orders)
        self._line_chunks.append(lines)
        self._n_orders += n_o
        self._n_lines += len(lines["sku"])

    def finish(self) -> None:
        """Concatenate pending chunks and rebuild the event and finance indexes."""
        if self._order_chunks:
            parts = [self.o] if self.o else []
            self.o = {
                k: np.concatenate([p[k] for p in parts + self._order_chunks])
                for k in self._order_chunks[0]
            }
            lparts = [self.line] if self.line else []
            self.line = {
                k: np.concatenate([p[k] for p in lparts + self._line_chunks])
                for k in self._line_chunks[0]
            }
            self._order_chunks, self._line_chunks = [], []
        if not self.o:
            return
        o = self.o
        n = len(o["day"])
        # Every status event: purchase, then Unshipped and Shipped, or Canceled.
        ts = [o["purchase_ts"], o["unshipped_ts"], o["shipped_ts"], o["canceled_ts"]]
        nxt = [
            np.where(o["canceled_ts"] >= 0, o["canceled_ts"], o["unshipped_ts"]),
            o["shipped_ts"],
            np.full(n, _NEVER),
            np.full(n, _NEVER),
        ]
        ev_ts, ev_order, ev_next = [], [], []
        idx = np.arange(n)
        for t, nx in zip(ts, nxt, strict=True):
            keep = t >= 0
            ev_ts.append(t[keep])
            ev_order.append(idx[keep])
            ev_next.append(np.where(nx[keep] >= 0, nx[keep], _NEVER))
        ev_ts_all = np.concatenate(ev_ts)
        order = np.lexsort((np.concatenate(ev_order), ev_ts_all))
        self.ev_ts = ev_ts_all[order]
        self.ev_order = np.concatenate(ev_order)[order]
        self.ev_next = np.concatenate(ev_next)[order]
        shipped = np.flatnonzero(o["shipped_ts"] >= 0)
        self.ship_idx = shipped[np.argsort(o["shipped_ts"][shipped], kind="stable")]
        self.ship_ts = o["shipped_ts"][self.ship_idx]
        refunded = np.flatnonzero(self.line["refund_ts"] >= 0)
        self.refund_idx = refunded[np.argsort(self.line["refund_ts"][refunded], kind="stable")]
        self.refund_ts = self.line["refund_ts"][self.refund_idx]

    def __len__(self) -> int:
        return len(self.o.get("day", ()))

    # -------------------------------------------------------------- queries
    def status_code(self, idx: np.ndarray, now: int) -> np.ndarray:
        """0 Pending, 1 Unshipped, 2 Shipped, 3 Canceled, as of `now` (Unix seconds)."""
        o = self.o
        code = np.zeros(len(idx), dtype=np.int64)
        code = np.where((o["unshipped_ts"][idx] >= 0) & (o["unshipped_ts"][idx] <= now), 1, code)
        code = np.where((o["shipped_ts"][idx] >= 0) & (o["shipped_ts"][idx] <= now), 2, code)
        code = np.where((o["canceled_ts"][idx] >= 0) & (o["canceled_ts"][idx] <= now), 3, code)
        return code

    def last_update(self, idx: np.ndarray, now: int) -> np.ndarray:
        """The latest status event at or before `now`, per order."""
        o = self.o
        out = o["purchase_ts"][idx].copy()
        for key in ("unshipped_ts", "shipped_ts", "canceled_ts"):
            t = o[key][idx]
            out = np.where((t >= 0) & (t <= now), np.maximum(out, t), out)
        return out

    def updated_between(self, after: int, before: int, now: int) -> np.ndarray:
        """Orders whose last update as of `now` lies in [after, before], by update time."""
        lo = np.searchsorted(self.ev_ts, after, side="left")
        hi = np.searchsorted(self.ev_ts, before, side="right")
        current = self.ev_next[lo:hi] > now
        return self.ev_order[lo:hi][current]

    def created_between(self, after: int, before: int) -> np.ndarray:
        """Orders purchased in [after, before], by purchase time."""
        p = self.o["purchase_ts"]
        lo = np.searchsorted(p, after, side="left")
        hi = np.searchsorted(p, before, side="right")
        return np.arange(lo, hi)

    def lines_of(self, order_idx: int) -> np.ndarray:
        """Line indexes of one order."""
        start = int(self.o["line_start"][order_idx])
        return np.arange(start, start + int(self.o["n_lines"][order_idx]))

    def lookup(self, day_ordinal: int, num: int) -> int | None:
        """Global index of an order from its day and in-day number."""
        first = self.day_first.get(day_ordinal)
        if first is None:
            return None
        idx = first + num
        if idx >= len(self) or int(self.o["day"][idx]) != day_ordinal:
            return None
        return idx
