"""Row ids in API URLs: out of range answers a 404 problem document, never a 500."""

from __future__ import annotations

from typing import Any

from app.models.base import MAX_ID
from tests.support.web import problem

HUGE = "99999999999999999999"


def test_out_of_range_ids_are_404_problems_in_the_api(client: Any, world: Any) -> None:
    for url in (
        f"/api/v1/skus/{HUGE}",
        f"/api/v1/skus/{HUGE}/forecast",
        f"/api/v1/plans/{HUGE}",
        f"/api/v1/recommendations/{MAX_ID + 1}",
        f"/api/v1/jobs/{HUGE}",
        f"/api/v1/sellers/{HUGE}",
    ):
        problem(client.get(url, headers=world.headers()), 404, "not_found")
    for method in ("DELETE", "PATCH"):
        response = client.open(f"/api/v1/plans/{HUGE}", method=method, headers=world.headers())
        problem(response, 404, "not_found")
    response = client.patch(f"/api/v1/skus/{MAX_ID + 1}", json={"moq": 1}, headers=world.headers())
    problem(response, 404, "not_found")


def test_a_missing_row_names_what_was_missing(client: Any, world: Any) -> None:
    body = problem(client.get(f"/api/v1/skus/{MAX_ID}", headers=world.headers()), 404, "not_found")
    assert body["detail"] == "SKU not found" and body["type"] == "about:blank"
    assert body["title"] == "Not Found"
