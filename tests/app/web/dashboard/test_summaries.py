"""The dashboard's read model: its rows and headline equal the values computed from the sources
(the rules the page applied per request before), it follows every writer, and each sort reads
an index on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from app import queries, summaries
from app.models import (
    Forecast,
    InventorySnapshot,
    Product,
    Recommendation,
    SellerAccount,
    SkuSummary,
    SummaryState,
    risk,
)
from app.web.dashboard.table import SORT_KEYS, Scope, TableQuery, headline, table_rows
from tests.support import timelines


def skus_on(page: str) -> list[str]:
    return re.findall(r'class="sku">([^<]+)</a>', page)


def expected(session: Any, seller: Any) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Rows and headline from the sources, one SKU at a time in Python (the old rules)."""
    t, s = seller.tenant_id, seller.id
    as_of = queries.latest_snapshot_day(session, t, s)
    model = queries.latest_model_id(session, t, s)
    start = (as_of or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    products = session.scalars(
        select(Product).where(
            Product.tenant_id == t, Product.seller_account_id == s, Product.active.is_(True)
        )
    ).all()
    rows: dict[str, dict[str, Any]] = {}
    head = {"stockout": 0, "ship": 0, "excess": 0, "value": 0.0, "missing_cost": 0}
    head.update(risk30=0.0 if model else None, risk90=0.0 if model else None)
    for p in products:
        snap = queries.latest_snapshot(session, t, s, p.sku)
        rec = queries.current_recommendation(session, t, s, p.sku)
        fc: dict[int, float | None] = {30: None, 90: None}
        if model is not None:
            means = session.execute(
                select(Forecast.date, Forecast.mean).where(
                    Forecast.tenant_id == t,
                    Forecast.seller_account_id == s,
                    Forecast.model_version_id == model,
                    Forecast.sku == p.sku,
                )
            ).all()
            for d in (30, 90):
                window = [m for day, m in means if start <= day < start + dt.timedelta(days=d)]
                fc[d] = sum(window) if window else None
        inbound = (
            None
            if snap is None
            else snap.inbound_working + snap.inbound_shipped + snap.inbound_receiving
        )
        excess = ((rec.timeline or {}).get("excess") or {}) if rec is not None else {}
        rows[p.sku] = {
            "id": p.id,
            "title": p.title,
            "fulfillable": None if snap is None else snap.fulfillable,
            "inbound": inbound,
            "snapshot_date": None if snap is None else snap.date,
            "rec_qty": None if rec is None else rec.quantity,
            "ship_by": None if rec is None else rec.ship_by,
            "runs_out_on": None if rec is None else rec.runs_out_on,
            "stockout_probability": None if rec is None else rec.stockout_probability,
            "status": None if rec is None else rec.status,
            "excess_units": excess.get("units"),
            "excess_monthly": excess.get("monthly_cost"),
            "fc30": fc[30],
            "reorder_by": None if rec is None else rec.reorder_by,
            "reorder_quantity": None if rec is None else rec.reorder_quantity,
        }
        group = risk.group_of(rows[p.sku]["status"])
        if group in ("stockout", "ship", "excess"):
            head[group] += 1
        # The headline counts stock on the seller's newest day.
        today = snap is not None and snap.date == as_of
        f = snap.fulfillable if today else 0
        r = snap.reserved if today else 0
        i = (inbound or 0) if today else 0
        head["value"] += (f + r + i) * (p.unit_cost or 0)
        head["missing_cost"] += p.unit_cost is None
        for d in (30, 90):
            if fc[d] is not None and fc[d] - f - i > 0:
                head[f"risk{d}"] += (fc[d] - f - i) * (p.price or 0)
    return rows, head


def assert_matches(session: Any, seller: Any) -> SummaryState:
    """The read model (ensured, as a page reads it) equals the values from the sources."""
    state = summaries.ensure(session, seller.tenant_id, seller.id)
    assert state is not None
    got, total = table_rows(session, state, TableQuery(sort="sku"), 0, 500)
    want, head = expected(session, seller)
    assert total == len(got) == len(want)
    for row in got:
        exp = want[row["sku"]]
        for key, value in exp.items():
            if isinstance(value, float):
                assert row[key] == pytest.approx(value, rel=1e-9), (row["sku"], key)
            else:
                assert row[key] == value, (row["sku"], key)
    shown = headline(session, state, Scope.of_state(state))
    for key, value in head.items():
        if isinstance(value, float):
            assert shown[key] == pytest.approx(value, rel=1e-9, abs=1e-6), key
        else:
            assert shown[key] == value, key
    return state


@pytest.fixture
def planned(seeded, db_session) -> dict[str, Any]:
    """The seeded SKUs with stored timelines of every scenario, and one SKU never synced."""
    names = list(timelines.SCENARIOS)
    products = seeded["products"]
    today = dt.datetime.now(dt.UTC).date()
    timelines.plan(
        db_session, products, [names[i % len(names)] for i in range(len(products))], today
    )
    seller = seeded["seller"]
    db_session.add(
        Product(
            tenant_id=seller.tenant_id, seller_account_id=seller.id, sku="ACM-NEW", title="New"
        )
    )
    db_session.commit()
    return seeded


def test_rows_and_headline_equal_the_sources(planned, db_session) -> None:
    state = assert_matches(db_session, planned["seller"])
    rows = {r.sku: r for r in db_session.scalars(select(SkuSummary))}
    # The SKU never synced nor planned: no stock, no status (ranked last), still listed.
    new = rows["ACM-NEW"]
    assert new.fulfillable is None and new.status is None
    assert new.status_rank == len(risk.STATUSES)
    assert {r.status for r in rows.values()} >= {"out_of_stock", "excess", "healthy"}
    assert state.sku_count == 13


def test_the_page_shows_the_read_model(web, planned, db_session) -> None:
    page = web.get("/?per_page=200").get_data(as_text=True)
    want, head = expected(db_session, planned["seller"])
    assert sorted(skus_on(page)) == sorted(want)
    assert re.search(rf'data-kpi="stockout">{head["stockout"]}<', page)
    assert f'data-kpi="value">${head["value"]:,.0f}<' in page
    for sku, row in want.items():
        cells = re.search(
            rf'class="sku">{re.escape(sku)}</a>.*?<td class="num">([^<]*)</td>'
            r'\s*<td class="num">([^<]*)</td>',
            page,
            re.S,
        )
        assert cells, sku
        on_hand = "" if row["fulfillable"] is None else f"{row['fulfillable']:,}"
        assert cells.group(1).strip() in (on_hand, "—"), sku


def _py_order(rows: dict[str, dict[str, Any]], sort: str, desc: bool) -> list[str]:
    """The order the old queries gave: the key with NULLs last either way, then the SKU; the
    risk sort by status rank, soonest run-out and ship-by, likeliest stockout, SKU."""
    keyed = [{"sku": sku, **row} for sku, row in rows.items()]
    rank = {w: i for i, w in enumerate(risk.STATUSES)}
    for r in keyed:
        r["rank"] = rank.get(r["status"], len(risk.STATUSES))

    def by(items: list[dict[str, Any]], key: str, reverse: bool) -> list[dict[str, Any]]:
        present = sorted([r for r in items if r[key] is not None], key=lambda r: r[key],
                         reverse=reverse)  # fmt: skip
        return present + [r for r in items if r[key] is None]

    keyed.sort(key=lambda r: r["sku"], reverse=sort == "sku" and desc)
    if sort == "sku":
        return [r["sku"] for r in keyed]
    if sort == "risk":
        keyed = by(keyed, "stockout_probability", True)
        keyed = by(keyed, "ship_by", False)
        keyed = by(keyed, "runs_out_on", False)
        return [r["sku"] for r in by(keyed, "rank", desc)]
    column = {"on_hand": "fulfillable", "inbound": "inbound", "runs_out": "runs_out_on",
              "forecast": "fc30", "qty": "rec_qty", "ship_by": "ship_by",
              "reorder_by": "reorder_by"}[sort]  # fmt: skip
    return [r["sku"] for r in by(keyed, column, desc)]


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_orders_as_the_sources_say(planned, db_session, sort) -> None:
    seller = planned["seller"]
    state = summaries.ensure(db_session, seller.tenant_id, seller.id)
    want, _ = expected(db_session, seller)
    for desc in (False, True):
        rows, _ = table_rows(db_session, state, TableQuery(sort=sort, desc=desc), 0, 500)
        assert [r["sku"] for r in rows] == _py_order(want, sort, desc), (sort, desc)
        # Pages are slices of the same order.
        first, _ = table_rows(db_session, state, TableQuery(sort=sort, desc=desc), 0, 5)
        second, _ = table_rows(db_session, state, TableQuery(sort=sort, desc=desc), 5, 5)
        assert [r["sku"] for r in first + second] == [r["sku"] for r in rows[:10]]


def test_filters_count_and_keep_the_same_rows(planned, db_session) -> None:
    seller = planned["seller"]
    state = summaries.ensure(db_session, seller.tenant_id, seller.id)
    want, _ = expected(db_session, seller)
    for value in (*risk.GROUPS, *risk.STATUSES):
        words = risk.words_in(value) or (value,)
        keep = {sku for sku, r in want.items() if r["status"] in words}
        rows, total = table_rows(db_session, state, TableQuery(risk=value), 0, 500)
        assert {r["sku"] for r in rows} == keep and total == len(keep), value
    rows, total = table_rows(db_session, state, TableQuery(q="acm-000"), 0, 500)
    assert total == 10 == len(rows)


def test_a_first_read_builds_and_later_reads_only_check(planned, db_session) -> None:
    seller = planned["seller"]
    # As after the migration: nothing built yet.
    db_session.execute(delete(SkuSummary))
    db_session.execute(delete(SummaryState))
    db_session.commit()
    state = summaries.ensure(db_session, seller.tenant_id, seller.id)
    assert state.complete and state.sku_count == 13
    built = state.refreshed_at
    again = summaries.ensure(db_session, seller.tenant_id, seller.id)
    assert again.refreshed_at == built
    assert summaries.Marks.of_state(again) == summaries.live_marks(
        db_session, seller.tenant_id, seller.id
    )


def test_writers_that_do_not_refresh_are_caught_on_the_next_read(planned, db_session) -> None:
    """Direct writes (an import, a script, a writer without the hook): the marks move, the
    next read rebuilds, and the page agrees with the sources again."""
    seller = planned["seller"]
    t, s = seller.tenant_id, seller.id
    summaries.ensure(db_session, t, s)
    products = {p.sku: p for p in planned["products"]}
    # A unit cost typed elsewhere.
    products["ACM-0003"].unit_cost = 99.5
    db_session.commit()
    assert_matches(db_session, seller)
    # A new snapshot day with other stock.
    day = queries.latest_snapshot_day(db_session, t, s) + dt.timedelta(days=1)
    for i, sku in enumerate(sorted(products)):
        db_session.add(
            InventorySnapshot(
                tenant_id=t, seller_account_id=s, sku=sku, date=day, fulfillable=7 * i
            )
        )
    db_session.commit()
    assert_matches(db_session, seller)
    # A product switched off, another created.
    products["ACM-0005"].active = False
    db_session.add(Product(tenant_id=t, seller_account_id=s, sku="ACM-LATE", title="Late"))
    db_session.commit()
    state = assert_matches(db_session, seller)
    names = set(db_session.scalars(select(SkuSummary.sku).where(SkuSummary.seller_account_id == s)))
    assert "ACM-0005" not in names and "ACM-LATE" in names
    assert state.sku_count == len(names)
    # A recommendation marked current by hand (no newer computed_at, one more current row).
    rec = queries.current_recommendation(db_session, t, s, "ACM-0001")
    db_session.add(
        Recommendation(
            tenant_id=t,
            seller_account_id=s,
            sku="ACM-LATE",
            computed_at=rec.computed_at - dt.timedelta(days=1),
            quantity=5,
            status="ship_now",
        )
    )
    db_session.commit()
    assert_matches(db_session, seller)


def test_a_settings_edit_refreshes_its_row_and_the_headline(web, planned, db_session, token):
    seller = planned["seller"]
    product = planned["products"][2]
    summaries.ensure(db_session, seller.tenant_id, seller.id)
    page = web.get(f"/skus/{product.id}").get_data(as_text=True)
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update(unit_cost="42.25", csrf_token=token(web, f"/skus/{product.id}"))
    response = web.post(f"/skus/{product.id}", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db_session.expire_all()
    state = db_session.scalars(select(SummaryState)).one()
    # Written by the edit itself: the next read finds it current and rebuilds nothing.
    assert summaries.Marks.of_state(state) == summaries.live_marks(
        db_session, seller.tenant_id, seller.id
    )
    row = db_session.get(SkuSummary, product.id)
    assert row.unit_cost == 42.25
    assert assert_matches(db_session, seller).refreshed_at == state.refreshed_at


def test_an_api_edit_switching_a_sku_off_removes_its_row(app, planned, db_session) -> None:
    from app.models import ApiToken, User
    from app.models.tenancy import hash_token

    seller = planned["seller"]
    product = planned["products"][4]
    summaries.ensure(db_session, seller.tenant_id, seller.id)
    user = db_session.scalars(select(User).where(User.email == planned["email"])).one()
    secret = ApiToken.generate()
    db_session.add(
        ApiToken(
            tenant_id=seller.tenant_id, user_id=user.id, name="t", token_hash=hash_token(secret)
        )
    )
    db_session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.patch(
        f"/api/v1/skus/{product.id}", json={"active": False}, headers=headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SkuSummary, product.id) is None
    state = db_session.scalars(select(SummaryState)).one()
    assert state.sku_count == 12
    assert summaries.Marks.of_state(state) == summaries.live_marks(
        db_session, seller.tenant_id, seller.id
    )


def test_an_inventory_sync_refreshes_the_rows_it_changes(app, planned, db_session) -> None:
    """The inventory stream (summaries pass) writes new stock; the rows follow in the same run."""
    from app.sync.runner import run_stream
    from app.sync.state import load_state, set_cursor
    from integrations.amazon.results import InventoryPage, InventorySummary

    seller = db_session.get(SellerAccount, planned["seller"].id)
    summaries.ensure(db_session, seller.tenant_id, seller.id)
    # The server's clock a day ahead: its summaries pass is a new snapshot day. Noon in the
    # seller's (US) zone, so its local day is the UTC day whatever hour the suite runs.
    now = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    last_day = now.date() - dt.timedelta(days=1)
    # The ledger is read through yesterday already: this run is today's summaries pass only.
    state = load_state(db_session, seller, "inventory")
    set_cursor(state, {"ledger_through": last_day.isoformat()})
    db_session.commit()

    class Client:
        total_calls = 0

        def server_cutoff(self) -> dt.datetime:
            return now - dt.timedelta(minutes=2)

        def inventory_pages(self) -> Any:
            yield InventoryPage(
                summaries=[
                    InventorySummary(
                        sku=p.sku, asin=p.asin, fnsku=p.fnsku, product_name=p.title,
                        fulfillable=1000 + i, inbound_working=0, inbound_shipped=5,
                        inbound_receiving=1, reserved=2, unfulfillable=0, researching=0,
                        total=1008 + i,
                    )  # fmt: skip
                    for i, p in enumerate(planned["products"])
                ],
                next_token=None,
            )

    run = run_stream(db_session, seller, "inventory", Client())
    assert run.status == "succeeded"
    db_session.expire_all()
    state = db_session.scalars(select(SummaryState)).one()
    assert state.as_of == now.date()
    assert summaries.Marks.of_state(state) == summaries.live_marks(
        db_session, seller.tenant_id, seller.id
    )
    rows = {r.sku: r for r in db_session.scalars(select(SkuSummary))}
    assert rows["ACM-0003"].fulfillable == 1003 and rows["ACM-0003"].inbound == 6
    assert assert_matches(db_session, seller).refreshed_at == state.refreshed_at


def test_rebuild_command(app, planned, db_session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt the summaries of" in result.output
    result = runner.invoke(args=["summaries", "rebuild", "--seller", planned["seller"].name])
    assert result.exit_code == 0 and "13 SKU summaries rebuilt" in result.output
    result = runner.invoke(args=["summaries", "rebuild", "--seller", "nobody"])
    assert result.exit_code != 0 and "no seller account named" in result.output


def test_summaries_of_another_tenant_are_never_read(planned, db_session) -> None:
    from tests.support import seed as seed_data

    other = seed_data.seed(db_session, "Bolt", n_skus=3, days=10, horizon=10)
    db_session.commit()
    mine = planned["seller"]
    assert summaries.ensure(db_session, other["seller"].tenant_id, mine.id) is None
    state = summaries.ensure(db_session, other["seller"].tenant_id, other["seller"].id)
    rows, total = table_rows(db_session, state, TableQuery(), 0, 500)
    assert total == 3 and all(r["sku"].startswith("BOL-") for r in rows)


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_and_filter_reads_an_index_on_postgresql(planned, db_session, sort) -> None:
    """No Sort node: with sorting priced out, the plan still reads rows in an index's order."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no NULLS LAST indexes; it sorts a seller's rows in memory")
    from sqlalchemy.dialects import postgresql

    from app.web.dashboard import table

    seller = planned["seller"]
    summaries.ensure(db_session, seller.tenant_id, seller.id)
    db_session.execute(text("SET LOCAL enable_sort = off"))
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    for desc in (False, True):
        for flt in ("all", "stockout", "ship_by"):
            s = SkuSummary
            stmt = (
                select(s.product_id)
                .where(s.tenant_id == seller.tenant_id, s.seller_account_id == seller.id)
                .order_by(*table._order(TableQuery(sort=sort, desc=desc)))
                .offset(50)
                .limit(50)
            )
            if flt != "all":
                stmt = stmt.where(table._rank_filter(flt))
            sql = str(stmt.compile(dialect=postgresql.dialect(),
                                   compile_kwargs={"literal_binds": True}))  # fmt: skip
            plan = db_session.execute(text("EXPLAIN (FORMAT JSON) " + sql)).scalar()
            plan = json.dumps(plan)
            assert '"Sort"' not in plan and "Incremental Sort" not in plan, (sort, desc, flt, plan)
