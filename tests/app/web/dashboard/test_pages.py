"""Dashboard: headline numbers, the SKU table's sorting, filtering and paging, and scoping."""

from __future__ import annotations

import re

from sqlalchemy import event


def skus_on(page: str) -> list[str]:
    return re.findall(r'class="sku">([^<]+)</a>', page)


def test_dashboard_shows_cards_and_table(web, seeded) -> None:
    page = web.get("/").get_data(as_text=True)
    stockout = sum(
        1
        for i in range(12)
        if ("stockout", "ok", "ok", "overstock", "ok", "stockout")[i % 6] == "stockout"
    )
    assert re.search(rf'data-kpi="stockout">{stockout}<', page)
    assert re.search(r'data-kpi="overstock">2<', page)
    assert 'data-kpi="risk30">$' in page and 'data-kpi="value">$' in page
    assert len(skus_on(page)) == 12
    # Stockout-risk SKUs sort first by default.
    first = skus_on(page)[0]
    assert first in {"ACM-0000", "ACM-0005", "ACM-0006", "ACM-0011"}


def test_sort_filter_search_and_page(web) -> None:
    asc = skus_on(web.get("/?sort=sku&dir=asc").get_data(as_text=True))
    assert asc == sorted(asc)
    desc = skus_on(web.get("/?sort=sku&dir=desc").get_data(as_text=True))
    assert desc == sorted(asc, reverse=True)
    over = skus_on(web.get("/?risk=overstock").get_data(as_text=True))
    assert over == ["ACM-0003", "ACM-0009"]
    assert skus_on(web.get("/?q=acm-0007").get_data(as_text=True)) == ["ACM-0007"]
    p1 = skus_on(web.get("/?sort=sku&per_page=10&page=1").get_data(as_text=True))
    p2 = skus_on(web.get("/?sort=sku&per_page=10&page=2").get_data(as_text=True))
    assert len(p1) == 10 and len(p2) == 2 and not set(p1) & set(p2)
    # Past the end: the last page, not an error.
    assert skus_on(web.get("/?sort=sku&per_page=10&page=99").get_data(as_text=True)) == p2
    for sort in ("on_hand", "inbound", "cover", "forecast", "qty", "ship_by", "risk", "bogus"):
        for direction in ("asc", "desc"):
            response = web.get(f"/?sort={sort}&dir={direction}")
            assert response.status_code == 200
            assert len(skus_on(response.get_data(as_text=True))) == 12


def test_forecast_sort_orders_by_the_30_day_sum(web) -> None:
    page = web.get("/?sort=forecast&dir=desc").get_data(as_text=True)
    cell = r'\s*<td class="num">([^<]*)</td>'
    rows = re.findall(r'class="sku">([^<]+)</a>.*?</td>' + cell * 4, page, re.S)
    rows = [(m[0], m[4]) for m in rows]
    values = [float(v.replace(",", "")) for _, v in rows]
    assert len(values) == 12 and values == sorted(values, reverse=True)


def test_dashboard_query_count_does_not_grow_with_rows(app, web, seeded) -> None:
    from app.extensions import db

    statements: list[str] = []

    def count(*args, **kwargs):  # noqa: ANN002, ANN003
        statements.append(args[2])

    engine = db.engine
    web.get("/")  # headline numbers are cached after the first view
    event.listen(engine, "before_cursor_execute", count)
    try:
        web.get("/?per_page=10")
        ten = len(statements)
        statements.clear()
        web.get("/?per_page=50")
        fifty = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert ten == fifty and fifty <= 12


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
