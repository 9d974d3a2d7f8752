"""Retraining job: a thin wrapper that loads the seller, trains, commits, then recommends."""

from __future__ import annotations

from typing import Any


def retrain_seller(seller_account_id: int, job_record_id: int | None = None) -> dict[str, Any]:
    """Train the seller's forecaster and store forecasts; then queue fresh recommendations."""
    from app.extensions import db
    from app.models import SellerAccount
    from app.planning.train import NotEnoughHistory, train_seller
    from jobs.dispatch import enqueue
    from jobs.progress import report

    session = db.session
    account = session.get(SellerAccount, seller_account_id)
    if account is None or not account.active:
        return {"skipped": "seller account gone or inactive"}
    try:
        version = train_seller(
            session,
            account,
            progress=lambda p, m: report(job_record_id, p, m) if job_record_id else None,
        )
    except NotEnoughHistory as exc:
        # Not worth retrying: a seller this new has too few days; the nightly run tries again.
        return {"skipped": str(exc)}
    session.commit()
    enqueue(
        "jobs.recommend.recommend_for_seller",
        seller_account_id,
        job_id=f"recommend:{seller_account_id}",
        kind="recommend",
        tenant_id=account.tenant_id,
        seller_account_id=seller_account_id,
        queue="low",
    )
    return {"model_version_id": version.id, "metrics": version.metrics}
