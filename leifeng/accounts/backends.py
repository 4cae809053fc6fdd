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
    """Log in with the user name (a volunteer's is their volunteer number) or the mobile
    number, whichever the person types. A volunteer's mobile is found through its keyed hash,
    as it is stored sealed."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = self._find(username.strip())
        if user is None:
            # Spend the same time as a real check so timing does not tell who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _find(login: str) -> User | None:
        if not MOBILE_RE.match(login):
            return User.objects.filter(username=login).first()
        user = User.objects.filter(mobile=login).first()
        if user is not None:
            return user
        from leifeng.volunteers.services import mobile_key

        # Several volunteers may share a number (a family): then only the volunteer number works.
        users = list(
            User.objects.filter(
                volunteer__mobile_hash=mobile_key(login), volunteer__status="active"
            )[:2]
        )
        return users[0] if len(users) == 1 else None
