from django.conf import settings


def site(request):
    """The city brand, and the organisations the user acts in, for every page."""
    context = {"city_name": settings.LEIFENG_CITY_NAME, "brand": settings.LEIFENG_BRAND}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from leifeng.orgs.access import current_membership, memberships

        context["my_memberships"] = memberships(user)
        context["current_membership"] = current_membership(request)
    return context
