"""A day without orders must not shift later orders onto their neighbours' lines."""

from __future__ import annotations

import datetime as dt

import numpy as np

from simulator.orders import make_day_orders
from simulator.world import build_world


def test_a_day_with_no_orders_adds_no_line_start() -> None:
    zeros = np.zeros(3, dtype=np.int64)
    orders, lines = make_day_orders(1, 739000, zeros, zeros, zeros + 100, zeros + 120)
    assert len(orders["line_start"]) == len(orders["n_lines"]) == 0
    assert len(lines["sku"]) == 0


def test_every_order_owns_exactly_its_lines_in_a_sparse_world() -> None:
    # Few slow SKUs: days with no order at all happen (seed 12 had them).
    world = build_world(12, 8, 60, dt.date(2026, 11, 26))
    book = world.orders
    n = len(book.o["day"])
    assert len(book.o["line_start"]) == len(book.o["n_lines"]) == n
    counts = book.o["n_lines"]
    owner = np.repeat(np.arange(n), counts)
    lines = np.repeat(book.o["line_start"], counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    assert (book.line["order"][lines] == owner).all()
