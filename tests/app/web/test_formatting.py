"""The formatting filters print exactly what the template macros printed before they called them
(the macros' old bodies are kept here as the reference)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import jinja2
import pytest

from app.web import formatting

# A US seller: the old macros wrote dollars for everyone, so they are the reference for US money.
US = SimpleNamespace(marketplace="US")

OLD_MACROS = """
{% macro money(v, digits=0) -%}{% if v is none %}—{% else %}{{ '-' if v < 0 and ('{:.%df}' % digits).format(-v) != ('{:.%df}' % digits).format(0) }}${{ ('{:,.%df}' % digits).format(v|abs) }}{% endif %}{%- endmacro %}
{% macro num(v, digits=0) -%}{% if v is none %}—{% else %}{{ ('{:,.%df}' % digits).format(v) }}{% endif %}{%- endmacro %}
{% macro day(d, as_of=none) -%}{% if d is none %}—{% else %}{{ d.strftime('%b') }} {{ d.day }}{% if as_of is not none and d.year != as_of.year %}, {{ d.year }}{% endif %}{% endif %}{%- endmacro %}
"""  # noqa: E501 - the old macros, verbatim

NUMBERS = [None, 0, 0.0, -0.0, 0.004, -0.004, -0.006, 0.5, 1.5, 2.5, -2.5, 999.5, 1234.5678,
           -620.55, -620.555, 1e9 + 0.5, 12, -12, 1_000_000]  # fmt: skip


@pytest.fixture(scope="module")
def old() -> object:
    env = jinja2.Environment(autoescape=True)
    return env.from_string(OLD_MACROS).module


@pytest.mark.parametrize("digits", [0, 1, 2])
def test_num_and_money_print_as_the_old_macros(old, digits) -> None:
    for v in NUMBERS:
        assert formatting.num(v, digits) == str(old.num(v, digits)), (v, digits)
        assert formatting.format_money(v, US, digits) == str(old.money(v, digits)), (v, digits)


def test_day_prints_as_the_old_macro(old) -> None:
    as_of = dt.date(2026, 12, 4)
    for d in (None, dt.date(2026, 1, 5), dt.date(2026, 12, 31), dt.date(2027, 2, 28),
              dt.date(2025, 7, 4)):  # fmt: skip
        for ref in (None, as_of):
            assert formatting.day(d, ref) == str(old.day(d, ref)), (d, ref)


def test_the_macros_are_the_filters(app) -> None:
    env = app.jinja_env
    tpl = env.from_string(
        '{% from "_macros.html" import money, num, day with context %}'
        "{{ num(v, 2) }}|{{ money(v) }}|{{ day(d, a) }}|{{ v|num }}"
    )
    got = tpl.render(v=-1234.5, d=dt.date(2027, 1, 2), a=dt.date(2026, 12, 4), seller=US)
    assert got == "-1,234.50|-$1,234|Jan 2, 2027|-1,234"
