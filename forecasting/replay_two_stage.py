"""The two-stage inventory replay of docs/replay-two-stage.md (issue 16): a supplier ships to the
seller's warehouse, the warehouse transfers to FBA, customers buy at FBA.

The FBA side is the single-stage replay (forecasting.replay, ../shared/replay-spec.md) with the
transfer lead time as its lead time and the transfers as its shipments, priced by the same
cost_lines and aged_per_unit. Added: the warehouse stock, supplier orders in flight, and four
cost lines (warehouse storage and capital, freight, transfer). Policies see a `TwoStageState`
on review days and return (transfer, supplier order) quantities per SKU.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from forecasting.fees import REPLAY_CARD, FeeCard, days_in_month
from forecasting.replay import (
    CAPITAL_RATE,
    COST_LINES,
    FbaSide,
    PolicyError,
    ReplayState,
    check_quantities,
)
from forecasting.replay_io import (
    ReplayInput,
    ReplayInputError,
    _numbers,
    _read_csv,
    load_input,
)

WAREHOUSE_LINES = ("warehouse_storage", "warehouse_capital", "freight", "transfer",
                   "backup_premium")
TWO_STAGE_LINES = (*COST_LINES, *WAREHOUSE_LINES)
# skus.csv columns of the two-stage mode: (name, integer, minimum, default; None = required)
TWO_STAGE_COLUMNS: tuple[tuple[str, bool, float, float | None], ...] = (
    ("supplier_lead_days", True, 1, None),
    ("supplier_case_pack", True, 1, 1),
    ("supplier_moq", True, 0, 0),
    ("freight_per_unit", False, 0.0, 0.0),
    ("transfer_cost_per_unit", False, 0.0, 0.0),
    ("warehouse_per_cuft_month", False, 0.0, 0.5),
    ("initial_warehouse", True, 0, 0),
    # an optional backup supplier (0 days: none), in the supplier's case pack
    ("backup_lead_days", True, 0, 0),
    ("backup_unit_cost", False, 0.0, 0.0),
    ("backup_freight_per_unit", False, 0.0, 0.0),
    ("backup_moq", True, 0, 0),
)


@dataclass
class TwoStageInput:
    """A ReplayInput whose `lead` is the transfer lead time, plus the upstream columns."""

    base: ReplayInput
    supplier_lead: np.ndarray          # int64, days from order to units at the warehouse
    supplier_case_pack: np.ndarray     # int64
    supplier_moq: np.ndarray           # int64
    freight_per_unit: np.ndarray       # $ per unit ordered
    transfer_cost_per_unit: np.ndarray  # $ per unit transferred to FBA
    warehouse_per_cuft_month: np.ndarray
    initial_warehouse: np.ndarray      # int64
    # the optional backup supplier: days from order to the warehouse (0: no backup), its price,
    # its freight per unit and its MOQ (its case pack is supplier_case_pack); None: no backups
    backup_lead: np.ndarray | None = None
    backup_unit_cost: np.ndarray | None = None
    backup_freight_per_unit: np.ndarray | None = None
    backup_moq: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.base.skus)
        if self.backup_lead is None:
            self.backup_lead = np.zeros(n, dtype=np.int64)
        for name in ("backup_unit_cost", "backup_freight_per_unit"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n))
        if self.backup_moq is None:
            self.backup_moq = np.zeros(n, dtype=np.int64)

    @property
    def has_backup(self) -> np.ndarray:
        """SKUs with a backup supplier."""
        assert self.backup_lead is not None
        return self.backup_lead > 0

    @property
    def transfer_lead(self) -> np.ndarray:
        """Days from a transfer's ship date to its units being sellable at FBA."""
        return self.base.lead


def load_two_stage(demand_path: Path, skus_path: Path, start: dt.date, end: dt.date
                   ) -> TwoStageInput:
    """demand.csv and skus.csv of the two-stage mode: the single-stage columns with
    `transfer_lead_days` in place of `lead_time_days`, and TWO_STAGE_COLUMNS."""
    df = _read_csv(skus_path)
    missing = [c for c, *_, default in TWO_STAGE_COLUMNS if default is None and c not in df]
    if missing:
        raise ReplayInputError(f"{skus_path}: missing column(s) {missing} (two-stage mode)")
    base = load_input(demand_path, skus_path, start, end, lead_column="transfer_lead_days")
    df["sku"] = df["sku"].str.strip()
    order = {s: i for i, s in enumerate(df["sku"])}
    rows = np.array([order[s] for s in base.skus])
    cols = {}
    for name, integer, minimum, default in TWO_STAGE_COLUMNS:
        cols[name] = _numbers(df, name, skus_path, integer=integer, minimum=minimum,
                              default=default)[rows]
    return TwoStageInput(
        base=base, supplier_lead=cols["supplier_lead_days"],
        supplier_case_pack=cols["supplier_case_pack"], supplier_moq=cols["supplier_moq"],
        freight_per_unit=cols["freight_per_unit"],
        transfer_cost_per_unit=cols["transfer_cost_per_unit"],
        warehouse_per_cuft_month=cols["warehouse_per_cuft_month"],
        initial_warehouse=cols["initial_warehouse"],
        backup_lead=cols["backup_lead_days"], backup_unit_cost=cols["backup_unit_cost"],
        backup_freight_per_unit=cols["backup_freight_per_unit"], backup_moq=cols["backup_moq"],
    )


@dataclass
class TwoStageState(ReplayState):
    """ReplayState of the FBA side (its `arrivals`/`in_transit` are the transfers), plus the
    warehouse after the day's supplier arrivals and FBA sales, before the review's transfer."""

    two: TwoStageInput
    warehouse: np.ndarray          # (n,) units at the warehouse now
    po_arrivals: np.ndarray        # (n, horizon) supplier order units by arrival day index
    po_in_transit: np.ndarray      # (n,) ordered units arriving after day t


class TwoStagePolicy(Protocol):
    """Anything the two-stage replay can ask for transfers and supplier orders."""

    name: str

    def decide(self, state: TwoStageState) -> tuple[np.ndarray, ...]:
        """(units to transfer to FBA today, units to order from the supplier today) and,
        optionally, a third array: units to order from the backup supplier today."""
        ...


@dataclass
class TwoStageResult:
    """One policy's two-stage replay: FBA daily arrays, warehouse stock, every cost line."""

    policy: str
    demand: np.ndarray
    sold: np.ndarray
    lost: np.ndarray
    on_hand_end: np.ndarray
    warehouse_end: np.ndarray
    lines: dict[str, np.ndarray]                      # each (n, T), TWO_STAGE_LINES
    transfers: list[tuple[int, int, int, int]]        # (sku index, ship t, qty, arrival t)
    orders: list[tuple[int, int, int, int]]           # (sku index, order t, qty, arrival t)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    backup_orders: list[tuple[int, int, int, int]] = field(default_factory=list)  # as orders

    @property
    def shipments(self) -> list[tuple[int, int, int, int]]:
        """The FBA side's shipments (the transfers), as in forecasting.replay.RunResult."""
        return self.transfers

    def sku_totals(self) -> dict[str, np.ndarray]:
        """Per-SKU sums of every line plus total, units, transfers and supplier orders."""
        n = self.sold.shape[0]
        out = {k: v.sum(axis=1) for k, v in self.lines.items()}
        out["total"] = sum((out[k] for k in TWO_STAGE_LINES), np.zeros(n))
        out["units_demand"] = self.demand.sum(axis=1)
        out["units_sold"] = self.sold.sum(axis=1)
        out["units_lost"] = self.lost.sum(axis=1)
        for key, units_key, moves in (
                ("transfers", "units_transferred", self.transfers),
                ("supplier_orders", "units_ordered", self.orders),
                ("backup_orders", "units_backup", self.backup_orders)):
            count = np.zeros(n, dtype=np.int64)
            units = np.zeros(n, dtype=np.int64)
            for i, _, q, _ in moves:
                count[i] += 1
                units[i] += q
            out[key] = count
            out[units_key] = units
        out["shipments"] = out["transfers"]
        return out


def check_orders(q: np.ndarray, two: TwoStageInput, policy: str, t: int,
                 backup: bool = False) -> np.ndarray:
    """A supplier order must be whole supplier cases, and 0 or at least the supplier MOQ (the
    backup's: its MOQ, and only for a SKU with a backup)."""
    inp = two.base
    q = np.asarray(q)
    what = "backup order" if backup else "supplier order"
    if q.shape != (len(inp.skus),):
        raise PolicyError(f"{policy}: expected {len(inp.skus)} {what} quantities, got {q.shape}")
    qi = np.asarray(np.round(q), dtype=np.int64)
    cp = two.supplier_case_pack
    moq = two.backup_moq if backup else two.supplier_moq
    assert moq is not None
    bad = (qi != q) | (qi < 0) | (qi % cp != 0) | ((qi > 0) & (qi < moq))
    if backup:
        bad |= (qi > 0) & ~two.has_backup
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        if backup and not two.has_backup[i]:
            raise PolicyError(f"{policy} on {inp.dates[t]}: sku {inp.skus[i]!r} has no backup "
                              f"supplier (backup_lead_days 0), backup order {qi[i]}")
        raise PolicyError(
            f"{policy} on {inp.dates[t]}: sku {inp.skus[i]!r} {what} {q[i]!r} breaks "
            f"the rule (whole number >= 0, multiple of supplier_case_pack={cp[i]}, 0 or >= "
            f"{'backup_moq' if backup else 'supplier_moq'}={moq[i]})")
    return qi


def simulate_two_stage(two: TwoStageInput, policy: TwoStagePolicy, review_days: int,
                       card: FeeCard = REPLAY_CARD) -> TwoStageResult:
    """Run one policy through the window day by day (docs/replay-two-stage.md, "The day")."""
    inp = two.base
    n, T = inp.demand.shape
    assert two.backup_lead is not None
    horizon = (T + int(inp.lead.max(initial=1)) + int(two.supplier_lead.max(initial=1))
               + int(two.backup_lead.max(initial=1)) + 1)
    fba = FbaSide(inp, horizon, 2 + T // review_days + 1)   # its arrivals: the transfers
    po_arrivals = np.zeros((n, horizon), dtype=np.int64)   # supplier orders landing upstream
    warehouse = np.zeros(n, dtype=np.int64)
    po_in_transit = np.zeros(n, dtype=np.int64)
    wh_end = np.zeros((n, T), dtype=np.int64)
    moved = np.zeros((n, T), dtype=np.int64)      # units transferred on day t
    ordered = np.zeros((n, T), dtype=np.int64)    # units ordered on day t
    backed = np.zeros((n, T), dtype=np.int64)     # units ordered from the backup on day t
    po_arrivals[:, 0] += two.initial_warehouse
    transfers: list[tuple[int, int, int, int]] = []
    orders: list[tuple[int, int, int, int]] = []
    backup_orders: list[tuple[int, int, int, int]] = []
    for t in range(T):
        # 1. supplier orders land at the warehouse (initial warehouse stock: on start)
        up = po_arrivals[:, t]
        warehouse += up
        po_in_transit -= up - two.initial_warehouse if t == 0 else up
        # 2. transfers land at FBA as lots (initial on hand: one lot on start), 3. sales at FBA
        # (FIFO), 4. observation
        fba.receive_and_sell(t, card)
        # 5. review: a transfer out of the warehouse, a supplier order
        if t % review_days == 0:
            state = TwoStageState(**fba.state_fields(t), two=two, warehouse=warehouse.copy(),
                                  po_arrivals=po_arrivals, po_in_transit=po_in_transit.copy())
            q_move, q_order, *q_backup = policy.decide(state)
            qm = check_quantities(q_move, inp, policy.name, t)
            over = qm > warehouse
            if over.any():
                j = int(np.flatnonzero(over)[0])
                raise PolicyError(
                    f"{policy.name} on {inp.dates[t]}: sku {inp.skus[j]!r} transfer {qm[j]} is "
                    f"more than the {warehouse[j]} units at the warehouse")
            qo = check_orders(q_order, two, policy.name, t)
            qb = (check_orders(q_backup[0], two, policy.name, t, backup=True) if q_backup
                  else np.zeros(n, dtype=np.int64))
            fba.ship(t, qm, transfers)
            for q, lead, moves in ((qo, two.supplier_lead, orders),
                                   (qb, two.backup_lead, backup_orders)):
                for i in np.flatnonzero(q):
                    a = t + int(lead[i])
                    po_arrivals[i, a] += q[i]
                    moves.append((int(i), t, int(q[i]), a))
            warehouse -= qm
            po_in_transit += qo + qb
            moved[:, t] = qm
            ordered[:, t] = qo
            backed[:, t] = qb
        wh_end[:, t] = warehouse
    lines = fba.lines(card)
    lines.update(warehouse_lines(two, wh_end, moved, ordered, backed))
    lines = {k: lines[k] for k in TWO_STAGE_LINES}
    return TwoStageResult(policy.name, inp.demand, fba.sold, inp.demand - fba.sold, fba.oh_end,
                          wh_end, lines, transfers, orders, backup_orders=backup_orders)


def warehouse_lines(two: TwoStageInput, wh_end: np.ndarray, moved: np.ndarray,
                    ordered: np.ndarray, backed: np.ndarray | None = None
                    ) -> dict[str, np.ndarray]:
    """The upstream cost lines per SKU per day: storage and capital on the warehouse's stock at
    the end of the day, freight on the units ordered that day (the backup's at its freight),
    transfer on the units sent, and the backup's price above the supplier's on its units."""
    inp = two.base
    if backed is None:
        backed = np.zeros_like(ordered)
    assert two.backup_freight_per_unit is not None and two.backup_unit_cost is not None
    per_day = np.array([1.0 / days_in_month(d) for d in inp.dates])
    return {
        "warehouse_storage": (wh_end * (inp.cubic_feet * two.warehouse_per_cuft_month)[:, None]
                              * per_day[None, :]),
        "warehouse_capital": wh_end * inp.unit_cost[:, None] * CAPITAL_RATE / 365.0,
        "freight": (ordered * two.freight_per_unit[:, None]
                    + backed * two.backup_freight_per_unit[:, None]),
        "transfer": moved * two.transfer_cost_per_unit[:, None],
        "backup_premium": backed * (two.backup_unit_cost - inp.unit_cost)[:, None],
    }
