"""Turn one day's sold units and cancelled attempts into orders, order lines and status times."""

from __future__ import annotations

from datetime import date

import numpy as np

from simulator.catalog import rng_for

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Share of orders by UTC hour for a US seller: US evenings fall in the early UTC hours.
_HOUR_WEIGHTS = np.array(
    [7, 7, 6, 5, 3, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 5, 5.5, 6, 6, 6, 6, 6.5, 7, 7, 7], dtype=float
)
_HOUR_CDF = np.cumsum(_HOUR_WEIGHTS) / _HOUR_WEIGHTS.sum()
# The same by local hour (Pacific is UTC-8): buyers everywhere shop most in their evening.
LOCAL_HOUR_WEIGHTS = np.roll(_HOUR_WEIGHTS, -8)
# ORDER_SEQ scrambles the in-day order number into the last block of the order id.
ORDER_SEQ_MUL = 7919
ORDER_SEQ_MOD = 10_000_000
ORDER_SEQ_INV = pow(ORDER_SEQ_MUL, -1, ORDER_SEQ_MOD)

STREAM_LINES, STREAM_ORDERS, STREAM_TIMES, STREAM_REFUNDS = 60, 61, 62, 63


def day_epoch(day_ordinal: int) -> int:
    """Unix seconds of 00:00:00Z on a day given as a date ordinal."""
    return (day_ordinal - EPOCH_ORDINAL) * 86400


def hour_cdf(wall_hours: np.ndarray) -> np.ndarray:
    """Cumulative share of a local day's orders by elapsed hour, given each elapsed hour's
    wall-clock hour (24 of them, or 23 and 25 on the days the clocks change)."""
    w = LOCAL_HOUR_WEIGHTS[np.asarray(wall_hours, dtype=np.int64)]
    return np.cumsum(w) / w.sum()


def make_day_orders(
    seed: int,
    day_ordinal: int,
    sold: np.ndarray,
    cancels: np.ndarray,
    sale_cents: np.ndarray,
    list_cents: np.ndarray,
    day_start: int | None = None,
    cdf: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Orders and lines of one day, orders sorted by purchase time, lines grouped by order.

    The day starts at `day_start` (Unix seconds of the marketplace's local midnight; UTC
    midnight when None) and its orders fall in its hours by `cdf` (hour_cdf; the UTC profile
    when None), so every order of day d is bought on local day d."""
    n = len(sold)
    units = np.repeat(np.arange(n), sold)
    u = rng_for(seed, STREAM_LINES, day_ordinal).random(len(units))
    # A unit joins the previous unit's line (quantity > 1) only when it is the same SKU.
    same = np.zeros(len(units), dtype=bool)
    same[1:] = units[1:] == units[:-1]
    cont = same & (u < 0.12)
    line_of_unit = np.cumsum(~cont) - 1
    n_lines = int(line_of_unit[-1]) + 1 if len(units) else 0
    line_sku = np.zeros(n_lines, dtype=np.int64)
    line_sku[line_of_unit] = units
    line_qty = np.bincount(line_of_unit, minlength=n_lines).astype(np.int64)

    rng = rng_for(seed, STREAM_ORDERS, day_ordinal)
    perm = rng.permutation(n_lines)
    line_sku, line_qty = line_sku[perm], line_qty[perm]
    join_u = rng.random(n_lines)
    join = np.zeros(n_lines, dtype=bool)
    # Multi-SKU orders: a line joins the previous line's order when the SKUs differ.
    join[1:] = (join_u[1:] < 0.08) & (line_sku[1:] != line_sku[:-1])
    line_order = np.cumsum(~join) - 1
    n_real = int(line_order[-1]) + 1 if n_lines else 0

    c_sku = np.repeat(np.arange(n), cancels).astype(np.int64)
    n_cancel = len(c_sku)
    all_sku = np.concatenate([line_sku, c_sku])
    all_qty = np.concatenate([line_qty, np.ones(n_cancel, dtype=np.int64)])
    all_order = np.concatenate([line_order, n_real + np.arange(n_cancel)])
    n_orders = n_real + n_cancel
    is_cancel = np.zeros(n_orders, dtype=bool)
    is_cancel[n_real:] = True

    t = rng_for(seed, STREAM_TIMES, day_ordinal).random((n_orders, 4))
    hour = np.searchsorted(_HOUR_CDF if cdf is None else cdf, t[:, 0] * 0.999999)
    secs = (hour * 3600 + t[:, 1] * 3600).astype(np.int64)
    base = day_epoch(day_ordinal) if day_start is None else int(day_start)
    purchase = base + secs
    unshipped = purchase + 120 + (t[:, 2] * 4 * 3600).astype(np.int64)
    shipped = unshipped + 3 * 3600 + (t[:, 3] * 41 * 3600).astype(np.int64)
    canceled = np.where(is_cancel, purchase + 300 + (t[:, 2] * 6 * 3600).astype(np.int64), -1)
    unshipped = np.where(is_cancel, -1, unshipped)
    shipped = np.where(is_cancel, -1, shipped)

    # Order numbers follow purchase time so ids and times rise together within a day.
    order_rank = np.argsort(purchase, kind="stable")
    new_index = np.empty(n_orders, dtype=np.int64)
    new_index[order_rank] = np.arange(n_orders)
    line_new_order = new_index[all_order]
    line_sort = np.argsort(line_new_order, kind="stable")
    l_order = line_new_order[line_sort]
    l_sku = all_sku[line_sort]
    l_qty = all_qty[line_sort]
    counts = np.bincount(l_order, minlength=n_orders)
    # cumsum - counts, not [0] + cumsum[:-1]: the latter leaves a stray 0 on a day with no
    # orders, which shifted every later order onto its neighbour's lines.
    starts = (np.cumsum(counts) - counts).astype(np.int64)

    r = rng_for(seed, STREAM_REFUNDS, day_ordinal).random((len(l_sku), 2))
    o_shipped = shipped[order_rank]
    l_shipped = o_shipped[l_order]
    refund = np.where(
        (l_shipped >= 0) & (r[:, 0] < 0.03),
        l_shipped + 2 * 86400 + (r[:, 1] * 28 * 86400).astype(np.int64),
        -1,
    )
    orders = {
        "day": np.full(n_orders, day_ordinal, dtype=np.int64),
        "num": np.arange(n_orders, dtype=np.int64),
        "purchase_ts": purchase[order_rank],
        "unshipped_ts": unshipped[order_rank],
        "shipped_ts": o_shipped,
        "canceled_ts": canceled[order_rank],
        "line_start": starts,
        "n_lines": counts.astype(np.int64),
    }
    lines = {
        "order": l_order.astype(np.int64),
        "sku": l_sku,
        "qty": l_qty,
        "unit_cents": sale_cents[l_sku].astype(np.int64),
        "list_cents": list_cents[l_sku].astype(np.int64),
        "refund_ts": refund,
    }
    return orders, lines


def order_id(prefix: int, day_ordinal: int, num: int) -> str:
    """Amazon-style 3-7-7 order id, unique per seller, day and in-day order number."""
    block = (num * ORDER_SEQ_MUL + day_ordinal * 31) % ORDER_SEQ_MOD
    return f"{prefix:03d}-{day_ordinal % ORDER_SEQ_MOD:07d}-{block:07d}"


def parse_order_id(prefix: int, text: str) -> tuple[int, int] | None:
    """Inverse of order_id: (day ordinal, in-day number), or None when it is not ours."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or int(parts[0]) != prefix:
        return None
    day_ordinal, block = int(parts[1]), int(parts[2])
    num = ((block - day_ordinal * 31) * ORDER_SEQ_INV) % ORDER_SEQ_MOD
    return day_ordinal, num
