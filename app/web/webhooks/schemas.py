"""The official notification schemas, loaded and compiled once per app."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FILES = {
    "ORDER_CHANGE": "OrderChangeNotification.json",
    "FBA_INVENTORY_AVAILABILITY_CHANGES": "FBAInventoryAvailabilityChangeNotification.json",
    "REPORT_PROCESSING_FINISHED": "ReportProcessingFinishedNotification.json",
}
PACKAGED = Path(__file__).resolve().parent / "schemas"


def candidate_dirs(configured: str | None = None) -> list[Path]:
    """Where to look: the configured dir alone, else the package's copies, then shared/."""
    if configured:
        return [Path(configured)]
    shared = os.environ.get("SHARED_DIR")
    shared_dir = Path(shared) if shared else Path(__file__).resolve().parents[3].parent / "shared"
    return [PACKAGED, shared_dir / "spapi-models" / "notifications"]


def load_validators(configured: str | None = None) -> dict[str, Any] | None:
    """Draft-7 validators by notification type, or None if the schemas are not all found."""
    from jsonschema import Draft7Validator

    for directory in candidate_dirs(configured):
        paths = {kind: directory / name for kind, name in FILES.items()}
        if all(p.is_file() for p in paths.values()):
            validators = {}
            for kind, path in paths.items():
                schema = json.loads(path.read_text())
                Draft7Validator.check_schema(schema)
                validators[kind] = Draft7Validator(schema)
            return validators
    log.error(
        "notification schemas not found (looked in %s); webhooks will answer 503",
        ", ".join(str(d) for d in candidate_dirs(configured)),
    )
    return None


def notification_type(body: dict[str, Any]) -> str | None:
    """NotificationType in either casing (ORDER_CHANGE is PascalCase, reports camelCase)."""
    value = body.get("NotificationType", body.get("notificationType"))
    return value if isinstance(value, str) else None


def notification_id(body: dict[str, Any]) -> str | None:
    """NotificationMetadata.NotificationId in either casing."""
    meta = body.get("NotificationMetadata", body.get("notificationMetadata"))
    if not isinstance(meta, dict):
        return None
    value = meta.get("NotificationId", meta.get("notificationId"))
    return value if isinstance(value, str) and 0 < len(value) <= 100 else None


def event_time(body: dict[str, Any]) -> str | None:
    """EventTime in either casing, as sent."""
    value = body.get("EventTime", body.get("eventTime"))
    return value if isinstance(value, str) else None


def marketplace_ids(body: dict[str, Any]) -> set[str]:
    """Every MarketplaceId the payload names (ORDER_CHANGE's Summary, each entry of an
    inventory change's FulfillmentInventoryByMarketplace), a few levels deep, either casing."""
    found: set[str] = set()
    _find_marketplaces(body.get("Payload", body.get("payload")), 5, found)
    return found


def _find_marketplaces(value: Any, depth: int, found: set[str]) -> None:
    if depth < 0:
        return
    if isinstance(value, list):
        for item in value[:100]:
            _find_marketplaces(item, depth - 1, found)
        return
    if not isinstance(value, dict):
        return
    for key in ("MarketplaceId", "marketplaceId"):
        named = value.get(key)
        if isinstance(named, str) and 0 < len(named) <= 32:
            found.add(named)
    for inner in value.values():
        _find_marketplaces(inner, depth - 1, found)
