"""The one error the supply services raise: what was wrong and with which field or row."""

from __future__ import annotations


class SupplyError(ValueError):
    """Bad input to a supply service; `field` names the field or row it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
