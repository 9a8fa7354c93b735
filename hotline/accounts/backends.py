"""The login backend: Django's, with the second-factor question answered in the query
that loads the user on every request (issue 14 item 11).

AccountPolicyMiddleware asks on every request whether the user has a confirmed device
(a second factor to demand); django_otp answers with one query per device type. Here
the user's row comes with that answer (`has_confirmed_device`), so an authenticated
request costs the session row and the user row only. The answer is as fresh as the
request: nothing is cached across requests.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import Exists, OuterRef


def _confirmed_device():
    from django_otp import device_classes

    found = [
        Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))
        for model in device_classes()
    ]
    return reduce(or_, found)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager
        try:
            user = users.annotate(has_confirmed_device=_confirmed_device()).get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
