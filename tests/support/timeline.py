"""A real timeline from the planning library, as the planner would store it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from forecasting.policy import Inbound, SkuPlanInput, recommend_batch


def planned_timeline(
    sku: str, today: dt.date, on_hand: int, inbound: int, rate: float, case_pack: int, moq: int
) -> Any:
    """A real timeline from the library, for the API to serve as the planner would store it."""
    paths = np.random.default_rng(0).poisson(rate, size=(100, 90)).astype(float)
    item = SkuPlanInput(
        sku=sku,
        demand_paths=paths,
        on_hand=on_hand,
        lead_time_days=20,
        unit_cost=3.5,
        sale_price=19.99,
        fulfillment_fee=3.0,
        cubic_feet=0.1,
        size_tier="large_standard",
        case_pack=case_pack,
        moq=moq,
        inbound=[
            Inbound(
                inbound, today + dt.timedelta(days=3), "SHIPPED", "FBA1", arrival_source="amazon"
            )
        ],
    )
    return recommend_batch([item], today)[0].timeline
