"""Local days of a marketplace (app.localtime): Python and both databases agree, DST included."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import literal, select

from app import localtime
from app.models import Order

UTC = dt.UTC


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/Los_Angeles", dt.date(2026, 3, 8), 23),
        ("America/Los_Angeles", dt.date(2026, 11, 1), 25),
        ("America/Los_Angeles", dt.date(2026, 6, 1), 24),
        ("Europe/London", dt.date(2026, 3, 29), 23),
        ("Europe/Berlin", dt.date(2026, 10, 25), 25),
        ("Asia/Tokyo", dt.date(2026, 3, 8), 24),  # no summer time
    ],
)
def test_day_bounds_and_length(zone, day, hours) -> None:
    start, end = localtime.day_bounds(day, day, zone)
    assert (end - start) == dt.timedelta(hours=hours) == dt.timedelta(
        hours=localtime.day_hours(day, zone))
    assert localtime.local_date(start, zone) == day
    assert localtime.local_date(end - dt.timedelta(microseconds=1), zone) == day
    assert localtime.local_date(end, zone) == day + dt.timedelta(days=1)


def test_local_date_of_instants() -> None:
    london_late = dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 23:30 BST
    assert localtime.local_date(london_late, "Europe/London") == dt.date(2026, 3, 31)
    assert localtime.local_date(london_late, "Asia/Tokyo") == dt.date(2026, 4, 1)
    assert localtime.local_date(london_late, "America/Los_Angeles") == dt.date(2026, 3, 31)
    with pytest.raises(ValueError, match="naive"):
        localtime.local_date(dt.datetime(2026, 3, 31), "Europe/London")
    # SQLite's function reads the stored UTC text
    assert localtime.local_date_text("2026-03-31 23:30:00.000000", "Europe/London") == "2026-04-01"
    assert localtime.local_date_text("2026-03-31 22:59:59", "Europe/London") == "2026-03-31"
    assert localtime.local_date_text(None, "Europe/London") is None


def test_label_names_the_zone() -> None:
    when = dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    assert localtime.label(when, "Europe/London") == "2026-03-31 23:30 BST"
    assert localtime.label(when, "America/Los_Angeles") == "2026-03-31 15:30 PDT"
    assert localtime.label(when, "UTC") == "2026-03-31 22:30 UTC"
    assert localtime.label(None, "UTC") == "—"


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 8, 9, 59, tzinfo=UTC),  # 01:59 PST, a minute before the change
        dt.datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # 03:00 PDT
        dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),  # 01:30 PDT, the first of two 01:30s
        dt.datetime(2026, 11, 1, 9, 30, tzinfo=UTC),  # 01:30 PST
        dt.datetime(2026, 11, 2, 7, 59, tzinfo=UTC),  # 23:59 PST on Nov 1
    ],
)
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/London", "Asia/Kolkata"])
def test_the_database_counts_the_same_local_day(db_session, factory, instant, zone) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    order = Order(tenant_id=tenant.id, seller_account_id=seller.id, amazon_order_id="o",
                  purchase_date=instant, last_update_date=instant, status="Shipped")
    db_session.add(order)
    db_session.flush()
    day = localtime.day_sql(db_session, Order.purchase_date, zone)
    got = db_session.scalar(select(day).where(Order.id == order.id, literal(True)))
    assert localtime.as_date(got) == localtime.local_date(instant, zone)
