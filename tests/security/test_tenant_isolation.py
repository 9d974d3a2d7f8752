"""Tenant isolation, discovered from the URL map: B's user gets 404 for every id of A's.

How it works (and how a new route is covered without anyone adding it here):

1. Tenant A gets one row of *every* tenant-owned model (the test fails if a model is added and
   not seeded below), tenant B a user, a seller and a SKU of its own.
2. Every rule of `app.url_map` whose URL takes an argument is collected, UI and API alike.
3. Each argument is mapped to one of A's rows by NAMING CONVENTION:
   - `<int:NAME_id>` where NAME is the model's table name in the singular
     (`product_id` -> Product, `shipment_plan_id` -> ShipmentPlan, `job_record_id` -> JobRecord,
     `seller_account_id` -> SellerAccount, ...), or one of the short ALIASES below
     (`sku_id`, `plan_id`, `seller_id`, `job_id`, `line_id`, `model_id`, `run_id`, ...);
   - a string argument named in STRING_ARGS (`sku` -> Product.sku, `public_id` ->
     SellerAccount.public_id, ...).
   An argument that maps to nothing FAILS the test, naming the route: name the argument by the
   convention or add it to ALIASES / STRING_ARGS.
4. B requests every method the rule allows with A's ids (API: B's bearer token and a JSON body;
   UI: B's logged-in session and a valid CSRF token) and must get 404. As a control, A's own
   GET of the same URL must not be 404 (so a mapping to the wrong model cannot pass silently).
5. Every row of A's is compared before and after: nothing may have changed.

Routes authenticated by a signature instead of a user (webhooks) are not user-scoped; for them B's
session must get a 4xx and change nothing. Only `static` is exempt outright.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import inspect, select

from app import summaries
from app.models import (
    AlertMessage,
    AlertSettings,
    AlertState,
    AmazonRestockRecommendation,
    ApiToken,
    Base,
    ExchangeRate,
    FeeEstimate,
    FeeEvent,
    Forecast,
    InboundShipment,
    InboundShipmentItem,
    InventorySnapshot,
    JobRecord,
    Membership,
    ModelVersion,
    Order,
    OrderItem,
    Product,
    Recommendation,
    SellerAccount,
    ShipmentPlan,
    ShipmentPlanLine,
    StorageFeeCharge,
    SyncRun,
    SyncState,
    Tenant,
    User,
    WebhookEvent,
    utcnow,
)
from app.models.supply import (
    FreightLane,
    Location,
    LocationInbound,
    LocationStock,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    Supplier,
    SupplierSku,
)
from app.models.tenancy import hash_token
from app.sync import daily
from tests.support.timeline import planned_timeline

PASSWORD = "correct horse 9"
API_PREFIX = "/api/v1/"
SKIP_METHODS = {"HEAD", "OPTIONS"}

# Short argument names accepted besides `<singular table name>_id`.
ALIASES: dict[str, type] = {
    "sku_id": Product,
    "plan_id": ShipmentPlan,
    "line_id": ShipmentPlanLine,
    "plan_line_id": ShipmentPlanLine,
    "seller_id": SellerAccount,
    "account_id": SellerAccount,
    "job_id": JobRecord,
    "model_id": ModelVersion,
    "run_id": SyncRun,
    "token_id": ApiToken,
    "member_id": Membership,
    "event_id": WebhookEvent,
    "snapshot_id": InventorySnapshot,
    "restock_id": AmazonRestockRecommendation,
    "storage_fee_id": StorageFeeCharge,
    "po_id": PurchaseOrder,
}
# String arguments: which model's which column holds the value.
STRING_ARGS: dict[str, tuple[type, str]] = {
    "sku": (Product, "sku"),
    "public_id": (SellerAccount, "public_id"),
    "amazon_order_id": (Order, "amazon_order_id"),
}
# Blueprints whose routes are authenticated by a signature, not by a user's session or token.
SIGNED_BLUEPRINTS = ("webhooks",)
EXEMPT = {"static": "serves the app's own files; holds no tenant data"}
# Text that appears in A's data and must never appear in a page or response served to B.
A_MARKERS = ("ACME-SKU-7F3", "Acme secret plan", "acme-seller-9q")


def _singular(table: str) -> str:
    return table[:-1] if table.endswith("s") else table


def id_models() -> dict[str, type]:
    """Argument name -> model, from the naming convention plus ALIASES."""
    names = {f"{_singular(m.class_.__tablename__)}_id": m.class_ for m in Base.registry.mappers}
    return {**names, **ALIASES}


def _tenant_owned_models() -> list[type]:
    return [
        m.class_
        for m in Base.registry.mappers
        if "tenant_id" in m.columns and m.class_ is not Tenant
    ]


@functools.cache
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@dataclass
class Tenants:
    """What the walk needs: A's rows by model, and both users' credentials."""

    a_rows: dict[type, Any]
    a_id: int
    b_id: int
    a_email: str
    b_email: str
    a_token: str
    b_token: str


def _user(session: Any, tenant: Tenant, email: str) -> tuple[User, str]:
    user = User(email=email, password_hash=_password_hash())
    session.add(user)
    session.flush()
    session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
    token = ApiToken.generate()
    session.add(
        ApiToken(tenant_id=tenant.id, user_id=user.id, name="walk", token_hash=hash_token(token))
    )
    session.flush()
    return user, token


def _seller(session: Any, tenant: Tenant, name: str) -> SellerAccount:
    seller = SellerAccount(
        tenant_id=tenant.id,
        name=name,
        lwa_client_id="amzn1.application-oa2-client.walk",
        lwa_client_secret="walk-client-secret",
        refresh_token="Atzr|walk-refresh",
    )
    session.add(seller)
    session.flush()
    return seller


def _seed_supply(session: Any, own: dict[str, int], sku: str, today: dt.date, user_id: int) -> None:
    """A's upstream: a supplier with a lane and terms, a warehouse with stock and an inbound,
    and a shipped purchase order with one partial receipt."""
    supplier = Supplier(tenant_id=own["tenant_id"], name="Acme secret plan supplier")
    warehouse = Location(**own, kind="warehouse", name="Acme secret plan 3PL")
    session.add_all([supplier, warehouse])
    session.flush()
    lane = FreightLane(
        tenant_id=own["tenant_id"], supplier_id=supplier.id,
        destination_location_id=warehouse.id, mode="sea", transit_days=30,
    )
    po = PurchaseOrder(
        **own, number="PO-ACME-1", supplier_id=supplier.id,
        destination_location_id=warehouse.id, status="shipped", currency="USD",
        created_by_user_id=user_id,
    )
    session.add_all([
        lane,
        po,
        SupplierSku(**own, supplier_id=supplier.id, sku=sku, unit_cost=2.5),
        LocationStock(**own, location_id=warehouse.id, sku=sku, quantity=40),
        LocationInbound(**own, location_id=warehouse.id, reference="XFER-1", sku=sku, quantity=8),
    ])
    session.flush()
    line = PurchaseOrderLine(**own, purchase_order_id=po.id, sku=sku, quantity=24, unit_cost=2.5,
                             received_quantity=6)
    session.add(line)
    session.flush()
    session.add(PurchaseOrderReceipt(**own, purchase_order_id=po.id, line_id=line.id, sku=sku,
                                     quantity=6, received_on=today, created_by_user_id=user_id))
    session.flush()


def seed(session: Any) -> Tenants:
    """Tenant A with one row of every tenant-owned model; tenant B with a user, seller and SKU."""
    a, b = Tenant(name="Acme walk"), Tenant(name="Bolt walk")
    session.add_all([a, b])
    session.flush()
    user_a, token_a = _user(session, a, "ann@acme.walk")
    user_b, token_b = _user(session, b, "bo@bolt.walk")
    seller = _seller(session, a, "acme-seller-9q")
    seller_b = _seller(session, b, "bolt-seller")
    session.add(Product(tenant_id=b.id, seller_account_id=seller_b.id, sku="BOLT-1", title="B"))
    own = {"tenant_id": a.id, "seller_account_id": seller.id}
    sku = "ACME-SKU-7F3"
    now = utcnow()
    today = now.date()
    product = Product(**own, sku=sku, title="Acme mug", case_pack=6, moq=12, unit_cost=2.5)
    model = ModelVersion(**own, trained_at=now, cutoff=today)
    order = Order(
        **own,
        amazon_order_id="111-0000000-0000001",
        purchase_date=now - dt.timedelta(days=2),
        last_update_date=now - dt.timedelta(days=1),
        status="Shipped",
    )
    job = JobRecord(tenant_id=a.id, kind="sync", seller_account_id=seller.id, status="succeeded")
    session.add_all([product, model, order, job])
    session.flush()
    tl = planned_timeline(sku, today, on_hand=20, inbound=12, rate=2.0, case_pack=1, moq=0)
    plan = ShipmentPlan(**own, name="Acme secret plan", created_by_user_id=user_a.id)
    plan.lines.append(ShipmentPlanLine(**own, sku=sku, quantity=12, recommended_quantity=12))
    session.add_all(
        [
            plan,
            OrderItem(
                **own,
                amazon_order_id=order.amazon_order_id,
                order_item_id="1",
                sku=sku,
                quantity_ordered=2,
            ),
            FeeEstimate(**own, sku=sku, price=19.99, fulfillment_fee=3.2, total_fees=6.2),
            StorageFeeCharge(**own, sku=sku, month=today.strftime("%Y-%m")),
            AmazonRestockRecommendation(**own, sku=sku, recommended_quantity=30),
            InventorySnapshot(**own, sku=sku, date=today, fulfillable=20),
            FeeEvent(
                **own,
                event_key=hashlib.sha256(b"walk").hexdigest(),
                event_kind="shipment",
                sku=sku,
                fee_type="FBAPerUnitFulfillmentFee",
                amount=-3.2,
                posted_date=now,
            ),
            WebhookEvent(
                **own,
                notification_id="walk-1",
                notification_type="ORDER_CHANGE",
                payload={"walk": True},
            ),
            Forecast(
                **own, model_version_id=model.id, sku=sku, date=today, mean=2, p10=1, p50=2, p90=3
            ),
            Recommendation(
                **own, sku=sku, model_version_id=model.id, quantity=tl.quantity,
                status=tl.status.value, ship_by=tl.ship_by, runs_out_on=tl.runs_out_on,
                explanation=tl.explanation, timeline=tl.to_dict(columns=True),
            ),
            InboundShipment(**own, shipment_id="FBA15WALK", status="shipped"),
            InboundShipmentItem(**own, shipment_id="FBA15WALK", sku=sku, quantity_shipped=12),
            SyncState(**own, stream="orders", watermark=now),
            SyncRun(**own, stream="orders", status="succeeded", job_record_id=job.id),
            AlertSettings(tenant_id=a.id, user_id=user_a.id, channel_url="json://127.0.0.1:18999/a"),
            AlertState(**own, user_id=user_a.id, kind="out_of_stock", subject=f"sku:{sku}"),
            AlertMessage(**own, user_id=user_a.id, kind="out_of_stock", sku=sku, text="walk"),
            ExchangeRate(tenant_id=a.id, base_currency="USD", currency="CAD", rate=0.72),
        ]
    )
    session.flush()
    daily.rebuild(session, a.id, seller.id)  # A's order as its daily units
    _seed_supply(session, own, sku, today, user_a.id)
    # The dashboard's read model of A's seller (a summary row and its state), built as the
    # recommend run would.
    summaries.refresh(session, seller)
    session.flush()
    rows: dict[type, Any] = {Tenant: a, User: user_a}
    for model_cls in _tenant_owned_models():
        rows[model_cls] = session.scalars(
            select(model_cls).where(model_cls.tenant_id == a.id).limit(1)
        ).first()
    return Tenants(rows, a.id, b.id, user_a.email, user_b.email, token_a, token_b)


def snapshot(app: Any, tenants: Tenants) -> dict[str, list[tuple]]:
    """Every row of A's, table by table, read through a fresh session (no tenant scoping)."""
    from app.extensions import db

    out: dict[str, list[tuple]] = {}
    with app.app_context():
        session = db.new_session()
        try:
            for table in Base.metadata.sorted_tables:
                stmt = table.select()
                if "tenant_id" in table.c:
                    stmt = stmt.where(table.c.tenant_id == tenants.a_id)
                elif table.name == "tenants":
                    stmt = stmt.where(table.c.id == tenants.a_id)
                elif table.name == "users":
                    stmt = stmt.where(table.c.email == tenants.a_email)
                elif table.name == "user_sessions":
                    a_user = tenants.a_rows[User].id
                    stmt = stmt.where(table.c.user_id == a_user)
                else:
                    pytest.fail(f"table {table.name} has no tenant_id: say here how to scope it")
                out[table.name] = sorted(tuple(map(repr, r)) for r in session.execute(stmt))
        finally:
            session.close()
    return out


@dataclass(frozen=True)
class IdRoute:
    """A rule that takes arguments, with A's value for each."""

    endpoint: str
    rule: str
    methods: tuple[str, ...]
    url: str

    @property
    def is_api(self) -> bool:
        return self.rule.startswith(API_PREFIX)


def _arg_value(name: str, tenants: Tenants) -> Any:
    if name in STRING_ARGS:
        model, column = STRING_ARGS[name]
        return getattr(tenants.a_rows[model], column)
    model = id_models().get(name)
    if model is None:
        return None
    return inspect(tenants.a_rows[model]).identity[0]


def id_routes(
    app: Any, tenants: Tenants, skip: frozenset[str] = frozenset()
) -> tuple[list[IdRoute], list[str]]:
    """Every rule with arguments, resolved to A's ids; and the rules that could not be resolved."""
    routes, unmapped = [], []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in EXEMPT or rule.endpoint in skip:
            continue
        values = {name: _arg_value(name, tenants) for name in rule.arguments}
        missing = sorted(name for name, value in values.items() if value is None)
        if missing:
            unmapped.append(
                f"{rule.rule} ({rule.endpoint}) takes <{'>, <'.join(missing)}>: name it "
                "<int:<singular table name>_id> or add it to ALIASES/STRING_ARGS in "
                "tests/security/test_tenant_isolation.py"
            )
            continue
        url = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
        methods = tuple(sorted(set(rule.methods or ()) - SKIP_METHODS))
        routes.append(IdRoute(rule.endpoint, rule.rule, methods, url))
    return routes, unmapped


class Caller:
    """Sends requests as one tenant's user, each in its own app context as in production."""

    def __init__(self, app: Any, email: str, token: str) -> None:
        self.app, self.email, self.token = app, email, token
        self.client = app.test_client()
        self.csrf = ""

    def login(self) -> None:
        """Log in through the real login form (CSRF included), as a browser would."""
        self.csrf = self._csrf_token()
        response = self.request("POST", "/login", data={"email": self.email, "password": PASSWORD})
        if response.status_code not in (302, 303):
            pytest.fail(f"logging in as {self.email} answered {response.status_code}")
        self.csrf = self._csrf_token()  # login starts a new session, with a new CSRF secret

    def _csrf_token(self) -> str:
        # Flask-WTF keeps a raw secret in the session and expects it signed in the form.
        field = self.app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.client.session_transaction() as sess:
            if field not in sess:
                sess[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF
            raw = sess[field]
        secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def request(self, method: str, url: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if url.startswith(API_PREFIX):
            headers["Authorization"] = f"Bearer {self.token}"
            if method not in ("GET", "DELETE"):
                kw.setdefault("json", {})
        elif method != "GET":
            kw.setdefault("data", {})
            kw["data"] = {"csrf_token": self.csrf, **kw["data"]}
            headers["X-CSRFToken"] = self.csrf
        # A fresh app context per request, as in production: nothing cached in `g` or in the
        # session's tenant scope carries over from the previous request.
        with self.app.app_context():
            return self.client.open(url, method=method, headers=headers, **kw)


def test_every_tenant_owned_model_is_seeded(app, db_session) -> None:
    tenants = seed(db_session)
    missing = [m.__name__ for m in _tenant_owned_models() if tenants.a_rows.get(m) is None]
    assert not missing, f"seed() creates no row of {missing}: add one so routes over it are walked"


def walk(
    app: Any, tenants: Tenants, skip: frozenset[str] = frozenset()
) -> tuple[list[IdRoute], list[str], list[str]]:
    """Request every id route as B (and GET as A); returns routes, failures, changed tables."""
    routes, unmapped = id_routes(app, tenants, skip)
    assert not unmapped, "routes the isolation walk cannot map:\n" + "\n".join(unmapped)
    a = Caller(app, tenants.a_email, tenants.a_token)
    b = Caller(app, tenants.b_email, tenants.b_token)
    if any(not r.is_api for r in routes):
        assert "auth.login" in app.view_functions, "UI id routes exist but no auth.login to use"
        a.login()
        b.login()
    before = snapshot(app, tenants)
    failures: list[str] = []
    for route in routes:
        signed = route.endpoint.split(".")[0] in SIGNED_BLUEPRINTS
        for method in route.methods:
            status = b.request(method, route.url).status_code
            if signed and not 400 <= status < 500:
                failures.append(f"{method} {route.url} ({route.endpoint}): B got {status}, not 4xx")
            elif not signed and status != 404:
                failures.append(f"{method} {route.url} ({route.endpoint}): B got {status}, not 404")
    after = snapshot(app, tenants)
    changed = [name for name in before if before[name] != after[name]]
    # Control, after the snapshot (A's own calls may touch A's rows, e.g. token last use): each
    # URL is real for its owner, so B's 404 above means isolation, not a wrong mapping.
    for route in routes:
        if "GET" in route.methods and route.endpoint.split(".")[0] not in SIGNED_BLUEPRINTS:
            status = a.request("GET", route.url).status_code
            if status == 404 or status >= 500:
                failures.append(f"GET {route.url} ({route.endpoint}): A itself got {status}")
    return routes, failures, changed


def test_tenant_b_gets_404_for_every_route_that_takes_an_id_of_tenant_a(app, db_session) -> None:
    tenants = seed(db_session)
    db_session.commit()
    routes, failures, changed = walk(app, tenants)
    assert {r.endpoint for r in routes} >= {"api.get_sku", "api.patch_plan", "api.sync_seller"}
    assert not failures, (
        "tenant isolation broken:\n"
        + "\n".join(failures)
        + "\n(a route authenticated by a signature rather than a user belongs in SIGNED_BLUEPRINTS)"
    )
    assert not changed, f"B's requests changed A's rows in {changed}"


def test_the_walk_fails_on_an_unmapped_argument_and_on_a_leak(app, db_session) -> None:
    """The walk itself can fail: a route it cannot map, and a route that serves any tenant."""
    from flask import jsonify

    from app.extensions import db

    tenants = seed(db_session)
    db_session.commit()

    def widget(widget_id: int):  # type: ignore[no-untyped-def]
        return jsonify(id=widget_id)

    def leaky_plan(plan_id: int):  # type: ignore[no-untyped-def]
        # A deliberately broken view: loads by id through an unscoped session and renames it.
        session = db.new_session()
        try:
            plan = session.get(ShipmentPlan, plan_id)
            plan.name = "renamed by B"
            session.commit()
            return jsonify(name=plan.name)
        finally:
            session.close()

    # Routes must be added before the app serves its first request.
    app.add_url_rule("/walk-test/widgets/<int:widget_id>", "walk_widget", widget)
    app.add_url_rule(
        "/walk-test/plans/<int:plan_id>", "walk_leak", leaky_plan, methods=["GET", "POST"]
    )
    _, unmapped = id_routes(app, tenants)
    assert [line for line in unmapped if "walk_widget" in line and "<widget_id>" in line]
    with pytest.raises(AssertionError, match="cannot map"):
        walk(app, tenants)
    _, failures, changed = walk(app, tenants, skip=frozenset({"walk_widget"}))
    assert any("walk_leak" in f and "B got 200" in f for f in failures), failures
    assert changed == ["shipment_plans"]


def test_tenant_b_sees_none_of_a_in_pages_and_lists(app, db_session) -> None:
    """Routes without ids (dashboards, lists, exports) show B nothing of A's."""
    tenants = seed(db_session)
    db_session.commit()
    b = Caller(app, tenants.b_email, tenants.b_token)
    if "auth.login" in app.view_functions:
        b.login()
    # A's ids as filters (?seller=..., ?ids=...): a filter must never reach across tenants.
    a_ids = {
        "seller": tenants.a_rows[SellerAccount].id,
        "seller_id": tenants.a_rows[SellerAccount].id,
        "plan_id": tenants.a_rows[ShipmentPlan].id,
        "job_id": tenants.a_rows[JobRecord].id,
        "ids": str(tenants.a_rows[JobRecord].id),
        "product_id": tenants.a_rows[Product].id,
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint in EXEMPT:
            continue
        response = b.request("GET", rule.rule, query_string=a_ids)
        text = response.get_data(as_text=True)
        leaked = [m for m in A_MARKERS if m in text]
        assert not leaked, f"GET {rule.rule} showed B {leaked} of tenant A"
        assert response.status_code < 500, f"GET {rule.rule} answered {response.status_code}"
        checked += 1
    assert checked >= 5
