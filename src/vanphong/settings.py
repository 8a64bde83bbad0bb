"""Django settings. Values come from vanphong.config (environment, then vanphong.toml)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from vanphong import config

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.get_bool("VANPHONG_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in (config.get("VANPHONG_ALLOWED_HOSTS") or "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
# Served behind TLS (directly or through a proxy): secure cookies, HSTS, redirects.
HTTPS = config.get_bool("VANPHONG_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "vanphong.core",
    "vanphong.org",
    "vanphong.accounts",
    "vanphong.documents",
    "vanphong.pki",
    "vanphong.signing",
    "vanphong.workflow",
    "vanphong.notifications",
    "vanphong.consultation",
    "vanphong.hub",
    "vanphong.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vanphong.accounts.middleware.IdleTimeoutMiddleware",
    "vanphong.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vanphong.urls"
WSGI_APPLICATION = "vanphong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanphong.core.context_processors.navigation",
                "vanphong.pki.context_processors.certificate_notice",
                "vanphong.notifications.context_processors.bell",
            ],
        },
    },
]


def _database(url: str) -> dict:
    # Connections are kept between requests on SQLite too: opening the file and running the PRAGMAs below cost more
    # than a small page's own work (the OCSP responder answered half as fast).
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {
            # IMMEDIATE: writers queue on the lock instead of failing half-way with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        db["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
    elif db["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: the plan of a query over a million documents can cost more than
        # jit_above_cost even when it runs in a millisecond, and compiling it then took 200-600 ms
        # on every page (the navigation's counts). Short OLTP queries never gain from it.
        options = db.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
    return db


DATABASE_URL = config.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'vanphong.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Person"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in policy (accounts app).
VANPHONG_IDLE_TIMEOUT_SECONDS = config.get_int("VANPHONG_IDLE_TIMEOUT_MINUTES", 30) * 60
VANPHONG_LOCKOUT_THRESHOLD = config.get_int("VANPHONG_LOCKOUT_THRESHOLD", 5)
VANPHONG_LOCKOUT_BASE_SECONDS = config.get_int("VANPHONG_LOCKOUT_BASE_SECONDS", 60)
VANPHONG_LOCKOUT_MAX_SECONDS = config.get_int("VANPHONG_LOCKOUT_MAX_SECONDS", 3600)
VANPHONG_TOTP_ISSUER = config.get("VANPHONG_TOTP_ISSUER", "VănPhòng")

# Certificate authority (pki app). Issued certificates name URLs under VANPHONG_PUBLIC_URL (CRL,
# OCSP, CA certificates, time-stamping), so it must be the address that verifiers reach.
VANPHONG_PUBLIC_URL = (config.get("VANPHONG_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
# Encrypts the CA and service keys at rest. Unset: a passphrase generated once into the data
# folder (pki.keys), which must then be backed up apart from the database.
VANPHONG_CA_KEY_PASSPHRASE = config.get("VANPHONG_CA_KEY_PASSPHRASE") or None
# The time-stamping policy named in every token. The default is an OID of the 2.25 (UUID) arc,
# which needs no registration; an agency with its own arc sets its own.
VANPHONG_TSA_POLICY_OID = config.get("VANPHONG_TSA_POLICY_OID", "2.25.248791741575853770928207061141300934886")
# Officials are warned on every page this many days before their signing certificate expires.
VANPHONG_CERTIFICATE_WARNING_DAYS = config.get_int("VANPHONG_CERTIFICATE_WARNING_DAYS", 30)

# Working calendars (workflow app): how often a process checks that its cached copy of an agency's
# calendar is current. A change made in the same process is seen at once.
VANPHONG_WORKFLOW_CACHE_SECONDS = config.get_int("VANPHONG_WORKFLOW_CACHE_SECONDS", 10)

SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "vanphong_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "vanphong_csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = config.get_bool("VANPHONG_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if not h.startswith("[")]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "vanphong_language"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["vanphong.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "vanphong.core.staticstorage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = True

# Content-addressed file store (core.storage).
VANPHONG_FILES_DIR = DATA_DIR / "files"
# Rendered PDF pages (documents.page_images): derived from the files, safe to delete.
VANPHONG_PREVIEWS_DIR = DATA_DIR / "previews"
VANPHONG_MAX_UPLOAD_BYTES = config.get_int("VANPHONG_MAX_UPLOAD_MB", 50) * 1024 * 1024
# Largest edXML package signing.xmldsig reads (attachments travel inside it, in base64).
VANPHONG_EDXML_MAX_BYTES = config.get_int("VANPHONG_EDXML_MAX_BYTES", 64 * 1024 * 1024)
# The exchange's worker (exchange.tasks, exchange.outbox): a round every few seconds; a claimed package comes back
# to the outbox when its lease ends (a worker that died); a failed delivery is retried after base · 2^(n−1)
# seconds with jitter, at most the ceiling.
VANPHONG_EXCHANGE_CYCLE_SECONDS = config.get_int("VANPHONG_EXCHANGE_CYCLE_SECONDS", 10)
VANPHONG_EXCHANGE_LEASE_SECONDS = config.get_int("VANPHONG_EXCHANGE_LEASE_SECONDS", 300)
VANPHONG_EXCHANGE_RETRY_BASE_SECONDS = config.get_int("VANPHONG_EXCHANGE_RETRY_BASE_SECONDS", 30)
VANPHONG_EXCHANGE_RETRY_MAX_SECONDS = config.get_int("VANPHONG_EXCHANGE_RETRY_MAX_SECONDS", 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A batch of certificates is uploaded as one CSR file per holder, up to pki.services.MAX_BATCH (1000; not imported:
# the settings load before the apps). Twice that reaches the page, whose form says how many a batch may have; beyond,
# Django refuses the request itself (TooManyFilesSent, answered by core.views.bad_request).
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
VANPHONG_WORKER_HEARTBEAT_SECONDS = 15
# Longest a Word draft may take to become PDF before signing (signing.conversion).
VANPHONG_CONVERT_TIMEOUT_SECONDS = config.get_int("VANPHONG_CONVERT_TIMEOUT_SECONDS", 45)

# E-mail (notifications app): Django's SMTP backend, sent by the worker from the outbox.
EMAIL_HOST = config.get("VANPHONG_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = config.get_int("VANPHONG_SMTP_PORT", 25)
EMAIL_HOST_USER = config.get("VANPHONG_SMTP_USER", "")
EMAIL_HOST_PASSWORD = config.get("VANPHONG_SMTP_PASSWORD", "")
EMAIL_USE_TLS = config.get_bool("VANPHONG_SMTP_STARTTLS", False)
EMAIL_USE_SSL = config.get_bool("VANPHONG_SMTP_SSL", False)
EMAIL_TIMEOUT = config.get_int("VANPHONG_SMTP_TIMEOUT_SECONDS", 30)
DEFAULT_FROM_EMAIL = config.get("VANPHONG_MAIL_FROM", "vanphong@localhost")
# A claimed e-mail not confirmed sent within the lease is due again (a worker died): longer than a send.
VANPHONG_MAIL_LEASE_SECONDS = max(config.get_int("VANPHONG_MAIL_LEASE_SECONDS", 300), 4 * EMAIL_TIMEOUT)
VANPHONG_MAIL_MAX_ATTEMPTS = config.get_int("VANPHONG_MAIL_MAX_ATTEMPTS", 20)
VANPHONG_MAIL_RETRY_MAX_MINUTES = config.get_int("VANPHONG_MAIL_RETRY_MAX_MINUTES", 240)
VANPHONG_MAIL_DELIVERY_SECONDS = config.get_int("VANPHONG_MAIL_DELIVERY_SECONDS", 60)
VANPHONG_REMINDER_SCAN_SECONDS = config.get_int("VANPHONG_REMINDER_SCAN_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": config.get("VANPHONG_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks_db": {"level": "WARNING"}},
}
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
