"""The participant screen on a 3G-class connection: how long until it is usable (the page is shown, the
live connection is up, and the proposals are on screen), in Debian's Chromium with the network throttled
through the DevTools protocol, cache empty. Prints one JSON line per network profile.

    python -m bench.throttled

Profiles: Lighthouse's "regular 3G" (300 ms round trip, 1.6 Mbit/s down, 750 kbit/s up) and Chrome
DevTools' "slow 3G" (2 s round trip, 400 kbit/s down and up). Target: usable within 3 s on regular 3G."""

import json
import time
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_FLAGS
from tests.support.pages import cookie_for
from tests.support.room_live import room_prepare
from tests.support.servers import daphne_servers, http_join, organizer_login, sqlite_database

PROFILES = {
    "regular-3g": {"latency": 300, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8},
    "slow-3g": {"latency": 2000, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8},
}
TARGET_SECONDS = 3.0


def fill_room(server, env) -> str:
    """A question with 20 proposals and everyone's votes; returns a participant's cookie."""
    people = [
        http_join(server.base_url, "LED111", name=f"P{n}", actor_type="citizen", language="es")
        for n in range(4)
    ]
    room_prepare(
        server,
        organizer_login(env, server.base_url),
        people,
        ideas=[f"Propuesta número {n} para la alianza local" for n in range(20)],
        agree_first_half=[True, False, True, False],
    )
    return people[0]


def measure(base: str, cookie: str, profile: dict) -> dict:
    host = urlparse(base).hostname
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR")
        cookie_for(context, base, cookie)
        page = context.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        session.send("Network.emulateNetworkConditions", {"offline": False, **profile})
        started = time.perf_counter()
        page.goto(f"{base}/r/LED111/", wait_until="domcontentloaded")
        shown = time.perf_counter() - started
        page.wait_for_selector("#connection-status[data-state=live]", state="attached", timeout=60_000)
        page.wait_for_selector("#question-1 li.proposal", timeout=60_000)
        usable = time.perf_counter() - started
        browser.close()
    return {
        "page_shown_seconds": round(shown, 2),
        "usable_seconds": round(usable, 2),
        "requests": len(requests),
        "third_party_requests": [url for url in requests if urlparse(url).hostname not in {host, None}],
    }


def main() -> None:
    # The development server settings (DEBUG): static files are served uncompressed (about 3 times the
    # bytes of production, see bench/pageweight.py), so these times are an upper bound.
    with sqlite_database() as env, daphne_servers(env) as (server,):
        cookie = fill_room(server, env)
        for name, profile in PROFILES.items():
            result = measure(server.base_url, cookie, profile)
            target = TARGET_SECONDS if name == "regular-3g" else None
            print(
                json.dumps(
                    {
                        "scenario": f"throttled.{name}",
                        **result,
                        "target_seconds": target,
                        "ok": result["usable_seconds"] < target if target else None,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
