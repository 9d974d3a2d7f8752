# ruff: noqa: E501 - ROW_TEMPLATE is the template's lines as they were
"""The dashboard's rows (app.web.dashboard.rows) are the HTML the Jinja row template wrote,
byte for byte, for every branch of every cell: statuses, run-out days before, on and after the
inventory day (and none), titles past the truncation length and with HTML in them, excess
units and money, supplier orders due or not, dates of another year."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

# The loop body of templates/dashboard.html before the rows moved to Python (commit 47e6217).
ROW_TEMPLATE = (
    '{% from "_macros.html" import status_badge with context %}'
    "{% for r in rows %}"
    '\n'
    '      <tr>\n'
    '        <td><a href="{{ url_for(\'skus.show\', product_id=r.id) }}" class="sku">{{ r.sku }}</a>{% if r.title %}<div class="title muted">{{ r.title|truncate(70) }}</div>{% endif %}</td>\n'
    '        <td class="num">{{ r.fulfillable|num }}</td>\n'
    '        <td class="num">{{ r.inbound|num }}</td>\n'
    '        <td data-date="{{ r.runs_out_on.isoformat() if r.runs_out_on else \'\' }}">{% if r.status == \'out_of_stock\' and (r.runs_out_on is none or (scope.as_of and r.runs_out_on <= scope.as_of)) %}now{% elif r.status == \'out_of_stock\' %}now<div class="small muted">again {{ r.runs_out_on|day(scope.as_of) }}, after the next shipment lands</div>{% else %}{{ r.runs_out_on|day(scope.as_of) }}{% endif %}</td>\n'
    '        <td class="num">{{ r.fc30|num }}</td>\n'
    '        <td class="num strong">{{ r.rec_qty|num }}</td>\n'
    '        <td data-date="{{ r.ship_by.isoformat() if r.ship_by else \'\' }}">{{ r.ship_by|day(scope.as_of) }}</td>\n'
    '        <td data-reorder-by="{{ r.reorder_by.isoformat() if r.reorder_by else \'\' }}" class="{{ \'strong\' if r.reorder_by and r.reorder_by <= scope.reorder_due }}">{{ r.reorder_by|day(scope.as_of) }}{% if r.reorder_quantity %}<div class="small muted">{{ r.reorder_quantity|num }} units</div>{% endif %}</td>\n'
    '        <td>{{ status_badge(r.badge) }}{% if r.status == \'excess\' and r.excess_units %}<div class="small muted" data-excess="{{ r.excess_units }}">{{ r.excess_units|num }} units · {{ r.excess_monthly|money(2) }}/month</div>{% endif %}</td>\n'
    '      </tr>\n'
    "    {% endfor %}"
)


class Seller:
    marketplace = "DE"  # money as 1.234,57 €: the seller's locale, not dollars


def test_rows_are_the_templates_html(app: Any) -> None:
    from app.web.dashboard.rows import body_html
    from app.web.dashboard.table import TableRow, status_badge

    today = dt.date(2026, 12, 6)
    cases = itertools.product(
        ["out_of_stock", "excess", "ship_by", "healthy", None],
        [None, today - dt.timedelta(days=1), today, today + dt.timedelta(days=9),
         dt.date(2027, 2, 1)],
        [None, "", 'Bamboo <Lamp> & "co" ' * 5, "short"],
        [None, 0, 1234],
        [None, today + dt.timedelta(days=3), today + dt.timedelta(days=30)],
        [today, None],
    )  # fmt: skip
    compared = 0
    with app.test_request_context("/"):
        template = app.jinja_env.from_string(ROW_TEMPLATE)
        for status, day, title, units, reorder_by, as_of in cases:
            row = TableRow({
                "id": 7, "sku": "SKU-<1>&", "title": title, "fulfillable": units,
                "inbound": 0, "runs_out_on": day, "status": status, "fc30": 12.4 if units else None,
                "rec_qty": units, "ship_by": day, "reorder_by": reorder_by,
                "reorder_quantity": units, "excess_units": units,
                "excess_monthly": 1234.567 if units else None, "badge": status_badge(status),
            })  # fmt: skip
            due = (as_of or today) + dt.timedelta(days=7)
            scope = {"as_of": as_of, "reorder_due": due}
            want = template.render(rows=[row], scope=scope, seller=Seller())
            got = str(body_html([row], "/skus/", as_of, due, Seller()))
            assert got == want, (status, day, title, units, reorder_by, as_of)
            compared += 1
    assert compared == 5 * 5 * 4 * 3 * 3 * 2
