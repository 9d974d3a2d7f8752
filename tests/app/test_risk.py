"""One status vocabulary: the planner writes only PlanStatus words, and every one has a group."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Recommendation, risk
from forecasting.status import PlanStatus


def test_every_status_the_planner_can_write_is_in_exactly_one_group() -> None:
    groups = risk.status_groups()
    assert tuple(groups) == risk.GROUPS
    shown = [word for words in groups.values() for word in words]
    assert sorted(shown) == sorted(s.value for s in PlanStatus) == sorted(risk.STATUSES)
    assert len(shown) == len(set(shown))
    assert all(risk.group_of(word) == g for g, words in groups.items() for word in words)
    assert risk.group_of(None) is None and risk.words_in("nonsense") == ()
    assert risk.words_in(risk.STOCKOUT) == ("out_of_stock", "stockout_before_arrival")


def test_status_rank_sorts_by_urgency(db_session, factory) -> None:
    seller = factory.seller(factory.tenant())
    for i, word in enumerate(reversed(risk.STATUSES)):
        db_session.add(
            Recommendation(
                tenant_id=seller.tenant_id, seller_account_id=seller.id, sku=f"S{i}", status=word
            )
        )
    db_session.flush()
    ordered = db_session.scalars(
        select(Recommendation.status)
        .where(Recommendation.seller_account_id == seller.id)
        .order_by(risk.status_rank(Recommendation.status))
    ).all()
    assert tuple(ordered) == risk.STATUSES
