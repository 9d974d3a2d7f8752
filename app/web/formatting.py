"""How pages print numbers and dates: Jinja filters, and the one implementation of them.

`num`, `money` and `day` are the filters the macros of templates/_macros.html call, so every page
prints a value the same way (and as forecasting.explain writes it in sentences: "$1,234",
"-$620.55", "Dec 5", "Jan 15, 2026"). Pages with many cells (the dashboard's table) call the
filters directly: a filter is a function call, a macro call costs tens of microseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask

MISSING = "—"  # a value that is not known (yet)


def num(value: Any, digits: int = 0) -> str:
    """1234.5 -> '1,235' (digits=0), '1,234.50' (digits=2); None -> '—'."""
    if value is None:
        return MISSING
    return f"{value:,.{digits}f}"


def money(value: Any, digits: int = 0) -> str:
    """Dollars: '$1,235', '-$620.55'; a value that rounds to zero has no sign; None -> '—'."""
    if value is None:
        return MISSING
    sign = "-" if value < 0 and f"{-value:.{digits}f}" != f"{0:.{digits}f}" else ""
    return f"{sign}${abs(value):,.{digits}f}"


def day(value: dt.date | None, as_of: dt.date | None = None) -> str:
    """'Dec 5', with the year when it is not as_of's ('Jan 15, 2026'); None -> '—'."""
    if value is None:
        return MISSING
    text = f"{value:%b} {value.day}"
    if as_of is not None and value.year != as_of.year:
        return f"{text}, {value.year}"
    return text


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(num, "num")
    app.add_template_filter(money, "money")
    app.add_template_filter(day, "day")
