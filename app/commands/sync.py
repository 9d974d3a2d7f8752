"""`flask --app wsgi sync` (streams in the foreground, side by side) and `export sales`."""

from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import SellerAccount, Tenant
from app.sync.clients import client_for
from app.sync.history import sales_history
from app.sync.runner import run_stream, run_together
from app.sync.streams import NAMES, Stream, in_run_order
from app.tasks import stream_lock

export_cli = AppGroup("export", help="Export synced data.")


def find_seller(name: str, tenant: str | None) -> SellerAccount:
    """The seller account called `name` (in `tenant` when given); a clear error otherwise."""
    stmt = select(SellerAccount).where(SellerAccount.name == name)
    if tenant:
        stmt = stmt.join(Tenant, Tenant.id == SellerAccount.tenant_id).where(Tenant.name == tenant)
    matches = db.session.scalars(stmt).all()
    if not matches:
        raise click.ClickException(f"no seller account named {name!r}")
    if len(matches) > 1:
        raise click.ClickException(f"{len(matches)} sellers are named {name!r}: add --tenant")
    return matches[0]


def _streams(value: str) -> list[Stream]:
    """The chosen streams in the run order, whatever the option's order: fee estimates use the
    listing prices the reports stream brings, the ledger starts where the orders backfill starts."""
    streams = [s.strip() for s in value.split(",") if s.strip()]
    try:
        chosen = in_run_order(streams)
    except ValueError:
        chosen = []
    if not chosen:
        raise click.BadParameter(f"choose from {', '.join(NAMES)}", param_hint="--streams")
    return chosen


@click.command("sync")
@click.option("--seller", "seller_name", required=True, help="Seller account name.")
@click.option("--tenant", default=None, help="Tenant name, when seller names repeat.")
@click.option(
    "--streams",
    default=",".join(NAMES),
    show_default=True,
    help="Comma-separated streams to run (a stream starts once those it needs have finished).",
)
@click.option(
    "--backfill-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="History to fetch on a first sync (default 730).",
)
@click.option(
    "--one-by-one",
    is_flag=True,
    default=False,
    help="Run the streams one after another in the run order instead of side by side.",
)
def sync_command(
    seller_name: str,
    tenant: str | None,
    streams: str,
    backfill_days: int | None,
    one_by_one: bool,
) -> None:
    """Sync a seller now, in the foreground, with progress.

    The streams run side by side as the demo's first sync does (app.sync.runner.run_together:
    each starts once the streams it needs among those chosen have finished, in a thread with its
    own session and client), so the financial events and inbound shipments are read while the
    orders and ledger reports wait on createReport's rate limit. A failed stream does not stop
    the others; the command exits non-zero once all have finished.
    """
    chosen = _streams(streams)
    account_id = find_seller(seller_name, tenant).id
    # Nothing of this session is needed by the streams: end its transaction (on SQLite a
    # command's session holds the write lock from its first read, and the streams write).
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    echo_lock = threading.Lock()

    def echo(message: str, err: bool = False) -> None:
        with echo_lock:
            click.echo(message, err=err)

    def one(stream: Stream) -> bool:
        """Run one stream in an app context of its own; True when it succeeded."""
        with app.app_context():
            account = db.session.get(SellerAccount, account_id)
            if account is None:
                raise click.ClickException(f"seller account {seller_name!r} is gone")
            client = client_for(account, app.config)

            def show(fraction: float, message: str) -> None:
                echo(f"[{stream:9s} {fraction * 100:5.1f}%] {message}")

            try:
                # The lock a worker's run of this (seller, stream) holds: never both at once.
                with stream_lock(account.id, stream):
                    run = run_stream(
                        db.session,
                        account,
                        stream,
                        client,
                        backfill_days=backfill_days,
                        on_progress=show,
                    )
            except Exception as exc:  # noqa: BLE001 - report; the other streams go on
                echo(f"[{stream:9s} failed] {type(exc).__name__}: {exc}", err=True)
                return False
            finally:
                client.close()
            echo(
                f"[{stream:9s} done  ] {run.pages} pages, {run.rows_written} rows, "
                f"{run.api_calls} API calls"
            )
            return True

    if one_by_one:
        outcome: dict[Stream, bool | Exception] = {s: one(s) for s in chosen}
    else:
        outcome = dict(run_together(chosen, one, workers=len(chosen)))
    errors = [r for r in outcome.values() if isinstance(r, Exception)]
    if errors:
        raise errors[0]
    if not all(outcome.values()):
        raise click.ClickException("some streams failed (see above); run sync again to resume")


@export_cli.command("sales")
@click.option("--seller", "seller_name", required=True, help="Seller account name.")
@click.option("--tenant", default=None, help="Tenant name, when seller names repeat.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write.",
)
def export_sales(seller_name: str, tenant: str | None, out: Path) -> None:
    """Daily history per SKU (sku,date,units,in_stock): what the forecaster trains on."""
    account = find_seller(seller_name, tenant)
    history = sales_history(db.session, account.tenant_id, account.id)
    frame = history.assign(date=history["date"].dt.strftime("%Y-%m-%d"))
    frame.to_csv(out, index=False, lineterminator="\n")
    click.echo(f"wrote {len(frame)} rows for {frame['sku'].nunique()} SKUs to {out}")
