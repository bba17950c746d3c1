"""The HTTP edge, in front of Django and the sockets alike: who the client is behind our proxy, and which
pages may open a socket.

Daphne runs without --proxy-headers: it would believe the left-most X-Forwarded-For entry from anyone,
and that entry is whatever the client wrote. Here the header is read only when the TCP peer is one of
ROUNDTABLE_TRUSTED_PROXIES, and from the right: the first hop that is not one of our proxies is the
client. Django's REMOTE_ADDR (so allauth's per-address limits), the socket's per-address limit and the
page's scheme all come from the one scope this sets.
"""

import functools
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks_parse(entries: Iterable[str]) -> list[Network]:
    """Addresses and networks as written in settings ("10.0.0.2", "172.16.0.0/12", "::1")."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def address_parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:5000"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def header_values(scope: dict, name: bytes) -> list[str]:
    return [value.decode("latin1") for key, value in scope.get("headers", []) if key.lower() == name]


def is_trusted(address, trusted: list[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_resolve(*, peer: str, forwarded_for: list[str], trusted: list[Network]) -> str:
    """The client's address: the peer itself unless it is a trusted proxy; then, walking the
    X-Forwarded-For hops from the right, the first one that is not a trusted proxy. A hop that is not an
    address ends the walk: what lies left of it came from the client and proves nothing."""
    peer_address = address_parse(peer)
    if not is_trusted(peer_address, trusted):
        return peer
    client = str(peer_address)
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = address_parse(hop)
        if address is None:
            break
        client = str(address)
        if not is_trusted(address, trusted):
            break
    return client


@functools.cache
def _trusted_proxies(entries: tuple[str, ...]) -> list[Network]:
    return networks_parse(entries)


def trusted_proxies() -> list[Network]:
    """ROUNDTABLE_TRUSTED_PROXIES, parsed once per value (tests may change the setting)."""
    return _trusted_proxies(tuple(settings.ROUNDTABLE_TRUSTED_PROXIES))


class TrustedProxyMiddleware:
    """Sets scope["client"] and scope["scheme"] from X-Forwarded-For and X-Forwarded-Proto when, and
    only when, the connection comes from a trusted proxy."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] in {"http", "websocket"} and scope.get("client"):
            trusted = trusted_proxies()
            peer = scope["client"][0]
            if is_trusted(address_parse(peer), trusted):
                client = client_resolve(
                    peer=peer, forwarded_for=header_values(scope, b"x-forwarded-for"), trusted=trusted
                )
                scope = {**scope, "client": [client, 0]}
                proto = (header_values(scope, b"x-forwarded-proto") or [""])[-1].strip().lower()
                if proto in {"http", "https"}:
                    secure = proto == "https"
                    if scope["type"] == "websocket":
                        scope["scheme"] = "wss" if secure else "ws"
                    else:
                        scope["scheme"] = proto
        return await self.application(scope, receive, send)


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
