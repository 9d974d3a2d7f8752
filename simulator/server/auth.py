"""Login with Amazon: POST /auth/o2/token with the refresh-token grant issues access tokens."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request

from simulator.server.common import market, maybe_fault, region_refusal
from simulator.server.tokens import issue_token

bp = Blueprint("lwa", __name__)
TOKEN_LIFETIME = 3600


@bp.post("/auth/o2/token")
def token():
    """Exchange client id + secret + refresh token for an access token valid for an hour."""
    if market().fault_token_endpoint:
        fault = maybe_fault("token")
        if fault is not None:
            return fault
    form = request.form if request.form else (request.get_json(silent=True) or {})
    if form.get("grant_type") != "refresh_token":
        return _error(
            400, "unsupported_grant_type", "The authorization grant type is not supported."
        )
    mk = market()
    for s in mk.sellers:
        if form.get("client_id") == s.client_id:
            if form.get("client_secret") != s.client_secret:
                return _error(401, "invalid_client", "Client authentication failed")
            if form.get("refresh_token") != s.refresh_token:
                return _error(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                )
            refused = region_refusal(s)
            if refused is not None:  # the LWA host of another region
                return _error(401, "invalid_client", f"Client authentication failed. {refused}")
            lifetime = current_app.config.get("SIM_TOKEN_LIFETIME", TOKEN_LIFETIME)
            access = issue_token(s, time.time() + lifetime)
            return jsonify(
                {
                    "access_token": access,
                    "refresh_token": s.refresh_token,
                    "token_type": "bearer",
                    "expires_in": lifetime,
                }
            )
    return _error(401, "invalid_client", "Client authentication failed")


def _error(status: int, code: str, description: str):
    resp = jsonify({"error_description": description, "error": code})
    resp.status_code = status
    return resp
