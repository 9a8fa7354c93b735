"""The claim-and-retry columns that every outbox row shares (notifications, partner calls).

A row waits until `next_attempt_at`; the tick claims due rows with a conditional UPDATE,
tries them, counts the attempt and, on failure, keeps the error and sets the next try.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock


class OutboxRow(models.Model):
    """Abstract: a message or call delivered by the tick with retries."""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=clock.now, verbose_name=_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True
