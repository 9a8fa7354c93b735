"""Settings for the load benches' server when the collected static files have no manifest
yet (its post-processing takes many minutes on a busy machine): production settings with
plain static storage. Locust fetches no static files; a page only renders their URLs."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
