from django.contrib.auth.backends import ModelBackend

from leifeng.accounts.models import User
from leifeng.core.validators import MOBILE_RE


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
