"""Tropa's settings: one module, read through typed environment helpers.

Everything a deployment changes comes from ``TROPA_*`` variables. A value that cannot be
parsed stops the start with ``ImproperlyConfigured`` instead of falling back silently.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def _private_secret(path: Path) -> str:
    """Read the secret at ``path``, creating it with mode 0600 on first start."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


DATA_DIR = Path(env_str("TROPA_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

# Production mode means: served behind TLS, no demo data, no debug.
PRODUCTION = env_bool("TROPA_PRODUCTION", False)
DEBUG = env_bool("TROPA_DEBUG", False) and not PRODUCTION

SECRET_KEY = env_str("TROPA_SECRET_KEY") or _private_secret(DATA_DIR / "secret_key")
KEYSET_FILE = Path(env_str("TROPA_KEYSET_FILE", str(DATA_DIR / "master.keyset.json")))
# The key store: each case's data key, wrapped by the master keyset (tropa/crypto/keystore.py).
# Never in a database backup: erasing a case destroys its key here (docs/retention.md).
KEYSTORE_DIR = Path(env_str("TROPA_KEYSTORE_DIR", str(DATA_DIR / "keystore")))

ALLOWED_HOSTS = [h for h in env_str("TROPA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("TROPA_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tropa.accounts",
    "tropa.audit",
    "tropa.crypto",
    "tropa.cases",
    "tropa.core",
    "tropa.screening",
    "tropa.evidence",
    "tropa.outreach",
    "tropa.pathways",
    "tropa.notify",
    "tropa.vetting",
    "tropa.testimony",
    "tropa.intake",
    "tropa.ops",
    "tropa.sharing",
    "tropa.retention",
    "tropa.api",
]

# django-ninja's API page (Swagger UI) templates and assets, found without importing ninja:
# listed as an app, ninja (and pydantic, django.test, jinja2) would be imported by every
# process at setup, ≈ 13 MB in `tropa evidence add` and the worker beside the tools
# (issue 19). tropa.api imports it when the API is served (its urls), and renders the page
# from these files (tropa.api.api.LocalSwagger), never from a CDN.
_ninja = importlib.util.find_spec("ninja")
if _ninja is None or _ninja.origin is None:
    raise ImproperlyConfigured("django-ninja is not installed")
NINJA_DIR = Path(_ninja.origin).parent

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # /api/v1/: a token in the Authorization header, never a session cookie (tropa.api).
    "tropa.api.middleware.ApiTokenMiddleware",
    # The dashboard's self-refresh does not keep an unattended session alive (tropa.notify).
    "tropa.notify.middleware.AutoRefreshIsNotActivityMiddleware",
    "tropa.accounts.middleware.RequireVerifiedLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An advocate reaches only their pages; expired or revoked, signed out (tropa.sharing).
    "tropa.sharing.middleware.AdvocateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tropa.accounts.middleware.NoStoreMiddleware",
    # A page reaching an erased case's value says "erased", not 500 (tropa.retention).
    "tropa.retention.middleware.ErasedCaseMiddleware",
]

ROOT_URLCONF = "tropa.urls"
WSGI_APPLICATION = "tropa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tropa" / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tropa.accounts.context_processors.membership",
            ],
        },
    },
]


def sqlite_options() -> dict[str, object]:
    """How every connection to the SQLite database is opened.

    ``synchronous=FULL``: in WAL mode, NORMAL syncs only at checkpoints, so the last commits
    before a power loss can vanish although they were acknowledged (P6 promises none).
    FULL syncs the WAL at every commit; bench/durability/ measures what that costs.
    """
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        ),
    }


def _database() -> dict[str, object]:
    url = env_str("TROPA_DATABASE_URL")
    if url:
        import dj_database_url

        if not url.startswith(("postgres://", "postgresql://")):
            raise ImproperlyConfigured("TROPA_DATABASE_URL must be a postgres:// URL")
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "tropa.sqlite3",
        "OPTIONS": sqlite_options(),
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn, offline: keyboard walks, common passwords with changes, dates, names (R12).
    {"NAME": "tropa.accounts.passwords.StrengthValidator"},
]
# The lowest zxcvbn score (0-4) a new password may have.
TROPA_PASSWORD_MIN_SCORE = env_int("TROPA_PASSWORD_MIN_SCORE", 3)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:dashboard"

# Server-side sessions with a 30-minute idle timeout: every request renews the expiry.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("TROPA_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "tropa_session"
CSRF_COOKIE_NAME = "tropa_csrf"
LANGUAGE_COOKIE_NAME = "tropa_language"
LANGUAGE_COOKIE_SAMESITE = "Strict"

# Login throttling: failures counted per user *and* per device class, see accounts.throttle.
TROPA_LOGIN_FAILURE_LIMIT = env_int("TROPA_LOGIN_FAILURE_LIMIT", 6)
# API calls one token may make per minute (tropa.api; counted in the database, all workers).
TROPA_API_RATE_PER_MINUTE = env_int("TROPA_API_RATE_PER_MINUTE", 120)
TROPA_LOGIN_LOCKOUT_SECONDS = env_int("TROPA_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# How long a one-time enrolment link (new account, two-factor reset) works.
TROPA_ENROLMENT_HOURS = env_int("TROPA_ENROLMENT_HOURS", 72)
# Identity reveals one user may make in any hour (R17); the next is refused and audited.
TROPA_REVEAL_LIMIT_PER_HOUR = env_int("TROPA_REVEAL_LIMIT_PER_HOUR", 20)

OTP_TOTP_ISSUER = "Tropa"
OTP_TOTP_TOLERANCE = 1
# Tropa's own throttle (accounts.throttle) counts wrong codes; django-otp's growing delay
# would refuse a correct code typed right after a wrong one, with a misleading message.
OTP_TOTP_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "ru"
LANGUAGES = [
    ("ru", _("Russian")),
    ("en", _("English")),
    ("de", _("German")),
    ("uk", _("Ukrainian")),
    ("fr", _("French")),
]
LOCALE_PATHS = [BASE_DIR / "tropa" / "locale"]
# Unambiguous English dates ("1 Dec 2026"): tropa/formats/en/formats.py.
FORMAT_MODULE_PATH = ["tropa.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
TROPA_DEFAULT_USER_TIMEZONE = env_str("TROPA_DEFAULT_USER_TIMEZONE", "Asia/Almaty")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tropa" / "static", NINJA_DIR / "static"]
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Whatever Django's storages write into the data dir (collected static files too) is for
# Tropa's own user only, like everything else there; Django's default would be 0644.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Security headers (R14). HSTS and TLS redirects apply in production mode only, because
# `make run` serves plain HTTP on the loopback interface.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("TROPA_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# Logging: warnings and errors only, to stderr, never request data (R8).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tropa.logging.RedactFilter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # django.request logs the path and the client for every 4xx/5xx.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}

# Evidence vault: where encrypted blobs live, limits, and the RAM-only scratch directory
# that mat2 may use (plaintext never reaches a disk-backed temp dir).
_GIB = 1024**3
TROPA_EVIDENCE_DIR = Path(env_str("TROPA_EVIDENCE_DIR", str(DATA_DIR / "evidence")))
TROPA_EVIDENCE_MAX_FILE_BYTES = env_int("TROPA_EVIDENCE_MAX_FILE_BYTES", 16 * _GIB)
TROPA_EVIDENCE_QUOTA_BYTES = env_int("TROPA_EVIDENCE_QUOTA_BYTES", 500 * _GIB)
TROPA_EVIDENCE_EXPORT_DAYS = env_int("TROPA_EVIDENCE_EXPORT_DAYS", 7)
TROPA_EVIDENCE_OPEN_UPLOADS = env_int("TROPA_EVIDENCE_OPEN_UPLOADS", 5)
TROPA_EVIDENCE_RAM_DIR = env_str("TROPA_EVIDENCE_RAM_DIR", "/dev/shm")  # noqa: S108
TROPA_EVIDENCE_TOOL_MEMORY_BYTES = env_int("TROPA_EVIDENCE_TOOL_MEMORY_BYTES", 4 * _GIB)
TROPA_EVIDENCE_WRITE_BEHIND_BYTES = env_int("TROPA_EVIDENCE_WRITE_BEHIND_BYTES", 32 * 1024 * 1024)

# Audit: where the worker writes the daily signed checkpoint of the audit chain. Point it at
# storage the database's host cannot rewrite (another machine's mount, append-only storage);
# see docs/operations.md.
TROPA_AUDIT_CHECKPOINT_DIR = Path(
    env_str("TROPA_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints"))
)

# Background work: Django's tasks API (django-tasks backport) with the database backend;
# `tropa run` starts a worker next to the web server, `tropa worker` runs one on its own.
# Notifications have a queue and a worker of their own: a message that a man was detained must
# not wait behind a long screening run.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "notify"],
    }
}

ADMINS: list[tuple[str, str]] = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "tropa.logging.TropaExceptionReporterFilter"

# Notifications by e-mail (tropa.notify): nothing is sent unless a host and a sender are set.
# TLS is STARTTLS on the submission port; SSL is TLS from the first byte (port 465).
TROPA_EMAIL_HOST = env_str("TROPA_EMAIL_HOST")
TROPA_EMAIL_PORT = env_int("TROPA_EMAIL_PORT", 587)
TROPA_EMAIL_USE_TLS = env_bool("TROPA_EMAIL_USE_TLS", False)
TROPA_EMAIL_USE_SSL = env_bool("TROPA_EMAIL_USE_SSL", False)
if TROPA_EMAIL_USE_TLS and TROPA_EMAIL_USE_SSL:
    raise ImproperlyConfigured("set TROPA_EMAIL_USE_TLS or TROPA_EMAIL_USE_SSL, not both")
TROPA_EMAIL_USER = env_str("TROPA_EMAIL_USER")
TROPA_EMAIL_PASSWORD = env_str("TROPA_EMAIL_PASSWORD")
TROPA_EMAIL_FROM = env_str("TROPA_EMAIL_FROM")
TROPA_EMAIL_TIMEOUT = env_int("TROPA_EMAIL_TIMEOUT", 20)
# The address a notification points to ("open Tropa: https://..."); nothing else is in it.
TROPA_SITE_URL = env_str("TROPA_SITE_URL")

# Intake (tropa/intake): invitation lifetime, how many interviews all public links may start
# per minute together (a counter keyed by the minute only: no address is kept), and the size
# of one file a person may attach.
TROPA_INTAKE_INVITATION_HOURS = env_int("TROPA_INTAKE_INVITATION_HOURS", 72)
TROPA_INTAKE_PUBLIC_PER_MINUTE = env_int("TROPA_INTAKE_PUBLIC_PER_MINUTE", 600)
TROPA_INTAKE_RETURNS_PER_MINUTE = env_int("TROPA_INTAKE_RETURNS_PER_MINUTE", 300)
TROPA_INTAKE_MAX_FILE_BYTES = env_int("TROPA_INTAKE_MAX_FILE_BYTES", 10 * 1024 * 1024)
# A half-finished interview nobody touched for this many days is deleted (tropa/intake).
TROPA_INTAKE_DRAFT_DAYS = env_int("TROPA_INTAKE_DRAFT_DAYS", 30)
# Codenames each web process mints ahead, with their Argon2id hashes, in memory only, so that a
# burst of people starting at once does not queue behind the hashes (0: hash at each start).
TROPA_INTAKE_CODENAMES_AHEAD = env_int("TROPA_INTAKE_CODENAMES_AHEAD", 64)
# Backups (tropa.ops): `tropa run`'s worker writes one a day into TROPA_BACKUP_DIR, encrypted
# to TROPA_BACKUP_RECIPIENT (an age public key whose private key is NOT on this server), and
# keeps the newest TROPA_BACKUP_KEEP. Off while either is empty. See docs/operations.md.
TROPA_BACKUP_DIR = env_str("TROPA_BACKUP_DIR")
TROPA_BACKUP_RECIPIENT = env_str("TROPA_BACKUP_RECIPIENT")
TROPA_BACKUP_KEEP = env_int("TROPA_BACKUP_KEEP", 14)
# Dual control (tropa/retention, R18): how long an approved or emergency reveal stays usable.
TROPA_DUAL_CONTROL_REVEAL_MINUTES = env_int("TROPA_DUAL_CONTROL_REVEAL_MINUTES", 60)

# Insider alerts for admins (tropa/retention/insider.py): more than this many identity reveals
# in TROPA_INSIDER_REVEAL_MINUTES, denied case codes (404s) in a day, cases read in a day that
# are assigned to someone else; exports outside working hours (server time, [start, end)).
TROPA_INSIDER_REVEALS = env_int("TROPA_INSIDER_REVEALS", 10)
TROPA_INSIDER_REVEAL_MINUTES = env_int("TROPA_INSIDER_REVEAL_MINUTES", 60)
TROPA_INSIDER_PROBES = env_int("TROPA_INSIDER_PROBES", 5)
TROPA_INSIDER_UNASSIGNED = env_int("TROPA_INSIDER_UNASSIGNED", 30)
TROPA_INSIDER_WORK_HOURS = (
    env_int("TROPA_INSIDER_WORK_START", 8),
    env_int("TROPA_INSIDER_WORK_END", 20),
)
