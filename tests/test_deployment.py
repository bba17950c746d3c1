"""The production topology: no Docker engine runs here, so the compose file is checked for what it
must hold; the same topology runs for real in tests/live and bench/ without Docker."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management.utils import get_random_secret_key

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
        # Daphne's --proxy-headers believes the client's own X-Forwarded-For; roundtable/edge.py
        # believes it only from the proxy's address.
        assert "--proxy-headers" not in service["command"]
        assert (
            service["environment"]["ROUNDTABLE_TRUSTED_PROXIES"].split(",")[0]
            == (services["nginx"]["networks"]["default"]["ipv4_address"])
        )
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


def test_a_translation_server_runs_next_to_the_app_with_only_the_roundtables_languages(compose):
    """Issue 18: LibreTranslate, pinned, en/es/fr models only, kept in a volume, and the app pointed at
    it by default (an empty ROUNDTABLE_TRANSLATE_URL in .env turns it off; the app never waits for it)."""
    services = compose["services"]
    translator = services["libretranslate"]
    image, _, tag = translator["image"].partition(":")
    assert image == "libretranslate/libretranslate" and tag.startswith("v") and tag != "latest"
    assert translator["environment"]["LT_LOAD_ONLY"] == "en,es,fr"
    assert translator["volumes"][0].startswith("libretranslate-models:")
    assert "libretranslate-models" in compose["volumes"]
    assert "ports" not in translator, "only the app reaches it"
    for name in ("web-1", "web-2"):
        app = services[name]
        assert (
            app["environment"]["ROUNDTABLE_TRANSLATE_URL"]
            == "${ROUNDTABLE_TRANSLATE_URL-http://libretranslate:5000}"
        )
        assert "libretranslate" not in app["depends_on"]


def test_nginx_forwards_websocket_upgrades_to_every_daphne(compose):
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    # The peer's address, never the client's own header with the peer appended.
    assert "$proxy_add_x_forwarded_for" not in conf
    assert conf.count("proxy_set_header X-Forwarded-For $remote_addr;") == 2
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


def production_environment() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DEBUG": "false",
        "SECRET_KEY": get_random_secret_key(),  # 50 random characters, as the issue states
        "ALLOWED_HOSTS": "roundtable.example.org",
    }


def test_production_settings_pass_djangos_deployment_checks():
    environment = production_environment()
    assert len(environment["SECRET_KEY"]) == 50
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


HEADERS_SCRIPT = """
import json
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="roundtable.example.org")
page = client.get("/accounts/login/", secure=True)
plain = client.get("/", secure=False)
print(json.dumps({
    "headers": dict(page.headers),
    "cookies": {name: dict(morsel) for name, morsel in page.cookies.items()},
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
}))
"""


def test_production_answers_with_hsts_secure_cookies_and_a_csp_without_inline_scripts(tmp_path):
    environment = {
        **production_environment(),
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        prepared = subprocess.run(
            [sys.executable, "manage.py", *step], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert prepared.returncode == 0, prepared.stderr
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", HEADERS_SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    headers = {name.lower(): value for name, value in seen["headers"].items()}

    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://")
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert seen["cookies"]["csrftoken"]["secure"] is True
    assert seen["cookies"]["csrftoken"]["samesite"] == "Lax"


def test_database_url_may_name_a_sqlite_file(tmp_path):
    """DATABASE_URL=sqlite:///path used to crash at start: the PostgreSQL pool option was applied to it."""
    import urllib.request

    from tests.support.servers import daphne_servers, manage, server_environment

    database = tmp_path / "named.sqlite3"
    env = server_environment(DATABASE_URL=f"sqlite:///{database}")
    manage(env, "migrate", "--noinput", "-v0")
    with (
        daphne_servers(env) as [server],
        urllib.request.urlopen(f"{server.base_url}/healthz", timeout=10) as answer,
    ):
        assert answer.status == 200 and answer.read() == b"ok"
    assert database.stat().st_size > 0, "the named file is the database"
