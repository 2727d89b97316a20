"""Settings for shuzhuan. Everything an operator may change comes from the environment (README, "Configuration")."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent  # src/shuzhuan
PROJECT_DIR = BASE_DIR.parent.parent  # repository root
VAR_DIR = Path(os.environ.get("SHUZHUAN_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


# Production sets both. The development key's prefix makes `shuzhuan check --deploy` flag it.
SECRET_KEY = os.environ.get("SHUZHUAN_SECRET_KEY", "django-insecure-shuzhuan-development-key-set-SHUZHUAN_SECRET_KEY")
DEBUG = env_bool("SHUZHUAN_DEBUG", False)  # `make demo` / `make serve` turn it on
ALLOWED_HOSTS = [h for h in os.environ.get("SHUZHUAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SHUZHUAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "shuzhuan.core",
    "shuzhuan.registry",
    "shuzhuan.assessment",
    "shuzhuan.marketplace",
    "shuzhuan.programs",
    "shuzhuan.finance",
    "shuzhuan.credit",
    "shuzhuan.funds",
    "shuzhuan.policy",
    "shuzhuan.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shuzhuan.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shuzhuan.urls"
WSGI_APPLICATION = "shuzhuan.wsgi.application"

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
                "django.template.context_processors.i18n",
                "shuzhuan.core.context.platform",
            ],
        },
    }
]

# --- Database: SQLite by default, anything else by DATABASE_URL --------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shuzhuan.sqlite3'}"
# SHUZHUAN_DB_CONN_MAX_AGE: seconds a process keeps its database connection (0 = one per request, the
# dev/test default; `make serve-prod` and the load bench use 60). Health checks drop a dead connection.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("SHUZHUAN_DB_CONN_MAX_AGE", "0")),
                            conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions + a busy timeout: a web process and a task worker share the file.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
_db.setdefault("TEST", {})
if os.environ.get("SHUZHUAN_TEST_DB_NAME"):
    _db["TEST"]["NAME"] = os.environ["SHUZHUAN_TEST_DB_NAME"]
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["shuzhuan.core.auth.UsernameOrMobileBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
# Failed-login throttle: this many failures for one account or address within the window lock it.
LOGIN_FAILURE_LIMIT = int(os.environ.get("SHUZHUAN_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SHUZHUAN_LOGIN_FAILURE_WINDOW", "900"))
LOGIN_FAILURE_ADDRESS_LIMIT = int(os.environ.get("SHUZHUAN_LOGIN_FAILURE_ADDRESS_LIMIT", "50"))

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SHUZHUAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and private files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # `shuzhuan collectstatic` fills it for production
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
_npm = Path(os.environ.get("SHUZHUAN_NODE_MODULES", PROJECT_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("vendor/bootstrap", _npm / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", _npm / "bootstrap-icons" / "font"),
    ("vendor/htmx", _npm / "htmx.org" / "dist"),
    ("vendor/echarts", _npm / "echarts" / "dist"),
]
STATICFILES_DIRS = [BASE_DIR / "static"] + [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded and generated files are private: served only through views that check scope.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("SHUZHUAN_MEDIA_ROOT", VAR_DIR / "private"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# One limit for every uploaded document (assessment evidence, pool application documents, acceptance
# documents, a chain leader's list); bulk imports have their own, larger one below.
DOCUMENT_MAX_UPLOAD_BYTES = int(os.environ.get("SHUZHUAN_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("SHUZHUAN_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# Exports above this many rows run as a background job with a progress bar (a 20,000-row list takes
# 12–14 s to write: too long to wait on a blank page).
EXPORT_SYNC_ROWS = int(os.environ.get("SHUZHUAN_EXPORT_SYNC_ROWS", "3000"))

# --- Cache: job progress lives here while a job runs (works across processes, outside transactions)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}

# --- Background work: Django tasks with the database backend -----------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SHUZHUAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A running job with no sign of life (progress, heartbeat) for this many seconds is taken for one whose
# worker died: it is marked failed when looked at, and by `shuzhuan reap-jobs`.
JOB_STALE_AFTER_SECONDS = int(os.environ.get("SHUZHUAN_JOB_STALE_AFTER", "600"))

# --- Platform ---------------------------------------------------------------------------------------
PLATFORM_NAME = os.environ.get("SHUZHUAN_PLATFORM_NAME", "数转")
CITY_NAME = os.environ.get("SHUZHUAN_CITY_NAME", "中山市")
CITY_CODE = os.environ.get("SHUZHUAN_CITY_CODE", "442000")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SHUZHUAN_SECURE_COOKIES", False)  # behind HTTPS: true
if env_bool("SHUZHUAN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHUZHUAN_LOG_LEVEL", "WARNING")},
}

# Access through a relationship (a contact request, a contract, an on-site rating assignment) lasts
# while the relationship is active and this many days after it ended; a declined contact ends it at
# once (issue 10 item 7). A setting: the sources are silent on a period.
RELATIONSHIP_GRACE_DAYS = int(os.environ.get("SHUZHUAN_RELATIONSHIP_GRACE_DAYS", "180"))
CREDIT_CONSENT_MAX_DAYS = int(os.environ.get("SHUZHUAN_CREDIT_CONSENT_MAX_DAYS", "366"))  # a consent ends within a year

# Anonymous objections to a provider's admission notice: per network address and day (issue 10 item 9).
OBJECTIONS_PER_ADDRESS_PER_DAY = int(os.environ.get("SHUZHUAN_OBJECTIONS_PER_DAY", "3"))
