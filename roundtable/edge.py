"""The HTTP edge, in front of Django and the sockets alike: who the client is behind our proxy, and which
pages may open a socket.

Daphne runs without --proxy-headers: it would believe the left-most X-Forwarded-For entry from anyone,
and that entry is whatever the client wrote. Here (uvicorn's ProxyHeadersMiddleware) the header is read
only when the TCP peer is one of ROUNDTABLE_TRUSTED_PROXIES, and from the right: the first hop that is
not one of our proxies is the client. Django's REMOTE_ADDR (so allauth's per-address limits), the
socket's per-address limit and the page's scheme all come from the one scope this sets.
"""

from urllib.parse import urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def header_values(scope: dict, name: bytes) -> list[str]:
    return [value.decode("latin1") for key, value in scope.get("headers", []) if key.lower() == name]


def client_from_trusted_proxy(application):
    """Sets scope["client"] and scope["scheme"] from X-Forwarded-For and X-Forwarded-Proto when, and
    only when, the connection comes from one of ROUNDTABLE_TRUSTED_PROXIES (uvicorn's middleware, which
    any ASGI server can use: it reads the header from the right and takes the first hop that is not one
    of our proxies)."""
    return ProxyHeadersMiddleware(application, trusted_hosts=list(settings.ROUNDTABLE_TRUSTED_PROXIES))


class SameOriginValidator(OriginValidator):
    """A socket opens only from the page's own origin (scheme, host and port, as the browser reached us)
    or from one of CSRF_TRUSTED_ORIGINS. Channels' AllowedHostsOriginValidator compares host names only,
    so http://our-host:8080 or a plain-http page of an https site would pass it."""

    def __init__(self, application) -> None:
        super().__init__(application, allowed_origins=[])

    async def __call__(self, scope, receive, send):
        origins = header_values(scope, b"origin")
        parsed = None
        if len(origins) == 1:
            try:
                parsed = urlparse(origins[0])
            except ValueError:
                parsed = None
        if parsed is not None and any(
            self.match_allowed_origin(parsed, pattern) for pattern in self.origins_allowed(scope)
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    @staticmethod
    def origins_allowed(scope) -> list[str]:
        allowed = [
            # Django writes a subdomain wildcard "https://*.example.org"; Channels ".example.org".
            origin.lower().replace("://*.", "://.")
            for origin in settings.CSRF_TRUSTED_ORIGINS
        ]
        hosts = header_values(scope, b"host")
        if len(hosts) == 1:
            host = hosts[0].strip().lower()
            domain, _port = split_domain_port(host)
            allowed_hosts = settings.ALLOWED_HOSTS
            if settings.DEBUG and not allowed_hosts:
                allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
            if domain and validate_host(domain, allowed_hosts):
                scheme = "https" if scope.get("scheme") in {"wss", "https"} else "http"
                allowed.append(f"{scheme}://{host}")
        return allowed
