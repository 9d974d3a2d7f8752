"""One risk vocabulary: the planner writes only its words, and the dashboard groups each of them."""

from __future__ import annotations

from types import SimpleNamespace

from app.models import risk
from app.planning.recommend import risk_label
from app.web.dashboard.table import OVERSTOCK_RISKS, RISK_FILTERS, STOCKOUT_RISKS


def _rec(prob: float, cover: float, aged: float = 0.0) -> SimpleNamespace:
    return SimpleNamespace(
        stockout_prob_before_arrival=prob,
        days_of_cover_without=cover,
        expected_cost_without={"aged": aged, "storage": 1.0},
    )


def test_the_planner_writes_only_words_the_dashboard_groups() -> None:
    written = {
        risk_label(_rec(0.5, 10), None),
        risk_label(_rec(0.0, 400), None),
        risk_label(_rec(0.0, 30), None),
    }
    assert written == set(risk.RISKS) == {risk.STOCKOUT, risk.OVERSTOCK, risk.OK}
    assert set(STOCKOUT_RISKS) | set(OVERSTOCK_RISKS) | set(risk.words_in(risk.OK)) == written
    assert ("all", *risk.GROUPS) == RISK_FILTERS
    assert all(risk.GROUP_OF[word] in risk.GROUPS for word in risk.RISKS)
