"""The morning view: what is at risk, what it is worth, and the SKU table."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import summaries
from app.extensions import db
from app.web.auth.session import current_seller, login_required, tenant_id
from app.web.dashboard import rows as rows_html
from app.web.dashboard.table import (
    RISK_FILTERS,
    SORT_KEYS,
    Scope,
    TableQuery,
    filter_options,
    headline,
    table_rows,
)
from app.web.paging import Page, int_arg

bp = Blueprint("dashboard", __name__)


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
    return render_template(
        "dashboard.html",
        seller=seller,
        scope=scope,
        cards=headline(db.session, state, scope),
        rows=rows,
        page=page,
        tq=tq,
        args=args,
        status_options=filter_options(),
        body=rows_html.body_html(
            rows,
            # The SKU links' common start ("/skus/"): one url_for, not one per row.
            url_for("skus.show", product_id=1).removesuffix("1"),
            scope.as_of,
            scope.reorder_due,
            seller,
        ),
    )
