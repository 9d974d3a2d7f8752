"""The AWD stream against the simulator over real HTTP: the AWD location, its stock and its
inbound shipments are exactly what the truth files say (each unit once: available stock on hand,
shipped units not received on order), a second run changes nothing, a shipment that closes
moves from on order to on hand without being counted twice, and a seller without AWD gets no
AWD location and no error."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import requests
from sqlalchemy import func, select

from tests.support.sync import sim_seller

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=7, skus=40, history_days=200, today=TODAY, rate_scale=1000
    ) as running:
        yield running


def fast(app: Any) -> None:
    app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02, SPAPI_TIMEOUT=10)


def truth(sim: Any, name: str) -> pd.DataFrame:
    text = requests.get(f"{sim.base_url}/_sim/truth/{name}", timeout=30).text
    return pd.read_csv(io.StringIO(text), keep_default_na=False)


def digest(session: Any, seller_id: int) -> str:
    from app.models import Location, LocationInbound, LocationStock

    parts = []
    for model in (Location, LocationStock, LocationInbound):
        cols = [c for c in model.__table__.c if c.name not in ("id", "updated_at", "created_at")]
        rows = session.execute(select(*cols).where(model.seller_account_id == seller_id)).all()
        parts.append("\n".join(sorted(repr(tuple(r)) for r in rows)))
    return hashlib.sha256("\n--\n".join(parts).encode()).hexdigest()


def synced(session: Any, seller_id: int) -> tuple[dict[str, int], dict[str, int], list[Any]]:
    """(stock per SKU, open inbound units per SKU, every inbound row) at the AWD location."""
    from app.models import Location, LocationInbound, LocationStock

    (loc,) = session.scalars(
        select(Location).where(Location.seller_account_id == seller_id, Location.kind == "awd")
    ).all()
    stock = {
        r.sku: r.quantity
        for r in session.scalars(select(LocationStock).where(LocationStock.location_id == loc.id))
    }
    rows = list(
        session.scalars(select(LocationInbound).where(LocationInbound.location_id == loc.id))
    )
    on_order: dict[str, int] = {}
    for r in rows:
        if r.received_on is None and r.quantity > 0:
            on_order[r.sku] = on_order.get(r.sku, 0) + r.quantity
    return stock, on_order, rows


def expected(sim: Any) -> tuple[dict[str, int], dict[str, int]]:
    """The truth: available units per AWD SKU, and shipped-not-received units per SKU."""
    inv = truth(sim, "awd_inventory.csv")
    ships = truth(sim, "awd_shipments.csv")
    stock = dict(zip(inv.sku, inv.available.astype(int), strict=True))
    open_ = ships[ships.outstanding.astype(int) > 0]
    return stock, open_.groupby("sku").outstanding.sum().astype(int).to_dict()


@pytest.mark.slow
def test_awd_sync_is_exact_idempotent_and_counts_each_unit_once(live_app, sim):
    from app.extensions import db
    from app.models import LocationStock
    from app.supply import upstream_for_seller
    from app.sync.awd import LOCATION_NAME
    from app.tasks import run_sync

    fast(live_app)
    account = sim_seller(db.session, sim)
    result = run_sync(account.id, "awd")
    assert result["status"] == "succeeded", result
    stock, on_order, rows = synced(db.session, account.id)
    want_stock, want_open = expected(sim)
    assert stock == want_stock and sum(stock.values()) > 0
    assert on_order == want_open and sum(on_order.values()) > 0
    ships = truth(sim, "awd_shipments.csv").set_index("shipment_id")
    # Rows only from SHIPPED on: a CREATED shipment has not left the seller.
    assert {r.reference for r in rows} == set(
        ships.index[ships.status.isin(["SHIPPED", "IN_TRANSIT", "DELIVERED", "RECEIVING"])]
    )
    assert "CREATED" in set(ships.status)
    for r in rows:
        assert r.status == ships.at[r.reference, "status"] and r.source == "awd"
        assert r.expected_on is not None and r.expected_on >= dt.date(2026, 11, 21)
    # Reserved units are not on hand (they are on their way to FBA).
    inv = truth(sim, "awd_inventory.csv")
    assert (inv.reserved > 0).any() or (inv.replenishment > 0).any()
    assert sum(stock.values()) == int(inv.onhand.sum() - inv.reserved.sum())
    # The planner's upstream reads the same units once each.
    account = db.session.merge(account)
    up = upstream_for_seller(db.session, account)
    assert {s: u.on_hand for s, u in up.items() if u.on_hand} == {
        s: n for s, n in want_stock.items() if n
    }
    ordered = {s: sum(o.quantity for o in u.on_order) for s, u in up.items() if u.on_order}
    assert ordered == want_open
    # AWD gives no arrival date: ours is an estimate, and says so.
    assert all(o.kind == "awd" and o.estimated for u in up.values() for o in u.on_order)
    names = {r.location.name for r in db.session.scalars(select(LocationStock))}
    assert names == {LOCATION_NAME}

    before = digest(db.session, account.id)
    again = run_sync(account.id, "awd")
    assert again["status"] == "succeeded"
    db.session.expire_all()
    assert digest(db.session, account.id) == before


@pytest.mark.slow
def test_a_closing_shipment_moves_from_on_order_to_on_hand_once(live_app, sim):
    from app.extensions import db
    from app.tasks import run_sync

    fast(live_app)
    account = sim_seller(db.session, sim)
    assert run_sync(account.id, "awd")["status"] == "succeeded"
    _, _, rows = synced(db.session, account.id)
    first_open = {r.reference for r in rows if r.quantity > 0}
    closed: set[str] = set()
    for _ in range(30):
        sim.advance(days=1)
        assert run_sync(account.id, "awd")["status"] == "succeeded"
        db.session.expire_all()
        stock, on_order, rows = synced(db.session, account.id)
        want_stock, want_open = expected(sim)
        # Each day: exactly the truth, so no unit is both on hand and on order.
        assert stock == want_stock
        assert on_order == want_open
        ships = truth(sim, "awd_shipments.csv").set_index("shipment_id")
        closed = {s for s in first_open if ships.at[s, "status"] == "CLOSED"}
        if closed:
            break
    assert closed, "no shipment open at the start closed within 30 days"
    for r in rows:
        if r.reference in closed:
            assert (r.status, r.quantity) == ("CLOSED", 0)
            assert r.received_on == dt.date.fromisoformat(ships.at[r.reference, "closed_date"])


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["turned off", "outside the US"])
def test_a_seller_without_awd_gets_no_location_and_no_error(live_app, kind):
    from app.extensions import db
    from app.models import Location, LocationInbound, LocationStock, SyncRun
    from app.sync.state import cursor_of, load_state
    from app.tasks import run_sync
    from simulator.testing import running_simulator

    fast(live_app)
    options = {"awd": False} if kind == "turned off" else {"marketplace": "UK"}
    with running_simulator(seed=7, skus=6, history_days=60, today=TODAY, rate_scale=1000,
                           **options) as off:  # fmt: skip
        account = sim_seller(db.session, off)
        result = run_sync(account.id, "awd")
        assert result["status"] == "succeeded", result
        assert run_sync(account.id, "awd")["status"] == "succeeded"
    for model in (Location, LocationStock, LocationInbound):
        count = select(func.count()).select_from(model)
        assert db.session.scalar(count.where(model.seller_account_id == account.id)) == 0
    runs = db.session.scalars(select(SyncRun).where(SyncRun.stream == "awd")).all()
    assert [r.status for r in runs] == ["succeeded", "succeeded"] and not any(r.error for r in runs)
    account = db.session.merge(account)
    assert cursor_of(load_state(db.session, account, "awd"))["enrolled"] is False


@pytest.mark.slow
def test_an_awd_location_the_seller_made_is_adopted_not_doubled(live_app, sim):
    from app.extensions import db
    from app.models import Location
    from app.tasks import run_sync

    fast(live_app)
    account = sim_seller(db.session, sim)
    own = Location(tenant_id=account.tenant_id, seller_account_id=account.id, kind="awd",
                   name="Our AWD", holding_cost_per_cuft_month=0.5)  # fmt: skip
    db.session.add(own)
    db.session.commit()
    assert run_sync(account.id, "awd")["status"] == "succeeded"
    (loc,) = db.session.scalars(
        select(Location).where(Location.seller_account_id == account.id, Location.kind == "awd")
    ).all()
    assert (loc.id, loc.name, loc.holding_cost_per_cuft_month) == (own.id, "Our AWD", 0.5)
    stock, on_order, _ = synced(db.session, account.id)
    assert (stock, on_order) == expected(sim)


def test_expected_dates_are_estimates_from_the_status_never_in_the_past():
    from app.sync.awd import TRANSIT_DAYS, expected_on
    from integrations.amazon.results import AwdShipment

    zone = "America/Los_Angeles"
    today = dt.date(2026, 12, 1)

    def ship(status: str, updated: dt.date, ship_by: dt.date | None) -> AwdShipment:
        at = dt.datetime.combine(updated, dt.time(20), dt.UTC)
        by = dt.datetime.combine(ship_by, dt.time(20), dt.UTC) if ship_by else None
        return AwdShipment("S", "O", status, at, at, by, None, 0, ())

    in_transit = ship("IN_TRANSIT", dt.date(2026, 11, 28), dt.date(2026, 11, 26))
    assert expected_on(in_transit, today, zone) == dt.date(2026, 11, 26) + dt.timedelta(
        days=TRANSIT_DAYS
    )
    assert expected_on(ship("DELIVERED", dt.date(2026, 11, 30), None), today, zone) == dt.date(
        2026, 12, 2
    )
    assert expected_on(ship("RECEIVING", dt.date(2026, 11, 30), None), today, zone) == today
    # Long overdue: due today, not on a day already gone.
    late = ship("SHIPPED", dt.date(2026, 10, 1), dt.date(2026, 10, 1))
    assert expected_on(late, today, zone) == today


@pytest.mark.slow
def test_an_app_without_the_awd_role_syncs_on_and_says_so(live_app, caplog):
    """403 from the AWD API with a token the other APIs accept: the AWD run succeeds with a
    message naming the missing role, the cursor says not authorized, and no other stream or
    alert takes it for refused credentials."""
    from app.extensions import db
    from app.models import Location, SyncRun
    from app.sync.awd import NO_ROLE
    from app.sync.state import cursor_of, load_state
    from app.tasks import run_sync
    from simulator.testing import running_simulator

    fast(live_app)
    caplog.set_level("INFO", logger="app.sync.context")
    with running_simulator(seed=7, skus=6, history_days=60, today=TODAY, rate_scale=1000,
                           awd_role=False) as sim:  # fmt: skip
        account = sim_seller(db.session, sim)
        result = run_sync(account.id, "awd")
        assert result["status"] == "succeeded", result
        assert run_sync(account.id, "inventory")["status"] == "succeeded"
    runs = db.session.scalars(select(SyncRun).where(SyncRun.seller_account_id == account.id))
    assert {(r.stream, r.status, r.error) for r in runs} == {
        ("awd", "succeeded", None), ("inventory", "succeeded", None)}  # fmt: skip
    account = db.session.merge(account)
    cur = cursor_of(load_state(db.session, account, "awd"))
    assert cur["authorized"] is False
    count = select(func.count()).select_from(Location)
    assert db.session.scalar(count.where(Location.seller_account_id == account.id)) == 0
    assert any(NO_ROLE in r.getMessage() for r in caplog.records)


def test_a_403_from_the_api_is_told_apart_from_a_refused_token():
    import httpx

    from integrations.amazon.errors import AuthError
    from integrations.amazon.transport import raise_for_status

    with pytest.raises(AuthError) as refused:
        raise_for_status(httpx.Response(403), "listInventory")
    assert refused.value.status == 403
    assert AuthError("token endpoint refused the credentials (401)").status is None
