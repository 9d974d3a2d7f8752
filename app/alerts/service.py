"""Alerts as a use case: decide what changed for a seller, and deliver what is due to each user.

`evaluate_seller` compares the conditions that hold now with each user's stored AlertState: a
condition entered is announced (an AlertMessage), one that still holds is not, and one that
stopped holding is marked left so that re-entering announces it again. `deliver_due` sends a
user's pending messages: one per event, except during quiet hours (held, then sent together as
one digest when they end) and for users who chose a daily or weekly digest. Service functions
add and flush; the job or command commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.alerts import channels, timing
from app.alerts.channels import DeliveryFailed, Message
from app.alerts.events import (
    LABELS,
    Condition,
    Event,
    Thresholds,
    aged_conditions,
    reorder_conditions,
    stock_conditions,
    sync_conditions,
)
from app.models import AlertMessage, AlertSettings, AlertState, Membership, SellerAccount, utcnow
from app.security.outbound import OutboundPolicy

ALL_EVENTS = [e.value for e in Event]


@dataclass
class Delivery:
    """What one delivery pass did: messages sent and failed, per user."""

    announced: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Delivery) -> None:
        """Fold another pass's counts into this one."""
        self.announced += other.announced
        self.sent += other.sent
        self.failed += other.failed
        self.errors += other.errors

    def as_dict(self) -> dict[str, Any]:
        """Plain values (what a job returns)."""
        return {"announced": self.announced, "sent": self.sent, "failed": self.failed}


def tenant_settings(session: Session, tenant_id: int) -> list[AlertSettings]:
    """The alert settings of the tenant's current members."""
    return list(
        session.scalars(
            select(AlertSettings)
            .join(
                Membership,
                (Membership.user_id == AlertSettings.user_id)
                & (Membership.tenant_id == AlertSettings.tenant_id),
            )
            .where(AlertSettings.tenant_id == tenant_id)
            .order_by(AlertSettings.id)
        )
    )


def conditions_for(
    session: Session, account: SellerAccount, thresholds: Thresholds, today: dt.date
) -> list[Condition]:
    """Every condition that holds for the seller now, under one user's thresholds."""
    return (
        stock_conditions(session, account, today, thresholds)
        + reorder_conditions(session, account, today, thresholds)
        + aged_conditions(session, account, today)
        + sync_conditions(session, account, thresholds)
    )


def evaluate_seller(
    session: Session, account: SellerAccount, now: dt.datetime | None = None
) -> int:
    """Record state changes of the seller's conditions for every user; how many announced."""
    now = now or utcnow()
    announced = 0
    cache: dict[Thresholds, list[Condition]] = {}
    for settings in tenant_settings(session, account.tenant_id):
        thresholds = Thresholds(
            settings.ship_by_days, settings.sync_failures, settings.reorder_by_days
        )
        if thresholds not in cache:
            cache[thresholds] = conditions_for(session, account, thresholds, now.date())
        announced += _apply(session, settings, account, cache[thresholds], now)
    session.flush()
    return announced


def _apply(
    session: Session,
    settings: AlertSettings,
    account: SellerAccount,
    conditions: list[Condition],
    now: dt.datetime,
) -> int:
    holding = {(c.kind.value, c.subject): c for c in conditions}
    states = {
        (s.kind, s.subject): s
        for s in session.scalars(
            select(AlertState).where(
                AlertState.tenant_id == settings.tenant_id,
                AlertState.user_id == settings.user_id,
                AlertState.seller_account_id == account.id,
            )
        )
    }
    for key, held in states.items():
        if held.active and key not in holding:
            held.active = False
            held.left_at = now
    wanted = set(settings.events or [])
    announced = 0
    for key, condition in holding.items():
        state = states.get(key)
        if state is not None and state.active:
            continue  # still holds: announced when it was entered
        if state is None:
            session.add(
                AlertState(
                    tenant_id=settings.tenant_id,
                    user_id=settings.user_id,
                    seller_account_id=account.id,
                    kind=key[0],
                    subject=key[1],
                    entered_at=now,
                )
            )
        else:
            state.active, state.entered_at, state.left_at = True, now, None
        if condition.kind.value in wanted and settings.channel_url:
            session.add(
                AlertMessage(
                    tenant_id=settings.tenant_id,
                    user_id=settings.user_id,
                    seller_account_id=account.id,
                    kind=condition.kind.value,
                    sku=condition.sku,
                    text=condition.text,
                    created_at=now,
                )
            )
            announced += 1
    return announced


def _pending(session: Session, settings: AlertSettings) -> list[AlertMessage]:
    return list(
        session.scalars(
            select(AlertMessage)
            .where(
                AlertMessage.tenant_id == settings.tenant_id,
                AlertMessage.user_id == settings.user_id,
                AlertMessage.sent_at.is_(None),
            )
            .order_by(AlertMessage.created_at, AlertMessage.id)
        )
    )


def deliver_due(
    session: Session,
    settings: AlertSettings,
    policy: OutboundPolicy,
    now: dt.datetime | None = None,
) -> Delivery:
    """Send the user's pending messages that are due now (see the module's docstring)."""
    now = now or utcnow()
    done = Delivery()
    pending = _pending(session, settings)
    url = settings.channel_url
    if not pending or not url:
        return done
    tz = settings.time_zone
    if timing.in_quiet_hours(now, settings.quiet_start, settings.quiet_end, tz):
        return done
    if settings.digest in ("daily", "weekly"):
        if timing.digest_due(now, settings.digest, settings.digest_hour, tz,
                             settings.last_digest_at):  # fmt: skip
            title = f"FBA Planner {settings.digest} digest"
            if _send_group(session, url, pending, title, policy, now, done):
                settings.last_digest_at = now
        return done
    held = [
        m
        for m in pending
        if timing.in_quiet_hours(m.created_at, settings.quiet_start, settings.quiet_end, tz)
    ]
    if held:
        _send_group(session, url, held, "FBA Planner: held during quiet hours", policy, now, done)
    for message in pending:
        if message in held:
            continue
        fields = {"kind": message.kind, "sku": message.sku or "", "text": message.text}
        _send(session, url, [message], Message(_title(message.kind), message.text, fields),
              policy, now, done)  # fmt: skip
    session.flush()
    return done


def _title(kind: str) -> str:
    try:
        return f"FBA Planner: {LABELS[Event(kind)]}"
    except ValueError:
        return "FBA Planner"


def digest_body(messages: list[AlertMessage]) -> str:
    """The digest's text: counts per event, then every sentence, grouped by event."""
    by_kind: dict[str, list[AlertMessage]] = {}
    for m in messages:
        by_kind.setdefault(m.kind, []).append(m)
    lines = [f"{len(messages)} alert(s):"]
    for kind, group in by_kind.items():
        lines.append("")
        lines.append(f"{_title(kind).removeprefix('FBA Planner: ')} ({len(group)})")
        lines += [f"- {m.text}" for m in group]
    return "\n".join(lines)


def _send_group(
    session: Session,
    url: str,
    messages: list[AlertMessage],
    title: str,
    policy: OutboundPolicy,
    now: dt.datetime,
    done: Delivery,
) -> bool:
    skus = ",".join(sorted({m.sku for m in messages if m.sku}))
    fields = {"kind": "digest", "sku": skus, "count": str(len(messages))}
    return _send(session, url, messages, Message(title, digest_body(messages), fields), policy,
                 now, done)  # fmt: skip


def _send(
    session: Session,
    url: str,
    messages: list[AlertMessage],
    message: Message,
    policy: OutboundPolicy,
    now: dt.datetime,
    done: Delivery,
) -> bool:
    ids = [m.id for m in messages]
    # Claim first: a concurrent pass (another seller's job of the same tenant) skips these.
    claimed: Any = session.execute(
        update(AlertMessage)
        .where(AlertMessage.id.in_(ids), AlertMessage.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != len(ids):
        return False
    try:
        channels.send(url, message, policy)
    except DeliveryFailed as exc:
        session.execute(
            update(AlertMessage)
            .where(AlertMessage.id.in_(ids))
            .values(sent_at=None, attempts=AlertMessage.attempts + 1, error=str(exc)[:300])
            .execution_options(synchronize_session=False)
        )
        done.failed += len(ids)
        done.errors.append(str(exc))
        return False
    done.sent += len(ids)
    for m in messages:
        session.refresh(m)
    return True


def run_for_seller(
    session: Session,
    account: SellerAccount,
    config: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Delivery:
    """Evaluate the seller's events and deliver what is due to each user of its business."""
    now = now or utcnow()
    result = Delivery(announced=evaluate_seller(session, account, now))
    policy = OutboundPolicy.from_config(config)
    for settings in tenant_settings(session, account.tenant_id):
        result.add(deliver_due(session, settings, policy, now))
    return result


def send_test(settings: AlertSettings, config: Mapping[str, Any]) -> None:
    """Send a test message to the user's channel now; DeliveryFailed if it does not arrive."""
    if not settings.channel_url:
        raise DeliveryFailed("no channel is set")
    text = "This is a test from FBA Planner: alerts will arrive here."
    channels.send(
        settings.channel_url,
        Message("FBA Planner test", text, {"kind": "test", "text": text}),
        OutboundPolicy.from_config(config),
    )
