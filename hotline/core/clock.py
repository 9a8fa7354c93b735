"""The one source of "now" (design rule 6): tests move it with time-machine."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
