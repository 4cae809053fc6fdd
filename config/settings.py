"""Leifeng settings: read only from the environment, with safe defaults.

Every setting is listed in the README. A bad value stops the start with a clear message
instead of running half-configured.
"""

import base64
import json
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEIFENG_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use 1/0, true/false or on/off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first run and kept in var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _keys_file(name: str, make: Callable[[], str]) -> str:
    """A key kept in var/ (generated on first run), for when the environment gives none."""
    key_file = VAR_DIR / name
    if not key_file.exists():
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _new_data_key() -> str:
    return "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
# Personal data at rest (identity and phone numbers): AES-GCM keys as "id:base64,id:base64",
# the first encrypts, all decrypt (so keys can rotate); and an HMAC key for exact look-ups.
# Keep both outside the database and back them up: without them the data cannot be read.
LEIFENG_DATA_KEYS = os.environ.get("LEIFENG_DATA_KEYS") or _keys_file("data_keys", _new_data_key)
LEIFENG_LOOKUP_KEY = os.environ.get("LEIFENG_LOOKUP_KEY") or _keys_file(
    "lookup_key", lambda: secrets.token_urlsafe(32)
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty; list the host names the site answers to.")

# The city this installation serves. Nothing else in the code is specific to one city.
LEIFENG_CITY_NAME = os.environ.get("LEIFENG_CITY_NAME", "晋城市")
LEIFENG_BRAND = os.environ.get("LEIFENG_BRAND", "志爱晋城")
LEIFENG_CITY_REGION_CODE = os.environ.get("LEIFENG_CITY_REGION_CODE", "140500")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "axes",
    "leifeng.core",
    "leifeng.accounts",
    "leifeng.regions",
    "leifeng.orgs",
    "leifeng.audit",
    "leifeng.jobs",
    "leifeng.notify",
    "leifeng.volunteers",
    "leifeng.activities",
    "leifeng.hours",
    "leifeng.demands",
    "leifeng.reports",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "leifeng.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "leifeng.core.middleware.ApiErrorBodyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leifeng.core.context_processors.site",
                "leifeng.notify.context_processors.inbox",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'leifeng.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be read: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
            # the start of a transaction so two writers queue instead of failing half-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    # Background jobs on Redis (RQ); workers: `leifeng worker`.
    INSTALLED_APPS.append("django_rq")
    # A job may run up to two hours (then it counts as stuck: leifeng.jobs.services).
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 7200}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Background jobs in the database; `make run` and `leifeng serve` start a worker.
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must stay first: it refuses locked-out log-ins
    "leifeng.accounts.backends.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "leifeng.accounts.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Notifications. E-mail through SMTP when EMAIL_HOST is set, else written to the log.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "leifeng@localhost")
SMS_SENDER = os.environ.get("SMS_SENDER", "console")
WECHAT_SENDER = os.environ.get("WECHAT_SENDER", "console")
if SMS_SENDER not in {"console", "aliyun"}:
    raise ImproperlyConfigured(f"SMS_SENDER={SMS_SENDER!r} must be 'console' or 'aliyun'.")
if WECHAT_SENDER != "console":
    raise ImproperlyConfigured(f"WECHAT_SENDER={WECHAT_SENDER!r}: only 'console' exists so far.")
SMS_MAX_PER_HOUR = env_int("SMS_MAX_PER_HOUR", 5)

# Volunteer imports from Excel: the largest file and the most rows one upload may hold.
VOLUNTEER_IMPORT_MAX_MB = env_int("VOLUNTEER_IMPORT_MAX_MB", 30)
VOLUNTEER_IMPORT_MAX_ROWS = env_int("VOLUNTEER_IMPORT_MAX_ROWS", 200_000)

# Service hours: attendance is rounded down to this many minutes (30: half hours), and the
# star standards are these cumulative hours (DOMAIN.md §4; the national default).
HOURS_ROUNDING_MINUTES = env_int("HOURS_ROUNDING_MINUTES", 30)
HOURS_STAR_THRESHOLDS = tuple(
    int(part)
    for part in os.environ.get("HOURS_STAR_THRESHOLDS", "100,300,600,1000,1500").split(",")
)

# Residents' orders: the time each step may take before the order is escalated to the level
# above (DOMAIN.md §5, to be agreed with the city office), and the rating window.
# Where the site is reached from outside: links in text messages (a resident's rating link).
LEIFENG_SITE_URL = os.environ.get("LEIFENG_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEMANDS_VERIFY_WORKING_DAYS = env_int("DEMANDS_VERIFY_WORKING_DAYS", 1)
DEMANDS_DISPATCH_WORKING_DAYS = env_int("DEMANDS_DISPATCH_WORKING_DAYS", 1)
DEMANDS_ACCEPT_HOURS = env_int("DEMANDS_ACCEPT_HOURS", 24)
DEMANDS_RATING_DAYS = env_int("DEMANDS_RATING_DAYS", 7)

# Reports to the city: reminders so many days before and after the due date, and the largest
# attachment of each kind (MB).
REPORTS_REMIND_BEFORE = [int(d) for d in env_list("REPORTS_REMIND_BEFORE", "7,3,1")]
REPORTS_REMIND_AFTER = [int(d) for d in env_list("REPORTS_REMIND_AFTER", "1,3,7")]
REPORTS_ATTACHMENT_MB = {"photo": 10, "video": 200, "document": 20}
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_SIGN_NAME = os.environ.get("ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_ENDPOINT = os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
try:
    ALIYUN_SMS_TEMPLATES = json.loads(os.environ.get("ALIYUN_SMS_TEMPLATES", "{}"))
except ValueError:
    ALIYUN_SMS_TEMPLATES = None
if not isinstance(ALIYUN_SMS_TEMPLATES, dict):
    raise ImproperlyConfigured(
        'ALIYUN_SMS_TEMPLATES must be a JSON object, e.g. {"accounts.verification_code": "SMS_1"}.'
    )
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
if SMS_SENDER == "aliyun" and not (
    ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME
):
    raise ImproperlyConfigured(
        "SMS_SENDER=aliyun needs ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET and "
        "ALIYUN_SMS_SIGN_NAME."
    )

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Log-in throttling (django-axes): after this many failures for one name from one address,
# that pair is locked out for the cool-off time.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "leifeng.accounts.views.locked_out"
# Behind nginx, REMOTE_ADDR is the proxy: PROXY_COUNT proxies append to X-Forwarded-For.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "leifeng.accounts.backends.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start until collectstatic has run
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Security headers. Behind nginx with TLS set LEIFENG_HTTPS=1.
HTTPS = env_bool("LEIFENG_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} must be DEBUG, INFO, WARNING or ERROR.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
