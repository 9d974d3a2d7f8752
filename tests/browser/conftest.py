"""A real threaded server with seeded data, and headless Chromium (Debian's) via Playwright."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import seed as seed_data
from tests.support import timelines
from tests.support.web import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason: str) -> None:
    # Same rule as tests/conftest.py's need_service: skip, or fail under REQUIRE_SERVICES=1.
    message = f"Chromium unavailable: {reason}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means "unavailable"
            _unavailable(str(exc))
        yield instance
        instance.close()


@pytest.fixture
def server(live_app: Any) -> Iterator[dict[str, Any]]:
    """The app with a seeded tenant, served by a threaded werkzeug server on a free port."""
    from app.extensions import db

    live_app.config["LOGIN_RATE_LIMIT"] = 1000
    data = seed_data.seed(db.session, "Acme", n_skus=40, days=180, horizon=90)
    # SKUs 10.. get stored timelines of every scenario (out of stock with inbound, ship by,
    # excess, ...), planned by forecasting as a planner run would store them.
    names = list(timelines.SCENARIOS)
    planned = data["products"][10 : 10 + len(names)]
    timelines.plan(db.session, planned, names, dt.datetime.now(dt.UTC).date())
    info = {
        "email": data["email"],
        "password": data["password"],
        "products": [(p.id, p.sku, p.case_pack, p.moq) for p in data["products"]],
        "scenarios": {name: p.id for name, p in zip(names, planned, strict=True)},
        "api_token": timelines.api_token(db.session, data),
    }
    db.session.commit()
    with serving(live_app) as url:
        info["url"] = url
        yield info


@pytest.fixture
def page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    """A fresh browser context; fails the test on any CSP violation or page error."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    # Console errors are CSP violations and script errors; a form answered 422 on purpose is not.
    tab.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 422" not in m.text else None
        ),
    )
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.problems = problems
    yield tab
    context.close()
    assert not problems, problems


@pytest.fixture
def shoot() -> Any:
    """`shoot(tab, name)` saves a screenshot under artifacts/screenshots/ (CI keeps artifacts/)."""

    def save(tab: Any, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        return path

    return save
