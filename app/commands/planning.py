"""`flask --app wsgi train` and `flask --app wsgi recommend`: run planning by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.commands.sync import find_seller
from app.extensions import db
from app.planning.recommend import NoModel, recommend_seller
from app.planning.train import NotEnoughHistory, train_seller
from app.tasks import recommend_lock


def _echo_progress(progress: float, message: str) -> None:
    click.echo(f"[{progress * 100:5.1f}%] {message}")


@click.command("train")
@click.option("--seller", "seller_name", required=True, help="Seller account name.")
@click.option("--tenant", default=None, help="Tenant name, when seller names repeat.")
@click.option("--seed", default=0, show_default=True, help="Model seed (reproducible runs).")
@with_appcontext
def train_command(seller_name: str, tenant: str | None, seed: int) -> None:
    """Retrain the seller's demand model now and store its forecasts."""
    account = find_seller(seller_name, tenant)
    try:
        version = train_seller(db.session, account, seed=seed, progress=_echo_progress)
    except NotEnoughHistory as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    backtest = (version.metrics or {}).get("backtest", {})
    click.echo(f"model version {version.id}, trained on data through {version.cutoff}")
    models = backtest.get("models", {})
    if models:
        click.echo(f"backtest: last {backtest['window_days']} days after {backtest['cutoff']}")
        click.echo(f"  {'model':16s} {'RMSSE':>7s} {'MASE':>7s} {'pinball':>8s} {'P90 cov':>8s}")
        for name, m in models.items():
            nan = float("nan")
            rmsse, mase = m.get("rmsse", nan), m.get("mase", nan)
            pinball, cov = m.get("pinball", nan), m.get("total_coverage_p90", nan)
            click.echo(f"  {name:16s} {rmsse:7.3f} {mase:7.3f} {pinball:8.3f} {cov:8.2f}")


@click.command("recommend")
@click.option("--seller", "seller_name", required=True, help="Seller account name.")
@click.option("--tenant", default=None, help="Tenant name, when seller names repeat.")
@with_appcontext
def recommend_command(seller_name: str, tenant: str | None) -> None:
    """Recompute the seller's shipment recommendations now."""
    account = find_seller(seller_name, tenant)
    account_id = account.id
    db.session.commit()  # no read left open while a worker's run of this seller finishes
    # The lock a worker's recommend run holds: never two current sets for one seller.
    with recommend_lock(account_id, on_wait=click.echo):
        account = find_seller(seller_name, tenant)
        try:
            recs = recommend_seller(db.session, account, progress=_echo_progress)
        except NoModel as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
    to_ship = [r for r in recs if r.quantity > 0]
    click.echo(
        f"{len(recs)} SKUs, {len(to_ship)} to ship, {sum(r.quantity for r in to_ship)} units in all"
    )
    for rec in sorted(to_ship, key=lambda r: r.ship_by or r.computed_at.date())[:20]:
        click.echo(f"  {rec.sku}: {rec.quantity} by {rec.ship_by} — {rec.explanation}")
