"""Row ids in page URLs: bounded by the `id` converter, so out of range is a 404, never a 500."""

from __future__ import annotations

from typing import Any

from app.models.base import MAX_ID
from tests.support.web import problem

HUGE = "99999999999999999999"  # beyond any integer column: a driver error if it reached a query


def test_every_route_with_a_row_id_uses_the_id_converter(app: Any) -> None:
    integer_rules = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values())
    ]
    assert integer_rules == []
    id_rules = [r.rule for r in app.url_map.iter_rules() if "<id:" in r.rule]
    assert "/skus/<id:product_id>" in id_rules and "/api/v1/skus/<id:sku_id>" in id_rules


def test_out_of_range_ids_are_404_on_pages(web: Any, seeded: dict[str, Any]) -> None:
    own = seeded["products"][0].id
    assert web.get(f"/skus/{own}").status_code == 200
    for ident in (HUGE, str(MAX_ID + 1), "0", "-1"):
        for url in (
            f"/skus/{ident}",
            f"/plans/{ident}",
            f"/plans/{ident}/plan.csv",
            f"/sellers/{ident}",
        ):
            assert web.get(url).status_code == 404, url
        response = web.get(f"/jobs/{ident}.json")
        problem(response, 404, "not_found")
    # The largest id that can exist is looked up (and missing), not refused by the converter.
    assert web.get(f"/skus/{MAX_ID}").status_code == 404


def test_job_status_ignores_ids_that_cannot_exist(web: Any) -> None:
    response = web.get(f"/jobs/status.json?ids={HUGE},{MAX_ID + 1},-3,x,{MAX_ID}")
    assert response.status_code == 200
    assert response.get_json() == {"jobs": []}


def test_the_id_pattern_matches_exactly_one_to_the_limit() -> None:
    import re

    from app.web.setup import digits_up_to

    for limit in (1, 9, 10, 55, 100, 4096, MAX_ID):
        pattern = re.compile(digits_up_to(limit))
        numbers = [*range(0, 5000), limit - 1, limit, limit + 1, limit * 10, 10 ** len(str(limit))]
        wrong = [n for n in numbers if bool(pattern.fullmatch(str(n))) != (1 <= n <= limit)]
        assert wrong == [], (limit, wrong[:5])
        assert not pattern.fullmatch("0" + str(limit)) and not pattern.fullmatch("-1")


def test_out_of_range_ids_are_404_for_every_method(web: Any) -> None:
    # werkzeug answers 405 when a value is refused after matching and the path has rules for
    # other methods; the bounded pattern keeps these 404s.
    for url in (f"/plans/{HUGE}/delete", f"/sellers/{HUGE}/sync", f"/skus/{HUGE}"):
        assert web.post(url).status_code == 404, url
