"""Fast, realistic seeding of one tenant's planning data into PostgreSQL for benchmarks.

    from bench.seed_data import seed
    result = seed("postgresql+psycopg://root@127.0.0.1:5432/scratch", n_skus=5000,
                  encryption_keys=[key])

The schema must already be migrated (app.migrate.upgrade). Writes one tenant, `n_users` users
(bench1@example.com ... with PASSWORD), one seller account (secrets encrypted with the given
Fernet keys, as the app expects), N products with varied sizes, costs, prices, lead times, case
packs and MOQs, `days` of history (one order of that day's units per SKU and sale day, one
inventory snapshot per SKU and day) from a simulated stock that really runs out and is
replenished, Amazon fee estimates, fee events and restock suggestions, a ready model version
with `forecast_days` of forecasts, and one current recommendation per SKU.

Demand, stock and recommendations are computed with numpy across all SKUs at once and loaded
with COPY (CSV built by pandas), so 5,000 SKUs x 365 days (~4.5M rows) load in about a minute.
Also a CLI: `python bench/seed_data.py URL --skus 5000 [--migrate]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.security.crypto import KeyRing  # noqa: E402

PASSWORD = "bench password 1"  # noqa: S105 - a benchmark login on a scratch database
_VERBOSE = False  # the CLI prints per-table timings
CATEGORIES = ("Kitchen", "Home", "Toys", "Sports", "Beauty", "Pet Supplies", "Office", "Garden")
NOUNS = ("Bottle", "Organizer", "Mat", "Brush", "Lamp", "Tumbler", "Bin", "Cable", "Towel", "Set")
ADJECTIVES = ("Bamboo", "Steel", "Compact", "Deluxe", "Eco", "Foldable", "Premium", "Classic")


@dataclass
class SeedResult:
    """What was written: ids, logins and counts the benchmark needs."""

    tenant_id: int
    seller_id: int
    model_version_id: int
    emails: list[str]
    password: str
    product_ids: list[int]
    skus: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def conninfo(url: str) -> str:
    """A psycopg connection string from a SQLAlchemy URL (postgresql+psycopg://...)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _copy(conn: psycopg.Connection, table: str, df: pd.DataFrame) -> int:
    """COPY a DataFrame into `table` (column names = DataFrame columns); empty cells are NULL."""
    t0 = time.perf_counter()
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False)
    cols = ", ".join(df.columns)
    # Plain (non-constraint) indexes are rebuilt after a big load: one sort beats a million
    # incremental inserts. Constraint indexes stay, so duplicates still fail loudly.
    rebuild = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (table,)
    ).fetchall() if len(df) > 100_000 else []
    for name, _ in rebuild:
        conn.execute(f'DROP INDEX "{name}"')
    sql = f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)"
    with conn.cursor() as cur, cur.copy(sql) as cp:
        cp.write(buf.getvalue())
    for _, definition in rebuild:
        conn.execute(definition)
    if _VERBOSE:
        print(f"  {table}: {len(df)} rows in {time.perf_counter() - t0:.1f}s", flush=True)
    return len(df)


def _skip_fk_checks(conn: psycopg.Connection) -> None:
    """Skip foreign-key triggers for this session when allowed (the rows are consistent by
    construction); they cost more than the inserts themselves. Needs a superuser."""
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        return
    conn.execute("SET session_replication_role = replica")


def _one(conn: psycopg.Connection, sql: str, params: tuple[Any, ...]) -> int:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


def _simulate(rng: np.random.Generator, n: int, days: int, lead: np.ndarray, case_pack: np.ndarray,
              start: dt.date) -> dict[str, np.ndarray]:
    """Daily demand, sales (capped by stock), end-of-day stock and inbound for every SKU."""
    # Long-tailed velocities: most SKUs sell a unit or two a day, a few sell dozens.
    rate = np.clip(rng.lognormal(0.3, 1.0, n), 0.03, 80.0)
    weekday = np.array([1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 0.95])  # Monday first
    amp, phase = rng.uniform(0.0, 0.35, n), rng.uniform(0, 2 * np.pi, n)
    dates = [start + dt.timedelta(days=k) for k in range(days)]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    wk = weekday[[d.weekday() for d in dates]]
    season = 1 + amp[:, None] * np.sin(2 * np.pi * doy[None, :] / 365.25 + phase[:, None])
    lam = rate[:, None] * season * wk[None, :]
    demand = rng.poisson(lam)
    # Replenishment habits: most reorder on time, some run lean (stockouts), some over-buy.
    habit = rng.choice([0, 1, 2], n, p=[0.75, 0.15, 0.10])
    cover = np.where(habit == 1, 0.4, np.where(habit == 2, 4.0, 1.0))
    stock = np.ceil(rate * rng.uniform(20, 120, n) * np.where(habit == 2, 3, 1))
    pending_qty = np.zeros(n)
    pending_at = np.full(n, -1)
    sales = np.zeros((n, days), dtype=np.int64)
    fulfillable = np.zeros((n, days), dtype=np.int64)
    inbound = np.zeros((n, days), dtype=np.int64)
    for t in range(days):
        arrive = pending_at == t
        stock[arrive] += pending_qty[arrive]
        pending_qty[arrive], pending_at[arrive] = 0, -1
        sold = np.minimum(demand[:, t], stock)
        stock -= sold
        reorder = (pending_at < 0) & (stock < rate * (lead + 14) * cover)
        qty = np.ceil(rate * rng.uniform(45, 90, n) * cover / case_pack) * case_pack
        pending_qty[reorder] = qty[reorder]
        pending_at[reorder] = t + lead[reorder]
        sales[:, t], fulfillable[:, t], inbound[:, t] = sold, stock, pending_qty
    return {"rate": rate, "amp": amp, "phase": phase, "demand": demand, "sales": sales,
            "fulfillable": fulfillable, "inbound": inbound,
            "dates": np.array(dates, dtype="datetime64[D]")}


def seed(url: str, n_skus: int = 5000, days: int = 365, forecast_days: int = 120,
         n_users: int = 1, encryption_keys: list[str] | None = None,
         seed_value: int = 1) -> SeedResult:
    """Write one tenant's data into the migrated PostgreSQL database at `url`."""
    from cryptography.fernet import Fernet

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed_value)
    ring = KeyRing(encryption_keys or [Fernet.generate_key().decode()])
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()
    start = today - dt.timedelta(days=days - 1)
    rows: dict[str, int] = {}
    from werkzeug.security import generate_password_hash

    pw_hash = generate_password_hash(PASSWORD)  # one hash for all users: scrypt is slow on purpose
    emails = [f"bench{i + 1}@example.com" for i in range(n_users)]
    with psycopg.connect(conninfo(url)) as conn:
        _skip_fk_checks(conn)
        tid = _one(conn, "INSERT INTO tenants (name, created_at, updated_at) VALUES (%s, %s, %s) "
                   "RETURNING id", (f"Bench {now.isoformat()}", now, now))
        for email in emails:
            uid = _one(conn, "INSERT INTO users (email, password_hash, active, created_at, "
                       "updated_at) VALUES (%s, %s, true, %s, %s) RETURNING id",
                       (email, pw_hash, now, now))
            conn.execute("INSERT INTO memberships (tenant_id, user_id, role, created_at, "
                         "updated_at) VALUES (%s, %s, %s, %s, %s)",
                         (tid, uid, "owner" if email == emails[0] else "member", now, now))
        # One connection (the credentials, per selling partner and region) and its US account.
        cid = _one(conn, """
            INSERT INTO seller_connections (tenant_id, region, endpoint, token_url, lwa_client_id,
              lwa_client_secret, refresh_token, created_at, updated_at)
            VALUES (%s, 'us-east-1', 'http://127.0.0.1:9', 'http://127.0.0.1:9/auth/o2/token',
              'amzn1.application-oa2-client.bench', %s, %s, %s, %s) RETURNING id""",
            (tid, ring.encrypt("lwa-secret"), ring.encrypt("Atzr|bench"), now, now))
        sid = _one(conn, """
            INSERT INTO seller_accounts (tenant_id, connection_id, public_id, name, marketplace,
              marketplace_id, region, webhook_secret, review_days, capacity_standard_cuft, active,
              created_at, updated_at)
            VALUES (%s, %s, %s, 'Bench US', 'US', 'ATVPDKIKX0DER', 'us-east-1', %s, 7, 2000, true,
              %s, %s)
            RETURNING id""",
            (tid, cid, f"bench{tid}", ring.encrypt("webhook-secret"), now, now))
        base = {"tenant_id": tid, "seller_account_id": sid}

        # Products with plausible, varied attributes.
        idx = np.arange(n_skus)
        skus = [f"SKU-{i:05d}" for i in idx]
        dims = np.round(rng.uniform([3, 2, 1], [24, 16, 10], (n_skus, 3)), 1)
        cube = np.round(dims.prod(axis=1) / 1728, 4)
        weight = np.round(cube * rng.uniform(5, 25, n_skus) + 0.1, 2)
        unit_cost = np.round(rng.lognormal(1.8, 0.6, n_skus), 2)
        price = np.round(unit_cost * rng.uniform(2.2, 4.0, n_skus), 2) - 0.01
        prod_days = rng.choice([7, 14, 21, 30], n_skus)
        transit = rng.choice([5, 10, 25, 35], n_skus)
        receiving = rng.choice([5, 7, 10], n_skus)
        case_pack = rng.choice([1, 6, 12, 24, 48], n_skus, p=[0.3, 0.25, 0.25, 0.15, 0.05])
        moq = rng.choice([0, 0, 100, 300, 500], n_skus)
        lead = prod_days + transit + receiving
        products = pd.DataFrame({
            **base, "sku": skus,
            "asin": [f"B0{i:08d}" for i in idx], "fnsku": [f"X00{i:07d}" for i in idx],
            "title": [f"{ADJECTIVES[i % 8]} {NOUNS[(i // 8) % 10]} {i}" for i in idx],
            "category": [CATEGORIES[(i * 7) % 8] for i in idx],
            "length_in": dims[:, 0], "width_in": dims[:, 1], "height_in": dims[:, 2],
            "weight_lb": weight, "cubic_feet": cube,
            "size_tier": np.where(dims[:, 0] > 18, "Large standard", "Small standard"),
            "unit_cost": unit_cost, "price": price,
            "lead_time_production_days": prod_days, "lead_time_transit_days": transit,
            "lead_time_receiving_days": receiving, "lead_time_spread_days": rng.choice([0, 3, 7],
                                                                                       n_skus),
            "case_pack": case_pack, "moq": moq,
            "prep_owner": rng.choice(["SELLER", "AMAZON", "NONE"], n_skus),
            "label_owner": rng.choice(["SELLER", "AMAZON"], n_skus),
            "active": True, "created_at": now.isoformat(), "updated_at": now.isoformat(),
        })
        rows["products"] = _copy(conn, "products", products)
        ids = dict(conn.execute("SELECT sku, id FROM products WHERE tenant_id = %s AND "
                                "seller_account_id = %s", (tid, sid)).fetchall())

        sim = _simulate(rng, n_skus, days, lead, case_pack, start)
        sku_arr = np.array(skus)

        # One snapshot per SKU per day; inbound split by how close the shipment is.
        f, inb = sim["fulfillable"], sim["inbound"]
        snaps = pd.DataFrame({
            **base, "sku": np.repeat(sku_arr, days),
            "date": np.tile(sim["dates"], n_skus),
            "fulfillable": f.ravel(), "inbound_working": 0, "inbound_shipped": inb.ravel(),
            "inbound_receiving": 0, "reserved": (f.ravel() * 0.03).astype(np.int64),
            "unfulfillable": (idx.repeat(days) % 97 == 0).astype(np.int64),
            "researching": 0, "source": "ledger", "captured_at": now.isoformat(),
        })
        snaps.loc[snaps["date"] == np.datetime64(today), "source"] = "summaries"
        rows["inventory_snapshots"] = _copy(conn, "inventory_snapshots", snaps)
        del snaps

        # One order per SKU and day that sold, carrying the day's units; a few recent ones pending.
        si, ti = np.nonzero(sim["sales"])
        hours = rng.integers(0, 86400, len(si))
        day0 = pd.Timestamp(start, tz="UTC")
        purchase = day0 + pd.to_timedelta(ti, unit="D") + pd.to_timedelta(hours, unit="s")
        order_ids = [f"{100 + s % 900:03d}-{s:07d}-{t:07d}" for s, t in zip(si, ti, strict=True)]
        status = np.where(ti >= days - 2, "Pending", "Shipped")
        stamp = purchase.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        orders = pd.DataFrame({
            **base, "amazon_order_id": order_ids, "purchase_date": stamp,
            "last_update_date": stamp, "status": status, "fulfillment_channel": "AFN",
            "marketplace_id": "ATVPDKIKX0DER", "synced_at": now.isoformat(),
        })
        rows["orders"] = _copy(conn, "orders", orders)
        # Fresh statistics, or the order_items foreign-key checks plan sequential scans.
        conn.execute("ANALYZE orders")
        units = sim["sales"][si, ti]
        items = pd.DataFrame({
            **base, "amazon_order_id": order_ids, "order_item_id": [f"{o}-1" for o in order_ids],
            "sku": sku_arr[si], "asin": products["asin"].to_numpy()[si],
            "quantity_ordered": units, "quantity_shipped": np.where(status == "Shipped", units, 0),
            "item_price": np.round(price[si] * units, 2), "currency": "USD",
        })
        rows["order_items"] = _copy(conn, "order_items", items)

        # Fees: Amazon's estimate per SKU, and the fees charged on the last 90 days of orders.
        fba_fee = np.round(3.0 + weight * 0.9 + (dims[:, 0] > 18) * 2.5, 2)
        referral = np.round(price * 0.15, 2)
        rows["fee_estimates"] = _copy(conn, "fee_estimates", pd.DataFrame({
            **base, "sku": skus, "price": price, "currency": "USD", "fulfillment_fee": fba_fee,
            "referral_fee": referral, "total_fees": fba_fee + referral,
            "size_tier": products["size_tier"], "fetched_at": now.isoformat(),
        }))
        recent = ti >= days - 90
        r_si, r_units = si[recent], units[recent]
        r_oids = np.array(order_ids)[recent]
        r_stamp = np.array(stamp)[recent]
        fee_rows = []
        for kind, amount in (("FBAPerUnitFulfillmentFee", fba_fee), ("Commission", referral)):
            fee_rows.append(pd.DataFrame({
                **base, "event_key": [f"{kind[:4]}{o}" for o in r_oids], "event_kind": "shipment",
                "amazon_order_id": r_oids, "order_item_id": [f"{o}-1" for o in r_oids],
                "sku": sku_arr[r_si], "fee_type": kind,
                "amount": -np.round(amount[r_si] * r_units, 2), "currency": "USD",
                "posted_date": r_stamp,
            }))
        rows["fee_events"] = _copy(conn, "fee_events", pd.concat(fee_rows))

        # A ready model and its forecasts: the simulated demand process, with Poisson-ish bands.
        mv = _one(conn, "INSERT INTO model_versions (tenant_id, seller_account_id, trained_at, "
                  "cutoff, params, metrics, status) VALUES (%s, %s, %s, %s, %s, %s, 'ready') "
                  "RETURNING id", (tid, sid, now, today, json.dumps({"bench": True}),
                                   json.dumps({"mase": 0.9}), ))
        fdates = [today + dt.timedelta(days=k) for k in range(1, forecast_days + 1)]
        fdoy = np.array([d.timetuple().tm_yday for d in fdates])
        fwk = np.array([[1.05, 1.0, 0.95, 0.95, 1.0, 1.1, 0.95][d.weekday()] for d in fdates])
        mean = sim["rate"][:, None] * fwk[None, :] * (
            1 + sim["amp"][:, None] * np.sin(2 * np.pi * fdoy[None, :] / 365.25
                                             + sim["phase"][:, None]))
        sd = np.sqrt(mean) * (1 + 0.01 * np.arange(forecast_days))[None, :]
        fc = pd.DataFrame({
            **base, "model_version_id": mv, "sku": np.repeat(sku_arr, forecast_days),
            "date": np.tile(np.array(fdates, dtype="datetime64[D]"), n_skus),
            "mean": np.round(mean.ravel(), 4),
            "p10": np.round(np.maximum(0, mean - 1.28 * sd).ravel(), 4),
            "p50": np.round(np.maximum(0, mean - 0.1 * sd).ravel(), 4),
            "p90": np.round((mean + 1.28 * sd).ravel(), 4),
        })
        rows["forecasts"] = _copy(conn, "forecasts", fc)

        # Current recommendations from stock, inbound and the forecast over lead time + review.
        available = f[:, -1] + inb[:, -1]
        daily = mean[:, :30].mean(axis=1)
        horizon = np.minimum(lead + 7 + 14, forecast_days)
        cum = np.cumsum(mean, axis=1)
        need = cum[idx, horizon - 1] + 1.65 * np.sqrt(cum[idx, horizon - 1])
        qty = np.maximum(0, need - available)
        qty = np.where(qty > 0, np.maximum(np.ceil(qty / case_pack) * case_pack, moq), 0)
        cover = np.round(available / np.maximum(daily, 1e-6), 1)
        cover = np.minimum(cover, 9999)
        ship_in = np.clip(cover - lead, 0, 60).astype(int)
        z = (available - cum[idx, lead - 1]) / np.sqrt(np.maximum(cum[idx, lead - 1], 1e-6))
        p_out = np.round(0.5 * np.vectorize(math.erfc)(z / math.sqrt(2)), 3)
        # The planner's status words: out of stock, ship (now or by a date), excess or healthy.
        status = np.where(
            available <= 0, "out_of_stock",
            np.where(qty > 0, np.where(ship_in == 0, "ship_now", "ship_by"),
                     np.where(cover > 180, "excess", "healthy")))
        storage = np.round(cube * available * 0.87 / 30 * 90, 2)
        breakdown = [json.dumps({
            "with": {"stockout": round(float(a) * 0.2, 2), "storage": float(s) + 1.0,
                     "shipping": round(float(q) * 0.4, 2)},
            "without": {"stockout": round(float(a), 2), "storage": float(s), "shipping": 0.0},
            "service_level": 0.95,
        }) for a, s, q in zip(p_out * price * daily * 30, storage, qty, strict=True)]
        rows["recommendations"] = _copy(conn, "recommendations", pd.DataFrame({
            **base, "sku": skus, "computed_at": now.isoformat(), "is_current": True,
            "model_version_id": mv, "quantity": qty.astype(np.int64),
            "ship_by": [today + dt.timedelta(days=int(d)) if q else None
                        for d, q in zip(ship_in, qty, strict=True)],
            "days_of_cover_without": cover,
            "days_of_cover_with": np.round((available + qty) / np.maximum(daily, 1e-6), 1).clip(
                max=9999),
            "stockout_probability": p_out, "status": status, "cost_breakdown": breakdown,
            "explanation": "Ship now: covers lead time plus review period at 95% service.",
        }))
        rows["amazon_restock_recommendations"] = _copy(
            conn, "amazon_restock_recommendations", pd.DataFrame({
                **base, "sku": skus, "recommended_quantity": (qty * 1.2).astype(np.int64),
                "recommended_ship_date": [today + dt.timedelta(days=int(d)) for d in ship_in],
                "alert": np.where(status == "out_of_stock", "out_of_stock", ""),
                "days_of_supply": cover, "fetched_at": now.isoformat(),
            }))
        conn.commit()
    rows["sku_daily_units"] = _daily_units(url, tid, sid)
    # Outside the transaction: planner statistics for every table just loaded.
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return SeedResult(tid, sid, mv, emails, PASSWORD, [ids[s] for s in skus], skus, rows,
                      time.perf_counter() - t0)


def _daily_units(url: str, tenant_id: int, seller_id: int) -> int:
    """The orders' daily units, as the orders sync keeps them (app.sync.daily)."""
    from sqlalchemy import create_engine, func, select

    from app.models import SkuDailyUnits
    from app.sync import daily

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            daily.rebuild(conn, tenant_id, seller_id)
            return int(conn.execute(select(func.count()).where(
                SkuDailyUnits.tenant_id == tenant_id, SkuDailyUnits.seller_account_id == seller_id
            )).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    """CLI: seed an already-created database (optionally migrating it first)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--skus", type=int, default=5000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--users", type=int, default=1)
    ap.add_argument("--encryption-key", action="append")
    ap.add_argument("--migrate", action="store_true")
    args = ap.parse_args()
    global _VERBOSE
    _VERBOSE = True
    if args.migrate:
        from app import migrate

        migrate.upgrade(args.url)
    res = seed(args.url, args.skus, args.days, n_users=args.users,
               encryption_keys=args.encryption_key)
    print(f"seeded tenant {res.tenant_id} seller {res.seller_id} in {res.seconds:.1f}s: "
          + ", ".join(f"{k}={v}" for k, v in res.rows.items()))
    print(f"login: {res.emails[0]} / {res.password}")


if __name__ == "__main__":
    main()
