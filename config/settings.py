"""Django settings, read from the environment (design rule 7).

Variables: DATABASE_URL, DATABASE_REPLICA_URL, REDIS_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS, HOTLINE_DATA_DIR and the HOTLINE_* knobs below. Defaults work on a laptop:
a SQLite file in the data dir,
DEBUG off.
"""

from __future__ import annotations

import os
from pathlib import Path

from config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "hotline"
DATA_DIR = env.data_dir()

DEBUG = env.env_bool("DEBUG", False)
SECRET_KEY = env.secret_key(DATA_DIR)
ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hotline.core",
    "hotline.directory",
    "hotline.accounts",
    "hotline.sla",
    "hotline.tickets",
    "hotline.intelligence",
    "hotline.notifications",
    "hotline.supervision",
    "hotline.knowledge",
    "hotline.reports",
    "hotline.workbench",
    "hotline.channels",
    "captcha",
    "hotline.portal",
    "hotline.emergencies",
    "hotline.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hotline.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hotline.core.access_log.AccessContextMiddleware",
    # Every page needs a login unless its view says otherwise (login, health, API).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Second factor, password expiry and the absolute session limit (issue 14 item 10).
    "hotline.accounts.middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "hotline.core.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hotline.core.middleware.DomainErrorMiddleware",
    # Report pages read from the read replica, if there is one (DATABASE_REPLICA_URL).
    "hotline.core.replica.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.site.context_processors.navigation",
                "hotline.notifications.context_processors.unread",
            ],
        },
    }
]

DATABASES = {"default": env.database(DATA_DIR)}
# Several machines (docs/operations.md): reports and dashboards from a read replica
# (DATABASE_REPLICA_URL), the cache and the sessions in Redis (REDIS_URL).
_REPLICA = env.replica_database()
if _REPLICA:
    DATABASES["replica"] = _REPLICA
DATABASE_ROUTERS = ["hotline.core.replica.ReplicaRouter"]
_CACHES = env.caches()
if _CACHES:
    CACHES = _CACHES
    # Sessions read from Redis, written through to the database: a Redis restart logs
    # nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's backend; the user's row comes with "has a confirmed second-factor device"
# (one query per request instead of two: hotline.accounts.backends).
AUTHENTICATION_BACKENDS = ["hotline.accounts.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Password rules (等保 8.1.4.1 a, docs/security.md): length, character classes, not the
# username, not one of the last HOTLINE_PASSWORD_HISTORY passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.env_int("HOTLINE_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hotline.accounts.passwords.CharacterClassValidator"},
    {"NAME": "hotline.accounts.passwords.NotUsernameValidator"},
    {"NAME": "hotline.accounts.passwords.HistoryValidator"},
]
HOTLINE_PASSWORD_HISTORY = env.env_int("HOTLINE_PASSWORD_HISTORY", 5)
# Staff must change their password after this many days (0: never).
HOTLINE_PASSWORD_MAX_AGE_DAYS = env.env_int("HOTLINE_PASSWORD_MAX_AGE_DAYS", 90)
# Roles that must log in with a second factor (TOTP); others may enrol.
HOTLINE_2FA_REQUIRED_ROLES = env.env_list("HOTLINE_2FA_REQUIRED_ROLES", ["admin", "city_leader"])
OTP_TOTP_ISSUER = "12345 热线"

# Sessions expire after HOTLINE_SESSION_IDLE_MINUTES without a request (the age is
# renewed on every request) and always when the browser closes.
SESSION_COOKIE_AGE = env.env_int("HOTLINE_SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
# ...but the database row is rewritten only when the session changed or its expiry would
# move by a minute or more: not a write per request (hotline.accounts.sessions).
SESSION_ENGINE = "hotline.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# However active, a session ends this many hours after login (accounts.middleware).
HOTLINE_SESSION_ABSOLUTE_HOURS = env.env_int("HOTLINE_SESSION_ABSOLUTE_HOURS", 12)

# Failed-login throttling (accounts.services.login_*).
HOTLINE_LOGIN_MAX_FAILURES = env.env_int("HOTLINE_LOGIN_MAX_FAILURES", 5)
HOTLINE_LOGIN_LOCK_MINUTES = env.env_int("HOTLINE_LOGIN_LOCK_MINUTES", 15)
HOTLINE_LOGIN_MAX_FAILURES_PER_ADDRESS = env.env_int("HOTLINE_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Apache ECharts for the dashboard: installed by `make` with npm into the ignored vendor/
# folder (never committed); the Makefile copies the one file served,
# /static/echarts/echarts.min.js, to vendor/static/echarts/.
ECHARTS_DIR = PACKAGE_DIR.parent / "vendor" / "static" / "echarts"
if ECHARTS_DIR.is_dir():
    STATICFILES_DIRS.append(("echarts", ECHARTS_DIR))  # type: ignore[arg-type]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are for developers' tools, rarely fetched: compressing the API docs' 5 MB of
# them made every release's collectstatic much slower for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *["jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"],
    *["swf", "flv", "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4"],
    *["mpeg", "mpg", "webm", "wmv", "map"],
]

HOTLINE_UPLOAD_MAX_BYTES = env.env_int("HOTLINE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HOTLINE_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = HOTLINE_UPLOAD_MAX_BYTES
# Rows in one POST /api/tickets/bulk (issue 14 item 11); the body limit above applies too.
HOTLINE_BULK_MAX_ROWS = env.env_int("HOTLINE_BULK_MAX_ROWS", 1000)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env.env_bool("HOTLINE_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.env_int("HOTLINE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("HOTLINE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.env_bool("HOTLINE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and everything else from this site only;
# inline style attributes stay allowed (htmx adds its indicator style, templates use a few).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The two inline handlers the templates use, by hash: the language switcher's
        # onchange="this.form.submit()" and onclick="window.print()".
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",
            "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='",
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The personal-data access log is kept at least this many days (≥ 6 months:
# 网络安全法 第二十一条, 等保 8.1.4.3).
HOTLINE_ACCESS_LOG_KEEP_DAYS = max(180, env.env_int("HOTLINE_ACCESS_LOG_KEEP_DAYS", 400))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Notifications (hotline.notifications): e-mail over SMTP, SMS through an HTTP gateway.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env.env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "12345@localhost")
HOTLINE_SMS_URL = os.environ.get("HOTLINE_SMS_URL", "")
HOTLINE_SMS_KEY = os.environ.get("HOTLINE_SMS_KEY", "")
# A message claimed by a tick that died mid-send is taken again after this many seconds
# (longer than any one send; the repeat carries the same Idempotency-Key).
HOTLINE_NOTIFY_CLAIM_SECONDS = env.env_int("HOTLINE_NOTIFY_CLAIM_SECONDS", 600)

# Online channels (hotline.channels): the review deadline of the online queue, the mayor's
# mailbox over IMAP, the SMS gateway's inbound webhook, WeChat, partner hotlines.
HOTLINE_ONLINE_ACCEPT_HOURS = env.env_int("HOTLINE_ONLINE_ACCEPT_HOURS", 2)
HOTLINE_MAILBOX_HOST = os.environ.get("HOTLINE_MAILBOX_HOST", "")  # empty: no mailbox
HOTLINE_MAILBOX_PORT = env.env_int("HOTLINE_MAILBOX_PORT", 993)
HOTLINE_MAILBOX_USER = os.environ.get("HOTLINE_MAILBOX_USER", "")
HOTLINE_MAILBOX_PASSWORD = os.environ.get("HOTLINE_MAILBOX_PASSWORD", "")
HOTLINE_MAILBOX_SSL = env.env_bool("HOTLINE_MAILBOX_SSL", True)
HOTLINE_MAILBOX_FOLDER = os.environ.get("HOTLINE_MAILBOX_FOLDER", "INBOX")
HOTLINE_MAILBOX_DONE_FOLDER = os.environ.get("HOTLINE_MAILBOX_DONE_FOLDER", "Processed")
HOTLINE_MAILBOX_FAILED_FOLDER = os.environ.get("HOTLINE_MAILBOX_FAILED_FOLDER", "Unprocessed")
HOTLINE_SMS_INBOUND_SECRET = os.environ.get("HOTLINE_SMS_INBOUND_SECRET", "")
# WeChat official account: the server URL's token (message signatures), the app id and
# secret (template messages through HOTLINE_WECHAT_API_BASE), the progress template.
HOTLINE_WECHAT_TOKEN = os.environ.get("HOTLINE_WECHAT_TOKEN", "")
HOTLINE_WECHAT_APPID = os.environ.get("HOTLINE_WECHAT_APPID", "")
HOTLINE_WECHAT_SECRET = os.environ.get("HOTLINE_WECHAT_SECRET", "")
HOTLINE_WECHAT_TEMPLATE_ID = os.environ.get("HOTLINE_WECHAT_TEMPLATE_ID", "")
HOTLINE_WECHAT_API_BASE = os.environ.get(
    "HOTLINE_WECHAT_API_BASE", "https://api.weixin.qq.com/cgi-bin/"
)
# How this hotline names itself to partner hotlines (their Partner.code for us).
HOTLINE_PARTNER_CODE = os.environ.get("HOTLINE_PARTNER_CODE", "local")

# Citizen portal (hotline.portal): the largest submission body (photos included), refused
# by its declared length before it is read; per-address limits times this factor (raise it
# behind a proxy whose one address stands for many citizens, or for a load test).
HOTLINE_PORTAL_MAX_REQUEST_BYTES = env.env_int("HOTLINE_PORTAL_MAX_REQUEST_BYTES", 30 * 1024 * 1024)
HOTLINE_PORTAL_ADDRESS_FACTOR = env.env_int("HOTLINE_PORTAL_ADDRESS_FACTOR", 1)
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
# Only for load tests and browser tests: the CAPTCHA answer "PASSED" is accepted.
CAPTCHA_TEST_MODE = env.env_bool("HOTLINE_CAPTCHA_TEST_MODE", False)
# The access log's append-only triggers (migration core 0003); only the test settings turn
# them off.
HOTLINE_ACCESS_LOG_DB_GUARDS = True
# Emergencies (hotline.emergencies, R-DA-5): the directory code of the government duty
# office (总值班室) whose contacts are texted, and the minutes an emergency report may
# wait unacknowledged before the next contact is texted.
HOTLINE_DUTY_OFFICE = os.environ.get("HOTLINE_DUTY_OFFICE", "QX-ZBS")
HOTLINE_EMERGENCY_ESCALATE_MINUTES = env.env_int("HOTLINE_EMERGENCY_ESCALATE_MINUTES", 10)
# Documents (issue 15 item 14): the one name every document is issued in (supervision
# letters, recommendations, the monthly bulletin, report documents); empty: the hotline
# centre's name in the directory. And the working days a unit has to report in writing
# on a supervision letter or recommendation.
HOTLINE_ISSUER = os.environ.get("HOTLINE_ISSUER", "")
HOTLINE_DOCUMENT_REPORT_DAYS = env.env_int("HOTLINE_DOCUMENT_REPORT_DAYS", 5)
# The daily digest of routine reminders (issue 15 item 15): local time it goes out
# (after the working day's reminders at 08:30, so they are in the same day's digest).
HOTLINE_DIGEST_TIME = os.environ.get("HOTLINE_DIGEST_TIME", "09:00")
