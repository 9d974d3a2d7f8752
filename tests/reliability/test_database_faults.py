"""PostgreSQL drops the sync's connection while a page is being written: the page is all or
nothing, the cursor agrees with the rows, and a rerun converges to the truth."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

pytestmark = [
    pytest.mark.fault,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]


@pytest.mark.timeout(90)
def test_connection_terminated_mid_page_leaves_no_half_page(simulator, harness) -> None:
    from app.extensions import db
    from app.models import Order, OrderItem, SellerAccount, SyncRun, SyncState
    from app.sync.clients import client_for
    from app.sync.runner import run_stream

    with simulator() as (sim, _log):
        h = harness(sim)
        seller = h.seller()
        seen: dict[str, object] = {}

        def kill_on_second_page(stream: str) -> None:
            # Called after the page's rows are written in the open transaction, before COMMIT.
            seen["pages"] = int(seen.get("pages", 0)) + 1  # type: ignore[call-overload]
            if seen["pages"] != 2:
                return
            session = db.session
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
            seen["written"] = session.scalar(select(func.count()).select_from(Order))
            state = session.scalars(select(SyncState).where(SyncState.stream == "orders")).one()
            seen["cursor"] = json.loads(state.cursor)
            other = create_engine(h.app.config["DATABASE_URL"])
            with other.begin() as conn:  # another connection, as an operator or failover would
                assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            other.dispose()

        with h.app.app_context():
            account = db.session.get(SellerAccount, seller)
            client = client_for(account, h.app.config)
            with pytest.raises(DBAPIError):
                run_stream(db.session, account, "orders", client, backfill_days=120,
                           before_commit=kill_on_second_page)
            client.close()
            db.session.rollback()

        with h.app.app_context():
            session = db.new_session()
            committed = session.scalar(select(func.count()).select_from(Order))
            lines = session.scalar(select(func.count()).select_from(OrderItem))
            state = session.scalars(select(SyncState).where(SyncState.stream == "orders")).one()
            cursor = json.loads(state.cursor)
            # The first page is there, none of the second: fewer orders than the transaction
            # held when it was killed, and the cursor still points at the second window.
            assert 0 < committed < int(seen["written"])  # type: ignore[call-overload]
            assert cursor["backfill_next"] < seen["cursor"]["backfill_next"]  # type: ignore[index]
            nxt = dt.datetime.fromisoformat(cursor["backfill_next"])
            assert session.scalar(select(func.max(Order.last_update_date))) < nxt
            assert lines > 0
            session.close()

        h.sync(seller, ("orders", "inventory"))  # the rerun resumes from the cursor
        h.settle(seller)
        assert h.mismatches(seller) == []
        with h.app.app_context():
            runs = db.session.scalars(select(SyncRun).where(SyncRun.stream == "orders")).all()
            # The failure is recorded on a fresh connection (pool_pre_ping replaces the dead one).
            assert runs[0].status == "failed" and "terminat" in runs[0].error.lower()
            assert runs[-1].status == "succeeded"
