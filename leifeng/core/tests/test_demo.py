import random
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from leifeng.accounts.models import User
from leifeng.activities import demo as activity_demo
from leifeng.core.crypto import unseal
from leifeng.core.management.commands.demo import DEMO_PASSWORD
from leifeng.demands import demo as demand_demo
from leifeng.hours import demo as hours_demo
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation
from leifeng.reports import demo as report_demo
from leifeng.volunteers import demo
from leifeng.volunteers.identity import parse_document
from leifeng.volunteers.models import (
    ConsentRecord,
    GuardianConsent,
    Skill,
    TeamApplication,
    TeamEvent,
    TeamMembership,
    Volunteer,
)
from leifeng.volunteers.services import home_organisation


@pytest.fixture(autouse=True)
def without_activities(monkeypatch):
    """These tests are about organisations and volunteers; the activities, hours and orders
    demos have their own tests, and loading them here six times only costs time."""
    monkeypatch.setattr(activity_demo, "activities_load", lambda **kwargs: activity_demo.Loaded())
    monkeypatch.setattr(hours_demo, "hours_load", lambda **kwargs: hours_demo.Loaded())
    monkeypatch.setattr(demand_demo, "demands_load", lambda **kwargs: demand_demo.Loaded())
    monkeypatch.setattr(report_demo, "reports_load", lambda **kwargs: report_demo.Loaded())


MODELS = [
    Organisation,
    User,
    Membership,
    Volunteer,
    GuardianConsent,
    Skill,
    ConsentRecord,
    TeamMembership,
    TeamApplication,
    TeamEvent,
]


def test_demo_loads_the_campaign_organisations_once(db, capsys):
    call_command("demo")
    counts = [model.objects.count() for model in MODELS]
    call_command("demo")
    assert [model.objects.count() for model in MODELS] == counts
    out = capsys.readouterr().out
    assert "none added" in out.split("Volunteers:")[-1]
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
    assert "city_admin" in out


def test_demo_county_admin_sees_only_their_county(db):
    call_command("demo")
    zezhou = User.objects.get(username="zezhou_admin")
    visible = set(access.scoped(Organisation.objects.all(), zezhou).values_list("name", flat=True))
    assert "巴公镇巾帼志愿服务队" in visible
    assert not any(name.startswith("城区") for name in visible)
    for role in Membership.Role.values:
        assert Membership.objects.filter(role=role, user__username__startswith="city_").exists()
        assert Membership.objects.filter(role=role, user__username__startswith="zezhou_").exists()


def test_demo_volunteers_are_valid_and_spread_over_the_counties(db, capsys):
    call_command("demo")
    today = timezone.localdate()
    volunteers = list(Volunteer.objects.select_related("residence", "organisation"))
    assert len(volunteers) == demo.COUNT + 1  # and 王小雷, who registered himself
    assert len({v.mobile_hash for v in volunteers}) == len(volunteers)
    assert len({v.document_hash for v in volunteers}) == len(volunteers)
    assert len({v.name for v in volunteers}) > 1000
    counties = Counter(v.residence.code[:6] for v in volunteers)
    assert set(counties) == set(demo.COUNTY_WEIGHTS) and min(counties.values()) > 100
    homes: dict[int, Organisation] = {}
    for volunteer in random.Random(1).sample(volunteers, 100):
        identity = parse_document(
            volunteer.document_type, unseal(volunteer.document_sealed), today=today
        )
        assert identity.number[:6] == volunteer.residence.code[:6]  # the county of residence
        assert (identity.birth_date, identity.sex) == (volunteer.birth_date, volunteer.sex)
        assert volunteer.number.startswith(f"JC{volunteer.residence.code[:6]}")
        if volunteer.residence_id not in homes:
            homes[volunteer.residence_id] = home_organisation(volunteer.residence)
        assert volunteer.organisation == homes[volunteer.residence_id]
    minors = [v for v in volunteers if v.is_minor(today)]
    assert len(minors) == demo.MINORS
    assert GuardianConsent.objects.filter(volunteer__in=minors).count() == demo.MINORS
    assert (
        ConsentRecord.objects.filter(
            volunteer__in=minors, purpose=ConsentRecord.Purpose.GUARDIAN
        ).count()
        == demo.MINORS
    )


def test_demo_teams_have_members_and_applications(db):
    call_command("demo")
    for team in Organisation.objects.filter(
        kind__in=[
            Organisation.Kind.TEAM_CORPS,
            Organisation.Kind.TEAM_BRANCH,
            Organisation.Kind.TEAM,
        ]
    ).select_related("region"):
        members = Volunteer.objects.filter(team_memberships__team=team).select_related("residence")
        assert members.count() >= 5, team.name
        assert all(demo._covers(team, v.residence) for v in members if v.user_id is None)
        assert TeamEvent.objects.filter(team=team).count() >= members.count()
    assert TeamApplication.objects.filter(status=TeamApplication.Status.PENDING).count() >= 5
    women = Organisation.objects.get(name="巴公镇巾帼志愿服务队")
    assert set(women.team_memberships.values_list("volunteer__sex", flat=True)) == {"2"}


def test_demo_volunteer_can_log_in(db, capsys):
    call_command("demo")
    volunteer = Volunteer.objects.get(name=demo.DEMO_NAME, user__isnull=False)
    out = capsys.readouterr().out
    assert f"{volunteer.number}  {demo.DEMO_MOBILE}  {demo.DEMO_NAME}" in out
    for login in (volunteer.number, demo.DEMO_MOBILE):
        user = authenticate(RequestFactory().post("/"), username=login, password=DEMO_PASSWORD)
        assert user == volunteer.user, login
    assert volunteer.team_memberships.get().team.name == "巴公镇志愿服务支队"
    pending = volunteer.applications.get(status=TeamApplication.Status.PENDING)
    assert pending.team.name == "志爱晋城志愿服务总队"


def test_demo_people_do_not_depend_on_the_skills_list(db):
    """Editing the skills must not change who the demo people are, or a later run would
    register a second crowd."""
    townships = demo._townships()
    skills = list(Skill.objects.order_by("name"))
    with_skills = demo.people(townships, skills, count=200, minors=2)
    without = demo.people(townships, skills[:3], count=200, minors=2)
    assert [d["document_number"] for d, _g in with_skills] == [
        d["document_number"] for d, _g in without
    ]
    assert [g is not None for _d, g in with_skills].count(True) == 2
