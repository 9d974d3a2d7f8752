"""Fixtures of the supply tests (rows from tests.support.supply)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.support.supply import build_supply


@pytest.fixture
def supply(factory: Any, db_session: Any) -> SimpleNamespace:
    """The seller of build_supply."""
    return build_supply(factory, db_session)
