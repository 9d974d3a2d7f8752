"""Server-side paging: page numbers from the query string and the links around them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True)
class Page:
    """One page of a listing: which rows, and how many there are in all."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        """Number of pages (at least one, so an empty table still has page 1)."""
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        """A previous page exists."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """A next page exists."""
        return self.number < self.pages


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter clamped to [low, high]; garbage gives the default."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def page_from_request(total: int, size: int = 50) -> Page:
    """The requested page (clamped to the last page) for a listing of `total` rows."""
    size = int_arg("per_page", size, 10, 200)
    pages = max(1, -(-total // size))
    return Page(number=int_arg("page", 1, 1, pages), size=size, total=total)
