from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from leifeng.core.errors import DomainError
from leifeng.core.forms import add_domain_error
from leifeng.orgs import access
from leifeng.regions import services
from leifeng.regions.forms import VillageForm
from leifeng.regions.models import Region


def region_list(request: HttpRequest) -> HttpResponse:
    """Start at the city this installation serves."""
    city = Region.objects.filter(code=settings.LEIFENG_CITY_REGION_CODE).first()
    if city is None:
        city = get_object_or_404(Region.objects.filter(parent__isnull=True).order_by("pk")[:1])
    return redirect("regions:detail", pk=city.pk)


def region_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Regions are shared reference data for every logged-in user; administrators add villages
    under the townships of their own region."""
    region = get_object_or_404(Region, pk=pk)
    can_add = region.level == Region.Level.TOWNSHIP and access.can_manage_region(
        request.user, region
    )
    form = VillageForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                village = services.region_create_village(
                    actor=request.user, township=region, **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("%(name)s has been added.") % {"name": village.name})
                return redirect("regions:detail", pk=region.pk)
    context = {
        "region": region,
        "ancestors": region.ancestors(),
        "children": region.children.order_by("code", "name"),
        "form": form,
        "can_add": can_add,
    }
    return render(request, "regions/detail.html", context)
