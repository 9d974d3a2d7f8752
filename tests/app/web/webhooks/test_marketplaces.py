"""One forwarder per selling partner and region: notifications posted to any account of a
connection reach the account of the marketplace they name."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.web.webhooks.test_views import (
    SECRET,
    _events,
    _post,
    enqueued,  # noqa: F401 - a fixture
    inventory_change,
    order_change,
    report_finished,
    signed,
)

CA_ID = "A2EUQ1WTGCTBG2"
MX_ID = "A1AM78C64UM0Y8"


@pytest.fixture
def us_ca(factory: Any, db_session: Any) -> tuple[Any, Any]:
    """A US account and, on its connection, a CA one."""
    from app.connections import add_marketplaces, parse_marketplaces

    tenant = factory.tenant()
    us = factory.seller(tenant, "north US", webhook_secret=SECRET, previous_webhook_secret=None)
    (ca,) = add_marketplaces(db_session, us, parse_marketplaces("CA"), name="north")
    db_session.commit()
    return us, ca


def _order_in(marketplace_id: str) -> dict[str, Any]:
    body = order_change()
    body["Payload"]["OrderChangeNotification"]["Summary"]["MarketplaceId"] = marketplace_id
    return body


def test_an_order_of_ca_posted_to_the_us_url_syncs_the_ca_account(
    client: Any, us_ca: tuple[Any, Any], enqueued: list, db_session: Any  # noqa: F811
) -> None:
    us, ca = us_ca
    assert ca.connection_id == us.connection_id and ca.name == "north CA"
    assert _post(client, us, *signed(_order_in(CA_ID))).status_code == 202
    assert _post(client, us, *signed(_order_in(us.marketplace_id))).status_code == 202
    assert enqueued == [("sync", ca.id, "orders"), ("sync", us.id, "orders")]
    assert sorted(e.seller_account_id for e in _events(db_session)) == sorted([ca.id, us.id])


def test_a_marketplace_outside_the_connection_stays_with_the_receiving_account(
    client: Any, us_ca: tuple[Any, Any], enqueued: list, factory: Any, db_session: Any  # noqa: F811
) -> None:
    us, _ca = us_ca
    # Another tenant's CA account is never reached through this tenant's URL.
    other = factory.seller(factory.tenant(), "elsewhere", marketplace="CA", marketplace_id=CA_ID)
    db_session.commit()
    assert _post(client, us, *signed(_order_in(MX_ID))).status_code == 202
    assert enqueued == [("sync", us.id, "orders")]
    assert other.id not in {e.seller_account_id for e in _events(db_session)}


def test_an_inventory_change_listing_both_marketplaces_syncs_both(
    client: Any, us_ca: tuple[Any, Any], enqueued: list  # noqa: F811
) -> None:
    us, ca = us_ca
    body = inventory_change()
    entries = body["Payload"]["FulfillmentInventoryByMarketplace"]
    entries.append({**entries[0], "MarketplaceId": CA_ID})
    # Posted to the CA account's own URL, signed with its own secret, this time.
    assert _post(client, ca, *signed(body, secret=ca.webhook_secret)).status_code == 202
    assert sorted(enqueued) == sorted([("sync", ca.id, "inventory"), ("sync", us.id, "inventory")])


def test_a_report_notification_is_queued_for_the_receiving_account(
    client: Any, us_ca: tuple[Any, Any], enqueued: list  # noqa: F811
) -> None:
    us, _ca = us_ca
    done = report_finished("DONE")
    inner = done["payload"]["reportProcessingFinishedNotification"]
    assert _post(client, us, *signed(done)).status_code == 202
    # It names no marketplace: the report's own marketplaceIds decide when it is fetched.
    assert enqueued == [("report", us.id, inner["reportId"], inner["reportType"])]
