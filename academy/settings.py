"""Django settings, all from environment variables (docs/operations.md).

No variables at all gives the embedded default: SQLite file, in-memory channel layer, eager Celery, DEBUG off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # The embedded default gets a stable per-install key kept out of git; production must set SECRET_KEY.
    key_file = BASE_DIR / "var" / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "csp",
    "academy",
    "courses",
    "tutor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a Ratelimited refusal → RATELIMIT_VIEW (429)
    "academy.middleware.DegradedModeMiddleware",  # Redis / PostgreSQL unreachable → a clear 503 (docs/operations.md)
]

ROOT_URLCONF = "academy.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = None
ASGI_APPLICATION = "academy.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,  # a persistent connection that PostgreSQL dropped (restart) is replaced, not reused
    )
}
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "0"))
if DB_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs its sync part on a fresh thread, so persistent connections (DB_CONN_MAX_AGE) pile up
    # one per thread until PostgreSQL refuses ("too many clients"); a psycopg pool per process bounds them instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections together with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DB_POOL_MAX_SIZE, "timeout": 10}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # capacity: messages a channel may hold before channels_redis drops new ones *silently* (default 100); raised so
    # that a burst of queue events to many TAs does not lose any (docs/operations.md, "Capacity").
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout above channels_redis's 5 s BZPOPMIN: redis-py 8's default read timeout is also 5 s, so a
                # consumer that heard nothing for 5 s (a TA answer on a busy CPU) raced it and died with "Timeout reading".
                # max_connections: redis-py 8's async pool allows 100 by default and raises MaxConnectionsError past
                # it; 1,000 TA websockets on one process send concurrently (bench/ws_sessions.py), so allow one per
                # admitted socket (TA_MAX_SESSIONS) plus headroom. Redis's own maxclients is 10,000.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                        "max_connections": int(os.environ.get("CHANNEL_LAYER_MAX_CONNECTIONS", "1200")),
                    }
                ],
                "capacity": int(os.environ.get("CHANNEL_CAPACITY", "1000")),
                "expiry": 60,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
    # The cache waits up to 5 s for a free connection (BlockingConnectionPool) instead of raising at redis-py 8's
    # default cap of 100; REDIS_CACHE_MAX_CONNECTIONS per process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "pool_class": "redis.BlockingConnectionPool",
                "max_connections": int(os.environ.get("REDIS_CACHE_MAX_CONNECTIONS", "200")),
                "timeout": 5,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog"
LOGOUT_REDIRECT_URL = "catalog"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "academy@localhost")

# HTTPS and cookies (docs/operations.md, "Security"): all off by default so the embedded http://127.0.0.1 works;
# production behind TLS sets them (``manage.py check --deploy`` is clean with the documented values).
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_COOKIES)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_COOKIES)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = os.environ.get("SESSION_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = os.environ.get("CSRF_COOKIE_SAMESITE", "Lax")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP health probe
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL", False):  # behind a TLS-terminating proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script, no eval —, so an
# injected <script> or javascript: link is inert even if it got past the Markdown sanitiser. Inline *styles* stay
# allowed (progress bars, KaTeX). connect-src 'self' covers the same-origin websockets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Rate limits (django-ratelimit on the sign-in and sign-up forms, DRF throttling on the API): "N/period" strings,
# counted in the cache (Redis in production, so all ASGI workers share one count). RATELIMIT_ENABLE=0 turns the
# form limits off (benchmarks); the API rates apply per user (anonymous: per IP).
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_VIEW = "academy.views.rate_limited"
LOGIN_RATE = os.environ.get("LOGIN_RATE", "10/m")  # per IP and per username
SIGNUP_RATE = os.environ.get("SIGNUP_RATE", "5/h")  # per IP

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "academy.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "attempts": os.environ.get("ATTEMPT_RATE", "60/m"),  # per user: answers submitted (retries count too)
        "hints": os.environ.get("HINT_RATE", "60/m"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Academy API",
    "DESCRIPTION": "Courses, practice, the tutor and the TA. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "academy.schema.document_errors"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The automated TA (see docs/operations.md). Empty TA_BACKEND_URL and TA_MODEL_PATH: retrieval-only TA.
TA_BACKEND_URL = os.environ.get("TA_BACKEND_URL", "")
TA_MODEL_PATH = os.environ.get("TA_MODEL_PATH", "")
TA_MODEL_NAME = os.environ.get("TA_MODEL_NAME", "")  # model to request from TA_BACKEND_URL (default: the first listed)
TA_DEVICE = os.environ.get("TA_DEVICE", "cpu")  # in-process engine: cpu | cuda
TA_ADAPTER_PATH = os.environ.get("TA_ADAPTER_PATH", "")  # optional LoRA adapter for TA_MODEL_PATH
TA_TUNING_DIR = os.environ.get("TA_TUNING_DIR", str(BASE_DIR / "var" / "ta"))  # course adapters + model cards (tune_ta)
TA_RETRIEVER = os.environ.get("TA_RETRIEVER", "auto")  # auto | bm25 | embedding | hybrid | postgres (docs/ta.md)
TA_EMBED_IN_BACKGROUND = env_bool("TA_EMBED_IN_BACKGROUND", True)
TA_MAX_TOKENS = int(os.environ.get("TA_MAX_TOKENS", "400"))
TA_TEMPERATURE = float(os.environ.get("TA_TEMPERATURE", "0.2"))
TA_MIN_MEAN_LOGPROB = float(os.environ.get("TA_MIN_MEAN_LOGPROB", "-1.5"))  # escalate answers less confident than this
TA_RATE_LIMIT = int(os.environ.get("TA_RATE_LIMIT", "6"))  # questions per TA_RATE_WINDOW_S per student
TA_RATE_WINDOW_S = int(os.environ.get("TA_RATE_WINDOW_S", "60"))
TA_DAILY_CAP = int(os.environ.get("TA_DAILY_CAP", "100"))  # questions per student per 24 h (django-ratelimit window)
TA_MAX_MESSAGE_CHARS = int(os.environ.get("TA_MAX_MESSAGE_CHARS", "2000"))
TA_MAX_SESSIONS = int(os.environ.get("TA_MAX_SESSIONS", "2000"))  # TA websockets per ASGI process; past it: at_capacity
TUTOR_MASTERY_THRESHOLD = float(os.environ.get("TUTOR_MASTERY_THRESHOLD", "0.95"))
TUTOR_REVIEW_SHARE = float(os.environ.get("TUTOR_REVIEW_SHARE", "0.2"))  # share of served problems that are due reviews
