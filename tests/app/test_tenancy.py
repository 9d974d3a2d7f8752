"""A query for tenant B never returns tenant A's rows."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Order, Product, SellerAccount
from app.tenancy import get_owned, owned_select, tenant_session


def _two_tenants(factory):
    a, b = factory.tenant("A"), factory.tenant("B")
    sa, sb = factory.seller(a), factory.seller(b)
    for i in range(3):
        factory.product(sa, f"A-{i}")
    factory.product(sb, "B-0")
    return a, b, sa, sb


def test_owned_select_and_get_owned_scope_to_the_tenant(factory, db_session) -> None:
    a, b, sa, sb = _two_tenants(factory)
    skus = db_session.scalars(owned_select(Product, b.id)).all()
    assert [p.sku for p in skus] == ["B-0"]
    a_product = db_session.scalars(owned_select(Product, a.id)).first()
    assert get_owned(db_session, Product, a_product.id, b.id) is None
    assert get_owned(db_session, Product, a_product.id, a.id) is a_product


def test_a_tenant_session_filters_even_unscoped_queries(app, factory, db_session) -> None:
    from app.extensions import db

    a, b, sa, sb = _two_tenants(factory)
    db_session.commit()
    session = tenant_session(db.new_session(), b.id)
    try:
        assert [p.sku for p in session.scalars(select(Product))] == ["B-0"]
        assert session.scalar(select(func.count()).select_from(Product)) is not None
        assert [s.id for s in session.scalars(select(SellerAccount))] == [sb.id]
        # Relationship/ORM loads through joins are scoped too.
        rows = session.scalars(
            select(Product).join(SellerAccount, Product.seller_account_id == SellerAccount.id)
        ).all()
        assert {p.tenant_id for p in rows} == {b.id}
        assert session.scalars(select(Order)).all() == []
    finally:
        session.close()
