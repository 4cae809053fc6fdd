from leifeng.notify.models import Notification


def inbox(request):
    """The unread count for the header: one small query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    }
