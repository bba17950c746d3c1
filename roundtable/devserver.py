"""`make run`'s server: Daphne as in production, with an access log that leaves out what nobody reads in
development (static files, the favicon, the health check, the socket's "connecting" step), so the
console shows page requests, sockets and the one line per email that says where to read it.

    python -m roundtable.devserver -b 127.0.0.1 -p 8000 roundtable.asgi:application"""

import sys
from collections.abc import Sequence

from daphne import cli
from daphne.access import AccessLogGenerator

QUIET_PREFIXES = ("/static/", "/favicon.ico", "/healthz")


class QuietAccessLog(AccessLogGenerator):
    def __call__(self, protocol, action, details) -> None:
        if str(details.get("path", "")).startswith(QUIET_PREFIXES):
            return
        if protocol == "websocket" and action == "connecting":
            return
        super().__call__(protocol, action, details)


def main(argv: Sequence[str] | None = None) -> None:
    cli.AccessLogGenerator = QuietAccessLog
    cli.CommandLineInterface().run(list(argv) if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
