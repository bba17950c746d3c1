"""The production topology: no Docker engine runs here, so the compose file is checked for what it
must hold; the same topology runs for real in tests/live and bench/ without Docker."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_two_daphne_processes_share_postgres_and_redis_behind_nginx(compose):
    services = compose["services"]
    daphnes = [name for name, service in services.items() if "daphne" in service.get("command", [])]
    assert len(daphnes) >= 2
    for name in daphnes:
        service = services[name]
        assert "--proxy-headers" in service["command"]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["DEBUG"] == "false"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "healthz" in " ".join(service["healthcheck"]["test"])
    assert services["nginx"]["ports"] == ["80:80"]
    assert set(daphnes) <= set(services["nginx"]["depends_on"])


def test_data_services_have_health_checks_and_named_volumes(compose):
    services = compose["services"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert "postgres-data" in compose["volumes"]
    assert services["postgres"]["volumes"][0].startswith("postgres-data:")


def test_nginx_forwards_websocket_upgrades_to_every_daphne(compose):
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    daphnes = [
        name for name, service in compose["services"].items() if "daphne" in service.get("command", [])
    ]
    for name in daphnes:
        assert f"server {name}:8000" in conf


@pytest.mark.django_db
def test_the_health_endpoint_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_production_settings_pass_djangos_deployment_checks():
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "roundtable.example.org",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
