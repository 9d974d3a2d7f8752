"""The dashboard table's body, one string per row.

The table is the page's cost: 25 to 200 rows of nine cells. Written by the template, each cell
was several Jinja calls (attribute lookups, a filter, escaping, the output generator's steps),
about half a dashboard request's CPU. Here a row is one format string: the cells' values
through the same filters the template used (app.web.formatting: num, day, money, badge; Jinja's
truncate) and markupsafe's escape, so the HTML is the template's exactly. templates/dashboard.html
keeps the table's head, its empty state and everything around it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import current_app
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from app.web.dashboard.table import TableRow
from app.web.formatting import badge, day, format_money, num

_ROW = (
    "\n      <tr>\n"
    '        <td><a href="{href}{id}" class="sku">{sku}</a>{title}</td>\n'
    '        <td class="num">{fulfillable}</td>\n'
    '        <td class="num">{inbound}</td>\n'
    '        <td data-date="{runs_out_iso}">{runs_out}</td>\n'
    '        <td class="num">{fc30}</td>\n'
    '        <td class="num strong">{rec_qty}</td>\n'
    '        <td data-date="{ship_by_iso}">{ship_by}</td>\n'
    '        <td data-reorder-by="{reorder_iso}" class="{reorder_class}">{reorder_by}{reorder_qty}'
    "</td>\n"
    "        <td>{badge}{excess}</td>\n"
    "      </tr>\n    "
)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _runs_out(r: TableRow, as_of: dt.date | None) -> str:
    """The run-out cell: "now" for a SKU out of stock with nothing landing first, else the day."""
    if r.status == "out_of_stock":
        if r.runs_out_on is None or (as_of and r.runs_out_on <= as_of):
            return "now"
        return (
            f'now<div class="small muted">again {escape(day(r.runs_out_on, as_of))}, after the '
            "next shipment lands</div>"
        )
    return str(escape(day(r.runs_out_on, as_of)))


def row_html(
    r: TableRow, href: str, as_of: dt.date | None, reorder_due: dt.date, seller: Any, env: Any
) -> str:
    """One row of the SKU table as HTML (every value escaped)."""
    title = ""
    if r.title:
        title = f'<div class="title muted">{escape(do_truncate(env, r.title, 70))}</div>'
    reorder_qty = ""
    if r.reorder_quantity:
        reorder_qty = f'<div class="small muted">{escape(num(r.reorder_quantity))} units</div>'
    excess = ""
    if r.status == "excess" and r.excess_units:
        excess = (
            f'<div class="small muted" data-excess="{escape(r.excess_units)}">'
            f"{escape(num(r.excess_units))} units · "
            f"{escape(format_money(r.excess_monthly, seller, 2))}/month</div>"
        )
    return _ROW.format(
        href=escape(href),
        id=escape(r.id),
        sku=escape(r.sku),
        title=title,
        fulfillable=escape(num(r.fulfillable)),
        inbound=escape(num(r.inbound)),
        runs_out_iso=escape(_iso(r.runs_out_on)),
        runs_out=_runs_out(r, as_of),
        fc30=escape(num(r.fc30)),
        rec_qty=escape(num(r.rec_qty)),
        ship_by_iso=escape(_iso(r.ship_by)),
        ship_by=escape(day(r.ship_by, as_of)),
        reorder_iso=escape(_iso(r.reorder_by)),
        reorder_class="strong" if r.reorder_by and r.reorder_by <= reorder_due else "",
        reorder_by=escape(day(r.reorder_by, as_of)),
        reorder_qty=reorder_qty,
        badge=badge(r.badge),
        excess=excess,
    )


def body_html(
    rows: Iterable[TableRow], href: str, as_of: dt.date | None, reorder_due: dt.date, seller: Any
) -> Markup:
    """The rows of the SKU table as one piece of HTML."""
    env = current_app.jinja_env
    html = "".join(row_html(r, href, as_of, reorder_due, seller, env) for r in rows)
    return Markup(html)  # noqa: S704 - row_html escapes every value it writes
