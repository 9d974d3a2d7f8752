"""compose.yaml, the Dockerfile and the systemd units call commands and routes that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = {"migrate", "server", "worker", "scheduler"}


def _cli_ok(app: Any, argv: list[str]) -> None:
    """`flask --app wsgi <argv>` parses: the command and every option exist."""
    assert argv[:3] == ["flask", "--app", "wsgi"], argv
    result = app.test_cli_runner().invoke(args=[*argv[3:], "--help"])
    assert result.exit_code == 0, (argv, result.output)
    for option in (a.split("=")[0] for a in argv[4:] if a.startswith("--")):
        assert option in result.output, (argv, option)


def test_compose_services_and_their_commands(app: Any) -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    services = compose["services"]
    assert APP_SERVICES | {"postgres", "redis"} <= set(services)
    assert "postgres" in compose["volumes"]
    for name in APP_SERVICES - {"server"}:
        _cli_ok(app, services[name]["command"])
    assert services["server"]["command"] == ["gunicorn", "wsgi:app"]
    # Web and workers start after the one-shot migration.
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
    # Only loopback is published.
    assert all(p.startswith("127.0.0.1:") for p in services["server"]["ports"])


def test_dockerfile_health_route_user_and_runtime_requirements(app: Any) -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text, re.M)
    assert re.search(r"^USER (?!root)\w+$", text, re.M)
    installs = re.findall(r"^RUN pip install (.+)$", text, re.M)
    assert installs == ["-r requirements.txt"]
    assert not re.search(r"^COPY .*requirements-dev", text, re.M)
    path = re.search(r"http://127\.0\.0\.1:8000(/\w+)", text).group(1)  # type: ignore[union-attr]
    assert app.test_client().get(path).status_code == 200


def test_systemd_units_run_known_commands(app: Any) -> None:
    units = sorted((REPO / "deploy/systemd").glob("*.service"))
    assert {u.name for u in units} == {
        "fba-planner-web.service",
        "fba-planner-worker@.service",
        "fba-planner-scheduler.service",
    }
    for unit in units:
        text = unit.read_text()
        assert "EnvironmentFile=/etc/fba-planner/env" in text
        (exec_start,) = re.findall(r"^ExecStart=(.+)$", text, re.M)
        argv = shlex.split(exec_start.replace("%H", "host").replace("%i", "1"))
        tool = Path(argv[0]).name
        if tool == "gunicorn":
            assert argv[1:] == ["wsgi:app"]
        else:
            _cli_ok(app, ["flask", *argv[1:]])


def test_env_example_names_settings_the_app_reads() -> None:
    names = {
        line.split("=")[0].lstrip("# ").strip()
        for line in (REPO / "deploy/env.example").read_text().splitlines()
        if re.match(r"^#? ?[A-Z_]+=", line)
    }
    config = (REPO / "app/config.py").read_text() + (REPO / "gunicorn.conf.py").read_text()
    compose = (REPO / "compose.yaml").read_text()
    for name in names:
        assert f'"{name}"' in config or f"${{{name}" in compose, name
