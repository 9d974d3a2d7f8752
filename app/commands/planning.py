"""`flask --app wsgi train` and `flask --app wsgi recommend`: run planning by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.models import SellerAccount


def _seller(name: str) -> SellerAccount:
    matches = db.session.scalars(select(SellerAccount).where(SellerAccount.name == name)).all()
    if not matches:
        raise click.ClickException(f"no seller account named {name!r}")
    if len(matches) > 1:
        raise click.ClickException(f"{len(matches)} seller accounts are named {name!r}")
    return matches[0]


def _echo_progress(progress: float, message: str) -> None:
    click.echo(f"[{progress * 100:5.1f}%] {message}")


@click.command("train")
@click.option("--seller", "seller_name", required=True, help="Seller account name.")
@click.option("--seed", default=0, show_default=True, help="Model seed (reproducible runs).")
@with_appcontext
def train_command(seller_name: str, seed: int) -> None:
    """Retrain the seller's demand model now and store its forecasts."""
    from app.planning.train import NotEnoughHistory, train_seller

    account = _seller(seller_name)
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
@with_appcontext
def recommend_command(seller_name: str) -> None:
    """Recompute the seller's shipment recommendations now."""
    from app.planning.recommend import NoModel, recommend_seller

    account = _seller(seller_name)
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
