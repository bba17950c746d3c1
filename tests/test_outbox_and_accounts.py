"""Email in development people can read (the outbox page, a quiet console, Mailpit in docker-compose)
and the account pages in our layout: over HTTP, through allauth's real forms."""

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from deliberation.models import Role
from roundtable.devserver import QuietAccessLog
from roundtable.outbox import BACKEND
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


class Page(HTMLParser):
    """Ids, language-switch forms and the main landmark's text of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.switches = 0
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "form" and "language-switch" in (attributes.get("class") or ""):
            self.switches += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def verified_account(email: str, password: str = "x-Secret-123", **fields):  # noqa: S107
    user = get_user_model().objects.create_user(username=email, email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = BACKEND
    settings.ROUNDTABLE_OUTBOX_DIR = str(tmp_path / "outbox")
    return tmp_path / "outbox"


@pytest.fixture
def organizer(client):
    user = verified_account("org@example.org")
    ParticipantFactory(roundtable=RoundtableFactory(), role=Role.ORGANIZER, user=user, display_name="Org")
    client.force_login(user)
    return user


def test_the_outbox_lists_every_email_newest_first_with_clickable_links(outbox, organizer, client):
    mail.send_mail(
        "Your personal link", "Open http://testserver/r/LED111/me/abc/ to join.", None, ["a@example.org"]
    )
    mail.send_mail("Sign-in code", "Your code: 7KQ2PX", None, ["b@example.org"])

    page = client.get("/dev/outbox/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Sign-in code") < html.index("Your personal link"), "newest first"
    assert "http://testserver/r/LED111/me/abc/" in Page(html).links
    assert "b@example.org" in html and "7KQ2PX" in html
    assert len(list(outbox.glob("*.json"))) == 2
    ids = Page(html).ids
    assert len(ids) == len(set(ids))


def test_the_outbox_speaks_spanish_and_french(outbox, organizer, client):
    mail.send_mail("Invitación", "Hola", None, ["a@example.org"])
    client.cookies["django_language"] = "es"
    assert "Bandeja de salida de desarrollo" in client.get("/dev/outbox/").content.decode()
    client.cookies["django_language"] = "fr"
    assert (
        "Boîte d\N{RIGHT SINGLE QUOTATION MARK}envoi de développement"
        in client.get("/dev/outbox/").content.decode()
    )


def test_the_outbox_is_a_404_for_anyone_but_staff_and_with_any_other_backend(outbox, client, settings):
    mail.send_mail("Sign-in code", "Your code: 7KQ2PX", None, ["b@example.org"])
    assert client.get("/dev/outbox/").status_code == 404  # not signed in
    client.force_login(verified_account("someone@example.org"))
    assert client.get("/dev/outbox/").status_code == 404  # an account without a role
    client.force_login(verified_account("admin@example.org", is_staff=True))
    assert client.get("/dev/outbox/").status_code == 200  # Django staff
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert client.get("/dev/outbox/").status_code == 404


def test_the_console_gets_one_line_per_email_saying_where_to_read_it(outbox):
    stream = io.StringIO()
    connection = mail.get_connection(BACKEND, stream=stream)
    mail.EmailMessage("Your personal link", "http://x/", to=["a@example.org"], connection=connection).send()
    assert stream.getvalue().splitlines() == [
        "Email to a@example.org: “Your personal link” (not sent: read it at /dev/outbox/)"
    ]


def test_the_development_access_log_leaves_out_static_files():
    stream = io.StringIO()
    log = QuietAccessLog(stream)
    for path in ("/static/css/app.css", "/static/js/moderate.js", "/favicon.ico", "/healthz"):
        log(
            "http",
            "complete",
            {"path": path, "client": ["127.0.0.1", 1], "method": "GET", "status": 200, "size": 1},
        )
    log("websocket", "connecting", {"path": "/ws/r/LED111/", "client": ["127.0.0.1", 1]})
    assert stream.getvalue() == ""
    log(
        "http",
        "complete",
        {"path": "/r/LED111/", "client": ["127.0.0.1", 1], "method": "GET", "status": 200, "size": 1},
    )
    log("websocket", "connected", {"path": "/ws/r/LED111/", "client": ["127.0.0.1", 1]})
    assert [line.split('"')[1] for line in stream.getvalue().splitlines()] == [
        "GET /r/LED111/",
        "WSCONNECT /ws/r/LED111/",
    ]


def test_make_run_uses_the_quiet_server_and_says_where_emails_are():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun: $(VENV)", 1)[1].split("\n\n", 1)[0]
    assert "-m roundtable.devserver" in run and "/dev/outbox/" in run
    assert "run: export EMAIL_BACKEND ?= roundtable.outbox.OutboxBackend" in makefile
    assert "bin)/daphne" not in run.lower()


def test_docker_compose_sends_email_to_mailpit():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    for name in ("web-1", "web-2"):
        environment = services[name]["environment"]
        assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert environment["EMAIL_HOST"] == "${EMAIL_HOST:-mailpit}"
        assert environment["EMAIL_PORT"] == "${EMAIL_PORT:-1025}"
        assert services[name]["depends_on"]["mailpit"]["condition"] == "service_healthy"
    assert any(
        port.endswith(":8025") and port.startswith("127.0.0.1:") for port in services["mailpit"]["ports"]
    )


ACCOUNT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/code/",
    "/accounts/password/reset/",
]
SIGN_IN = {"en": "Sign In", "es": "Iniciar sesión", "fr": "Connexion"}


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_account_pages_use_our_layout_with_one_language_switch_and_unique_ids(client, language):
    client.cookies["django_language"] = language
    for path in ACCOUNT_PAGES:
        html = client.get(path).content.decode()
        page = Page(html)
        assert f'<html lang="{language}">' in html, path
        assert 'class="topbar account-topbar"' in html, path
        assert page.switches == 1, path
        assert len(page.ids) == len(set(page.ids)), (path, sorted(page.ids))
        assert "css/account.css" in html
    login = client.get("/accounts/login/").content.decode()
    assert SIGN_IN[language] in login
    # The checkbox sits before its label; every field has a visible label, never a placeholder alone.
    assert re.search(
        r'<input type="checkbox" name="remember" id="id_remember">\s*<label for="id_remember">', login
    )
    for field in ("id_login", "id_password"):
        assert f'<label for="{field}">' in login


def test_cancel_is_a_secondary_button_and_the_action_is_primary(client):
    verified_account("org@example.org")
    client.post("/accounts/login/code/", {"email": "org@example.org"})
    html = client.get("/accounts/login/code/confirm/").content.decode()
    buttons = re.findall(r'<button class="([^"]*)"[^>]*>\s*([^<]+?)\s*</button>', html)
    assert ("primary", "Confirm") in buttons
    assert ("secondary", "Cancel") in buttons


def test_the_sign_in_message_shows_on_the_page_sign_in_leads_to_and_not_later(client):
    user = verified_account("org@example.org")
    ParticipantFactory(roundtable=RoundtableFactory(), role=Role.ORGANIZER, user=user, display_name="Org")

    landed = client.post(
        "/accounts/login/", {"login": "org@example.org", "password": "x-Secret-123"}, follow=True
    )

    assert landed.redirect_chain[-1][0] == "/organize/"
    assert "Successfully signed in as" in landed.content.decode()
    assert "Successfully signed in as" not in client.get("/accounts/password/change/").content.decode()
    assert "Successfully signed in as" not in client.get("/organize/").content.decode()
