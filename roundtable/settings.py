"""One settings module; everything that differs between machines comes from the environment.

DEBUG, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, DATABASE_URL, REDIS_URL, SQLITE_PATH,
EMAIL_URL-less console mail in development. See docs/deploying.md.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    "deliberation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "roundtable.urls"
ASGI_APPLICATION = "roundtable.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-level overrides of installed apps' templates (allauth's layout).
        "DIRS": [BASE_DIR / "roundtable" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "deliberation.context_processors.interface_languages",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL (or anything dj-database-url reads).
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL and not DATABASE_URL.startswith("sqlite:"):
    # A connection pool per process (psycopg_pool): under ASGI every request runs in its own thread,
    # and persistent per-thread connections would pile up until PostgreSQL refuses new clients.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN", 2)),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX", 10)),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", 10)),
        # psycopg_pool retries a lost connection with a doubling delay (1, 2, 4, 8, 16 s...) until
        # this many seconds have passed, then lets the next request start afresh. Short, so a database
        # that comes back after a few seconds is used again within a second or two, not half a minute
        # later (tests/faults/test_database_outage.py).
        "reconnect_timeout": float(os.environ.get("DATABASE_POOL_RECONNECT_TIMEOUT", 3)),
    }
    # With the pool, Django passes psycopg's check to it: a connection is checked before it is handed
    # out, so one that PostgreSQL dropped (a restart, a failover) is replaced, not used for a command.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    if DATABASE_URL:
        # DATABASE_URL=sqlite:///path names the file; the settings below (no pool: that is PostgreSQL's)
        # are the embedded default's.
        SQLITE_PATH = dj_database_url.parse(DATABASE_URL)["NAME"]
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # Closing a WAL database's last connection checkpoints it: keep connections open.
            "CONN_MAX_AGE": None,
            # IMMEDIATE takes the write lock at BEGIN, so two concurrent commands queue instead of
            # failing with "database is locked" when the second upgrades its read lock.
            # WAL lets the many readers (snapshots, replays) proceed while one command writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not shared-cache memory: concurrent tests need SQLite's real locking, as in production.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / ".test-db.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The in-memory layer only reaches consumers in the same process; REDIS_URL enables several processes.
if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Deployments (or test runs) sharing one Redis keep their groups apart with their own prefix:
            # Redis's publish/subscribe ignores the database number.
            "CONFIG": {
                "hosts": [os.environ["REDIS_URL"]],
                "prefix": os.environ.get("ROUNDTABLE_CHANNEL_PREFIX", "asgi"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "deliberation.realtime.local_layer.LocalChannelLayer",
            # A consumer more than `capacity` messages behind drops the rest and reads them back.
            "CONFIG": {"capacity": 1000, "expiry": 60},
        }
    }

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
# Anyone may sign up, but an account gets nothing (no sign-in, so no roundtable, no publication, no
# invited seat) until its owner proves the address: an unproven address can be anyone's (pre-hijacking).
# Mandatory verification is also what lets allauth answer sign-up, password reset and sign-in by code
# alike whether or not the address has an account (ACCOUNT_PREVENT_ENUMERATION, allauth's default).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True


# How allauth names the signed-in person to themself ("Successfully signed in as ..."): their own
# address, not the random username the account was created with ("account-3741c64baa27f57f").
def _account_user_display(user) -> str:
    return user.email or user.get_username()


ACCOUNT_USER_DISPLAY = _account_user_display
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# allauth's own limits (failed sign-ins per address and per account, codes, resets), kept in the default
# cache: shared by every process when REDIS_URL is set (CACHES below). The admin signs in through them too.
# allauth reads the client's address from REMOTE_ADDR, which roundtable/edge.py has already resolved
# from our proxy's X-Forwarded-For: allauth must not read that header a second time.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
# Addresses or networks of our own reverse proxies (nginx), comma-separated: only a connection from one of
# them may say who the client is (X-Forwarded-For) and whether it came over https (X-Forwarded-Proto).
ROUNDTABLE_TRUSTED_PROXIES = env_list("ROUNDTABLE_TRUSTED_PROXIES")
for _proxy in ROUNDTABLE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy)
    except ValueError as _error:
        raise ImproperlyConfigured(f"ROUNDTABLE_TRUSTED_PROXIES: {_proxy!r} is not an address") from _error
# An invitation to moderate or co-organize can be accepted for this many days after it was sent.
ROUNDTABLE_INVITATION_DAYS = int(os.environ.get("ROUNDTABLE_INVITATION_DAYS", 14))
LOGIN_REDIRECT_URL = "/organize/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Development prints emails (invitations, personal links, sign-in codes) on the console; production
# sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST settings.
# `make run` sets EMAIL_BACKEND=roundtable.outbox.OutboxBackend: emails kept in an outbox that staff read
# at /dev/outbox/ (roundtable/outbox.py), in ROUNDTABLE_OUTBOX_DIR.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ROUNDTABLE_OUTBOX_DIR = os.environ.get("ROUNDTABLE_OUTBOX_DIR") or str(BASE_DIR / ".outbox")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "roundtable@localhost")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "deliberation" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "frontend"]
# In development WhiteNoise serves frontend/ through the finders; collectstatic is for production.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (None if DEBUG else str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "roundtable.storage.StaticStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# A content security policy without inline scripts or styles, in development too (so the browser tests
# run under it): every script is an ES module from our origin; page data travels as JSON
# (json_script), which is not executed; the websocket is same-origin ('self' covers ws:/wss:).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # No SECURE_PROXY_SSL_HEADER: it would believe X-Forwarded-Proto from anyone. roundtable/edge.py sets
    # the request's scheme from it only for ROUNDTABLE_TRUSTED_PROXIES.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Limits of the live protocol (docs/protocol.md).
ROUNDTABLE_MAX_FRAME_BYTES = int(os.environ.get("ROUNDTABLE_MAX_FRAME_BYTES", 8192))
# Conclusions drafts are longer than proposals: moderators' frames may be this large.
ROUNDTABLE_DRAFT_MAX_CHARS = int(os.environ.get("ROUNDTABLE_DRAFT_MAX_CHARS", 20000))
ROUNDTABLE_MAX_STAFF_FRAME_BYTES = int(os.environ.get("ROUNDTABLE_MAX_STAFF_FRAME_BYTES", 96 * 1024))
ROUNDTABLE_PROPOSAL_MAX_CHARS = int(os.environ.get("ROUNDTABLE_PROPOSAL_MAX_CHARS", 500))
ROUNDTABLE_REPLAY_LIMIT = int(os.environ.get("ROUNDTABLE_REPLAY_LIMIT", 500))
# How long a consumer waits for an out-of-order event's predecessors before reading them back.
ROUNDTABLE_GAP_WAIT_SECONDS = float(os.environ.get("ROUNDTABLE_GAP_WAIT_SECONDS", 0.25))
# Background database work (countdown sweeps, seq checks) waits this long after a database failure.
ROUNDTABLE_OUTAGE_BACKOFF_SECONDS = float(os.environ.get("ROUNDTABLE_OUTAGE_BACKOFF_SECONDS", 5))
# A hub that has heard nothing for this long asks the database for the last seq (lost publishes).
ROUNDTABLE_SEQ_CHECK_SECONDS = float(os.environ.get("ROUNDTABLE_SEQ_CHECK_SECONDS", 2))
# Hand-outs (a hub sending a batch of events to every connection of the process) may take this share of
# the event loop's time over a busy stretch; up to ROUNDTABLE_HANDOUT_BURST_SECONDS of hand-out time saved
# in quiet moments is spent at once, so an event after a quiet moment goes out without waiting.
ROUNDTABLE_HANDOUT_SHARE = float(os.environ.get("ROUNDTABLE_HANDOUT_SHARE", 0.5))
ROUNDTABLE_HANDOUT_BURST_SECONDS = float(os.environ.get("ROUNDTABLE_HANDOUT_BURST_SECONDS", 0.1))

# Countdowns a moderator may set on a question's phase, and how often each process looks for ended ones.
ROUNDTABLE_TIMER_MIN_SECONDS = int(os.environ.get("ROUNDTABLE_TIMER_MIN_SECONDS", 1))
ROUNDTABLE_TIMER_MAX_SECONDS = int(os.environ.get("ROUNDTABLE_TIMER_MAX_SECONDS", 4 * 60 * 60))
ROUNDTABLE_TIMER_TICK_SECONDS = float(os.environ.get("ROUNDTABLE_TIMER_TICK_SECONDS", 0.5))
# A browser gives up on a command (and tells the person) when no answer comes this long after sending it
# on an open connection; while offline, commands wait in its queue without a time limit.
ROUNDTABLE_CLIENT_COMMAND_TIMEOUT_SECONDS = float(
    os.environ.get("ROUNDTABLE_CLIENT_COMMAND_TIMEOUT_SECONDS", 15)
)
# Themes and opinion groups are recomputed at most this often per question while proposals and votes
# arrive (the first change after a run schedules the next one).
ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS = float(os.environ.get("ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS", 3))
# The analysis' arithmetic (vectors, clustering, opinion groups) runs in a worker process of each Daphne
# process, at this much lower CPU priority (`nice`), so event loops keep the cores during a burst; off,
# it runs on the analysis thread of the Daphne process itself (deliberation/analysis/worker.py).
ROUNDTABLE_ANALYSIS_PROCESS = env_bool("ROUNDTABLE_ANALYSIS_PROCESS", True)
ROUNDTABLE_ANALYSIS_NICE = int(os.environ.get("ROUNDTABLE_ANALYSIS_NICE", 10))
# A folder where sentence vectors are kept by text, so a text already embedded (in any room, by any
# process given the same folder) is not embedded again; empty: off. Entries hold vectors only, named by
# a hash of the text keyed with SECRET_KEY; an erasure removes its proposals' entries. Meant for test
# runs and benchmarks, where the same texts recur in every room (docs/architecture.md, "The vector cache").
ROUNDTABLE_VECTOR_CACHE_DIR = os.environ.get("ROUNDTABLE_VECTOR_CACHE_DIR", "")
# When only the positions on the opinion map moved (same groups, same members, same characteristic
# proposals), the map is re-published at most this often.
ROUNDTABLE_OPINIONS_REFRESH_SECONDS = float(os.environ.get("ROUNDTABLE_OPINIONS_REFRESH_SECONDS", 15))
# Answers broken down by actor type (room checks, votes in the published document, the opinion groups'
# make-up) show an actor type on its own only where at least this many people of it are counted; smaller
# ones are counted together as "other actor types", so no one's answer is visible through a small group.
ROUNDTABLE_BREAKDOWN_MIN_GROUP = max(2, int(os.environ.get("ROUNDTABLE_BREAKDOWN_MIN_GROUP", 3)))
# Rate limits (deliberation/realtime/limits.py). Per participant: (how many, per how many seconds).
ROUNDTABLE_RATE_LIMITS = {
    "proposal.submit": (
        int(os.environ.get("ROUNDTABLE_PROPOSALS_PER_MINUTE", 6)),
        60,
    ),
    "vote.cast": (int(os.environ.get("ROUNDTABLE_VOTES_PER_MINUTE", 120)), 60),
    "proposal.flag": (int(os.environ.get("ROUNDTABLE_FLAGS_PER_MINUTE", 10)), 60),
    "statement.respond": (int(os.environ.get("ROUNDTABLE_VOTES_PER_MINUTE", 120)), 60),
    # Each one may cost the organisation's translation server a request.
    "proposal.translate": (int(os.environ.get("ROUNDTABLE_TRANSLATIONS_PER_MINUTE", 30)), 60),
    # The phone asks again when proposals arrive (at most every few seconds): generous, but bounded.
    "vote.order": (30, 60),
}
ROUNDTABLE_RATE_LIMIT_REDIS_URL = os.environ.get("REDIS_URL", "")
# Keys carry the database's name: two deployments (or test databases) sharing one Redis never share counts.
ROUNDTABLE_RATE_LIMIT_PREFIX = os.environ.get(
    "ROUNDTABLE_RATE_LIMIT_PREFIX", f"roundtable:{DATABASES['default']['NAME']}:rate"
)
# Every frame of one connection: a sustained rate and a burst.
ROUNDTABLE_CONNECTION_FRAMES_PER_SECOND = float(os.environ.get("ROUNDTABLE_CONNECTION_FRAMES_PER_SECOND", 5))
ROUNDTABLE_CONNECTION_FRAME_BURST = float(os.environ.get("ROUNDTABLE_CONNECTION_FRAME_BURST", 30))
# `resume` frames (a client catching up after a gap): per socket, and per client address per process.
ROUNDTABLE_SOCKET_REPLAYS_PER_SECOND = float(os.environ.get("ROUNDTABLE_SOCKET_REPLAYS_PER_SECOND", 0.2))
ROUNDTABLE_SOCKET_REPLAY_BURST = float(os.environ.get("ROUNDTABLE_SOCKET_REPLAY_BURST", 3))
ROUNDTABLE_ADDRESS_REPLAYS_PER_SECOND = float(os.environ.get("ROUNDTABLE_ADDRESS_REPLAYS_PER_SECOND", 5))
ROUNDTABLE_ADDRESS_REPLAY_BURST = float(os.environ.get("ROUNDTABLE_ADDRESS_REPLAY_BURST", 50))
# Open sockets per client address, per process. A room on one Wi-Fi shares an address: keep it high.
ROUNDTABLE_MAX_CONNECTIONS_PER_IP = int(os.environ.get("ROUNDTABLE_MAX_CONNECTIONS_PER_IP", 200))
# How often each process tells the others who is connected (live presence).
ROUNDTABLE_PRESENCE_SECONDS = float(os.environ.get("ROUNDTABLE_PRESENCE_SECONDS", 2))

# Seats and joining (docs/reliability.md, "The 2026-11-30 audit: seats, joining and personal links").
# Joins of an open roundtable, (how many, per how many seconds), per client address and per browser
# session. A room on one Wi-Fi shares an address: raise the first for a large venue behind one NAT.
ROUNDTABLE_JOINS_PER_ADDRESS = (int(os.environ.get("ROUNDTABLE_JOINS_PER_ADDRESS_PER_MINUTE", 30)), 60)
ROUNDTABLE_JOINS_PER_SESSION = (int(os.environ.get("ROUNDTABLE_JOINS_PER_SESSION_PER_HOUR", 3)), 3600)
# A participant's seat that has not opened a socket this long after joining no longer counts against
# capacity, and the next join removes it.
ROUNDTABLE_SEAT_CONNECT_SECONDS = int(os.environ.get("ROUNDTABLE_SEAT_CONNECT_SECONDS", 300))
# A report counts toward hiding a proposal automatically only from a seat this old, or one that has
# cast this many votes; younger seats' reports are shown to moderators without hiding anything.
ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS = int(os.environ.get("ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS", 600))
# "Lost your link?" requests, (how many, per how many seconds): per client address, per email address
# typed, and per roundtable.
ROUNDTABLE_LINK_REQUEST_LIMITS = {
    "address": (int(os.environ.get("ROUNDTABLE_LINK_REQUESTS_PER_ADDRESS_PER_HOUR", 10)), 3600),
    "email": (int(os.environ.get("ROUNDTABLE_LINK_REQUESTS_PER_EMAIL_PER_HOUR", 3)), 3600),
    "roundtable": (int(os.environ.get("ROUNDTABLE_LINK_REQUESTS_PER_ROUNDTABLE_PER_HOUR", 200)), 3600),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}},
}

# Machine translation of proposals (off unless a server is given): a server speaking LibreTranslate's HTTP
# API (POST /translate), which organisations host themselves. The backend is a dotted path, so another
# service can be plugged in with the same interface (deliberation/machine_translation.py).
ROUNDTABLE_TRANSLATE_URL = os.environ.get("ROUNDTABLE_TRANSLATE_URL", "").rstrip("/")
ROUNDTABLE_TRANSLATE_API_KEY = os.environ.get("ROUNDTABLE_TRANSLATE_API_KEY", "")
ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS = float(os.environ.get("ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS", 10))
ROUNDTABLE_TRANSLATE_BACKEND = os.environ.get(
    "ROUNDTABLE_TRANSLATE_BACKEND", "deliberation.machine_translation.LibreTranslate"
)

# Published versions never change: their pages and files are drawn once per process and kept here.
# The default cache holds allauth's counts of failed sign-ins and sent codes: with several processes
# (REDIS_URL) they must share it, or each process would allow the whole limit again.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        # Keys carry the database's name: deployments (or test databases) sharing one Redis keep apart.
        "KEY_PREFIX": f"roundtable:{DATABASES['default']['NAME']}:cache",
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "documents": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "roundtable-documents",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 64},
    },
}
