import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.settings")
# Django must be set up before the consumers (and their models) are imported.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from deliberation.realtime.analysis_runner import analysis_runner_ensure  # noqa: E402
from deliberation.realtime.routing import websocket_urlpatterns  # noqa: E402
from deliberation.realtime.timers import timer_sweeper_ensure  # noqa: E402
from deliberation.realtime.translation_runner import translation_runner_ensure  # noqa: E402
from roundtable.edge import SameOriginValidator, client_from_trusted_proxy  # noqa: E402
from roundtable.websocket_frames import daphne_prepared_frames_install  # noqa: E402

# Imported by Daphne before it builds its websocket factory: each event frame is framed once per hand-out.
daphne_prepared_frames_install()

# The client's address and scheme are settled first (from our proxy's headers, or the TCP peer), so
# Django's REMOTE_ADDR, the origin check and the socket's per-address limit all see the same client.
router = client_from_trusted_proxy(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            # Only cookies: the consumer reads its session once at connect. Channels' session middleware
            # would wrap every send of every event for a save that websockets never need.
            "websocket": SameOriginValidator(CookieMiddleware(URLRouter(websocket_urlpatterns))),
        }
    )
)


async def application(scope, receive, send):
    # Daphne has no startup hook: the first request or connection starts the countdown sweeper and
    # the analysis and translation runners.
    if scope["type"] in {"http", "websocket"}:
        timer_sweeper_ensure()
        analysis_runner_ensure()
        translation_runner_ensure()
    return await router(scope, receive, send)
