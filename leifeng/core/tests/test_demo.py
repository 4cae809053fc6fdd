from django.core.management import call_command

from leifeng.accounts.models import User
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation


def test_demo_loads_the_campaign_organisations_once(db, capsys):
    call_command("demo")
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("demo")
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    names = set(Organisation.objects.values_list("name", flat=True))
    for name in [
        "晋城市文明办",
        "市直工委",
        "市教育工委",
        "市国资委党委",
        "晋城市志愿服务联合会",
        "晋城经济技术开发区党工委",
        "晋城市新时代文明实践中心",
        "泽州县新时代文明实践中心",
    ]:
        assert name in names
    for county in ["城区", "沁水县", "阳城县", "陵川县", "泽州县", "高平市"]:
        assert f"{county}文明办" in names and f"{county}新时代文明实践中心" in names
    assert "city_admin" in capsys.readouterr().out


def test_demo_county_admin_sees_only_their_county(db):
    call_command("demo")
    zezhou = User.objects.get(username="zezhou_admin")
    visible = set(access.scoped(Organisation.objects.all(), zezhou).values_list("name", flat=True))
    assert "巴公镇巾帼志愿服务队" in visible
    assert not any(name.startswith("城区") for name in visible)
    for role in Membership.Role.values:
        assert Membership.objects.filter(role=role, user__username__startswith="city_").exists()
        assert Membership.objects.filter(role=role, user__username__startswith="zezhou_").exists()
