from django.contrib.auth.backends import ModelBackend

from leifeng.accounts.models import User
from leifeng.core.validators import MOBILE_RE


def client_ip(request) -> str:
    """The client's address for log-in throttling, trusting only our own PROXY_COUNT proxies.

    Each proxy appends the address it received from, so the client is the PROXY_COUNT-th entry
    from the right; entries further left could be forged by the client.
    """
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    if settings.PROXY_COUNT <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return remote


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the user name or the mobile number, whichever the person types."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = username.strip()
        field = "mobile" if MOBILE_RE.match(login) else "username"
        try:
            user = User.objects.get(**{field: login})
        except User.DoesNotExist:
            # Spend the same time as a real check so timing does not tell who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
