"""Reports 2021-06-30: createReport, getReport (IN_QUEUE → IN_PROGRESS → DONE), documents.

A report is DONE once its processing time (Marketplace.report_processing_seconds: about two
minutes at rate scale 1, divided by the rate scale) has passed on the marketplace's running
clock since createReport, however often it is polled; it is IN_QUEUE for the first tenth of
that time and IN_PROGRESS for the rest.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import time
import uuid
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from simulator.reports import DEFAULT_RANGE_DAYS, REPORT_TYPES, builders
from simulator.server.common import ApiError, iso, market, operation, parse_time, seller

bp = Blueprint("reports", __name__)
QUEUED_SHARE = 0.1
URL_SECONDS = 300


@bp.post("/reports/2021-06-30/reports")
@operation("createReport")
def create_report():
    """Queue a report; its data is fixed at the simulated time of the request."""
    body = request.get_json(silent=True) or {}
    rtype = body.get("reportType")
    if not isinstance(body.get("marketplaceIds"), list) or not body["marketplaceIds"]:
        raise ApiError(400, "InvalidInput", "marketplaceIds is required.")
    if rtype not in REPORT_TYPES:
        raise ApiError(400, "InvalidInput", f"Report type {rtype} is not supported.")
    mk = market()
    now = mk.now
    end = parse_time("dataEndTime", body.get("dataEndTime"))
    start = parse_time("dataStartTime", body.get("dataStartTime"))
    end = now if end is None else min(end, now)
    start = end - DEFAULT_RANGE_DAYS * 86400 if start is None else start
    if start > end:
        raise ApiError(400, "InvalidInput", "dataStartTime must be before dataEndTime.")
    s = seller()
    mk.report_counter += 1
    report_id = f"{50_000_000_000 + mk.report_counter * 1000 + s.index}"
    s.reports[report_id] = {
        "reportId": report_id,
        "reportType": rtype,
        "marketplaceIds": body["marketplaceIds"],
        "dataStartTime": iso(start),
        "dataEndTime": iso(end),
        "createdTime": iso(now),
        "processingStatus": "IN_QUEUE",
        "_created": mk.clock(),
        "_processing": mk.report_processing_seconds(),
        "_args": (start, end, now, dict(body.get("reportOptions") or {})),
    }
    resp = current_app.response_class(f'{{"reportId": "{report_id}"}}', mimetype="application/json")
    resp.status_code = 202
    return resp


def _progress(report: dict[str, Any]) -> None:
    """Move a report on by the running clock (never by polls, nor the business clock)."""
    if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
        return
    waited = market().clock() - report["_created"]
    if waited >= report["_processing"]:
        s = seller()
        start, end, now, options = report["_args"]
        text = builders()[report["reportType"]](s, start, end, now, options)
        doc_id = "amzn1.spdoc.1.4.na." + str(uuid.uuid4())
        s.documents[doc_id] = gzip.compress(text.encode("utf-8"), mtime=0)
        report["processingStatus"] = "DONE"
        report["reportDocumentId"] = doc_id
        report["processingStartTime"] = report["createdTime"]
        report["processingEndTime"] = iso(market().now)
        for hook in current_app.config["SIM_REPORT_HOOKS"]:
            hook(s, report)
    elif waited >= QUEUED_SHARE * report["_processing"]:
        report["processingStatus"] = "IN_PROGRESS"
        report["processingStartTime"] = report["createdTime"]


@bp.get("/reports/2021-06-30/reports/<report_id>")
@operation("getReport")
def get_report(report_id: str):
    """Report status: queued, in progress, or done once its processing time has passed."""
    report = seller().reports.get(report_id)
    if report is None:
        raise ApiError(404, "NotFound", f"Report {report_id} not found.")
    _progress(report)
    return {k: v for k, v in report.items() if not k.startswith("_")}


@bp.delete("/reports/2021-06-30/reports/<report_id>")
@operation("getReport")
def cancel_report(report_id: str):
    """Cancel a report that has not finished."""
    report = seller().reports.get(report_id)
    if report is None:
        raise ApiError(404, "NotFound", f"Report {report_id} not found.")
    if report["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS"):
        report["processingStatus"] = "CANCELLED"
    return Response(status=200)


def _signature(doc_id: str, expires: int) -> str:
    key = current_app.config["SIM_URL_KEY"]
    return hmac.new(key, f"{doc_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


@bp.get("/reports/2021-06-30/documents/<doc_id>")
@operation("getReportDocument")
def get_report_document(doc_id: str):
    """Where to download a document: a URL on this server that expires after five minutes."""
    s = seller()
    if doc_id not in s.documents:
        raise ApiError(404, "NotFound", f"Report document {doc_id} not found.")
    expires = int(time.time()) + URL_SECONDS
    base = market().base_url or request.host_url.rstrip("/")
    sig = _signature(doc_id, expires)
    url = f"{base}/_sim/documents/{s.index}/{doc_id}?expires={expires}&sig={sig}"
    return {"reportDocumentId": doc_id, "url": url, "compressionAlgorithm": "GZIP"}


@bp.get("/_sim/documents/<int:seller_index>/<doc_id>")
def download(seller_index: int, doc_id: str):
    """The document bytes (GZIP), like a pre-signed S3 URL: no token, but it expires."""
    mk = market()
    if not 0 <= seller_index < len(mk.sellers):
        abort(404)
    owner = mk.sellers[seller_index]
    # The document of whichever of the seller's marketplaces made it (document ids are unique).
    data = next(
        (m.documents[doc_id] for m in owner.marketplaces or [owner] if doc_id in m.documents),
        None,
    )
    expires = request.args.get("expires", "")
    if data is None or not expires.isdigit():
        abort(404)
    if not hmac.compare_digest(request.args.get("sig", ""), _signature(doc_id, int(expires))):
        abort(403)
    if int(expires) < time.time():
        return Response(
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
            status=403,
            mimetype="application/xml",
        )
    return Response(data, content_type="application/octet-stream; charset=utf-8")
