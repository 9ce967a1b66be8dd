"""API tokens a person makes for themselves (for a script or another system acting as them).

One token per person (DRF's ``Token``). Making a new one replaces the old, so a leaked token is withdrawn by
making a new one or by revoking it; the key is shown once, when it is made.
"""

from __future__ import annotations

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

from tickets.exceptions import ActionForbidden
from tickets.models import User

log = logging.getLogger(__name__)


def api_token_issue(*, actor: User) -> Token:
    """Make a new token for ``actor``, replacing any they had."""
    if not actor.is_active:
        raise ActionForbidden("inactive user")
    with transaction.atomic():
        Token.objects.filter(user=actor).delete()
        token = Token.objects.create(user=actor)
    log.info("api token issued for user %s", actor.pk)
    return token


def api_token_revoke(*, actor: User) -> bool:
    """Withdraw ``actor``'s token; False when there was none."""
    deleted, _ = Token.objects.filter(user=actor).delete()
    if deleted:
        log.info("api token revoked for user %s", actor.pk)
    return bool(deleted)
