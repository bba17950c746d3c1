"""The 2026-11-30 audit, the HTTP edge, against real servers: Daphne started as docker-compose.yml starts
it, and real nginx with deploy/nginx.conf in front when Debian's nginx is installed.

A client chooses nothing about its own address: a forged X-Forwarded-For from anyone but our proxy is
ignored (the per-address socket limit and allauth's per-address sign-in limit hold), while from the
proxy the real client's address is used. The socket's origin check compares scheme, host and port.

Loopback has a whole /8: a client "from 127.0.0.5" binds that source address, so several clients with
addresses of their own reach one server on 127.0.0.1, and nginx (which connects from 127.0.0.1) is the
only trusted proxy."""

import asyncio
import http.client
import json
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

import pytest
import websockets
import yaml

from tests.support.servers import (
    ROOT,
    TEST_REDIS_URL,
    daphne_servers,
    free_port,
    sqlite_database,
    wait_for_port,
)

SOCKET_LIMIT = 5
TOO_MANY_LOGINS = "Too many failed login attempts"


def compose_daphne_options() -> tuple[str, ...]:
    """Daphne's options as docker-compose.yml runs it, minus the address and port."""
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web-1"]["command"]
    words = command[1:-1]  # between "daphne" and the application
    options = [
        word
        for index, word in enumerate(words)
        if word not in {"-b", "-p"} and (index == 0 or words[index - 1] not in {"-b", "-p"})
    ]
    return tuple(options)


def nginx_config(folder: Path, *, listen: int, upstream: int) -> Path:
    """deploy/nginx.conf as it is, with the compose service names replaced by our Daphne and the port by
    a free one, inside the minimal main file nginx needs to run unprivileged in a folder."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server web-\d+:8000[^;]*;", f"server 127.0.0.1:{upstream};", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return main


@pytest.fixture(scope="module")
def edge():
    """Two Daphne processes (SQLite, and Redis for the channel layer and the cache) trusting 127.0.0.1
    only, with nginx in front of the first when nginx is installed."""
    with sqlite_database() as env:
        env = {
            **env,
            "REDIS_URL": TEST_REDIS_URL,
            "ROUNDTABLE_TRUSTED_PROXIES": "127.0.0.1",
            "ROUNDTABLE_MAX_CONNECTIONS_PER_IP": str(SOCKET_LIMIT),
            "CSRF_TRUSTED_ORIGINS": "https://roundtable.example.org",
            "ALLOWED_HOSTS": "127.0.0.1,roundtable.example.org",
        }
        with daphne_servers(env, count=2, extra_args=compose_daphne_options()) as [server, second]:
            nginx_port = None
            process = None
            folder = tempfile.TemporaryDirectory(prefix="roundtable-nginx-")
            if shutil.which("nginx"):
                nginx_port = free_port()
                config = nginx_config(Path(folder.name), listen=nginx_port, upstream=server.port)
                process = subprocess.Popen(
                    ["nginx", "-c", str(config), "-p", folder.name],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.STDOUT,
                )
                assert wait_for_port(nginx_port, process=process), Path(folder.name, "error.log").read_text()
            try:
                yield {"server": server, "second": second, "nginx_port": nginx_port}
            finally:
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)
                folder.cleanup()


def needs_nginx(edge):
    if edge["nginx_port"] is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")


# Sockets ----------------------------------------------------------------------------------------------


async def socket_open(port: int, *, source: str, headers: dict[str, str] | None = None, origin: str = ""):
    """A socket to /ws/r/LED111/ from `source`; (socket, first frame's type and error code)."""
    socket = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/r/LED111/",
        additional_headers={"Origin": origin or f"http://127.0.0.1:{port}", **(headers or {})},
        local_addr=(source, 0),
        open_timeout=10,
    )
    frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    return socket, (frame["type"], frame.get("code"))


async def sockets_admitted(port: int, *, source: str, forwarded: list[str]) -> list[bool]:
    """Open one socket per X-Forwarded-For value, all kept open; which ones got their snapshot."""
    opened, admitted = [], []
    try:
        for value in forwarded:
            socket, (kind, code) = await socket_open(port, source=source, headers={"X-Forwarded-For": value})
            opened.append(socket)
            assert kind == "snapshot" or code == "too_many_connections", (kind, code)
            admitted.append(kind == "snapshot")
    finally:
        for socket in opened:
            await socket.close()
    return admitted


def test_a_forged_x_forwarded_for_from_a_client_does_not_lift_the_per_address_socket_limit(edge):
    port = edge["server"].port
    forged = [f"198.51.100.{n}" for n in range(1, SOCKET_LIMIT + 3)]

    admitted = asyncio.run(sockets_admitted(port, source="127.0.0.5", forwarded=forged))

    assert admitted == [True] * SOCKET_LIMIT + [False, False]


def test_from_the_trusted_proxy_the_real_client_address_counts(edge):
    port = edge["server"].port
    # Our proxy speaks for different clients: each is counted on its own.
    distinct = [f"198.51.100.{n}" for n in range(10, 10 + SOCKET_LIMIT + 2)]
    # One client behind the proxy, with its own forged entries on the left: the right-most hop counts.
    one_client = [f"10.9.9.{n}, 203.0.113.7" for n in range(SOCKET_LIMIT + 1)]

    assert asyncio.run(sockets_admitted(port, source="127.0.0.1", forwarded=distinct)) == [True] * (
        SOCKET_LIMIT + 2
    )
    assert asyncio.run(sockets_admitted(port, source="127.0.0.1", forwarded=one_client)) == [True] * (
        SOCKET_LIMIT
    ) + [False]


def test_through_nginx_a_forged_header_is_replaced_by_the_clients_own_address(edge):
    needs_nginx(edge)
    port = edge["nginx_port"]

    async def scenario():
        first = await sockets_admitted(
            port, source="127.0.0.6", forwarded=[f"198.51.100.{n}" for n in range(1, SOCKET_LIMIT + 2)]
        )
        # While 127.0.0.6 is at its limit, another client through the same proxy still gets in: the
        # count is per client, not per proxy.
        held = [await socket_open(port, source="127.0.0.6") for _ in range(SOCKET_LIMIT)]
        other, (kind, _) = await socket_open(port, source="127.0.0.7")
        for socket, _ in held:
            await socket.close()
        await other.close()
        return first, kind

    admitted, other_kind = asyncio.run(scenario())
    assert admitted == [True] * SOCKET_LIMIT + [False]
    assert other_kind == "snapshot"


# Sign-in attempts -------------------------------------------------------------------------------------


def failed_logins(port: int, *, source: str, forwarded: list[str]) -> list[bool]:
    """One wrong password per X-Forwarded-For value (a different email each time, so only the
    per-address limit can stop them); whether each was refused as one attempt too many."""
    blocked = []
    for number, value in enumerate(forwarded):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
        headers = {"X-Forwarded-For": value, "Host": f"127.0.0.1:{port}"}
        connection.request("GET", "/accounts/login/", headers=headers)
        page = connection.getresponse()
        body = page.read().decode()
        cookie = "; ".join(
            value.split(";")[0] for name, value in page.getheaders() if name.lower() == "set-cookie"
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": f"guess{number}@example.org", "password": "wrong-Pass-1"}
        )
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={**headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        blocked.append(TOO_MANY_LOGINS in answer.read().decode())
        connection.close()
    return blocked


# allauth's default: 10 failed sign-ins per address per minute.
IP_LIMIT = 10


def test_a_forged_x_forwarded_for_does_not_lift_the_per_address_sign_in_limit(edge):
    forged = [f"198.51.100.{n}" for n in range(IP_LIMIT + 2)]

    blocked = failed_logins(edge["server"].port, source="127.0.0.8", forwarded=forged)

    assert blocked == [False] * IP_LIMIT + [True, True]


def test_through_nginx_failed_sign_ins_are_counted_per_real_client(edge):
    needs_nginx(edge)
    forged = [f"198.51.100.{n}" for n in range(100, 100 + IP_LIMIT + 1)]
    blocked = failed_logins(edge["nginx_port"], source="127.0.0.9", forwarded=forged)
    # Another client through the same proxy is not blocked: the count is per client, not per proxy.
    other = failed_logins(edge["nginx_port"], source="127.0.0.11", forwarded=["198.51.100.100"])

    assert blocked == [False] * IP_LIMIT + [True]
    assert other == [False]


# The socket's origin ----------------------------------------------------------------------------------


def origin_accepted(port: int, origin: str, headers: dict[str, str] | None = None) -> bool:
    async def attempt():
        try:
            socket, (kind, _) = await socket_open(port, source="127.0.0.10", origin=origin, headers=headers)
        except websockets.InvalidStatus as refused:
            assert refused.response.status_code == 403
            return False
        await socket.close()
        return kind == "snapshot"

    return asyncio.run(attempt())


def test_the_origin_check_compares_scheme_host_and_port(edge):
    port = edge["server"].port
    other_port = free_port()

    assert origin_accepted(port, f"http://127.0.0.1:{port}")
    assert not origin_accepted(port, f"http://127.0.0.1:{other_port}"), "another port is another site"
    assert not origin_accepted(port, f"https://127.0.0.1:{port}"), "the page came over plain http"
    assert not origin_accepted(port, f"http://roundtable.example.org:{port}")
    assert not origin_accepted(port, "null")
    assert origin_accepted(port, "https://roundtable.example.org"), "one of CSRF_TRUSTED_ORIGINS"
    assert not origin_accepted(port, "http://roundtable.example.org"), "the trusted origin is https only"


def test_behind_the_proxy_the_page_is_https_and_plain_http_pages_are_refused(edge):
    needs_nginx(edge)
    port = edge["nginx_port"]
    # nginx here listens on plain http and says so (X-Forwarded-Proto: http); a forged header is replaced.
    assert origin_accepted(port, f"http://127.0.0.1:{port}", headers={"X-Forwarded-Proto": "https"})
    assert not origin_accepted(port, f"https://127.0.0.1:{port}", headers={"X-Forwarded-Proto": "https"})
    # A TLS-terminating proxy in front says https (as from our trusted proxy): then only https pages.
    server = edge["server"].port
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.200"}

    async def from_proxy(origin: str) -> bool:
        try:
            socket, (kind, _) = await socket_open(server, source="127.0.0.1", origin=origin, headers=proxied)
        except websockets.InvalidStatus:
            return False
        await socket.close()
        return kind == "snapshot"

    assert asyncio.run(from_proxy(f"https://127.0.0.1:{server}"))
    assert not asyncio.run(from_proxy(f"http://127.0.0.1:{server}"))


def test_nginx_accepts_the_deployed_configuration(edge):
    needs_nginx(edge)
    with tempfile.TemporaryDirectory() as folder:
        config = nginx_config(Path(folder), listen=free_port(), upstream=edge["server"].port)
        checked = subprocess.run(
            ["nginx", "-t", "-c", str(config), "-p", folder], capture_output=True, text=True, timeout=30
        )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


# allauth's counts shared by every process -------------------------------------------------------------


@pytest.mark.live
def test_failed_sign_ins_on_two_processes_count_together(edge):
    """allauth allows 5 failed sign-ins per account per 5 minutes. Spread over two processes, the sixth
    is refused wherever it lands: the counts live in Redis, not in each process's memory."""

    def attempt(server, secret: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        # One site, as behind nginx: allauth keys an account's failures by site and address.
        headers = {"Host": "roundtable.example.org"}
        connection.request("GET", "/accounts/login/", headers=headers)
        page = connection.getresponse()
        body = page.read().decode()
        cookie = "; ".join(v.split(";")[0] for n, v in page.getheaders() if n.lower() == "set-cookie")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": "org@example.org", "password": secret}
        )
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={**headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        text = connection.getresponse().read().decode()
        connection.close()
        return "blocked" if TOO_MANY_LOGINS in text else "wrong"

    servers = [edge["server"], edge["second"]]
    outcomes = [attempt(servers[n % 2], f"wrong-{n}") for n in range(6)]

    assert outcomes == ["wrong"] * 5 + ["blocked"]
