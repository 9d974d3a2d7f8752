"""Fee cards: a date picks its card, overrides replace rates, size tiers from dimensions."""

from __future__ import annotations

import datetime as dt

import pytest

from forecasting.fees import REPLAY_CARD, FeeSchedule, ReplayFees, schedule_for
from forecasting.size_tiers import size_tier, unit_cubic_feet

D = dt.date


def test_storage_rate_changes_on_2024_04_01_and_peaks_in_q4():
    assert schedule_for(D(2024, 3, 31)).storage_rate("small_standard", D(2024, 3, 31)) == 0.87
    assert schedule_for(D(2024, 4, 1)).storage_rate("small_standard", D(2024, 4, 1)) == 0.78
    card = schedule_for(D(2025, 10, 1))
    assert card.storage_rate("large_standard", D(2025, 10, 1)) == 2.40
    assert card.storage_rate("large_bulky", D(2025, 9, 30)) == 0.56
    assert card.storage_rate("large_bulky", D(2025, 12, 31)) == 1.40
    assert card.daily_storage_per_cuft("small_standard", D(2025, 2, 10)) == pytest.approx(0.78 / 28)


def test_aged_cards_before_and_from_2026_01_15():
    old, new = schedule_for(D(2026, 1, 14)), schedule_for(D(2026, 1, 15))
    assert old.aged_per_unit(400, 0.01) == pytest.approx(0.15)      # max(0.069, 0.15)
    assert new.aged_per_unit(400, 0.01) == pytest.approx(0.30)      # 366-455: max(.., 0.30)
    assert new.aged_per_unit(456, 0.01) == pytest.approx(0.35)      # 456+: max(.., 0.35)
    assert new.aged_per_unit(456, 1.0) == pytest.approx(7.90)
    assert old.aged_per_unit(500, 1.0) == pytest.approx(6.90)
    for age, rate in ((180, 0.0), (181, 0.50), (210, 0.50), (211, 1.00), (241, 1.50),
                      (271, 5.45), (301, 5.70), (365, 5.90)):
        assert new.aged_per_unit(age, 2.0) == pytest.approx(2.0 * rate)


def test_low_inventory_fee_starts_2024_04_01_with_exemption_from_2024_05_15():
    assert schedule_for(D(2024, 3, 31)).low_inventory_rate("small_standard", 5) == 0.0
    april = schedule_for(D(2024, 4, 1))
    assert april.low_inventory_rate("small_standard", 5) == 0.89
    assert april.low_inventory_min_weekly_units == 0
    may = schedule_for(D(2024, 5, 15))
    assert may.low_inventory_min_weekly_units == 20
    assert may.low_inventory_rate("large_standard_heavy", 20.9) == 0.87
    assert may.low_inventory_rate("large_standard", 27.9) == 0.36
    assert may.low_inventory_rate("large_standard", 28.0) == 0.0
    assert may.low_inventory_rate("large_bulky", 3) == 0.0


def test_utilization_surcharge_and_placement():
    card = schedule_for(D(2025, 6, 1))
    assert card.utilization_surcharge(21.9) == 0.0
    assert card.utilization_surcharge(22) == 0.44
    assert card.utilization_surcharge(40) == 1.16
    assert card.utilization_surcharge(60) == 1.88
    assert schedule_for(D(2024, 2, 29)).inbound_placement("small_standard") == 0.0
    assert card.inbound_placement("small_standard") == 0.16


def test_overrides_replace_rates_and_reject_unknown_keys():
    sched = FeeSchedule({"storage.standard.peak": 3.10, "inbound_placement.small_standard": 0})
    card = sched.card_for(D(2025, 11, 2))
    assert card.storage_rate("small_standard", D(2025, 11, 2)) == 3.10
    assert card.inbound_placement("small_standard") == 0.0
    assert schedule_for(D(2025, 11, 2)).storage_rate("small_standard", D(2025, 11, 2)) == 2.40
    with pytest.raises(KeyError, match="storage.standard.peek"):
        FeeSchedule({"storage.standard.peek": 1.0})


def test_replay_card_is_the_spec_whatever_the_date():
    fees = ReplayFees()
    for day in (D(2020, 1, 1), D(2026, 6, 1)):
        card = fees.card_for(day)
        assert card is fees.card_for(D(2030, 1, 1))
        assert card.aged_per_unit(500, 0.01) == pytest.approx(0.15)
        assert card.inbound_placement("small_standard") == 0.0
    assert REPLAY_CARD.low_inventory_min_weekly_units == 20


@pytest.mark.parametrize(("dims", "weight", "tier"), [
    ((10, 8, 0.5), 0.5, "small_standard"),
    ((10, 8, 0.8), 0.5, "large_standard"),
    ((18, 14, 8), 2.9, "large_standard"),
    ((18, 14, 8), 3.1, "large_standard_heavy"),
    ((8, 14, 18), 25, "large_bulky"),
    ((59, 33, 33), 50, "large_bulky"),
    ((60, 33, 33), 50, "extra_large"),
])
def test_size_tier(dims, weight, tier):
    assert size_tier(*dims, weight) == tier


def test_unit_cubic_feet():
    assert unit_cubic_feet(12, 12, 12) == pytest.approx(1.0)
    assert unit_cubic_feet(6, 4, 3) == pytest.approx(72 / 1728)


def test_daily_storage_series_and_fifteenths_follow_the_calendar():
    sched = FeeSchedule()
    first = D(2025, 9, 28)
    series = sched.storage_per_cuft(first, 40, "large_standard")
    for k in (0, 2, 3, 33, 39):
        day = first + dt.timedelta(days=k)
        assert series[k] == pytest.approx(
            schedule_for(day).daily_storage_per_cuft("large_standard", day))
    assert series[3] == pytest.approx(2.40 / 31)  # Oct 1
    for start in (D(2025, 1, 15), D(2025, 1, 16), D(2024, 2, 28), D(2025, 12, 31)):
        expect = [k for k in range(400) if (start + dt.timedelta(days=k)).day == 15]
        assert FeeSchedule.fifteenths(start, 400) == expect
