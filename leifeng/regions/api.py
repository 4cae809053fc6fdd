from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from leifeng.core.api import ERRORS, Pagination
from leifeng.regions import services
from leifeng.regions.models import Region

router = Router()


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


class VillageIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    code: str = Field("", max_length=12)


@router.get(
    "", response={200: list[RegionOut], **ERRORS}, summary="Regions (shared reference data)"
)
@paginate(Pagination)
def region_list(request: HttpRequest, parent_id: int | None = None, level: str | None = None):
    regions = Region.objects.all()
    if parent_id is not None:
        regions = regions.filter(parent_id=parent_id)
    if level:
        regions = regions.filter(level=level)
    return regions


@router.get("/{region_id}", response={200: RegionOut, **ERRORS}, summary="One region")
def region_detail(request: HttpRequest, region_id: int):
    return get_object_or_404(Region, pk=region_id)


@router.post(
    "/{region_id}/villages",
    response={201: RegionOut, **ERRORS},
    summary="Add a village or community",
)
def region_village_create(request: HttpRequest, region_id: int, payload: VillageIn):
    township = get_object_or_404(Region, pk=region_id)
    region = services.region_create_village(
        actor=request.auth, township=township, name=payload.name, code=payload.code
    )
    return Status(201, region)
