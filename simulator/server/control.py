"""Control endpoints under /_sim/ (no token): clock, advance, sellers, webhook, notifications."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from simulator.server.common import market
from simulator.truth import TRUTH_FILES, clock_iso, truth_texts

bp = Blueprint("control", __name__)


@bp.get("/_sim/clock")
def clock():
    """The simulated clock and the last generated day."""
    mk = market()
    return {
        "now": mk.clock_iso(),
        "epoch": mk.now,
        "last_full_day": mk.sellers[0].world.last_day.isoformat(),
    }


@bp.post("/_sim/advance")
def advance():
    """Move the clock on by ?days=N and/or ?hours=N; new days are generated, notifications sent."""
    try:
        days = float(request.args.get("days", 0) or 0)
        hours = float(request.args.get("hours", 0) or 0)
    except ValueError:
        return _bad("days and hours must be numbers")
    if days < 0 or hours < 0 or days * 24 + hours > 24 * 3650:
        return _bad("days and hours must be non-negative (and at most ten years)")
    old, new = market().advance(int(round((days * 24 + hours) * 3600)))
    mk = market()
    return {"previous": clock_iso(old), "now": mk.clock_iso(), "epoch": new}


@bp.get("/_sim/sellers")
def sellers():
    """Credentials and ids of every seller (what serve prints at start-up)."""
    return jsonify([s.credentials() for s in market().sellers])


@bp.post("/_sim/webhook")
def webhook():
    """(Re)configure a seller's webhook: JSON {"seller": i, "url": ..., "secret": ...}."""
    body = request.get_json(silent=True) or {}
    mk = market()
    i = body.get("seller", 0)
    if not isinstance(i, int) or not 0 <= i < len(mk.sellers):
        return _bad("seller must be a seller index")
    with mk.lock:
        mk.sellers[i].webhook_url = body.get("url") or None
        mk.sellers[i].webhook_secret = body.get("secret") or None
    return {"seller": i, "url": mk.sellers[i].webhook_url}


@bp.get("/_sim/notifications")
def notifications():
    """What the notifier has sent (or is retrying), oldest first; ?seller=i filters."""
    notifier = current_app.config.get("SIM_NOTIFIER")
    items = notifier.sent_log() if notifier else []
    if "seller" in request.args:
        items = [x for x in items if str(x["seller"]) == request.args["seller"]]
    return jsonify(items)


@bp.get("/_sim/truth/<name>")
def truth(name: str):
    """A truth file (skus.csv, demand.csv, orders_daily.csv) of ?seller=i as of the clock."""
    if name not in TRUTH_FILES:
        return _bad(f"unknown truth file {name}")
    mk = market()
    i = int(request.args.get("seller", 0))
    with mk.lock:
        text = truth_texts(mk.sellers[i].world, mk.now)[name]
    return Response(text, mimetype="text/csv")


@bp.get("/_sim/faults")
def faults():
    """Faults injected so far (request number, operation, kind)."""
    return jsonify(market().fault_log)


def _bad(message: str):
    resp = jsonify({"error": message})
    resp.status_code = 400
    return resp
