"""Production settings for benchmarks on loopback.

`bench.fanout` measures what a deployment would serve, so its Daphne processes run with DEBUG off (no
debug cursor around every query, no query log kept per request). Two things cannot be as in production on
plain HTTP to 127.0.0.1, and only these are changed: cookies are not marked Secure (the load generator's
cookie jar would not send them over http://) and static files come from frontend/ (nothing is collected).
"""

import os

os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "benchmark-only-key-" + "0123456789abcdef" * 3)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from roundtable.settings import *  # noqa: F403
from roundtable.settings import STORAGES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
