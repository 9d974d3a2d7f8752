"""What the SKU page says, read from the one stored timeline (GET /api/v1/skus/{id}/timeline).

Nothing here projects stock or prices a shipment: every quantity, date, percentage and dollar is
a field of the timeline, only worded and laid out. Dates and money are written with the
explanation's own formatters, so the page and the sentence cannot spell a figure differently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from forecasting.explain import MoneyFormat, fmt_date, fmt_money, fmt_pct, fmt_units

# The cost lines as a seller reads them (forecasting.policy_sim.COST_LINES; unknown keys are
# shown as their name).
LINE_LABELS = {
    "lost_margin": "Lost margin (stockouts)",
    "lost_ranking": "Lost ranking (your stockout cost)",
    "low_inventory": "Low-inventory-level fee",
    "storage": "Monthly storage",
    "aged": "Aged-inventory surcharge",
    "capital": "Capital tied up",
    "placement": "Inbound placement fee",
    "placement_stand_in": "Placement paid anyway (units that replace the next shipment's)",
    "lot_loss": "Lot loss (the lot's whole life earns less than it costs)",
}
FEE_LABELS = {
    "fulfillment_fee": "Fulfillment fee",
    "referral_fee": "Referral fee",
    "storage_utilization_surcharge": "Storage utilization surcharge",
    "capacity_overage": "Capacity overage fee",
    "removal_disposal": "Removal / disposal fee",
}
# The supplier order's cost lines (forecasting.supply.ORDER_LINES).
ORDER_LINE_LABELS = {
    "purchase": "Purchase",
    "freight": "Freight",
    "lost_margin": "Lost margin (stockouts until the next order could land)",
    "lost_ranking": "Lost ranking (your stockout cost)",
    "holding": "Holding upstream and capital",
    "leftover_holding": "Holding what is left until it sells",
}
ACTION_LABELS = {
    "pause_reorders": "Pause reorders",
    "removal_order": "Removal or disposal order",
    "lower_price": "Lower the price",
}
TONE = {
    "out_of_stock": "danger",
    "stockout_before_arrival": "danger",
    "ship_now": "warn",
    "ship_by": "info",
    "healthy": "ok",
    "excess": "warn",
}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def label(key: str, labels: dict[str, str]) -> str:
    """A key's label, or the key itself made readable."""
    return labels.get(key, key.replace("_", " ").capitalize())


def headline(tl: dict[str, Any], money: MoneyFormat = fmt_money) -> dict[str, str]:
    """The status said plainly, with the one date or number that goes with it (amounts written
    by `money`, the seller's formatter: the explanation's own)."""
    as_of = dt.date.fromisoformat(tl["as_of"])
    status = tl["status"]
    rec = tl["recommendation"]

    def day(key: str) -> str:
        value = _date(tl.get(key))
        return fmt_date(value, as_of) if value else ""

    detail = ""
    if status == "out_of_stock":
        title = "Out of stock now"
        detail = (
            f"The next inbound shipment lands on {day('next_inbound_on')}."
            if tl.get("next_inbound_on")
            else "Nothing is on its way."
        )
    elif status == "stockout_before_arrival":
        title = (
            "Runs out before anything shipped today can arrive (lands "
            f"{day('arrives_if_shipped_today')})"
        )
        nxt = _date(tl.get("next_inbound_on"))
        lands = _date(tl["arrives_if_shipped_today"])
        if not rec["quantity"] and nxt is not None:
            # Nothing to ship: say so, or the headline reads as a call to ship.
            detail = (
                f"Nothing more to ship now: the inbound shipment landing on "
                f"{day('next_inbound_on')} restocks it."
            )
        elif nxt is not None and lands is not None and nxt < lands:
            when = day("next_inbound_on")
            detail = f"Faster: the inbound shipment already on its way lands on {when}."
        else:
            detail = (
                f"A shipment sent today takes {tl['lead_time_days']} days; only a faster "
                "route (air freight, a nearer supplier) would land sooner."
            )
    elif status == "ship_now":
        title = "Ship now"
        detail = f"Ship {fmt_units(rec['quantity'])} units today."
    elif status == "ship_by":
        title = f"Ship by {day('ship_by')}"
        detail = f"Ship {fmt_units(rec['quantity'])} units by then."
    elif status == "excess":
        ex = tl.get("excess") or {}
        title = (
            f"Excess: {fmt_units(ex.get('units', 0))} units beyond need, "
            f"{money(ex.get('monthly_cost', 0.0))}/month"
        )
    else:
        title = "Healthy"
        detail = "Nothing to ship now, nothing in excess."
    tone = TONE.get(status, "ok")
    if rec.get("upstream_limited"):
        up = (tl.get("upstream") or {}).get("on_hand", 0)
        want = fmt_units(rec.get("unconstrained_quantity") or 0)
        if not rec["quantity"] and status in ("healthy", "excess"):
            title, tone = "Nothing upstream to send", "warn"
        short = "nothing is upstream" if not up else f"only {fmt_units(up)} are upstream"
        if not rec["quantity"]:
            said = f"{want} units would ship now, but {short}: see the supplier order."
            detail = f"{detail} {said}" if status == "out_of_stock" else said
        elif status in ("ship_now", "ship_by"):
            detail = f"{detail[:-1]}: all the stock upstream allows ({want} without that limit)."
        else:
            sent = fmt_units(rec["quantity"])
            said = f"Ship {sent} units from upstream: all the stock there allows ({want} without "
            detail = f"{detail} {said}that limit).".strip()
    return {"status": status, "title": title, "detail": detail, "tone": tone}


def _cents(lines: dict[str, float], total: float) -> dict[str, float]:
    """Lines rounded to cents so that they add up to the total rounded to cents (the largest
    remainders take the odd cent): the table's column sums to its Total row, as printed."""
    want = round(total * 100)
    exact = {k: v * 100 for k, v in lines.items()}
    floor = {k: int(v // 1) for k, v in exact.items()}
    short = want - sum(floor.values())
    order = sorted(exact, key=lambda k: exact[k] - floor[k], reverse=True)
    for k in order[: max(0, short)]:
        floor[k] += 1
    return {k: floor[k] / 100 for k in lines}


def cost_table(tl: dict[str, Any]) -> dict[str, Any] | None:
    """Columns: the chosen quantity, ship nothing, one case less, one case more (those priced);
    rows: the lines, then one Total that is the candidate's `total`."""
    rec = tl["recommendation"]
    cands = {c["quantity"]: c for c in rec.get("candidates") or []}
    if not cands:
        return None
    chosen = rec["quantity"]
    others = sorted(q for q in cands if q != chosen)
    order = [chosen] + [q for q in others if q == 0] + [q for q in others if q != 0]
    columns = []
    for q in order:
        c = cands[q]
        if q == chosen:
            head = f"Ship {fmt_units(q)} (chosen)" if q else "Ship nothing now (chosen)"
        elif q == 0:
            head = "Ship nothing now"
        else:
            head = f"Ship {fmt_units(q)}" + (
                " (one case less)" if q < chosen else " (one case more)"
            )
        columns.append(
            {
                "quantity": q,
                "head": head,
                "total": c["total"],
                "chosen": q == chosen,
                "shown": _cents(c["lines"], c["total"]),
            }
        )
    names = list(dict.fromkeys(k for c in columns for k in cands[c["quantity"]]["lines"]))
    rows = [
        {"key": k, "label": label(k, LINE_LABELS), "cells": [c["shown"].get(k) for c in columns]}
        for k in names
    ]
    horizon = rec.get("cost_horizon") or {}
    as_of = dt.date.fromisoformat(tl["as_of"])
    span = ""
    if horizon.get("window_from") and horizon.get("window_to"):
        span = (
            f"{fmt_date(dt.date.fromisoformat(horizon['window_from']), as_of)} – "
            f"{fmt_date(dt.date.fromisoformat(horizon['window_to']), as_of)}"
        )
        if horizon.get("lot_life_to"):
            span += (
                " and the lot's life to "
                f"{fmt_date(dt.date.fromisoformat(horizon['lot_life_to']), as_of)}"
            )
    return {
        "columns": columns,
        "rows": rows,
        "span": span,
        "note": horizon.get("note", ""),
        "fees_apart": [
            (label(k, FEE_LABELS), why) for k, why in (rec.get("fees_apart") or {}).items()
        ],
        # Which fee card priced it (app.planning.fee_cards), as the planner stored it.
        "fee_card": tl.get("fee_card") or None,
    }


def inbound_rows(tl: dict[str, Any]) -> list[dict[str, Any]]:
    """Each inbound shipment with its arrival, and for units in receiving the days over which
    the timeline has them becoming sellable: the unbroken run of its `arrivals` days from the
    shipment's arrival (the timeline adds shipments up per day and does not say each one's
    receiving days, so the run stops at the first day nothing becomes sellable)."""
    as_of = dt.date.fromisoformat(tl["as_of"])
    arriving = {d["date"]: d["arrivals"] for d in tl["days"]}
    out = []
    for s in tl.get("inbound") or []:
        when = _date(s.get("expected_arrival"))
        row = {
            **s,
            "arrival_text": fmt_date(when, as_of) if when else "not known",
            "estimated": s.get("arrival_source") == "estimated",
            "spread": "",
        }
        if str(s.get("status", "")).lower() == "receiving" and when is not None:
            day, run = max(when, as_of), []
            while arriving.get(day.isoformat()):
                run.append(day)
                day += dt.timedelta(days=1)
            if len(run) > 1:
                row["spread"] = (
                    f"arriving over {len(run)} days, "
                    f"{fmt_date(run[0], as_of)} – {fmt_date(run[-1], as_of)}"
                )
        out.append(row)
    return out


def excess_block(tl: dict[str, Any]) -> dict[str, Any] | None:
    """Units beyond need, what they cost, the options and the cheapest (None: no excess)."""
    ex = tl.get("excess")
    if not ex or not ex.get("units"):
        return None
    as_of = dt.date.fromisoformat(tl["as_of"])
    aged = _date(ex.get("aged_from"))
    need_through = fmt_date(dt.date.fromisoformat(ex["need_through"]), as_of)
    # The options are priced with no new shipment. When the plan ships or orders all the same
    # (a low-inventory-level fee, a stockout before the inbound lands), none of them is the
    # advice: "pause reorders (cheapest)" beside "ship 396 now" would contradict the page.
    rec = tl.get("recommendation") or {}
    acts = []
    if rec.get("quantity"):
        acts.append(f"ships {fmt_units(rec['quantity'])} now")
    order = rec.get("supplier_order")
    if order and order.get("quantity"):
        acts.append(f"orders {fmt_units(order['quantity'])} from {order.get('supplier_name')}")
    choice = None if acts else ex.get("choice")
    options = [
        {
            "action": o["action"],
            "label": label(o["action"], ACTION_LABELS),
            "cost": o.get("cost"),
            "note": o.get("note", ""),
            "chosen": o["action"] == choice,
        }
        for o in ex.get("options") or []
    ]
    plan_note = None
    if acts:
        plan_note = (
            f"The plan above still {' and '.join(acts)}: each is priced with these units "
            f"counted, and costs no more than doing without it. The {fmt_units(ex['units'])} "
            f"units are what 9 in 10 forecasts still hold on {need_through} with no new "
            "shipment; the options above are what they would cost to keep or clear then"
        )
    return {
        **ex,
        "choice": choice,
        "plan_note": plan_note,
        "need_through_text": need_through,
        "aged_from_text": fmt_date(aged, as_of) if aged else None,
        "options": options,
        "choice_label": label(choice or "", ACTION_LABELS),
    }


def supplier_order(tl: dict[str, Any], money: MoneyFormat = fmt_money) -> dict[str, Any] | None:
    """The supplier order as the page shows it: quantity, supplier, freight, dates, cost lines
    in cents that add up to the total as printed, and the sentence (None: no order); the unit
    cost written by `money`, the seller's formatter, as the lines beside it."""
    order = (tl.get("recommendation") or {}).get("supplier_order")
    if not order:
        return None
    as_of = dt.date.fromisoformat(tl["as_of"])
    cost = order["cost"]
    shown = _cents(cost["lines"], cost["total"])
    each = f" ({fmt_units(order['quantity'])} × {money(order['unit_cost'])})"
    lines = [
        {"key": k, "label": label(k, ORDER_LINE_LABELS) + (each if k == "purchase" else ""),
         "value": v}
        for k, v in shown.items()
    ]  # fmt: skip
    order_by = dt.date.fromisoformat(order["order_by"])
    contingency = order.get("contingency")
    instead = dict((contingency or {}).get("instead_of") or {}) or None
    if instead:
        instead["arrives_text"] = fmt_date(dt.date.fromisoformat(instead["arrives_on"]), as_of)
    return {
        **order,
        "order_by_text": fmt_date(order_by, as_of),
        "late": order_by <= as_of,
        "arrives_text": fmt_date(dt.date.fromisoformat(order["arrives_on"]), as_of),
        "latest_arrives_text": (
            fmt_date(dt.date.fromisoformat(order["arrives_if_ordered_by"]), as_of)
            if order.get("arrives_if_ordered_by")
            else None
        ),
        "at_fba_text": fmt_date(dt.date.fromisoformat(order["at_fba_on"]), as_of),
        "lines": lines,
        "total": cost["total"],
        "instead_of": instead,
    }


def upstream_block(tl: dict[str, Any]) -> dict[str, Any] | None:
    """Units upstream by location and on order by arrival (None: a single-stage SKU)."""
    up = tl.get("upstream")
    if not up:
        return None
    as_of = dt.date.fromisoformat(tl["as_of"])
    arrivals = [
        {**a, "arrival_text": fmt_date(dt.date.fromisoformat(a["arrives_on"]), as_of)}
        for a in up.get("arrivals") or []
    ]
    return {**up, "arrivals": arrivals, "locations": up.get("locations") or []}


def chart_data(tl: dict[str, Any]) -> dict[str, list[Any]]:
    """The timeline's days as columns for the chart (the values as stored, nothing derived)."""
    days = tl["days"]
    keys = (
        "date",
        "demand_p10",
        "demand_p50",
        "demand_p90",
        "arrivals",
        "on_hand_p50_without",
        "on_hand_p10_without",
        "on_hand_p90_without",
        "on_hand_p50_with",
        "on_hand_p10_with",
        "on_hand_p90_with",
        "stockout_prob_without",
        "stockout_prob_with",
    )
    cols: dict[str, list[Any]] = {k: [d.get(k) for d in days] for k in keys}
    cols["arrives_if_shipped_today"] = [tl.get("arrives_if_shipped_today")]
    cols["quantity"] = [tl["recommendation"]["quantity"]]
    if days and "upstream_on_hand" in days[0]:
        for k in ("upstream_arrivals", "upstream_on_hand"):
            cols[k] = [d.get(k) for d in days]
    order = tl["recommendation"].get("supplier_order")
    if order:
        cols["order_arrives_on"] = [order["arrives_on"]]
        cols["order_quantity"] = [order["quantity"]]
    return cols


def present(tl: dict[str, Any] | None, money: MoneyFormat = fmt_money) -> dict[str, Any] | None:
    """Everything the SKU page shows from its timeline (None: the planner has not run)."""
    if tl is None:
        return None
    rec = tl["recommendation"]
    as_of = dt.date.fromisoformat(tl["as_of"])
    ship_by = _date(tl.get("ship_by"))
    return {
        "headline": headline(tl, money),
        "quantity": rec["quantity"],
        "ship_by_text": fmt_date(ship_by, as_of) if ship_by else None,
        "runs_out_text": (
            fmt_date(dt.date.fromisoformat(tl["runs_out_on"]), as_of)
            if tl.get("runs_out_on")
            else None
        ),
        "risk_text": fmt_pct(rec.get("stockout_prob_before_next_arrival") or 0.0),
        "explanation": rec.get("explanation") or "",
        "costs": cost_table(tl),
        "inbound": inbound_rows(tl),
        "excess": excess_block(tl),
        "supplier_order": supplier_order(tl, money),
        "upstream": upstream_block(tl),
        "upstream_limited": bool(rec.get("upstream_limited")),
        "notes": list(tl.get("notes") or []),
        "chart": chart_data(tl),
        "as_of": tl["as_of"],
    }
