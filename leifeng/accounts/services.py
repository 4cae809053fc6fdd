"""Accounts: personal API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import AccessToken, User
from leifeng.core.errors import DomainError

TOKEN_PREFIX = "lf_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[AccessToken, str]:
    """Make a token for `actor`. Returns the row and the token text, which is never stored."""
    name = name.strip()
    if not name:
        raise DomainError(
            _("Give the token a name."), code="required", fields={"name": _("Required.")}
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AccessToken.objects.create(
        user=actor, name=name[:100], prefix=token[:10], token_hash=hash_token(token)
    )
    return row, token


@transaction.atomic
def token_revoke(*, actor: User, token: AccessToken) -> None:
    if token.user_id != actor.pk:
        raise DomainError(_("You can only revoke your own tokens."), code="forbidden")
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def token_authenticate(token: str) -> User | None:
    """The active user behind `token`, or None."""
    row = (
        AccessToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    # Record use at most once a minute, so busy clients do not write on every request.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
