"""Fixtures for connector tests: official SP-API model schemas and a small live simulator."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from integrations.amazon.auth import clear_token_cache
from integrations.amazon.client import SellerConfig

SIM_TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def spapi_schema(shared_dir: Path) -> Callable[[str, str, Any], None]:
    """validate(model_file, definition, instance): fail unless the instance fits Amazon's model."""
    cache: dict[str, dict[str, Any]] = {}

    def validate(model: str, definition: str, instance: Any) -> None:
        if model not in cache:
            cache[model] = json.loads((shared_dir / "spapi-models" / "models" / model).read_text())
        doc = cache[model]
        schema = {"$ref": f"#/definitions/{definition}", "definitions": doc["definitions"]}
        jsonschema.Draft4Validator(schema).validate(instance)

    return validate


@pytest.fixture(autouse=True)
def _fresh_tokens() -> Iterator[None]:
    """sp_api caches access tokens process-wide: no test may see another's."""
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture(scope="module")
def small_sim() -> Iterator[Any]:
    """A small simulated seller (6 SKUs, 60 days) with rate limits sped up 1000 times."""
    from simulator.testing import running_simulator

    with running_simulator(
        seed=7, skus=6, history_days=60, today=SIM_TODAY, rate_scale=1000
    ) as sim:
        yield sim


@pytest.fixture(scope="session")
def sim_config() -> Callable[..., SellerConfig]:
    """sim_config(sim, seller=0, key=None, **credential overrides) -> SellerConfig."""
    return _config_for


def _config_for(sim: Any, seller: int = 0, key: str | None = None, **override: str) -> SellerConfig:
    creds = {**sim.sellers[seller], **override}
    return SellerConfig(
        key=key or f"test-{sim.base_url}-{seller}",
        endpoint=sim.base_url,
        token_url=sim.token_url,
        marketplace_id=creds["marketplace_id"],
        region="us-east-1",
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
    )
