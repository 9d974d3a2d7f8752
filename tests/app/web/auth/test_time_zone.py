"""A user's display time zone: times on the pages in it, labelled; default the marketplace's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select


def _run(db_session, seller) -> None:
    from app.models import SyncRun

    db_session.add(
        SyncRun(
            tenant_id=seller.tenant_id, seller_account_id=seller.id, stream="orders",
            started_at=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), status="succeeded",
        )
    )  # fmt: skip
    db_session.commit()


def test_times_follow_the_marketplace_then_the_users_zone(web, seeded, db_session, token):
    from app.models import User

    seller = seeded["seller"]
    _run(db_session, seller)
    page = web.get(f"/sellers/{seller.id}").get_data(as_text=True)
    assert "2026-07-01 05:00 PDT" in page  # the US marketplace's Pacific time, named
    saved = web.post(
        "/account/time-zone",
        data={"csrf_token": token(web, "/account"), "time_zone": "Europe/Berlin"},
    )
    assert saved.status_code == 302
    page = web.get(f"/sellers/{seller.id}").get_data(as_text=True)
    assert "2026-07-01 14:00 CEST" in page and "05:00 PDT" not in page
    # Blank goes back to the marketplace's.
    web.post("/account/time-zone", data={"csrf_token": token(web, "/account"), "time_zone": ""})
    assert "2026-07-01 05:00 PDT" in web.get(f"/sellers/{seller.id}").get_data(as_text=True)
    user = db_session.scalar(select(User).where(User.email == seeded["email"]))
    db_session.refresh(user)
    assert user.time_zone is None


def test_an_unknown_zone_is_refused_and_the_choice_kept(web, seeded, db_session, token):
    from app.models import User

    csrf = token(web, "/account")
    web.post("/account/time-zone", data={"csrf_token": csrf, "time_zone": "Asia/Tokyo"})
    refused = web.post(
        "/account/time-zone",
        data={"csrf_token": csrf, "time_zone": "Mars/Olympus"},
        follow_redirects=True,
    )
    assert "Choose a time zone from the list" in refused.get_data(as_text=True)
    assert web.post("/account/time-zone", data={"time_zone": "UTC"}).status_code == 400
    user = db_session.scalar(select(User).where(User.email == seeded["email"]))
    db_session.refresh(user)
    assert user.time_zone == "Asia/Tokyo"
