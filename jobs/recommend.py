"""Recommendation job: recompute after each retrain and inventory sync."""

from __future__ import annotations

from typing import Any


def recommend_for_seller(
    seller_account_id: int, job_record_id: int | None = None
) -> dict[str, Any]:
    """Recompute and store the seller's current recommendations."""
    from app.extensions import db
    from app.models import SellerAccount
    from app.planning.recommend import NoModel, recommend_seller
    from jobs.progress import report

    session = db.session
    account = session.get(SellerAccount, seller_account_id)
    if account is None or not account.active:
        return {"skipped": "seller account gone or inactive"}
    try:
        recs = recommend_seller(
            session,
            account,
            progress=lambda p, m: report(job_record_id, p, m) if job_record_id else None,
        )
    except NoModel as exc:
        # Not an error worth retrying: the nightly retrain (or the first sync) will make one.
        return {"skipped": str(exc)}
    session.commit()
    return {"recommendations": len(recs), "to_ship": sum(1 for r in recs if r.quantity > 0)}
