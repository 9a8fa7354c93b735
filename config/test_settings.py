"""Settings for the test suite: the real settings with fast hashing and plain static files."""

import os

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not Django's shared in-memory database: with memory, the live server's
    # thread shares the test thread's connection, and a browser request racing a test's
    # query corrupts the transaction state. A file gives each thread its own connection.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Other apps' tests log in with force_login and move the clock by months: they would meet
# the enrolment page, the absolute session limit and password expiry. Those rules have
# their own tests (hotline/accounts/tests/test_security_controls.py), which turn them on
# with the production values.
HOTLINE_2FA_REQUIRED_ROLES = []
HOTLINE_PASSWORD_MAX_AGE_DAYS = 0
HOTLINE_SESSION_ABSOLUTE_HOURS = 24 * 365 * 10
# Django empties every table between transactional tests; the access log's append-only
# triggers would refuse. hotline/core/tests/test_access_log.py installs them itself.
HOTLINE_ACCESS_LOG_DB_GUARDS = False
