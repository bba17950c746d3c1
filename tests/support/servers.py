"""Real servers for end-to-end tests: Daphne processes on free loopback ports, each with its own
database (a temporary SQLite file, or a fresh PostgreSQL database) and channel layer."""

import atexit
import contextlib
import http.cookiejar
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
    env.update({"DJANGO_SETTINGS_MODULE": "roundtable.settings", "DEBUG": "true", "LOG_LEVEL": "WARNING"})
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def python_module(module: str, *args: str) -> subprocess.CompletedProcess:
    """`python -m module args...` from the project's folder, as a person would run a command line."""
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


# The card requires registration; most end-to-end tests join as guests, as anyone may when it is open.
OPEN_SEED = ("--open-registration",)


# A migrated and seeded database is made once per test process and seed, then copied for each test that
# needs a fresh one: migrate and seed cost each new database seconds of two Python start-ups.
_TEMPLATES_FOLDER = Path(tempfile.mkdtemp(prefix="roundtable-templates-"))
atexit.register(shutil.rmtree, _TEMPLATES_FOLDER, ignore_errors=True)
_sqlite_templates: dict[tuple[str, ...], Path] = {}
_postgres_templates: dict[tuple[str, ...], str] = {}


def _sqlite_template(seed_args: tuple[str, ...]) -> Path:
    if seed_args not in _sqlite_templates:
        path = _TEMPLATES_FOLDER / f"template-{len(_sqlite_templates)}.sqlite3"
        env = server_environment(SQLITE_PATH=str(path))
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_roundtable", *seed_args)
        _sqlite_templates[seed_args] = path
    return _sqlite_templates[seed_args]


@contextlib.contextmanager
def sqlite_database(seed_args: tuple[str, ...] = OPEN_SEED) -> Iterator[dict[str, str]]:
    """A fresh SQLite file, migrated and seeded (a copy of this process's template for `seed_args`)."""
    with tempfile.TemporaryDirectory(prefix="roundtable-") as folder:
        path = Path(folder) / "db.sqlite3"
        # The backup API copies a consistent database whatever its journal (WAL) holds.
        source, copy = sqlite3.connect(_sqlite_template(seed_args)), sqlite3.connect(path)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        yield server_environment(SQLITE_PATH=str(path))


def _postgres_url(name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(TEST_DATABASE_URL)._replace(path=f"/{name}"))


def _postgres_template(seed_args: tuple[str, ...]) -> str:
    if seed_args not in _postgres_templates:
        name = f"roundtable_template_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_postgres_drop, name)
        env = server_environment(DATABASE_URL=_postgres_url(name), REDIS_URL=TEST_REDIS_URL)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_roundtable", *seed_args)
        _postgres_templates[seed_args] = name
    return _postgres_templates[seed_args]


def _postgres_drop(name: str) -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def postgres_redis_database(seed_args: tuple[str, ...] = OPEN_SEED) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database for this test only (a copy of this process's migrated and seeded
    template), dropped afterwards; Redis as the channel layer."""
    template = _postgres_template(seed_args)
    name = f"roundtable_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield server_environment(DATABASE_URL=_postgres_url(name), REDIS_URL=TEST_REDIS_URL)
    finally:
        _postgres_drop(name)


def wait_for_port(port: int, *, process: subprocess.Popen, timeout: float = 30) -> bool:
    """True once something accepts connections on the loopback port; False if `process` exits first
    or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(page: str) -> str:
    """The CSRF token of the first form on a page."""
    return CSRF_TOKEN.search(page).group(1)


# How long a Daphne process may take to listen. About 4 s of CPU on this machine (Django, and the
# analysis' scientific libraries it imports), so 2-4 s quiet; on a 2-core machine under two CPU hogs and
# other people's work (load 10, 2026-11-30) it took over 30 s, the deadline this used to be, and the
# fault tests failed there on a server that was only slow. A process that dies fails at once whatever
# this is; one that hangs fails here, with its log.
DAPHNE_START_SECONDS = 120


class DaphneServer:
    def __init__(self, env: dict[str, str], log_dir: Path, extra_args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"daphne-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                *extra_args,
                "roundtable.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        # A server that does not come up (or a test timed out while waiting) is not yet in anyone's
        # list to stop: stop it here, or it outlives the run.
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _wait_until_serving(self) -> None:
        started = time.monotonic()
        if not wait_for_port(self.port, process=self.process, timeout=DAPHNE_START_SECONDS):
            state = "exited" if self.process.poll() is not None else "not listening yet"
            raise AssertionError(
                f"daphne did not start ({state} after {time.monotonic() - started:.0f} s):\n"
                f"{self.log_path.read_text()}"
            )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextlib.contextmanager
def daphne_servers(
    env: dict[str, str], count: int = 1, extra_args: tuple[str, ...] = ()
) -> Iterator[list[DaphneServer]]:
    # ROUNDTABLE_TEST_SERVER_LOGS=<folder> keeps every server's log there (to read after a failure).
    kept = os.environ.get("ROUNDTABLE_TEST_SERVER_LOGS")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
    with (
        contextlib.nullcontext(kept)
        if kept
        else tempfile.TemporaryDirectory(prefix="roundtable-logs-") as folder
    ):
        servers: list[DaphneServer] = []
        try:
            for _ in range(count):
                servers.append(DaphneServer(env, Path(folder), extra_args))
            yield servers
        finally:
            for server in servers:
                server.stop()


def http_join(base_url: str, code: str, *, name: str, actor_type: str, language: str) -> str:
    """Join through the real HTML form, as a browser would; return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/r/{code}/", timeout=10).read().decode()
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "display_name": name,
            "actor_type": actor_type,
            "language": language,
        }
    ).encode()
    request = urllib.request.Request(f"{base_url}/r/{code}/join/", data=form, headers={"Referer": base_url})
    opener.open(request, timeout=10).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def http_login(base_url: str, *, email: str, password: str) -> str:
    """Sign in through allauth's real login form; return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/accounts/login/", timeout=10).read().decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf_token(page), "login": email, "password": password}
    ).encode()
    request = urllib.request.Request(f"{base_url}/accounts/login/", data=form, headers={"Referer": base_url})
    opener.open(request, timeout=10).read()
    assert any(cookie.name == "sessionid" for cookie in jar), "the login did not take"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


ORGANIZER_PASSWORD = re.compile(r"password: (\S+)")


def organizer_password(env: dict[str, str], base_url: str, email: str) -> str:
    """Make an organizer account for the seed roundtable (as `make run` does); its password."""
    printed = manage(env, "organizer_account", "--email", email, "--base-url", base_url)
    return ORGANIZER_PASSWORD.search(printed).group(1)


# Four people of four actor types in the three languages: what the browser tests fill rooms with.
FOUR_PEOPLE = [
    ("Ana", "government-local", "es"),
    ("Ben", "academia-research", "en"),
    ("Chloé", "civil-society", "fr"),
    ("Dan", "sme", "en"),
]


def people_join(base_url: str, people=FOUR_PEOPLE, code: str = "LED111") -> list[str]:
    """Each joins through the HTML form; their session cookie headers, in order."""
    return [
        http_join(base_url, code, name=name, actor_type=actor, language=language)
        for name, actor, language in people
    ]


def organizer_login(env: dict[str, str], base_url: str, code: str = "LED111") -> str:
    """Make the seed roundtable's organizer account (as `make run` does) and sign in with it."""
    email = "organizer@roundtable.localhost"
    printed = manage(env, "organizer_account", "--code", code, "--email", email)
    return http_login(base_url, email=email, password=ORGANIZER_PASSWORD.search(printed).group(1))


def http_publish(base_url: str, cookie: str, *, code: str, slug: str, note: str = "") -> str:
    """Publish a roundtable's document through the organizer's review form; return the page's address."""
    headers = {"Cookie": cookie, "Referer": base_url}
    review = urllib.request.Request(f"{base_url}/r/{code}/document/", headers=headers)
    page = urllib.request.urlopen(review, timeout=30).read().decode()
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "slug": slug,
            "organizers": "",
            "note": note,
            "confirmed": "yes",  # the second, confirming click
        }
    ).encode()
    request = urllib.request.Request(f"{base_url}/r/{code}/document/publish/", data=form, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert f"/p/{slug}/" in response.url, "the document was not published"
        return response.url
