"""Which fee card prices a seller's plan: the US card in the US; elsewhere storage from the
seller's own storage-fee report, and the recommendation says which."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Product, StorageFeeCharge
from app.planning.fee_cards import priced_by
from forecasting.fees import FeeSchedule

MARCH, NOVEMBER = dt.date(2026, 3, 10), dt.date(2026, 11, 10)


def _rows(session, seller, rows, currency="GBP") -> None:
    for i, (tier, cuft, month, qty, fee) in enumerate(rows):
        sku = f"S{i}"
        session.add(Product(tenant_id=seller.tenant_id, seller_account_id=seller.id, sku=sku,
                            cubic_feet=cuft, size_tier=tier))
        session.add(StorageFeeCharge(tenant_id=seller.tenant_id, seller_account_id=seller.id,
                                     sku=sku, month=month, average_quantity_on_hand=qty,
                                     estimated_monthly_storage_fee=fee, currency=currency))
    session.flush()


def test_a_us_seller_is_priced_by_the_us_card(db_session, factory) -> None:
    seller = factory.seller(factory.tenant())
    got = priced_by(db_session, seller)
    assert "US fee card" in got.source and not got.storage_from_report
    us = FeeSchedule()
    for day in (MARCH, NOVEMBER):
        assert got.schedule.card_for(day).rates == us.card_for(day).rates
    assert got.schedule.money is not None and got.schedule.money(3) == "$3.00"


def test_a_uk_seller_s_storage_comes_from_its_report(db_session, factory) -> None:
    seller = factory.seller(factory.tenant(), marketplace="UK")
    # standard size: £0.65 per cu ft off-peak, £0.91 in the peak (fee = qty x cu ft x rate)
    _rows(db_session, seller, [
        ("small_standard", 0.1, "2026-02", 40, 40 * 0.1 * 0.65),
        ("large_standard", 0.5, "2026-03", 10, 10 * 0.5 * 0.65),
        ("large_standard", 0.2, "2026-01", 25, 25 * 0.2 * 0.65),
        ("large_standard", 0.2, "2025-11", 25, 25 * 0.2 * 0.91),
        ("large_standard", 0.3, "2025-12", 10, 10 * 0.3 * 0.91),
        ("small_standard", 0.1, "2025-10", 40, 40 * 0.1 * 0.91),
        ("large_bulky", 4.0, "2026-02", 2, 0.0),  # nothing charged: not a rate
        ("small_standard", 0.1, "2026-02", 40, 99.0),  # another currency: left out
    ])  # fmt: skip
    db_session.query(StorageFeeCharge).filter_by(sku="S7").update({"currency": "EUR"})
    got = priced_by(db_session, seller)
    assert got.storage_from_report == {
        "storage.standard.off_peak": pytest.approx(0.65),
        "storage.standard.peak": pytest.approx(0.91),
    }
    card = got.schedule.card_for(MARCH)
    assert card.storage_rate("small_standard", MARCH) == pytest.approx(0.65)
    assert got.schedule.card_for(NOVEMBER).storage_rate("large_standard", NOVEMBER) == (
        pytest.approx(0.91))
    # oversize had no usable rows: the US card's rate stays
    us = FeeSchedule().card_for(MARCH)
    assert card.storage_rate("large_bulky", MARCH) == us.storage_rate("large_bulky", MARCH)
    assert "storage-fee report" in got.source and "£0.65/cu ft" in got.source
    assert "US card" in got.source and "GBP" in got.source
    assert got.schedule.money(0.65) == "£0.65"


def test_without_a_report_the_us_rates_are_used_and_said_to_be(db_session, factory) -> None:
    seller = factory.seller(factory.tenant(), marketplace="DE")
    got = priced_by(db_session, seller)
    assert "no storage-fee report" in got.source and "EUR" in got.source
    assert got.schedule.card_for(MARCH).rates == FeeSchedule().card_for(MARCH).rates


def test_the_seller_s_override_wins_over_the_report(db_session, factory) -> None:
    seller = factory.seller(factory.tenant(), marketplace="UK",
                            fee_overrides={"storage.standard.off_peak": 0.5})
    _rows(db_session, seller, [("small_standard", 0.1, f"2026-0{m}", 40, 40 * 0.1 * 0.65)
                               for m in (1, 2, 3)])
    got = priced_by(db_session, seller)
    assert got.schedule.card_for(MARCH).storage_rate("small_standard", MARCH) == 0.5
    assert "override" in got.source and not got.storage_from_report
