"""The generated seller's ground truth as CSV text: SKUs, demand, orders and inbound shipments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulator import awd
from simulator.inbound import states
from simulator.markets import DEFAULT as DEFAULT_MARKET
from simulator.markets import Market, market
from simulator.orders import day_epoch
from simulator.world import World

SKU_COLUMNS = [
    "sku",
    "unit_cost",
    "sale_price",
    "fulfillment_fee",
    "referral_rate",
    "cubic_feet",
    "size_tier",
    "lead_time_days",
    "case_pack",
    "moq",
    "initial_on_hand",
    "asin",
    "fnsku",
    "title",
    "category",
    "length_in",
    "width_in",
    "height_in",
    "weight_lb",
]
TRUTH_FILES = (
    "skus.csv",
    "demand.csv",
    "orders_daily.csv",
    "inbound_shipments.csv",
    "inbound_receipts.csv",
    "awd_inventory.csv",
    "awd_shipments.csv",
    "awd_ledger.csv",
)
AWD_INVENTORY_COLUMNS = ["sku", "onhand", "reserved", "available", "replenishment", "inbound"]
AWD_SHIPMENT_COLUMNS = [
    "shipment_id",
    "order_id",
    "sku",
    "status",
    "quantity",
    "received",
    "outstanding",
    "created",
    "last_updated",
    "ship_date",
    "delivery_date",
    "first_receipt_date",
    "closed_date",
    "cancelled_date",
]
AWD_LEDGER_COLUMNS = [
    "sku",
    "date",
    "starting_onhand",
    "received",
    "replenished_out",
    "ending_onhand",
    "reserved",
    "available",
    "replenishment",
    "inbound",
]
INBOUND_COLUMNS = [
    "shipment_id",
    "sku",
    "status",
    "quantity_shipped",
    "quantity_received",
    "created",
    "last_updated",
    "ship_date",
    "delivery_date",
    "first_receipt_date",
    "closed_date",
    "cancelled_date",
    "inbound_plan_id",
    "sta_shipment_id",
    "window_start",
    "window_end",
]


def start_clock(last_day: date, mk: Market | None = None) -> int:
    """The simulator clock right after `last_day`: 00:05 local time the next day in the
    marketplace's zone (UTC when none), as Unix seconds."""
    nxt = last_day.toordinal() + 1
    return (day_epoch(nxt) if mk is None else mk.day_start(nxt)) + 300


def clock_iso(ts: int) -> str:
    """Unix seconds as Amazon's ISO 8601 UTC text, e.g. 2026-11-27T00:05:00Z."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def skus_frame(world: World) -> pd.DataFrame:
    """skus.csv: the replay-spec columns plus identity and dimensions."""
    cat = world.catalog.copy()
    cat["sale_price"] = np.round(world.state.list_price, 2)
    cat["initial_on_hand"] = world.on_hand_now()
    return cat[SKU_COLUMNS]


def _live_mask(world: World) -> np.ndarray:
    """(days, skus) mask of days on or after each SKU's launch (no rows before a product exists)."""
    ords = np.arange(world.start_ordinal, world.next_ordinal)[:, None]
    return ords >= world.traits["launch"][None, :]


def orders_units(world: World, now: int) -> np.ndarray:
    """(days, skus) units in orders not Canceled as of `now`, by purchase day (the
    marketplace's local day the order was bought on)."""
    book = world.orders
    out = np.zeros((world.next_ordinal - world.start_ordinal, world.n), dtype=np.int64)
    if not len(book):
        return out
    line_order = book.line["order"]
    canceled = book.o["canceled_ts"][line_order]
    alive = ~((canceled >= 0) & (canceled <= now))
    day_row = book.o["day"][line_order] - world.start_ordinal
    np.add.at(out, (day_row[alive], book.line["sku"][alive]), book.line["qty"][alive])
    return out


def demand_frames(world: World, now: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """demand.csv and orders_daily.csv frames, date-major, from each SKU's launch on."""
    days = world.days
    n = world.n
    mask = _live_mask(world).ravel()
    skus = np.tile(world.catalog["sku"].to_numpy(), len(days))[mask]
    dates = np.repeat([d.isoformat() for d in days], n)[mask]
    demand = pd.DataFrame(
        {
            "sku": skus,
            "date": dates,
            "demand": world.daily("demand").ravel()[mask],
            "sold": world.daily("sold").ravel()[mask],
            "in_stock": (world.daily("on_hand_end") > 0).astype(np.int64).ravel()[mask],
            "price": np.char.mod("%.2f", world.daily("sale_cents").ravel()[mask] / 100.0),
        }
    )
    orders = pd.DataFrame(
        {"sku": skus, "date": dates, "units": orders_units(world, now).ravel()[mask]}
    )
    return demand, orders


def _day(ordinal: int | None) -> str:
    return "" if ordinal is None else date.fromordinal(ordinal).isoformat()


def inbound_frames(world: World, now: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """inbound_shipments.csv (every shipment existing at `now`, its status and its schedule)
    and inbound_receipts.csv (units received per shipment and day, up to the clock).

    `delivery_date` is the day the carrier delivers (inside `window_start`..`window_end`
    when a delivery window was selected); units become fulfillable on `first_receipt_date`
    through `closed_date`. Dates past the clock are the world's plan: they will happen.
    """
    skus = world.lists["sku"]
    rows, receipts = [], []
    for st in states(world, now):
        s = st.shipment
        cancelled = s.cancelled_day is not None
        rows.append(
            {
                "shipment_id": s.shipment_id,
                "sku": skus[s.sku],
                "status": st.status,
                "quantity_shipped": s.quantity,
                "quantity_received": st.received,
                "created": clock_iso(s.created_ts),
                "last_updated": clock_iso(st.last_updated),
                "ship_date": "" if cancelled else _day(s.ship_day),
                "delivery_date": "" if cancelled else _day(s.delivery_day),
                "first_receipt_date": "" if cancelled else _day(s.arrival_day),
                "closed_date": "" if cancelled else _day(s.last_receipt_day),
                "cancelled_date": _day(s.cancelled_day),
                "inbound_plan_id": s.plan_id,
                "sta_shipment_id": s.sta_shipment_id,
                "window_start": _day(s.window[0]) if s.window else "",
                "window_end": _day(s.window[1]) if s.window else "",
            }
        )
        if cancelled:
            continue
        for j, units in enumerate(s.receipts):
            if s.arrival_day + j < world.next_ordinal and units:
                receipts.append(
                    {
                        "shipment_id": s.shipment_id,
                        "sku": skus[s.sku],
                        "date": _day(s.arrival_day + j),
                        "units": units,
                    }
                )
    shipments = pd.DataFrame(rows, columns=INBOUND_COLUMNS)
    received = pd.DataFrame(receipts, columns=["shipment_id", "sku", "date", "units"])
    return shipments, received


def awd_frames(world: World) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """awd_inventory.csv (per AWD SKU at the clock: units on hand, reserved for a
    replenishment, available = on hand - reserved, in transit to FBA, inbound = shipped to AWD
    and not received), awd_shipments.csv (every AWD inbound shipment existing at the clock;
    dates after the clock are what will happen) and awd_ledger.csv (the upstream ledger: each
    AWD SKU's day from the AWD start, on hand at its start and end, received, replenished out,
    and the end-of-day reserved, available, replenishment and inbound units). Empty (headers
    only) for a seller without AWD."""
    m = awd.model(world)
    if m is None:
        return (
            pd.DataFrame(columns=AWD_INVENTORY_COLUMNS),
            pd.DataFrame(columns=AWD_SHIPMENT_COLUMNS),
            pd.DataFrame(columns=AWD_LEDGER_COLUMNS),
        )
    skus = world.lists["sku"]
    inventory = pd.DataFrame(
        [
            {
                "sku": skus[r["sku"]],
                "onhand": r["end"],
                "reserved": r["reserved"],
                "available": r["available"],
                "replenishment": r["replenishment"],
                "inbound": r["inbound"],
            }
            for r in m.inventory()
        ],
        columns=AWD_INVENTORY_COLUMNS,
    )
    rows = []
    for st in m.states():
        s = st.shipment
        cancelled = s.cancelled_day is not None
        rows.append(
            {
                "shipment_id": s.shipment_id,
                "order_id": s.order_id,
                "sku": skus[s.sku],
                "status": st.status,
                "quantity": s.quantity,
                "received": st.received,
                "outstanding": st.outstanding,
                "created": clock_iso(st.created_ts),
                "last_updated": clock_iso(st.updated_ts),
                "ship_date": "" if cancelled else _day(s.ship_day),
                "delivery_date": "" if cancelled else _day(s.delivery_day),
                "first_receipt_date": "" if cancelled else _day(s.first_receipt_day),
                "closed_date": "" if cancelled else _day(s.last_receipt_day),
                "cancelled_date": _day(s.cancelled_day),
            }
        )
    shipments = pd.DataFrame(rows, columns=AWD_SHIPMENT_COLUMNS)
    led = m.ledger()
    days = led["end"].shape[0]
    dates = [date.fromordinal(m.start + t).isoformat() for t in range(days)]
    k = len(m.skus)
    ledger = pd.DataFrame(
        {
            "sku": np.tile([skus[a.sku] for a in m.skus], days),
            "date": np.repeat(dates, k),
            "starting_onhand": led["start"].ravel(),
            "received": led["received"].ravel(),
            "replenished_out": led["replenished_out"].ravel(),
            "ending_onhand": led["end"].ravel(),
            "reserved": led["reserved"].ravel(),
            "available": led["available"].ravel(),
            "replenishment": led["replenishment"].ravel(),
            "inbound": led["inbound"].ravel(),
        },
        columns=AWD_LEDGER_COLUMNS,
    )
    return inventory, shipments, ledger


def truth_texts(world: World, now: int | None = None) -> dict[str, str]:
    """The truth files as text, as of the simulator clock `now` (default: start clock)."""
    if now is None:
        now = start_clock(world.last_day, world.market)
    demand, orders = demand_frames(world, now)
    shipments, receipts = inbound_frames(world, now)
    awd_inventory, awd_shipments, awd_ledger = awd_frames(world)
    return {
        "skus.csv": skus_frame(world).to_csv(index=False, lineterminator="\n"),
        "demand.csv": demand.to_csv(index=False, lineterminator="\n"),
        "orders_daily.csv": orders.to_csv(index=False, lineterminator="\n"),
        "inbound_shipments.csv": shipments.to_csv(index=False, lineterminator="\n"),
        "inbound_receipts.csv": receipts.to_csv(index=False, lineterminator="\n"),
        "awd_inventory.csv": awd_inventory.to_csv(index=False, lineterminator="\n"),
        "awd_shipments.csv": awd_shipments.to_csv(index=False, lineterminator="\n"),
        "awd_ledger.csv": awd_ledger.to_csv(index=False, lineterminator="\n"),
    }


def write_truth(world: World, out: Path) -> list[Path]:
    """Write the truth files into `out` (created if missing); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in truth_texts(world).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def default_today(marketplace: str = DEFAULT_MARKET) -> date:
    """Today in the marketplace's time zone: the default --today."""
    return datetime.now(UTC).astimezone(market(marketplace).zone).date()
