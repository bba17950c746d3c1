from django.urls import re_path

from deliberation.realtime.consumers import RoundtableConsumer

websocket_urlpatterns = [
    re_path(r"^ws/r/(?P<code>[A-Za-z0-9_-]{1,32})/$", RoundtableConsumer.as_asgi()),
]
