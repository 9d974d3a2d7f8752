"""Dashboard: headline numbers, the SKU table's sorting, filtering and paging, and scoping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from app.models import Recommendation, risk
from forecasting.status import PlanStatus
from tests.support import timelines


def skus_on(page: str) -> list[str]:
    return re.findall(r'class="sku">([^<]+)</a>', page)


@pytest.fixture
def planned(seeded, db_session) -> dict[str, str]:
    """All 12 seeded SKUs with stored timelines, the scenarios in turn: sku -> scenario."""
    names = list(timelines.SCENARIOS)
    products = seeded["products"]
    today = dt.datetime.now(dt.UTC).date()
    out = timelines.plan(
        db_session, products, [names[i % len(names)] for i in range(len(products))], today
    )
    db_session.commit()
    return out


def planned_day(rec: Recommendation) -> dt.date:
    """The day the stored timeline was planned for (its day 0)."""
    return dt.date.fromisoformat(rec.timeline["as_of"])


def _stored(db_session) -> dict[str, Recommendation]:
    rows = db_session.scalars(select(Recommendation).where(Recommendation.is_current.is_(True)))
    return {r.sku: r for r in rows}


def test_dashboard_shows_cards_and_table(web, planned, db_session) -> None:
    page = web.get("/").get_data(as_text=True)
    stored = _stored(db_session)
    for group, words in risk.status_groups().items():
        n = sum(1 for r in stored.values() if r.status in words)
        if group in ("stockout", "ship", "excess"):
            assert re.search(rf'data-kpi="{group}">{n}<', page), group
    assert 'data-kpi="risk30">$' in page and 'data-kpi="value">$' in page
    assert len(skus_on(page)) == 12
    # The most urgent status first: out of stock.
    assert stored[skus_on(page)[0]].status == "out_of_stock"
    # Each row's badge, runs-out and ship-by are the stored fields.
    rows = re.findall(
        r'class="sku">([^<]+)</a>.*?<td data-date="([^"]*)">.*?<td data-date="([^"]*)">'
        r'.*?data-status="([^"]+)"',
        page,
        re.S,
    )
    assert len(rows) == 12
    for sku, runs_out, ship_by, status in rows:
        rec = stored[sku]
        assert status == rec.status
        assert runs_out == (rec.runs_out_on.isoformat() if rec.runs_out_on else "")
        assert ship_by == (rec.ship_by.isoformat() if rec.ship_by else "")
        # An out-of-stock SKU with nothing landing today has run out: "now", not today's date.
        cell = re.search(rf'class="sku">{re.escape(sku)}</a>.*?<td data-date="[^"]*">([^<]*)</td>',
                         page, re.S)
        ran_out = rec.status == "out_of_stock" and (
            rec.runs_out_on is None or rec.runs_out_on <= planned_day(rec)
        )
        assert cell and (cell.group(1) == "now") == ran_out, sku
    # Excess shows its units and dollars a month, from the stored timeline.
    for rec in stored.values():
        if rec.status == "excess":
            ex = rec.timeline["excess"]
            assert f'data-excess="{ex["units"]}">{ex["units"]:,} units · ' in page
            assert f"${ex['monthly_cost']:,.2f}/month" in page


def test_status_filter_offers_exactly_the_planner_words(web, planned, db_session) -> None:
    page = web.get("/").get_data(as_text=True)
    select_box = page[page.index('name="risk"') :]
    select_box = select_box[: select_box.index("</select>")]
    offered = re.findall(r'<option value="([^"]+)"', select_box)
    words = {s.value for s in PlanStatus}
    assert set(offered) == {"all", *risk.GROUPS, *words}
    stored = _stored(db_session)
    for value in offered:
        shown = set(skus_on(web.get(f"/?risk={value}&per_page=200").get_data(as_text=True)))
        if value == "all":
            want = set(stored)
        else:
            keep = risk.words_in(value) or (value,)
            want = {sku for sku, r in stored.items() if r.status in keep}
        assert shown == want, value
    # A word the planner never writes is no filter: the whole table.
    assert len(skus_on(web.get("/?risk=overstock").get_data(as_text=True))) == 12


def test_sort_filter_search_and_page(web) -> None:
    asc = skus_on(web.get("/?sort=sku&dir=asc").get_data(as_text=True))
    assert asc == sorted(asc)
    desc = skus_on(web.get("/?sort=sku&dir=desc").get_data(as_text=True))
    assert desc == sorted(asc, reverse=True)
    assert skus_on(web.get("/?q=acm-0007").get_data(as_text=True)) == ["ACM-0007"]
    p1 = skus_on(web.get("/?sort=sku&per_page=10&page=1").get_data(as_text=True))
    p2 = skus_on(web.get("/?sort=sku&per_page=10&page=2").get_data(as_text=True))
    assert len(p1) == 10 and len(p2) == 2 and not set(p1) & set(p2)
    # Past the end: the last page, not an error.
    assert skus_on(web.get("/?sort=sku&per_page=10&page=99").get_data(as_text=True)) == p2
    for sort in ("on_hand", "inbound", "runs_out", "forecast", "qty", "ship_by", "risk", "bogus"):
        for direction in ("asc", "desc"):
            response = web.get(f"/?sort={sort}&dir={direction}")
            assert response.status_code == 200
            assert len(skus_on(response.get_data(as_text=True))) == 12


def test_forecast_sort_orders_by_the_30_day_sum(web) -> None:
    page = web.get("/?sort=forecast&dir=desc").get_data(as_text=True)
    cell = r'\s*<td class="num">([^<]*)</td>'
    runs_out = r'\s*<td data-date="[^"]*">[^<]*</td>'
    rows = re.findall(r'class="sku">([^<]+)</a>.*?</td>' + cell * 2 + runs_out + cell, page, re.S)
    rows = [(m[0], m[3]) for m in rows]
    values = [float(v.replace(",", "")) for _, v in rows]
    assert len(values) == 12 and values == sorted(values, reverse=True)


def test_dashboard_query_count_does_not_grow_with_rows(app, web, seeded) -> None:
    from app.extensions import db

    statements: list[str] = []

    def count(*args, **kwargs):  # noqa: ANN002, ANN003
        statements.append(args[2])

    engine = db.engine
    web.get("/")  # the summaries are built by the first view
    fragments = app.extensions["dashboard_fragments"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        fragments.clear()  # count a view that reads and renders its rows
        web.get("/?per_page=10")
        ten = len(statements)
        statements.clear()
        fragments.clear()
        web.get("/?per_page=50")
        fifty = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert ten == fifty and fifty <= 12


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", page)


def test_a_repeated_view_is_served_from_its_rendered_table(app, web, planned) -> None:
    """The second view of the same page reads no rows and renders the same HTML; another
    page, sort or filter is its own entry."""
    from app.extensions import db

    statements: list[str] = []

    def count(*args, **kwargs):  # noqa: ANN002, ANN003
        statements.append(args[2])

    first = web.get("/?sort=sku&per_page=10").get_data(as_text=True)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        again = web.get("/?sort=sku&per_page=10").get_data(as_text=True)
        cached = len(statements)
        assert not any("FROM sku_summaries" in s for s in statements)
        statements.clear()
        other = web.get("/?sort=sku&per_page=10&page=2").get_data(as_text=True)
        uncached = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert _without_csrf(again) == _without_csrf(first)
    assert cached < uncached
    assert skus_on(other) != skus_on(first) and len(skus_on(other)) == 2
    # Turned off, the page is the same.
    app.extensions["dashboard_fragments"].max_bytes = 0
    off = web.get("/?sort=sku&per_page=10").get_data(as_text=True)
    assert _without_csrf(off) == _without_csrf(first)


def test_a_write_of_the_summaries_shows_on_the_next_view(web, planned, seeded, db_session) -> None:
    """A product edited after a view was cached: the next view shows the edit (the summaries
    are rebuilt, their stamp moves, and the old rendered table is never read again)."""
    page = web.get("/?sort=sku").get_data(as_text=True)
    product = seeded["products"][0]
    assert product.sku in page and "Renamed for the cache test" not in page
    row = db_session.get(type(product), product.id)
    row.title = "Renamed for the cache test"
    db_session.commit()
    assert "Renamed for the cache test" in web.get("/?sort=sku").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_headline_numbers_match_the_seeded_data(web) -> None:
    import math

    days, value, risk30, risk90 = 90, 0.0, 0.0, 0.0
    for i in range(12):
        level = 2 + (i * 7) % 15
        stock, inbound = 40 + (i * 37) % 300, (24 if i % 5 == 0 else 0)
        value += (stock + inbound) * (4.0 + i % 7)
        fc = [level * (1 + 0.2 * math.sin((days + k) / 9)) for k in range(1, 61)]
        price = 19.99 + i % 5
        risk30 += max(0.0, sum(fc[:30]) - stock - inbound) * price
        risk90 += max(0.0, sum(fc) - stock - inbound) * price  # the seed forecasts 60 days
    page = web.get("/").get_data(as_text=True)

    def shown(name: str) -> float:
        return float(re.search(rf'data-kpi="{name}">\$([\d,]+)<', page).group(1).replace(",", ""))

    assert shown("value") == round(value)
    assert abs(shown("risk30") - risk30) <= 1
    assert abs(shown("risk90") - risk90) <= 1
