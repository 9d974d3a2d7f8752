"""`/marketplaces/`: every marketplace of the business, named, each in its own currency.

Totals are per currency and never summed across currencies; a converted total appears only
when the business entered a rate for each currency (the small form here), labelled as
converted at those rates and with the day each was entered.
"""

from __future__ import annotations

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import delete

from app.extensions import db
from app.models import ExchangeRate, SellerAccount, utcnow
from app.money import in_several_currencies, money, of
from app.web.auth.session import current_seller, login_required, seller_accounts, tenant_id
from app.web.formatting import MISSING
from app.web.forms import CsrfOnlyForm
from app.web.overview import figures

bp = Blueprint("overview", __name__, url_prefix="/marketplaces")
MAX_RATE = 1_000_000.0


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """The marketplaces' headlines, per-currency totals, the SKUs most at risk across them."""
    return _page({}, {}, 200)


def _page(errors: dict[str, str], entered: dict[str, str], status: int) -> ResponseReturnValue:
    current_seller()  # the header's switcher and links
    accounts = seller_accounts()
    if not accounts:
        return redirect(url_for("sellers.index"))
    tid = tenant_id()
    chosen = (request.args.get("marketplace") or "").upper() or None
    codes = [a.marketplace for a in accounts]
    if chosen not in codes:
        chosen = None
    rows = figures.market_rows(db.session, tid, accounts)
    totals = figures.currency_totals(rows)
    rates = figures.rates_of(db.session, tid)
    converted, why_not = figures.convert(totals, rates)
    currencies = [t.currency for t in totals] or sorted({a.currency for a in accounts})
    base = rates[0].base_currency if rates else currencies[0]
    current = {r.currency: r for r in rates if r.base_currency == base}
    write = Amounts(accounts)
    return render_template(
        "overview/index.html",
        rows=rows,
        totals=totals,
        converted=converted,
        why_not=why_not,
        currencies=currencies,
        # Rates convert between the accounts' currencies: with one, there is nothing to enter.
        needs_rates=write.several,
        base=base,
        current=current,
        errors=errors,
        entered=entered,
        chosen=chosen,
        codes=sorted(set(codes)),
        skus=figures.risky_skus(db.session, tid, accounts, chosen),
        button=CsrfOnlyForm(),
        cash=write.cash,
        in_currency=write.in_currency,
    ), status


class Amounts:
    """How this page writes money: each amount as its account's pages write it (app.money), and
    with its currency's distinct symbol when the business has several (CA$1,234 beside
    US$1,234, never two "$" of different currencies on one page; en_CA writes CAD as "$")."""

    def __init__(self, accounts: list[SellerAccount]) -> None:
        self.several = in_several_currencies(accounts)
        self._locale: dict[str, str] = {}
        for account in accounts:  # the oldest account of each currency writes its totals
            self._locale.setdefault(*of(account))

    def in_currency(self, value: float | None, currency: str, digits: int = 0) -> str:
        """An amount in `currency` (one of the accounts')."""
        if value is None:
            return MISSING
        return money(value, currency, self._locale[currency], digits, distinct=self.several)

    def cash(self, value: float | None, account: SellerAccount, digits: int = 0) -> str:
        """An amount in the account's currency, as the account's own pages write it."""
        if value is None:
            return MISSING
        currency, locale = of(account)
        return money(value, currency, locale, digits, distinct=self.several)


@bp.post("/rates")
@login_required
def rates() -> ResponseReturnValue:
    """Store the business's rates into one base currency (blank: no rate); all or nothing."""
    if not CsrfOnlyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("overview.index"))
    currencies = sorted({a.currency for a in seller_accounts()})
    base = (request.form.get("base") or "").upper()
    errors: dict[str, str] = {}
    entered = {c: (request.form.get(f"rate_{c}") or "").strip() for c in currencies}
    if base not in currencies:
        errors["base"] = "Choose one of your marketplaces' currencies."
    parsed: dict[str, float] = {}
    for currency, text in entered.items():
        if currency == base or not text:
            continue
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not 0 < value <= MAX_RATE:
            errors[currency] = f"Enter how many {base} one {currency} buys: a positive number."
            continue
        parsed[currency] = value
    if errors:
        return _page(errors, entered, 422)
    tid = tenant_id()
    db.session.execute(delete(ExchangeRate).where(ExchangeRate.tenant_id == tid))
    now = utcnow()
    for currency, value in parsed.items():
        db.session.add(
            ExchangeRate(
                tenant_id=tid, base_currency=base, currency=currency, rate=value, entered_at=now
            )
        )
    db.session.commit()
    flash("Exchange rates saved." if parsed else "Exchange rates cleared.", "success")
    return redirect(url_for("overview.index"))
