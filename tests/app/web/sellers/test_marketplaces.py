"""Connecting a seller in several marketplaces of one region: the form and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.models import SellerAccount, SellerConnection, Tenant


def _form(web, token, **overrides):
    data = {
        "csrf_token": token(web, "/sellers/"),
        "name": "North",
        "marketplace": "US",
        "also": ["CA", "MX"],
        "lwa_client_id": "amzn1.application-oa2-client.abc",
        "lwa_client_secret": "very-secret-lwa",
        "refresh_token": "Atzr|very-secret-refresh",
        "endpoint_choice": "amazon",
        "endpoint": "",
        "token_url": "",
        "review_days": "10",
        "capacity_standard_cuft": "",
        "capacity_bulky_cuft": "",
        "in_stock_target_pct": "",
        "stockout_cost_multiple": "",
    }
    data.update(overrides)
    return web.post("/sellers/", data=data)


def _connections(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(SellerConnection))


def test_the_form_connects_us_ca_mx_on_one_set_of_credentials(web, seeded, db_session, token):
    before = _connections(db_session)
    response = _form(web, token)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = db_session.scalars(
        select(SellerAccount).where(SellerAccount.name.like("North %")).order_by(SellerAccount.id)
    ).all()
    assert [(a.name, a.marketplace, a.currency, a.review_days) for a in made] == [
        ("North US", "US", "USD", 10),
        ("North CA", "CA", "CAD", 10),
        ("North MX", "MX", "MXN", 10),
    ]
    assert len({a.connection_id for a in made}) == 1 and _connections(db_session) == before + 1
    assert {a.endpoint for a in made} == {"https://sellingpartnerapi-na.amazon.com"}
    assert {a.tenant_id for a in made} == {seeded["tenant"].id}
    raw = db_session.execute(
        text("SELECT refresh_token FROM seller_connections WHERE id = :i"),
        {"i": made[0].connection_id},
    ).scalar()
    assert "very-secret" not in raw and made[2].refresh_token == "Atzr|very-secret-refresh"
    listing = web.get("/sellers/").get_data(as_text=True)
    assert "with CA, MX" in listing and "CAD" in listing


def test_the_form_refuses_mixing_regions_and_stores_nothing(web, seeded, db_session, token):
    before = (_connections(db_session), db_session.scalar(select(func.count(SellerAccount.id))))
    response = _form(web, token, also=["UK"])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "one connection holds the marketplaces of one region" in page
    assert "North America: US" in page and "Europe: UK" in page
    after = (_connections(db_session), db_session.scalar(select(func.count(SellerAccount.id))))
    assert after == before


def test_a_taken_name_refuses_all_of_them(web, seeded, db_session, token):
    assert _form(web, token, also=[]).status_code == 302  # "North", one marketplace
    assert _form(web, token, name="Maple", also=["CA"]).status_code == 302
    again = _form(web, token, name="Maple", also=["CA"])
    assert again.status_code == 422
    assert "You already have an account with this name." in again.get_data(as_text=True)
    names = set(db_session.scalars(select(SellerAccount.name)))
    assert {"North", "Maple US", "Maple CA"} <= names


def test_editing_one_marketplace_cannot_move_it_to_another_region(web, seeded, db_session, token):
    assert _form(web, token, also=["CA"]).status_code == 302
    ca = db_session.scalar(select(SellerAccount).where(SellerAccount.name == "North CA"))
    response = web.post(
        f"/sellers/{ca.id}",
        data={
            "csrf_token": token(web, f"/sellers/{ca.id}"), "name": "North CA",
            "marketplace": "UK", "lwa_client_id": "amzn1.application-oa2-client.abc",
            "lwa_client_secret": "new-secret", "refresh_token": "Atzr|new",
            "endpoint_choice": "amazon",
            "endpoint": "", "token_url": "", "review_days": "7",
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert "This connection also holds US" in response.get_data(as_text=True)
    db_session.expire_all()
    kept = db_session.get(SellerAccount, ca.id)
    assert (kept.marketplace, kept.refresh_token) == ("CA", "Atzr|very-secret-refresh")


def _cli(app, *extra: str):
    args = [
        "sellers", "add", "--name", "cli", "--refresh-token", "Atzr|cli-refresh",
        "--client-id", "amzn1.application-oa2-client.cli", "--client-secret", "cli-secret",
        "--tenant", "clitenant", *extra,
    ]  # fmt: skip
    return app.test_cli_runner().invoke(args=args)


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("US,UK", "one connection holds the marketplaces of one region"),
        ("US,XX", "unknown marketplace 'XX'"),
        ("US,us", "marketplace US is named twice"),
        (",", "name at least one marketplace"),
    ],
)
def test_cli_refuses_bad_marketplace_lists(app, db_session, codes, message):
    result = _cli(app, "--marketplace", codes)
    assert result.exit_code != 0 and message in result.output
    assert db_session.scalar(select(func.count(SellerAccount.id))) == 0


def test_cli_adds_several_then_one_more(app, db_session):
    from app.extensions import db

    result = _cli(app, "--marketplace", "UK,DE,FR")
    assert result.exit_code == 0, result.output
    assert "credentials:    stored once for UK, DE, FR" in result.output
    assert "cli-secret" not in result.output and "Atzr|cli-refresh" not in result.output
    accounts = db.session.scalars(select(SellerAccount).order_by(SellerAccount.id)).all()
    assert [(a.name, a.currency) for a in accounts] == [
        ("cli UK", "GBP"), ("cli DE", "EUR"), ("cli FR", "EUR")]  # fmt: skip
    assert {a.endpoint for a in accounts} == {"https://sellingpartnerapi-eu.amazon.com"}
    assert {a.token_url for a in accounts} == {"https://api.amazon.co.uk/auth/o2/token"}
    more = app.test_cli_runner().invoke(
        args=["sellers", "add-marketplace", "--name", "cli UK", "--marketplace", "IT"]
    )
    assert more.exit_code == 0, more.output
    italy = db.session.scalar(select(SellerAccount).where(SellerAccount.marketplace == "IT"))
    assert italy.name == "cli UK IT" and italy.connection_id == accounts[0].connection_id
    wrong = app.test_cli_runner().invoke(
        args=["sellers", "add-marketplace", "--name", "cli UK", "--marketplace", "JP"]
    )
    assert wrong.exit_code != 0 and "connect that region separately" in wrong.output
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 1
    listed = app.test_cli_runner().invoke(args=["sellers", "list"]).output
    assert listed.count(f"connection {accounts[0].connection_id}") == 4
