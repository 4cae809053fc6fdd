import pytest
from django.urls import reverse

from leifeng.core.errors import DomainError
from leifeng.regions.models import Region
from leifeng.regions.services import region_create_village

COUNTIES = {
    "140502": "城区",
    "140521": "沁水县",
    "140522": "阳城县",
    "140524": "陵川县",
    "140525": "泽州县",
    "140581": "高平市",
}


def test_jincheng_is_shipped_as_data(db):
    city = Region.objects.get(code="140500")
    assert city.name == "晋城市"
    assert dict(city.children.values_list("code", "name")) == COUNTIES
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
    assert townships.count() == 77
    for township in townships.select_related("parent"):
        assert len(township.code) == 9
        assert township.code.startswith(township.parent.code)
        assert township.path.startswith(township.parent.path)
    assert Region.objects.get(code="140525108").full_name() == "晋城市泽州县巴公镇"


def test_no_code_is_invented_for_the_development_zone(db):
    assert not Region.objects.filter(name__contains="开发区").exclude(code="140502009").exists()
    assert Region.objects.get(code="140502009").name == "开发区街道"


def test_county_admin_adds_a_village_in_their_county(org_tree):
    township = Region.objects.get(code="140525108")
    village = region_create_village(
        actor=org_tree.county_a_admin, township=township, name="巴公一村"
    )
    assert village.level == Region.Level.VILLAGE
    assert village.path == f"{township.path}{village.pk}/"
    assert village.code == ""
    from leifeng.audit.models import AuditEntry

    entry = AuditEntry.objects.get(object_type="regions.region", object_id=str(village.pk))
    assert entry.organisation == org_tree.county_a
    assert entry.actor == org_tree.county_a_admin


def test_villages_outside_ones_region_are_refused(org_tree):
    with pytest.raises(DomainError) as exc:
        region_create_village(
            actor=org_tree.county_a_admin,
            township=Region.objects.get(code="140502007"),
            name="某社区",
        )
    assert exc.value.code == "forbidden"


@pytest.mark.parametrize("code", ["14052510800", "140502007001", "abc"])
def test_village_codes_must_have_12_digits_under_their_township(org_tree, code):
    with pytest.raises(DomainError) as exc:
        region_create_village(
            actor=org_tree.root,
            township=Region.objects.get(code="140525108"),
            name="某村",
            code=code,
        )
    assert "code" in exc.value.fields
    assert not Region.objects.filter(name="某村").exists()


def test_villages_go_under_townships_only(org_tree):
    with pytest.raises(DomainError) as exc:
        region_create_village(
            actor=org_tree.root, township=Region.objects.get(code="140525"), name="村"
        )
    assert exc.value.code == "invalid_parent"


def test_region_page_offers_the_village_form_to_admins_only(client, org_tree):
    township = Region.objects.get(code="140525108")
    url = reverse("regions:detail", args=[township.pk])
    client.force_login(org_tree.county_b_admin)
    assert 'name="name"' not in client.get(url).content.decode()
    assert client.post(url, {"name": "越权村"}).status_code == 403
    client.force_login(org_tree.county_a_admin)
    response = client.post(url, {"name": "巴公二村", "code": "140525108201"})
    assert response.status_code == 302
    assert Region.objects.get(code="140525108201").name == "巴公二村"
