"""Fixtures: a live simulator, strict validators for Amazon's models, sp_api clients."""

from __future__ import annotations

import copy
import json
import os
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from simulator.testing import running_simulator

TODAY = date(2026, 11, 26)


def shared_dir() -> Path:
    """shared/ beside the repository (SHARED_DIR overrides)."""
    env = os.environ.get("SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared"


def _strict(node):
    """Forbid properties the model does not document, so a typo cannot pass."""
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items() if not k.startswith("x-")}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


class Models:
    """Validators for responses of operations in shared/spapi-models/models."""

    def __init__(self) -> None:
        self.specs = {}
        for path in (shared_dir() / "spapi-models" / "models").glob("*.json"):
            self.specs[path.stem] = json.loads(path.read_text())

    def response_schema(self, model: str, operation_id: str, status: int) -> dict:
        spec = self.specs[model]
        for ops in spec["paths"].values():
            for op in ops.values():
                if isinstance(op, dict) and op.get("operationId") == operation_id:
                    schema = op["responses"][str(status)]["schema"]
                    return {**_strict(schema), "definitions": _strict(spec["definitions"])}
        raise KeyError(operation_id)

    def definition(self, model: str, name: str) -> dict:
        spec = self.specs[model]
        return {"$ref": f"#/definitions/{name}", "definitions": _strict(spec["definitions"])}

    def validate(self, model: str, operation_id: str, status: int, body) -> None:
        jsonschema.Draft4Validator(self.response_schema(model, operation_id, status)).validate(body)


def notification_validator(name: str) -> jsonschema.Validator:
    schema = json.loads((shared_dir() / "spapi-models" / "notifications" / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(copy.deepcopy(schema))


@pytest.fixture(scope="session")
def models() -> Models:
    return Models()


@pytest.fixture(scope="module")
def sim():
    with running_simulator(
        seed=7, skus=12, history_days=400, today=TODAY, rate_scale=100_000.0
    ) as s:
        yield s


@pytest.fixture(autouse=True)
def _clear_sp_api_token_cache():
    from sp_api.auth import access_token_client

    access_token_client.cache.clear()
    yield
    access_token_client.cache.clear()


@pytest.fixture(scope="session")
def notification_validators() -> dict[str, jsonschema.Validator]:
    """Validators of the official notification schemas, by NotificationType."""
    return {
        "ORDER_CHANGE": notification_validator("OrderChangeNotification.json"),
        "FBA_INVENTORY_AVAILABILITY_CHANGES": notification_validator(
            "FBAInventoryAvailabilityChangeNotification.json"
        ),
        "REPORT_PROCESSING_FINISHED": notification_validator(
            "ReportProcessingFinishedNotification.json"
        ),
    }
