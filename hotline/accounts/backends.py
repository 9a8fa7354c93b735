"""The login backend: Django's, with the second-factor question answered in the query
that loads the user on every request (issue 14 item 11).

AccountPolicyMiddleware asks on every request whether the user has a confirmed device
(a second factor to demand); django_otp answers with one query per device type. Here
the user's row comes with that answer (`has_confirmed_device`), so an authenticated
request costs the session row and the user row only. The answer is as fresh as the
request: nothing is cached across requests but the read's SQL, compiled once
(`hotline.core.fixed_reads`).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Exists, OuterRef

from hotline.core.fixed_reads import FixedRead, Slot


def _confirmed_device():
    from django_otp import device_classes

    found = [
        Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))
        for model in device_classes()
    ]
    return reduce(or_, found)


def _user_by_pk(pk):
    users = get_user_model()._default_manager
    return users.annotate(has_confirmed_device=_confirmed_device()).filter(pk=pk)


_USER_BY_PK = FixedRead(get_user_model(), _user_by_pk, pk=Slot.INT)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None  # a session from another user model: nobody, as Django's lookup
        user = _USER_BY_PK.first(pk=pk)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
