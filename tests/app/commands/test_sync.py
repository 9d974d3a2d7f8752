"""`sellers add`, `sync` and `export sales` from the command line, against the simulator."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, text

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(seed=5, skus=6, history_days=45, today=TODAY, rate_scale=1000) as s:
        yield s


def add_args(sim: Any, name: str = "sim", tenant: str | None = "acme") -> list[str]:
    creds = sim.sellers[0]
    args = [
        "sellers",
        "add",
        "--name",
        name,
        "--endpoint",
        sim.base_url,
        "--token-url",
        sim.token_url,
        "--refresh-token",
        creds["refresh_token"],
        "--client-id",
        creds["client_id"],
        "--client-secret",
        creds["client_secret"],
    ]
    return args + (["--tenant", tenant] if tenant else [])


def test_sellers_add_creates_tenant_and_prints_webhook(app, sim) -> None:
    from app.extensions import db
    from app.models import SellerAccount, Tenant

    app.config["PUBLIC_BASE_URL"] = "https://planner.example.com"
    result = app.test_cli_runner().invoke(args=add_args(sim))
    assert result.exit_code == 0, result.output
    account = db.session.scalars(select(SellerAccount).where(SellerAccount.name == "sim")).one()
    tenant = db.session.get(Tenant, account.tenant_id)
    assert tenant.name == "acme"
    assert f"https://planner.example.com/webhooks/sp-api/{account.public_id}" in result.output
    assert account.webhook_secret in result.output
    assert account.endpoint == sim.base_url and account.marketplace_id == "ATVPDKIKX0DER"
    # Secrets are stored encrypted, and are never echoed.
    raw = db.session.execute(
        text(
            "SELECT c.refresh_token, c.lwa_client_secret FROM seller_connections c "
            "JOIN seller_accounts a ON a.connection_id = c.id WHERE a.id = :i"
        ),
        {"i": account.id},
    ).one()
    assert sim.sellers[0]["refresh_token"] not in raw and sim.sellers[0]["client_secret"] not in raw
    assert sim.sellers[0]["client_secret"] not in result.output
    again = app.test_cli_runner().invoke(args=add_args(sim))
    assert again.exit_code != 0 and "already has a seller" in again.output


def test_sellers_add_refuses_a_non_url(app, sim) -> None:
    args = add_args(sim)
    args[args.index("--endpoint") + 1] = "sellingpartnerapi-na.amazon.com"
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "http(s) URL" in result.output


def test_sync_then_export_sales_equals_the_truth(app, sim, tmp_path) -> None:
    from simulator.truth import truth_texts

    app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02)
    runner = app.test_cli_runner()
    assert runner.invoke(args=add_args(sim, tenant=None)).exit_code == 0
    result = runner.invoke(
        args=["sync", "--seller", "sim", "--streams", "inventory,orders", "--backfill-days", "45"]
    )
    assert result.exit_code == 0, result.output
    assert "[orders    done  ]" in result.output and "[inventory done  ]" in result.output
    assert "%] orders backfill through" in result.output  # progress lines
    out = tmp_path / "sales.csv"
    result = runner.invoke(args=["export", "sales", "--seller", "sim", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    assert list(got.columns) == ["sku", "date", "units", "in_stock"]
    texts = truth_texts(sim.marketplace.sellers[0].world)
    truth = pd.read_csv(io.StringIO(texts["orders_daily.csv"])).merge(
        pd.read_csv(io.StringIO(texts["demand.csv"]))[["sku", "date", "in_stock"]],
        on=["sku", "date"],
    )
    merged = truth.merge(got, on=["sku", "date"], how="outer", suffixes=("_t", ""), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["units_t"] == merged["units"]).all()
    assert (merged["in_stock_t"] == merged["in_stock"]).all()
    assert (got["in_stock"] == 0).any() or (truth["in_stock"] == 1).all()


def test_sync_unknown_seller_and_stream(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sync", "--seller", "nobody"])
    assert result.exit_code != 0 and "no seller account named 'nobody'" in result.output
    result = runner.invoke(args=["sync", "--seller", "nobody", "--streams", "orders,bogus"])
    assert result.exit_code != 0 and "choose from" in result.output


def test_sync_reports_failure_and_exits_nonzero(app, factory) -> None:
    """Credentials the server refuses: the run is recorded failed and the command says so."""
    from app.extensions import db
    from app.models import SyncRun

    tenant = factory.tenant()
    factory.seller(
        tenant,
        name="dead",
        endpoint="http://127.0.0.1:9",
        token_url="http://127.0.0.1:9/auth/o2/token",
    )
    db.session.commit()
    app.config.update(SPAPI_RETRIES=1, SPAPI_TIMEOUT=2)
    result = app.test_cli_runner().invoke(args=["sync", "--seller", "dead", "--streams", "orders"])
    assert result.exit_code != 0 and "TransientError" in result.output
    run = db.session.scalars(select(SyncRun).order_by(SyncRun.id.desc())).first()
    assert run.status == "failed" and "TransientError" in run.error


def test_sync_logs_no_secrets(app, sim, caplog) -> None:
    import logging

    from integrations.amazon.auth import clear_token_cache

    app.config.update(SPAPI_RATE_SCALE=1000)
    runner = app.test_cli_runner()
    assert runner.invoke(args=add_args(sim, name="quiet", tenant="quiet")).exit_code == 0
    clear_token_cache()  # so this sync logs in while we listen
    caplog.set_level(logging.DEBUG)
    result = runner.invoke(
        args=["sync", "--seller", "quiet", "--streams", "inventory", "--backfill-days", "10"]
    )
    assert result.exit_code == 0, result.output
    logged = caplog.text + result.output
    assert "inventory ledger" in logged and "/auth/o2/token" in logged  # it did log in
    for secret in (sim.sellers[0]["refresh_token"], sim.sellers[0]["client_secret"], "Atza|"):
        assert secret not in logged


def test_sync_waits_for_a_running_job_of_the_same_stream(app, sim) -> None:
    """The foreground sync takes the lock sync jobs hold; while a job holds it, it refuses."""
    from app.extensions import db
    from app.models import SellerAccount
    from app.tasks import stream_lock

    app.config.update(SPAPI_RATE_SCALE=1000, JOBS_LOCK_WAIT=0.2)
    runner = app.test_cli_runner()
    assert runner.invoke(args=add_args(sim, name="locked", tenant="locked")).exit_code == 0
    account = db.session.scalars(select(SellerAccount).where(SellerAccount.name == "locked")).one()
    with stream_lock(account.id, "inventory"):
        result = runner.invoke(
            args=["sync", "--seller", "locked", "--streams", "inventory", "--backfill-days", "5"]
        )
    assert result.exit_code != 0 and "LockBusy" in result.output


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_sync_side_by_side_stores_what_one_by_one_stores(live_app, sim) -> None:
    """`sync` runs the streams side by side (app.sync.runner.run_together, each after the
    streams it needs) and stores exactly what `sync --one-by-one` stores, on SQLite's one
    writer, every run succeeded."""
    from app.extensions import db
    from app.models import SyncRun
    from app.sync.streams import NAMES, NEEDS, Stream
    from tests.support.sync import sim_seller, table_digests

    live_app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02)
    in_order = sim_seller(db.session, sim, "one-by-one").id
    together = sim_seller(db.session, sim, "side-by-side").id
    runner = live_app.test_cli_runner()
    first = runner.invoke(
        args=["sync", "--seller", "one-by-one", "--backfill-days", "45", "--one-by-one"]
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["sync", "--seller", "side-by-side", "--backfill-days", "45"])
    assert second.exit_code == 0, second.output
    for name in NAMES:
        assert f"[{name:9s} done  ]" in second.output
    db.session.expire_all()
    runs = {
        r.stream: r
        for r in db.session.scalars(select(SyncRun).where(SyncRun.seller_account_id == together))
    }
    assert sorted(runs) == sorted(NAMES)
    assert {r.status for r in runs.values()} == {"succeeded"}
    # A stream started only once those it needs had finished.
    for stream, needs in NEEDS.items():
        for need in needs:
            assert runs[need.value].ended_at <= runs[stream.value].started_at, (stream, need)
    assert Stream.FEES in NEEDS and NEEDS[Stream.FEES]
    assert table_digests(db.session, together, with_timestamps=False) == table_digests(
        db.session, in_order, with_timestamps=False
    )


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_sync_one_stream_failing_does_not_stop_the_others(live_app) -> None:
    """Side by side, every chosen stream runs and records its failure; the command exits
    non-zero after all of them."""
    from app.extensions import db
    from app.models import SellerAccount, SyncRun, Tenant

    tenant = Tenant(name="dead-two")
    db.session.add(tenant)
    db.session.flush()
    db.session.add(
        SellerAccount(
            tenant_id=tenant.id,
            name="dead2",
            lwa_client_id="amzn1.application-oa2-client.test",
            lwa_client_secret="client-secret-value",
            refresh_token="Atzr|refresh-token-value",
            endpoint="http://127.0.0.1:9",
            token_url="http://127.0.0.1:9/auth/o2/token",
        )
    )
    db.session.commit()
    live_app.config.update(SPAPI_RETRIES=1, SPAPI_TIMEOUT=2)
    result = live_app.test_cli_runner().invoke(
        args=["sync", "--seller", "dead2", "--streams", "inbound,orders"]
    )
    assert result.exit_code != 0 and "some streams failed" in result.output
    assert "[orders    failed]" in result.output and "[inbound   failed]" in result.output
    db.session.expire_all()
    runs = sorted(tuple(r) for r in db.session.execute(select(SyncRun.stream, SyncRun.status)))
    assert runs == [("inbound", "failed"), ("orders", "failed")]
