"""Validate AWD 2024-05-09 answers and turn them into typed results (results.Awd*).

Like `parse`, each parser checks what it relies on and raises MalformedPayload naming the
path of the first bad field, so a bad page is refused whole. Quantities the model gives with a
unit (InventoryQuantity: PRODUCT_UNITS, CASES or PALLETS) are converted to product units with
the shipment's own packages (units per case of that SKU, cases per pallet); a quantity in cases
of a SKU the packages do not describe is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from integrations.amazon.errors import MalformedPayload
from integrations.amazon.parse import as_datetime, as_int, as_list, as_str, need, opt_str
from integrations.amazon.results import (
    AWD_SHIPMENT_STATUSES,
    AwdInventory,
    AwdInventoryPage,
    AwdShipment,
    AwdShipmentsPage,
    AwdShipmentSummary,
    AwdSkuQuantity,
)

# The model's enum says CASES; its own sandbox example says CASE.
_CASES = ("CASES", "CASE")
_PALLETS = ("PALLETS", "PALLET")


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPayload(path, "expected an object")
    return value


def _list(body: dict[str, Any], key: str, path: str) -> list[Any]:
    value = body.get(key)
    return [] if value is None else as_list(value, f"{path}.{key}")


def _opt_count(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    n = as_int(value, f"{path}.{key}")
    if n < 0:
        raise MalformedPayload(f"{path}.{key}", f"negative quantity {n}")
    return n


def _opt_time(value: Any, path: str) -> dt.datetime | None:
    return None if value in (None, "") else as_datetime(value, path)


def _status(obj: dict[str, Any], key: str, path: str) -> str:
    status = as_str(need(obj, key, path), f"{path}.{key}")
    if status not in AWD_SHIPMENT_STATUSES:
        raise MalformedPayload(f"{path}.{key}", f"unknown AWD shipment status {status!r}")
    return status


def parse_inventory_page(body: Any, next_token: str | None = None) -> AwdInventoryPage:
    """listInventory body (InventoryListing); sp_api hands the nextToken over separately."""
    b = _obj(body, "body")
    items = []
    for i, row in enumerate(as_list(need(b, "inventory", "body"), "body.inventory")):
        p = f"body.inventory[{i}]"
        row = _obj(row, p)
        details = _obj(row.get("inventoryDetails"), f"{p}.inventoryDetails")
        dp = f"{p}.inventoryDetails"
        items.append(
            AwdInventory(
                sku=as_str(need(row, "sku", p), f"{p}.sku"),
                total_onhand=_opt_count(row, "totalOnhandQuantity", p) or 0,
                total_inbound=_opt_count(row, "totalInboundQuantity", p) or 0,
                available=_opt_count(details, "availableDistributableQuantity", dp),
                reserved=_opt_count(details, "reservedDistributableQuantity", dp),
                replenishment=_opt_count(details, "replenishmentQuantity", dp),
            )
        )
    token = next_token or opt_str(b.get("nextToken"), "body.nextToken") or None
    return AwdInventoryPage(items=items, next_token=token)


def parse_summary(obj: Any, path: str) -> AwdShipmentSummary:
    """InboundShipmentSummary (also the top of an InboundShipment)."""
    o = _obj(obj, path)
    return AwdShipmentSummary(
        shipment_id=as_str(need(o, "shipmentId", path), f"{path}.shipmentId"),
        order_id=as_str(need(o, "orderId", path), f"{path}.orderId"),
        status=_status(o, "shipmentStatus", path),
        created_at=_opt_time(o.get("createdAt"), f"{path}.createdAt"),
        updated_at=_opt_time(o.get("updatedAt"), f"{path}.updatedAt"),
        external_reference_id=opt_str(o.get("externalReferenceId"), f"{path}.externalReferenceId"),
    )


def parse_shipments_page(body: Any, next_token: str | None = None) -> AwdShipmentsPage:
    """listInboundShipments body (ShipmentListing)."""
    b = _obj(body, "body")
    rows = _list(b, "shipments", "body")
    shipments = [parse_summary(s, f"body.shipments[{i}]") for i, s in enumerate(rows)]
    token = next_token or opt_str(b.get("nextToken"), "body.nextToken") or None
    return AwdShipmentsPage(shipments=shipments, next_token=token)


def _package_units(pkg: dict[str, Any], path: str) -> dict[str, int]:
    """Units of each SKU in one package (a case's products, a pallet's nested packages)."""
    contents = _obj(need(pkg, "contents", path), f"{path}.contents")
    out: dict[str, int] = {}
    for i, prod in enumerate(_list(contents, "products", f"{path}.contents")):
        pp = f"{path}.contents.products[{i}]"
        prod = _obj(prod, pp)
        sku = as_str(need(prod, "sku", pp), f"{pp}.sku")
        out[sku] = out.get(sku, 0) + as_int(need(prod, "quantity", pp), f"{pp}.quantity")
    for i, inner in enumerate(_list(contents, "packages", f"{path}.contents")):
        ip = f"{path}.contents.packages[{i}]"
        for sku, units in _container_units(inner, ip).items():
            out[sku] = out.get(sku, 0) + units
    return out


def _container_units(obj: Any, path: str) -> dict[str, int]:
    """DistributionPackageQuantity: count x the package's units per SKU."""
    o = _obj(obj, path)
    count = as_int(need(o, "count", path), f"{path}.count")
    pkg = _obj(need(o, "distributionPackage", path), f"{path}.distributionPackage")
    units = _package_units(pkg, f"{path}.distributionPackage")
    return {sku: count * n for sku, n in units.items()}


def _per_unit(containers: list[Any], path: str) -> tuple[dict[str, int], dict[str, int]]:
    """Units per case and per pallet of each SKU, from the shipment's packages, nested ones
    included (when one size is used for the SKU; several sizes leave it undefined)."""
    sizes: dict[str, dict[str, set[int]]] = {"CASE": {}, "PALLET": {}}

    def walk(items: list[Any], where: str) -> None:
        for i, c in enumerate(items):
            cp = f"{where}[{i}]"
            pkg = _obj(need(_obj(c, cp), "distributionPackage", cp), f"{cp}.distributionPackage")
            kind = opt_str(pkg.get("type"), f"{cp}.distributionPackage.type") or "CASE"
            for sku, n in _package_units(pkg, f"{cp}.distributionPackage").items():
                sizes.setdefault(kind, {}).setdefault(sku, set()).add(n)
            contents = _obj(pkg.get("contents"), f"{cp}.distributionPackage.contents")
            walk(_list(contents, "packages", f"{cp}.distributionPackage.contents"),
                 f"{cp}.distributionPackage.contents.packages")  # fmt: skip

    walk(containers, path)
    one = {k: next(iter(v)) for k, v in sizes["CASE"].items() if len(v) == 1}
    pallets = {k: next(iter(v)) for k, v in sizes["PALLET"].items() if len(v) == 1}
    return one, pallets


def _units(
    q: Any, sku: str, per_case: dict[str, int], per_pallet: dict[str, int], path: str
) -> int:
    """An InventoryQuantity of one SKU in product units."""
    o = _obj(q, path)
    raw = need(o, "quantity", path)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise MalformedPayload(f"{path}.quantity", "expected a number")
    if raw < 0 or raw != int(raw):
        raise MalformedPayload(f"{path}.quantity", f"not a whole non-negative count: {raw}")
    unit = as_str(need(o, "unitOfMeasurement", path), f"{path}.unitOfMeasurement")
    n = int(raw)
    if unit == "PRODUCT_UNITS":
        return n
    table = per_case if unit in _CASES else per_pallet if unit in _PALLETS else None
    if table is None:
        raise MalformedPayload(f"{path}.unitOfMeasurement", f"unknown unit {unit!r}")
    if sku not in table:
        raise MalformedPayload(
            f"{path}.unitOfMeasurement", f"{unit} of {sku}, whose packages do not say their size"
        )
    return n * table[sku]


def parse_shipment(body: Any) -> AwdShipment:
    """getInboundShipment body (InboundShipment), SKU quantities in product units.

    With skuQuantities=SHOW each SKU's expected and received units come from
    `shipmentSkuQuantities`; without it, expected units are the packages' contents and received
    units are unknown (None)."""
    b = _obj(body, "body")
    summary = parse_summary(b, "body")
    containers = as_list(
        need(b, "shipmentContainerQuantities", "body"), "body.shipmentContainerQuantities"
    )
    per_case, per_pallet = _per_unit(containers, "body.shipmentContainerQuantities")
    lines: list[AwdSkuQuantity] = []
    raw_lines = _list(b, "shipmentSkuQuantities", "body")
    if raw_lines:
        for i, line in enumerate(raw_lines):
            p = f"body.shipmentSkuQuantities[{i}]"
            line = _obj(line, p)
            sku = as_str(need(line, "sku", p), f"{p}.sku")
            expected = _units(need(line, "expectedQuantity", p), sku, per_case, per_pallet,
                              f"{p}.expectedQuantity")  # fmt: skip
            received = None
            if line.get("receivedQuantity") is not None:
                received = _units(line["receivedQuantity"], sku, per_case, per_pallet,
                                  f"{p}.receivedQuantity")  # fmt: skip
            lines.append(AwdSkuQuantity(sku, expected, received))
    else:
        totals: dict[str, int] = {}
        for i, c in enumerate(containers):
            for sku, n in _container_units(c, f"body.shipmentContainerQuantities[{i}]").items():
                totals[sku] = totals.get(sku, 0) + n
        lines = [AwdSkuQuantity(sku, n, None) for sku, n in sorted(totals.items())]
    received_units = None
    got = _list(b, "receivedQuantity", "body")
    if got and all(
        isinstance(q, dict) and q.get("unitOfMeasurement") == "PRODUCT_UNITS" for q in got
    ):
        received_units = sum(
            _units(q, "", {}, {}, f"body.receivedQuantity[{i}]") for i, q in enumerate(got)
        )
    return AwdShipment(
        shipment_id=summary.shipment_id,
        order_id=summary.order_id,
        status=summary.status,
        created_at=summary.created_at,
        updated_at=summary.updated_at,
        ship_by=_opt_time(b.get("shipBy"), "body.shipBy"),
        destination_region=opt_str(b.get("destinationRegion"), "body.destinationRegion"),
        received_units=received_units,
        skus=tuple(lines),
    )


__all__ = ["parse_inventory_page", "parse_shipment", "parse_shipments_page", "parse_summary"]
