"""A UK seller synced from the simulator (--marketplace UK) end to end: the EU endpoint, GBP
amounts, London days (the history equals the truth on every (sku, local day) across the day the
clocks change), UK report dates (03/04/2026 is 3 April), and £ on the pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from tests.support.sync import assert_history_matches_truth, sim_seller, truth_frames
from tests.support.web import login

TODAY = dt.date(2026, 4, 12)  # the history spans 29 March (23 hours) and 3 April
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def uk_sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=11, skus=20, history_days=60, today=TODAY, rate_scale=1000, marketplace="UK"
    ) as running:
        yield running


def _fast(app: Any) -> None:
    app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02, SPAPI_TIMEOUT=10)


@pytest.mark.slow
def test_uk_seller_syncs_in_pounds_and_london_days(live_app, uk_sim) -> None:
    from app.extensions import db
    from app.models import FeeEstimate, InventorySnapshot, Order, OrderItem, StorageFeeCharge
    from app.models.orders import not_cancelled
    from app.sync.history import sales_history
    from app.tasks import run_sync

    _fast(live_app)
    account = sim_seller(db.session, uk_sim, "uk")
    assert account.marketplace == "UK" and account.endpoint.endswith("/eu")
    assert account.token_url.endswith("/eu/auth/o2/token")
    assert (account.currency, account.time_zone) == ("GBP", "Europe/London")
    for stream in ("orders", "inventory", "reports"):
        result = run_sync(account.id, stream)
        assert result["status"] == "succeeded", (stream, result)

    # Money: every order line and fee row is in pounds.
    currencies = set(db.session.scalars(
        select(OrderItem.currency).where(OrderItem.seller_account_id == account.id)))
    assert currencies == {"GBP"}
    assert set(db.session.scalars(select(FeeEstimate.currency))) <= {"GBP"}
    assert set(db.session.scalars(select(StorageFeeCharge.currency))) == {"GBP"}

    # Days: the exported history equals the truth on every (sku, London day) ...
    history = sales_history(db.session, account.tenant_id, account.id)
    truth = truth_frames(uk_sim)
    assert_history_matches_truth(history, truth)
    assert {dt.date(2026, 3, 29), dt.date(2026, 3, 31)} <= set(history["date"].dt.date)
    # ... and the test can tell London days from UTC days: sales bought after midnight BST are
    # still on the previous UTC day, so UTC bucketing would not match the truth.
    bought = pd.DataFrame(db.session.execute(
        select(OrderItem.sku, Order.purchase_date, OrderItem.quantity_ordered)
        .join(Order, (Order.amazon_order_id == OrderItem.amazon_order_id)
              & (Order.seller_account_id == OrderItem.seller_account_id))
        .where(Order.seller_account_id == account.id, not_cancelled())
    ).all(), columns=["sku", "when", "units"])  # fmt: skip
    when = pd.to_datetime(bought["when"], utc=True)
    london = when.dt.tz_convert(LONDON)
    assert (london.dt.date != when.dt.date).any()  # some bought between 00:00 and 01:00 BST
    by_utc = bought.assign(date=when.dt.strftime("%Y-%m-%d")).groupby(["sku", "date"])["units"]
    by_london = bought.assign(date=london.dt.strftime("%Y-%m-%d")).groupby(["sku", "date"])
    truth_units = truth[truth["units"] > 0].set_index(["sku", "date"])["units"].sort_index()
    assert by_london["units"].sum().sort_index().equals(truth_units)
    assert not by_utc.sum().sort_index().equals(truth_units)

    # No UK fee card: storage is priced from the synced storage-fee report, in pounds (the
    # simulator charges £0.62 per cu ft off-peak for standard size), and said so.
    from app.planning.fee_cards import priced_by

    card = priced_by(db.session, account)
    assert card.storage_from_report["storage.standard.off_peak"] == pytest.approx(0.62, rel=0.02)
    assert "storage-fee report" in card.source and "£0.62/cu ft" in card.source

    # Report dates: the ledger writes 03/04/2026 for 3 April; each day's balance is its own.
    world = uk_sim.marketplace.sellers[0].world
    assert world.market.day(dt.date(2026, 4, 3).toordinal()) == "03/04/2026"
    on_hand = world.daily("on_hand_end")
    skus = list(world.catalog["sku"])
    for day in (dt.date(2026, 4, 3), dt.date(2026, 3, 4)):
        rows = dict(db.session.execute(
            select(InventorySnapshot.sku, InventorySnapshot.fulfillable).where(
                InventorySnapshot.seller_account_id == account.id,
                InventorySnapshot.date == day, InventorySnapshot.source == "ledger")
        ).all())  # fmt: skip
        want = {
            sku: int(on_hand[world.day_index(day), i])
            for i, sku in enumerate(skus)
            if world.traits["launch"][i] <= day.toordinal()
        }
        assert rows == want, day
    assert not np.array_equal(on_hand[world.day_index(dt.date(2026, 4, 3))],
                              on_hand[world.day_index(dt.date(2026, 3, 4))])


@pytest.mark.slow
def test_uk_pages_show_pounds(live_app, uk_sim) -> None:
    from app.extensions import db
    from app.models import FeeEstimate, Membership, Product, User
    from app.tasks import run_sync

    _fast(live_app)
    account = sim_seller(db.session, uk_sim, "uk-pages")
    for stream in ("orders", "reports", "fees"):
        assert run_sync(account.id, stream)["status"] == "succeeded", stream
    user = User(email="owner@uk.example")
    user.set_password("correct horse 9")
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(tenant_id=account.tenant_id, user_id=user.id, role="owner"))
    db.session.commit()
    client = live_app.test_client()
    assert login(client, "owner@uk.example", "correct horse 9").status_code == 302
    estimate = db.session.scalars(
        select(FeeEstimate).where(FeeEstimate.seller_account_id == account.id,
                                  FeeEstimate.price.is_not(None))
    ).first()
    assert estimate is not None and estimate.currency == "GBP"
    product = db.session.scalars(
        select(Product).where(Product.seller_account_id == account.id,
                              Product.sku == estimate.sku)
    ).one()
    page = client.get(f"/skus/{product.id}").get_data(as_text=True)
    assert f"£{estimate.price:,.2f}" in page and f"£{estimate.total_fees:,.2f}" in page
    assert not re.search(r"\$\d|-\$", page)  # no dollar amount anywhere
    seller_page = client.get(f"/sellers/{account.id}").get_data(as_text=True)
    assert "Money in GBP" in seller_page and "Europe/London" in seller_page
    assert re.search(r"\d\d:\d\d (BST|GMT)", seller_page)  # sync times in London time, named


def test_a_uk_seller_on_the_north_american_endpoint_is_refused(live_app, uk_sim) -> None:
    """The simulator serves each region on its own path, as Amazon its regional hosts: a UK
    account pointed at the NA endpoint and token URL is refused, and the sync says so."""
    from app.extensions import db
    from app.models import SellerAccount, SyncRun, Tenant
    from app.tasks import run_sync
    from integrations.amazon.errors import AuthError

    _fast(live_app)
    tenant = Tenant(name="tenant-wrong-region")
    db.session.add(tenant)
    db.session.flush()
    fields = {**uk_sim.account_fields(), "endpoint": uk_sim.base_url,
              "token_url": uk_sim.base_url + "/auth/o2/token"}
    account = SellerAccount(tenant_id=tenant.id, name="uk-on-na", **fields)
    db.session.add(account)
    db.session.commit()
    with pytest.raises(AuthError, match="401"):
        run_sync(account.id, "orders")
    run = db.session.scalars(select(SyncRun).where(SyncRun.seller_account_id == account.id)).one()
    assert run.status == "failed" and "401" in (run.error or "")
    # The same account on its region's endpoint syncs.
    account.endpoint, account.token_url = uk_sim.endpoint, uk_sim.token_url
    db.session.commit()
    assert run_sync(account.id, "orders")["status"] == "succeeded"
