"""All of a tenant's marketplaces side by side: each in its own money, totals per currency.

Money in different currencies is never added: the totals are one per currency. A converted
total exists only when the tenant entered a rate for every currency shown, into one base
currency (app.models.ExchangeRate); it is returned with the rates used and the day each was
entered, for the page to show beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import localtime, summaries
from app.models import ExchangeRate, SellerAccount, SkuSummary
from app.web.dashboard.table import Scope, headline, status_badge

# The money figures of a marketplace's headline that are totalled per currency.
MONEY_KEYS = ("risk30", "risk90", "value")
COUNT_KEYS = ("skus", "stockout", "ship", "excess", "reorder", "missing_cost")


@dataclass
class MarketRow:
    """One seller account (marketplace): its headline, in its currency."""

    account: SellerAccount
    as_of: dt.date | None
    figures: dict[str, Any]

    @property
    def currency(self) -> str:
        """The currency every amount of this row is in."""
        return self.account.currency


@dataclass
class CurrencyTotal:
    """The marketplaces of one currency added up (only amounts of that currency)."""

    currency: str
    account: SellerAccount  # one of them, whose locale writes the amounts
    marketplaces: list[str] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)


@dataclass
class Converted:
    """Every currency's total in the base currency, at the tenant's entered rates."""

    base: str
    figures: dict[str, float | None]
    rates: list[ExchangeRate]


def market_rows(session: Session, tenant_id: int, accounts: list[SellerAccount]) -> list[MarketRow]:
    """Each account's headline from its summaries (rebuilt first when stale)."""
    rows = []
    for account in accounts:
        state = summaries.ensure(session, tenant_id, account.id)
        if state is None:
            rows.append(MarketRow(account, None, {}))
            continue
        scope = Scope.of_state(state, account.review_days)
        figures = headline(session, state, scope)
        figures["skus"] = state.sku_count
        rows.append(MarketRow(account, state.as_of, figures))
    return rows


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def currency_totals(rows: list[MarketRow]) -> list[CurrencyTotal]:
    """One total per currency, in the order the currencies first appear."""
    out: dict[str, CurrencyTotal] = {}
    for row in rows:
        if not row.figures:
            continue
        total = out.setdefault(row.currency, CurrencyTotal(row.currency, row.account))
        total.marketplaces.append(row.account.marketplace)
        for key in (*MONEY_KEYS, *COUNT_KEYS):
            total.figures[key] = _add(total.figures.get(key), row.figures.get(key))
    return list(out.values())


def rates_of(session: Session, tenant_id: int) -> list[ExchangeRate]:
    """The tenant's entered rates."""
    return list(
        session.scalars(
            select(ExchangeRate)
            .where(ExchangeRate.tenant_id == tenant_id)
            .order_by(ExchangeRate.base_currency, ExchangeRate.currency)
        )
    )


def convert(totals: list[CurrencyTotal], rates: list[ExchangeRate]) -> tuple[Converted | None, str]:
    """The converted total, or None with the reason (no base, a currency without a rate)."""
    if len(totals) < 2:
        return None, "one currency: nothing to convert"
    bases = {r.base_currency for r in rates}
    if not bases:
        return None, "no exchange rates entered"
    if len(bases) > 1:
        return None, "rates into several base currencies"
    base = next(iter(bases))
    by_currency = {r.currency: r for r in rates if r.base_currency == base}
    missing = [t.currency for t in totals if t.currency != base and t.currency not in by_currency]
    if missing:
        return None, f"no rate entered for {', '.join(missing)} into {base}"
    figures: dict[str, float | None] = {}
    for key in MONEY_KEYS:
        parts = [
            (t.figures.get(key), 1.0 if t.currency == base else by_currency[t.currency].rate)
            for t in totals
        ]
        known = [float(v) * float(rate) for v, rate in parts if v is not None]
        figures[key] = sum(known) if known else None
    used = [by_currency[t.currency] for t in totals if t.currency != base]
    return Converted(base, figures, used), ""


def risky_skus(
    session: Session,
    tenant_id: int,
    accounts: list[SellerAccount],
    marketplace: str | None = None,
    limit: int = 25,
) -> list[dict[str, Any]]:
    """The SKUs most at risk across the marketplaces (or one), each naming its marketplace;
    their money is in their account's currency (the row carries the account)."""
    by_id = {a.id: a for a in accounts if marketplace in (None, a.marketplace)}
    if not by_id:
        return []
    s = SkuSummary
    rows = session.execute(
        select(
            s.seller_account_id, s.sku, s.title, s.price, s.fulfillable, s.inbound, s.rec_qty,
            s.ship_by, s.runs_out_on, s.status, s.fc30, s.snapshot_date,
        )
        .where(s.tenant_id == tenant_id, s.seller_account_id.in_(list(by_id)))
        .order_by(s.status_rank.asc().nulls_last(), s.runs_out_on.asc().nulls_last(), s.sku)
        .limit(limit)
    ).mappings()  # fmt: skip
    out = []
    for row in rows:
        item = dict(row)
        item["account"] = by_id[row["seller_account_id"]]
        item["badge"] = status_badge(row["status"])
        # As the dashboard says it (app.web.dashboard.rows): an out-of-stock SKU runs out "now",
        # and when a shipment lands first, again on its later day, after the inventory's day.
        today = row["snapshot_date"] or localtime.today(item["account"].time_zone)
        item["out_now"] = row["status"] == "out_of_stock"
        item["again_on"] = (
            row["runs_out_on"]
            if item["out_now"] and row["runs_out_on"] and row["runs_out_on"] > today
            else None
        )
        out.append(item)
    return out
