"""A local server speaking LibreTranslate's HTTP API (POST /translate, GET /languages), standing in for the
translation server an organisation hosts. It knows a few sentences of the seed's domain, answers others
with a marked echo, records every request, and can be told to fail, to stall, or to take a real server's
time per request and per text."""

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN = {
    ("es", "en", "Crear un fondo común de inversión para proyectos locales"): (
        "Create a common investment fund for local projects"
    ),
    ("fr", "en", "Créer un fonds d'investissement commun pour les projets locaux"): (
        "Create a common investment fund for local projects"
    ),
    ("en", "es", "Publish all partnership data openly on a shared platform"): (
        "Publicar todos los datos de la alianza en una plataforma compartida"
    ),
    ("es", "fr", "Publicar en abierto todos los datos de la alianza"): (
        "Publier ouvertement toutes les données de l'alliance"
    ),
    # Conclusions, commitments and room checks written in English (issue 18).
    ("en", "es", "Funding"): "Financiación",
    ("en", "fr", "Funding"): "Financement",
    ("en", "es", "Partnerships need a shared fund"): "Las alianzas necesitan un fondo común",
    ("en", "fr", "Partnerships need a shared fund"): "Les partenariats ont besoin d'un fonds commun",
    ("en", "es", "Open a joint fund"): "Abrir un fondo conjunto",
    ("en", "fr", "Open a joint fund"): "Ouvrir un fonds commun",
}


@dataclass
class FakeLibreTranslate:
    url: str = ""
    api_key: str = ""
    requests: list[dict] = field(default_factory=list)
    # What the next answers do: "ok", "error" (HTTP 500 with LibreTranslate's error body), "garbage"
    # (200 without translatedText), or "slow" (answers after `delay` seconds).
    mode: str = "ok"
    delay: float = 0.0
    # What every answer costs, as a real server's would (bench/translation.py): seconds per request (HTTP,
    # queueing, the model's set-up) and per text in it (the model's work on each sentence).
    latency: float = 0.0
    latency_per_text: float = 0.0
    # Sentences a test teaches it, each as {language: text}: any of them is translated into the others.
    phrases: list[dict[str, str]] = field(default_factory=list)

    def translate(self, source: str, target: str, text: str) -> str:
        for phrase in self.phrases:
            if phrase.get(source) == text and target in phrase:
                return phrase[target]
        if (source, target, text) in KNOWN:
            return KNOWN[source, target, text]
        # A known sentence inside a longer text (a conclusion's line with its citation): translated in
        # place, the rest kept, as a real server keeps tokens such as [#12].
        translated = text
        for (known_source, known_target, known), answer in KNOWN.items():
            if (known_source, known_target) == (source, target) and known in translated:
                translated = translated.replace(known, answer)
        return translated if translated != text else f"[{source}→{target}] {text}"


def _handler(fake: FakeLibreTranslate):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet test output
            pass

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/languages":
                codes = [("en", "English"), ("es", "Spanish"), ("fr", "French")]
                self._send(200, [{"code": c, "name": n, "targets": ["en", "es", "fr"]} for c, n in codes])
            else:
                self._send(404, {"error": "Not Found"})

        def do_POST(self):
            if self.path != "/translate":
                self._send(404, {"error": "Not Found"})
                return
            length = int(self.headers.get("Content-Length", 0))
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                self._send(400, {"error": "Invalid request: missing q parameter"})
                return
            fake.requests.append(body)
            if fake.api_key and body.get("api_key") != fake.api_key:
                self._send(403, {"error": "Invalid API key"})
                return
            if fake.mode == "slow":
                time.sleep(fake.delay)
            texts = len(body["q"]) if isinstance(body.get("q"), list) else 1
            if fake.latency or fake.latency_per_text:
                time.sleep(fake.latency + fake.latency_per_text * texts)
            if fake.mode == "error":
                self._send(500, {"error": "Cannot translate text: model not loaded"})
            elif fake.mode == "garbage":
                self._send(200, {"unexpected": True})
            elif not body.get("q") or body.get("source") not in {"en", "es", "fr"}:
                self._send(400, {"error": "Invalid request: missing q parameter"})
            elif isinstance(body["q"], list):
                # LibreTranslate takes a list in `q` and answers a list in the same order.
                texts = [fake.translate(body["source"], body["target"], text) for text in body["q"]]
                self._send(200, {"translatedText": texts})
            else:
                self._send(200, {"translatedText": fake.translate(body["source"], body["target"], body["q"])})

    return Handler


@contextlib.contextmanager
def libretranslate_server(api_key: str = "") -> Iterator[FakeLibreTranslate]:
    fake = FakeLibreTranslate(api_key=api_key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def translated_room() -> Iterator[tuple[FakeLibreTranslate, object, str]]:
    """The seeded roundtable on SQLite, served by one Daphne that translates through a local server speaking
    LibreTranslate's API: yields that server, the Daphne and a signed-in organizer's session cookie."""
    from tests.support.servers import daphne_servers, organizer_login, sqlite_database

    with libretranslate_server() as translator, sqlite_database() as env:
        env = {**env, "ROUNDTABLE_TRANSLATE_URL": translator.url, "ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS": "2"}
        with daphne_servers(env) as (server,):
            yield translator, server, organizer_login(env, server.base_url)
