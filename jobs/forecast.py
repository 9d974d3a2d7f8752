"""Retraining job: a thin wrapper that loads the seller, trains, commits, then recommends."""

from __future__ import annotations

from typing import Any


def retrain_seller(seller_account_id: int, job_record_id: int | None = None) -> dict[str, Any]:
    """Train the seller's forecaster and store forecasts; then queue fresh recommendations."""
    from jobs.progress import report

    from app.extensions import db
    from app.models import SellerAccount
    from app.planning.train import train_seller

    session = db.session
    account = session.get(SellerAccount, seller_account_id)
    if account is None or not account.active:
        return {"skipped": "seller account gone or inactive"}
    version = train_seller(
        session,
        account,
        progress=lambda p, m: report(job_record_id, p, m) if job_record_id else None,
    )
    session.commit()
    from jobs.dispatch import enqueue

    enqueue(
        "jobs.recommend.recommend_for_seller",
        seller_account_id,
        job_id=f"recommend:{seller_account_id}",
        kind="recommend",
        tenant_id=account.tenant_id,
        seller_account_id=seller_account_id,
    )
    return {"model_version_id": version.id, "metrics": version.metrics}
