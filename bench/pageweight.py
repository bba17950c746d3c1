"""Page weight of the participant screen as a phone receives it in production: the page after joining,
its stylesheet and every ES module it imports, served compressed by WhiteNoise (DEBUG=false,
collectstatic). Prints one JSON line: bytes transferred and any request to another host.

    python -m bench.pageweight
"""

import gzip
import json
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.servers import csrf_token, daphne_servers, sqlite_database

TARGET_BYTES = 100_000
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')
MODULE_IMPORT = re.compile(r'(?:import|from)\s*["\']([^"\']+\.js)["\']')


class Browser:
    """Just enough of a browser: cookies (including Secure ones, over loopback) and gzip."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.transferred = 0
        self.requests: list[str] = []

    def fetch(self, url: str, data: dict | None = None) -> str:
        absolute = urllib.parse.urljoin(self.base_url, url)
        self.requests.append(absolute)
        headers = {"Accept-Encoding": "gzip", "Origin": self.base_url, "Referer": self.base_url + "/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(absolute, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        with opener.open(request, timeout=20) as response:
            raw = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            self.transferred += len(raw) + sum(len(k) + len(v) + 4 for k, v in response.headers.items())
            if response.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            return raw.decode("utf-8")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def measure(base_url: str) -> dict:
    browser = Browser(base_url)
    form = browser.fetch("/r/BENCH/")
    browser.fetch(
        "/r/BENCH/join/",
        {
            "csrfmiddlewaretoken": csrf_token(form),
            "display_name": "Lucía",
            "actor_type": "citizen",
            "language": "es",
        },
    )
    browser.transferred = 0
    browser.requests = []
    page = browser.fetch("/r/BENCH/")
    queue = ASSET.findall(page)
    seen = set()
    while queue:
        url = urllib.parse.urljoin(base_url + "/r/BENCH/", queue.pop())
        if url in seen:
            continue
        seen.add(url)
        text = browser.fetch(url)
        if url.endswith(".js"):
            queue += [urllib.parse.urljoin(url, module) for module in MODULE_IMPORT.findall(text)]
    host = urllib.parse.urlsplit(base_url).netloc
    foreign = [url for url in browser.requests if urllib.parse.urlsplit(url).netloc != host]
    return {
        "scenario": "pageweight",
        "bytes": browser.transferred,
        "target_bytes": TARGET_BYTES,
        "requests": len(browser.requests),
        "third_party_requests": foreign,
        "files": sorted(urllib.parse.urlsplit(u).path for u in browser.requests),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="roundtable-static-") as static_root:
        production = {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": static_root,
        }
        with sqlite_database(("--code", "BENCH", "--open-registration")) as env:
            env = {**env, **production}
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=Path(__file__).resolve().parents[1],
                env=env,
                check=True,
            )
            with daphne_servers(env) as (server,):
                print(json.dumps(measure(server.base_url)), flush=True)


if __name__ == "__main__":
    main()
