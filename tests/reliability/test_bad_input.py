"""Bad input everywhere a user types or uploads: every UI form (found from the URL map) filled
with garbage, hostile CSV uploads, malformed API bodies. Never a 5xx; a refusal changes nothing."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.support import seed as seed_data
from tests.support.web import problem

pytestmark = pytest.mark.fault
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
GARBAGE = [
    "", " ", "-1", "-0.0001", "0", "1e309", "NaN", "inf", "99999999999999999999999",
    "<script>alert(1)</script>", "' OR 1=1 --", "=HYPERLINK(\"http://x\")", "\x00", "%s%n%x",
    "é" * 3000, "１２", "1,5", "null", "[]", "{}",
]


def _seed(session: Any) -> dict[str, Any]:
    data = seed_data.seed(session, "Garbage", n_skus=3, days=20, horizon=10)
    session.commit()
    return data


def db_digest(session: Any) -> str:
    """A digest of every row of every table."""
    from app.models import Base

    h = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        for row in sorted(repr(tuple(r)) for r in session.execute(select(table)).all()):
            h.update(row.encode())
        h.update(table.name.encode())
    return h.hexdigest()


def _token(client: Any, url: str = "/") -> str:
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def _fields(client: Any, url: str) -> set[str]:
    """Names of the inputs of the forms on the page at `url` (when it has one)."""
    response = client.get(url)
    if response.status_code != 200:
        return set()
    page = response.get_data(as_text=True)
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page))
    return names - {"csrf_token"}


@pytest.mark.timeout(120)
def test_every_ui_form_with_garbage_never_5xx_and_refusals_change_nothing(
    app: Any, client: Any, db_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import tasks
    from app.extensions import csrf

    # "Sync now" would start background threads on the test's shared connection: record instead.
    monkeypatch.setattr(tasks, "enqueue_sync", lambda sid, stream, queue="default": 1)

    data = _seed(db_session)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": data["email"], "password": data["password"],
                                       "csrf_token": token}).status_code == 302
    ids = {"seller_id": data["seller"].id, "product_id": data["products"][0].id}
    skip = {"auth.logout", "auth.login", "auth.signup"}  # session-changing; covered elsewhere
    seen = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        bp = app.blueprints.get(rule.endpoint.rsplit(".", 1)[0])
        if not methods or bp in csrf._exempt_blueprints or rule.endpoint in skip:
            continue
        if not set(rule.arguments) <= set(ids):
            continue  # e.g. a plan id: plans are created by these very forms
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments})
        names = _fields(client, url) | {"name", "quantity", "seller_id", "email", "role"}
        for value in GARBAGE:
            before = db_digest(db_session)
            form = dict.fromkeys(names, value)
            response = client.post(url, data={**form, "csrf_token": _token(client)})
            seen += 1
            assert response.status_code < 500, (url, value, response.status_code)
            if response.status_code >= 400:
                assert db_digest(db_session) == before, (url, value)
    assert seen >= 5 * len(GARBAGE)


CSV_CASES: list[tuple[str, bytes, str]] = [
    ("utf-16 with BOM", "sku,moq\nGAR-0000,5\n".encode("utf-16"), "not UTF-8"),
    ("latin-1", "sku,moq\nGAR-0000,5é\n".encode("latin-1"), "not UTF-8"),
    ("no header", b"GAR-0000,5\n", "column"),
    ("formula cell", b"sku,unit_cost\nGAR-0000,=1+2\n", "unit_cost"),
    ("formula sku", b"sku,moq\n=HYPERLINK(\"http://x\"),5\n", "sku"),
    ("negative", b"sku,moq\nGAR-0000,-5\n", "moq"),
    ("negative cost", b"sku,unit_cost\nGAR-0000,-3.50\n", "unit_cost"),
    ("nul bytes", b"sku,moq\nGAR-0000,\x005\n", ""),
    ("binary", bytes(range(256)) * 4, ""),
]


@pytest.mark.parametrize(("case", "body", "message"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_hostile_csv_imports_are_refused_whole(
    client: Any, db_session: Any, case: str, body: bytes, message: str
) -> None:
    import io

    data = _seed(db_session)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": data["email"], "password": data["password"],
                                "csrf_token": token})
    before = db_digest(db_session)
    response = client.post("/skus/import", data={
        "csrf_token": _token(client, "/skus/import"),
        "file": (io.BytesIO(body), "settings.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422, (case, response.status_code)
    assert message in response.get_data(as_text=True)
    assert db_digest(db_session) == before


def test_an_upload_over_the_request_limit_is_a_clear_413(client: Any, db_session: Any) -> None:

    data = _seed(db_session)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": data["email"], "password": data["password"],
                                "csrf_token": token})
    before = db_digest(db_session)
    huge = b"sku,moq\n" + b"GAR-0000,1\n" * 600_000  # ~6.6 MB, over MAX_CONTENT_LENGTH
    # The multipart body built by hand (in memory): werkzeug would spool it to a temp file.
    boundary = "----fba-huge-upload"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{_token(client, '/skus/import')}\r\n--{boundary}\r\nContent-Disposition: "
            f"form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            ).encode() + huge + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/skus/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert db_digest(db_session) == before


API_BODIES: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/plans", b"{not json"),
    ("POST", "/api/v1/plans", b"[]"),
    ("POST", "/api/v1/plans", b'{"name": null, "lines": "x"}'),
    ("POST", "/api/v1/plans", b'{"name": "p", "lines": [{"sku_id": -1, "quantity": 1e309}]}'),
    ("POST", "/api/v1/plans", "\ud800".encode("utf-8", "surrogatepass")),
    ("POST", "/api/v1/plans", b"\xff\xfe\x00"),
]


def test_malformed_api_bodies_are_4xx_and_change_nothing(
    client: Any, db_session: Any
) -> None:
    from app.models import ApiToken, Membership
    from app.models.tenancy import hash_token

    data = _seed(db_session)
    raw = "fba_badinput_token_0123456789abcdef"
    membership = db_session.scalars(select(Membership)).first()
    db_session.add(ApiToken(tenant_id=membership.tenant_id, user_id=membership.user_id,
                            name="bad", token_hash=hash_token(raw)))
    db_session.commit()
    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    # A first use stamps the token's last_used_at (once a minute); digest after it.
    assert client.get("/api/v1/skus", headers=headers).status_code == 200
    before = db_digest(db_session)
    pid = data["products"][0].id
    cases = API_BODIES + [("PATCH", f"/api/v1/skus/{pid}", b'{"moq": "lots"}'),
                          ("PATCH", f"/api/v1/skus/{pid}", b'{"unit_cost": -5}'),
                          ("PATCH", f"/api/v1/skus/{pid}", b'{"lead_time_days": 1e400}')]
    for method, url, body in cases:
        response = client.open(url, method=method, data=body, headers=headers)
        assert 400 <= response.status_code < 500, (url, body, response.status_code)
        problem(response, response.status_code)
    assert db_digest(db_session) == before
