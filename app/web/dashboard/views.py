"""The morning view: what is at risk, what it is worth, and the SKU table."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from app import summaries
from app.extensions import db
from app.models import SellerAccount, SummaryState
from app.web.auth.session import current_seller, login_required, tenant_id
from app.web.dashboard import rows as rows_html
from app.web.dashboard.fragments import Fragment, FragmentCache, state_stamp
from app.web.dashboard.table import (
    RISK_FILTERS,
    SORT_KEYS,
    Scope,
    TableQuery,
    filter_options,
    headline,
    table_rows,
)
from app.web.formatting import distinct_money
from app.web.paging import Page, int_arg

bp = Blueprint("dashboard", __name__)


def fragments() -> FragmentCache:
    """This process's cache of rendered tables (made on first use, sized by the config)."""
    cache = current_app.extensions.get("dashboard_fragments")
    if cache is None:
        mb = float(current_app.config.get("DASHBOARD_CACHE_MB", 0) or 0)
        cache = current_app.extensions.setdefault(
            "dashboard_fragments", FragmentCache(int(mb * 1024 * 1024))
        )
    return cache


def table_query() -> TableQuery:
    """Sort, direction, status and reorder filters and search text from the query string, with
    safe defaults."""
    sort = request.args.get("sort", "risk")
    risk = request.args.get("risk", "all")
    return TableQuery(
        sort=sort if sort in SORT_KEYS else "risk",
        desc=request.args.get("dir") == "desc",
        risk=risk if risk in RISK_FILTERS else "all",
        q=(request.args.get("q") or "").strip()[:64],
        reorder=request.args.get("reorder") == "due",
    )


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Headline cards and one page of the SKU table."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    # The summaries, rebuilt first if their sources moved since they were written.
    state = summaries.ensure(db.session, tenant_id(), seller.id)
    if state is None:
        return redirect(url_for("sellers.index"))
    scope = Scope.of_state(state, seller.review_days)
    tq = table_query()
    size = int_arg("per_page", 50, 10, 200)
    number = int_arg("page", 1, 1, 1_000_000)
    # The SKU links' common start ("/skus/"): one url_for, not one per row.
    href = url_for("skus.show", product_id=1).removesuffix("1")
    key = (
        state.tenant_id,
        state.seller_account_id,
        state_stamp(state),
        (tq.sort, tq.desc, tq.risk, tq.q, tq.reorder),
        number,
        size,
        seller.name,
        seller.marketplace,
        # CA$ / US$ once the business sells in several currencies (app.money)
        distinct_money(seller),
        scope.review_days,
        # day() writes the year when it is not this one
        dt.date.today(),
        scope.reorder_due,
        href,
    )
    cache = fragments()
    fragment = cache.get(key)
    if fragment is None:
        fragment = _fragment(state, scope, tq, number, size, href, seller)
        cache.put(key, fragment)
    return render_template("dashboard.html", seller=seller, content=fragment.body)


def _fragment(
    state: SummaryState,
    scope: Scope,
    tq: TableQuery,
    number: int,
    size: int,
    href: str,
    seller: SellerAccount,
) -> Fragment:
    """Read and render one page of the table and the headline (what the cache keeps)."""
    rows, total = table_rows(db.session, state, tq, (number - 1) * size, size, scope)
    page = Page(number=min(number, max(1, -(-total // size))), size=size, total=total)
    if page.number != number:
        # Past the end (e.g. a filter shrank the table): show the last page instead.
        rows, total = table_rows(db.session, state, tq, page.offset, size, scope)
    args = {
        k: v
        for k, v in {
            "sort": tq.sort,
            "dir": "desc" if tq.desc else "asc",
            "risk": tq.risk,
            "q": tq.q,
            "reorder": "due" if tq.reorder else "",
            "per_page": page.size,
        }.items()
        if v
    }
    content = render_template(
        "_dashboard_content.html",
        seller=seller,
        scope=scope,
        cards=headline(db.session, state, scope),
        rows=rows,
        page=page,
        tq=tq,
        args=args,
        status_options=filter_options(),
        body=rows_html.body_html(rows, href, scope.as_of, scope.reorder_due, seller),
    )
    return Fragment(Markup(content))  # noqa: S704 - a rendered, autoescaped template
