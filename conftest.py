"""Shared test fixtures. `org_tree` (our alice/bob/charlie) is a small real tree, a user per level.

晋城市文明办 (city)                       city_admin (admin)
├── 泽州县文明办 (county_a)               county_a_admin (admin)
│   └── 泽州县新时代文明实践中心 (org_a1)  a1_staff (staff)
└── 城区文明办 (county_b)                 county_b_admin (admin)
    └── 城区新时代文明实践中心 (org_b1)    b1_staff (staff)
outsider: an account with no role; root: a system administrator.
"""

import os
from dataclasses import dataclass

import pytest
from django.utils import translation

from leifeng.accounts.models import User
from leifeng.orgs import services
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

PASSWORD = "correct-horse-battery"

# Browser tests drive Debian's Chromium; a browser is never downloaded.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _chinese():
    """Every test sees the site as its users do: in Simplified Chinese."""
    with translation.override("zh-hans"):
        yield


@dataclass
class OrgTree:
    root: User
    city: Organisation
    county_a: Organisation
    org_a1: Organisation
    county_b: Organisation
    org_b1: Organisation
    city_admin: User
    county_a_admin: User
    a1_staff: User
    county_b_admin: User
    b1_staff: User
    outsider: User


def make_user(username: str, **extra) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def make_org(actor: User, parent: Organisation | None, name: str, kind: str, region_code: str):
    return services.org_create(
        actor=actor,
        parent=parent,
        name=name,
        kind=kind,
        region=Region.objects.get(code=region_code),
    )


def grant(actor: User, user: User, org: Organisation, role: str) -> Membership:
    return services.membership_grant(actor=actor, user=user, organisation=org, role=role)


@pytest.fixture
def org_tree(db) -> OrgTree:
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    office, center = Organisation.Kind.OFFICE, Organisation.Kind.CENTER
    admin, staff = Membership.Role.ADMIN, Membership.Role.STAFF
    city = make_org(root, None, "晋城市文明办", office, "140500")
    county_a = make_org(root, city, "泽州县文明办", office, "140525")
    org_a1 = make_org(root, county_a, "泽州县新时代文明实践中心", center, "140525")
    county_b = make_org(root, city, "城区文明办", office, "140502")
    org_b1 = make_org(root, county_b, "城区新时代文明实践中心", center, "140502")
    users = {
        "city_admin": (city, admin),
        "county_a_admin": (county_a, admin),
        "a1_staff": (org_a1, staff),
        "county_b_admin": (county_b, admin),
        "b1_staff": (org_b1, staff),
    }
    made = {}
    for username, (org, role) in users.items():
        made[username] = make_user(username, is_staff=role == admin)
        grant(root, made[username], org, role)
    return OrgTree(
        root=root,
        city=city,
        county_a=county_a,
        org_a1=org_a1,
        county_b=county_b,
        org_b1=org_b1,
        outsider=make_user("outsider"),
        **made,
    )


@pytest.fixture
def browser(transactional_db, live_server):
    """A headless Chromium for one test, closed afterwards.

    Playwright's sync API keeps an asyncio event loop running in this thread while it is started.
    Then Django refuses ORM calls here (hence DJANGO_ALLOW_ASYNC_UNSAFE), and worse, asgiref hands
    this thread a different database connection object, one that lacks the serialized data
    serialized_rollback restores. So Playwright starts after the database is ready and stops
    before it is flushed, and the tests set up all data before they ask for the page.
    """
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved
