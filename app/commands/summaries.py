"""`flask --app wsgi summaries rebuild`: rebuild the dashboard's read model from its sources."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app import summaries
from app.commands.sync import find_seller
from app.extensions import db

summaries_cli = AppGroup("summaries", help="The dashboard's per-SKU summaries (a read model).")


@summaries_cli.command("rebuild")
@click.option("--seller", "seller_name", default=None, help="Seller account name (default: all).")
@click.option("--tenant", default=None, help="Tenant name, when seller names repeat.")
def rebuild_command(seller_name: str | None, tenant: str | None) -> None:
    """Rebuild every SKU summary of one seller, or of all sellers (each committed on its own).

    Pages rebuild a seller whose sources moved on their own; this is for after a bulk load
    outside the app, or to check the rows against their sources.
    """
    started = time.perf_counter()
    session = db.session
    if seller_name is None:
        done = summaries.refresh_all(session)
        click.echo(f"rebuilt the summaries of {done} seller account(s) "
                   f"in {time.perf_counter() - started:.1f}s")
        return
    account = find_seller(seller_name, tenant)
    state = summaries.refresh(session, account)
    session.commit()
    click.echo(f"{account.name}: {state.sku_count} SKU summaries rebuilt "
               f"in {time.perf_counter() - started:.1f}s")
