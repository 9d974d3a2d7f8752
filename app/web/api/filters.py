"""The seller, status and status-group filters shared by the SKU and recommendation lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select

from app.models import Recommendation, risk
from app.models.base import MAX_ID
from app.web.api.validation import query_choice, query_int

S = TypeVar("S", bound=Select)


@dataclass(frozen=True)
class StatusFilters:
    """`?seller=`, `?status=` (one planner word) and `?group=` (urgent, soon, ...), validated."""

    seller: int | None
    status: str | None
    group: str | None

    @classmethod
    def from_query(cls) -> StatusFilters:
        """Read and check the three parameters (a bad value is a 400 naming it)."""
        return cls(
            seller=query_int("seller", None, 1, MAX_ID),
            status=query_choice("status", risk.STATUSES),
            group=query_choice("group", risk.GROUPS),
        )

    def apply(self, stmt: S, seller_column: ColumnElement[int] | Any) -> S:
        """`stmt` narrowed to them; `seller_column` is the seller id of the rows listed."""
        if self.seller is not None:
            stmt = stmt.where(seller_column == self.seller)
        if self.status is not None:
            stmt = stmt.where(Recommendation.status == self.status)
        if self.group is not None:
            stmt = stmt.where(Recommendation.status.in_(risk.words_in(self.group)))
        return stmt
