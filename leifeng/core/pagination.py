from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 30


def paginate(request: HttpRequest, qs: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of `qs`; a bad or too-large page number gives the nearest real page."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))
