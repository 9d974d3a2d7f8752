"""The two-stage replay's reference policies, exactly as docs/replay-two-stage.md states them."""

from __future__ import annotations

import numpy as np

from forecasting.replay_policies import (
    DOS_EXTRA_DAYS,
    Foresight,
    _ceil_div,
    in_stock_velocity_parts,
)
from forecasting.replay_two_stage import TwoStageState

TRANSFER_COVERS = (0, 7, 14, 21, 28)
ORDER_COVERS = (0, 7, 14, 21, 28, 42, 56)


def whole_cases(short: np.ndarray, case_pack: np.ndarray, moq: np.ndarray) -> np.ndarray:
    """short rounded up to whole cases (<= 0: nothing), then 0 < q < moq raised to the MOQ
    rounded up to whole cases (the single-stage spec's rounding)."""
    q = np.where(short > 0, _ceil_div(short, case_pack) * case_pack, 0)
    return np.where((q > 0) & (q < moq), _ceil_div(moq, case_pack) * case_pack,
                    q).astype(np.int64)


def cap_to_warehouse(q: np.ndarray, warehouse: np.ndarray, case_pack: np.ndarray,
                     moq: np.ndarray) -> np.ndarray:
    """A transfer of at most the whole cases the warehouse holds; 0 when that is below the MOQ."""
    cap = warehouse // case_pack * case_pack
    q = np.minimum(q, cap)
    return np.where(q < moq, 0, q).astype(np.int64)


def echelon(state: TwoStageState) -> np.ndarray:
    """Every unit the seller has or has ordered: warehouse + FBA on hand + transfers and
    supplier orders in flight."""
    return state.warehouse + state.on_hand + state.in_transit + state.po_in_transit


class TwoStageDaysOfSupply:
    """What most seller tools do, on both stages: the single-stage days-of-supply rule for the
    FBA transfer (lead = transfer lead, capped by the warehouse) and for the supplier order
    (lead = supplier + transfer lead, position = every unit owned or on order)."""

    name = "days_of_supply"

    def __init__(self, review_days: int, extra_days: int = DOS_EXTRA_DAYS) -> None:
        self.review_days = review_days
        self.extra_days = extra_days

    def decide(self, state: TwoStageState) -> tuple[np.ndarray, np.ndarray]:
        """(transfer, order): target - position, in whole cases, MOQ applied."""
        inp, two = state.inp, state.two
        units, days = in_stock_velocity_parts(state)
        safe = np.maximum(days, 1)

        def short(cover: np.ndarray, position: np.ndarray) -> np.ndarray:
            # velocity x cover - position, in integers: ceil((units * cover - pos * days) / days)
            num = units * cover - position * days
            return np.where((days > 0) & (num > 0), _ceil_div(num, safe), 0)

        extra = self.review_days + self.extra_days
        move = whole_cases(short(inp.lead + extra, state.on_hand + state.in_transit),
                           inp.case_pack, inp.moq)
        move = cap_to_warehouse(move, state.warehouse, inp.case_pack, inp.moq)
        order = whole_cases(short(two.supplier_lead + inp.lead + extra, echelon(state)),
                            two.supplier_case_pack, two.supplier_moq)
        return move, order


class TwoStageForesight:
    """Reads the true demand. Transfer: the single-stage foresight rule with cover `b_transfer`
    (lead = transfer lead), capped by the warehouse. Supplier order: the echelon position run
    forward with the true demand to the first day an order placed today can be at FBA
    (d + supplier lead + transfer lead), then the true demand of the review period plus
    `b_order` days from there, less what is left."""

    name = "foresight"

    def __init__(self, review_days: int, b_transfer: int, b_order: int) -> None:
        self.review_days = review_days
        self.fba = Foresight(review_days, b_transfer)
        self.b_order = b_order

    def decide(self, state: TwoStageState) -> tuple[np.ndarray, np.ndarray]:
        """(transfer, order) for the covers this instance was built with."""
        inp, two, t = state.inp, state.two, state.t
        move = cap_to_warehouse(self.fba.decide(state), state.warehouse, inp.case_pack,
                                inp.moq)
        n = len(inp.skus)
        lead = two.supplier_lead + inp.lead
        pad = int(lead.max()) + self.review_days + self.b_order + 2
        dem = np.concatenate([inp.demand, np.zeros((n, pad), dtype=np.int64)], axis=1)
        cum = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(dem, axis=1)], axis=1)
        rows = np.arange(n)
        # demand of days t+1 .. t+lead-1 (what the position must serve before the order is there)
        before = cum[rows, t + lead] - cum[rows, t + 1]
        left = np.maximum(0, echelon(state) - before)
        first = t + lead
        last = first + self.review_days - 1 + self.b_order
        need = cum[rows, last + 1] - cum[rows, first]
        order = whole_cases(need - left, two.supplier_case_pack, two.supplier_moq)
        return move, order
