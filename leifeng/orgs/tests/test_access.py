"""The access matrix: every scoped model, page, API endpoint and admin page, for each role
inside and outside its subtree, reading and writing. A view that skipped access.py fails here."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PASSWORD, make_org
from leifeng.accounts.models import User
from leifeng.accounts.services import token_create
from leifeng.audit.models import AuditEntry
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation

USERS = ["city_admin", "county_a_admin", "a1_staff", "county_b_admin", "b1_staff", "outsider"]
TARGETS = ["city", "county_a", "org_a1", "county_b", "org_b1"]

# Where each user's role sits, and what the role allows.
HOME = {
    "city_admin": ("city", {"view", "manage", "admin"}),
    "county_a_admin": ("county_a", {"view", "manage", "admin"}),
    "a1_staff": ("org_a1", {"view", "manage"}),
    "county_b_admin": ("county_b", {"view", "manage", "admin"}),
    "b1_staff": ("org_b1", {"view", "manage"}),
    "outsider": (None, set()),
}


def expected(tree, username: str, target: str, action: str) -> bool:
    home, actions = HOME[username]
    if home is None or action not in actions:
        return False
    return getattr(tree, target).path.startswith(getattr(tree, home).path)


@pytest.mark.parametrize("action", ["view", "manage", "admin"])
@pytest.mark.parametrize("username", USERS)
def test_scoped_organisations_match_the_matrix(org_tree, username, action):
    user = getattr(org_tree, username)
    seen = set(access.scoped(Organisation.objects.all(), user, action).values_list("pk", flat=True))
    for target in TARGETS:
        org = getattr(org_tree, target)
        assert (org.pk in seen) == expected(org_tree, username, target, action), target
        assert access.can(user, action, org) == expected(org_tree, username, target, action)


@pytest.mark.parametrize("username", USERS)
def test_scoped_roles_audit_and_users_match_the_matrix(org_tree, username):
    user = getattr(org_tree, username)
    for target in TARGETS:
        org = getattr(org_tree, target)
        roles = access.scoped(Membership.objects.filter(organisation=org), user)
        assert roles.exists() == (
            expected(org_tree, username, target, "view")
            and roles.model.objects.filter(organisation=org).exists()
        )
        audit = access.scoped(AuditEntry.objects.filter(organisation=org), user, access.ADMIN)
        assert audit.exists() == expected(org_tree, username, target, "admin")
    people = set(access.scoped(User.objects.all(), user).values_list("username", flat=True))
    for other, (home, _actions) in HOME.items():
        if home is None:
            continue
        assert (other in people) == expected(org_tree, username, home, "view"), other


def test_superuser_sees_everything_and_outsider_nothing(org_tree):
    assert access.scoped(Organisation.objects.all(), org_tree.root).count() == 5
    assert not access.scoped(Organisation.objects.all(), org_tree.outsider).exists()


def test_one_query_for_memberships_per_request(org_tree, django_assert_num_queries):
    user = User.objects.get(pk=org_tree.county_a_admin.pk)
    with django_assert_num_queries(1):
        for target in TARGETS:
            access.can(user, "view", getattr(org_tree, target))
            access.can(user, "manage", getattr(org_tree, target))


# ---- Pages -----------------------------------------------------------------------------------

# Every page that takes an object id, with the model it shows and the action it needs.
# (url name, what the id names, action for GET, action for POST)
SCOPED_PAGES = [
    ("orgs:detail", "org", "view", None),
    ("orgs:create", "org", "manage", "manage"),
    ("orgs:edit", "org", "manage", "manage"),
    ("orgs:move", "org", "manage", "manage"),
    ("orgs:members", "org", "view", "admin"),
    ("orgs:audit", "org", "admin", None),
    ("orgs:role-revoke", "membership", None, "admin"),
    ("volunteers:detail", "volunteer", "view", "manage"),
    ("volunteers:team", "team", "view", "manage"),
    ("volunteers:decide", "application", None, "manage"),
    ("volunteers:remove", "team_membership", None, "manage"),
    ("volunteers:imports", "org", "manage", "manage"),
    ("volunteers:import", "import", "view", None),
    ("volunteers:import-start", "import", None, "manage"),
    ("activities:manage-detail", "activity", "view", "manage"),
    ("activities:edit", "activity", "manage", "manage"),
    ("activities:publish", "activity", None, "manage"),
    ("activities:finish", "activity", None, "manage"),
    ("activities:activity-cancel", "activity", None, "manage"),
    ("activities:photo-add", "activity", None, "manage"),
    ("activities:photo", "activity_photo", "view", None),
    ("activities:photo-remove", "activity_photo", None, "manage"),
    ("activities:shift-edit", "shift", "manage", "manage"),
    ("activities:roster", "shift", "view", None),
    ("activities:qr", "shift", "manage", None),
    ("activities:qr-code", "shift", "manage", None),
    ("activities:roster-check", "signup", None, "manage"),
    ("activities:roster-remove", "signup", None, "manage"),
    ("activities:correct", "signup", "manage", "manage"),
    ("activities:station-edit", "station", "view", "manage"),
    ("activities:pattern-delete", "pattern", None, "manage"),
    ("hours:decide", "claim", "manage", "manage"),
    ("hours:volunteer", "volunteer", "view", "manage"),
    ("hours:correct", "hours_entry", "manage", "manage"),
    ("hours:answer", "correction", "manage", "manage"),
    ("hours:late-reject", "late_entry", "manage", "manage"),
    ("demands:order", "order", "view", None),
    ("demands:menu-edit", "menu_item", "manage", "manage"),
    ("reports:report", "report", "view", None),
    ("reports:report_save", "report", None, "manage"),
    ("reports:figure_set", "report", None, "manage"),
    ("reports:figure_reset", "report", None, "manage"),
    ("reports:attachment_add", "report", None, "manage"),
    ("reports:attachment_pick", "report", None, "manage"),
    ("reports:report_docx", "report", "view", None),
    ("reports:report_xlsx", "report", "view", None),
    ("reports:attachment_file", "attachment", "view", None),
    ("reports:attachment_thumb", "attachment", "view", None),
    ("reports:attachment_update", "attachment", None, "manage"),
    ("reports:attachment_remove", "attachment", None, "manage"),
    ("reports:period", "period", "manage", None),
    ("reports:period_edit", "period", "manage", "manage"),
    ("reports:obligations", "period", None, "manage"),
    ("reports:period_docx", "period", "view", None),
    ("reports:period_xlsx", "period", "view", None),
]
# Pages without an object id; each filters its own list through access.py (tested below).
UNSCOPED_PAGES = {
    "home",
    "accounts:login",
    "accounts:logout",
    "accounts:switch",
    "accounts:tokens",
    "accounts:token-revoke",  # owner only: see test_tokens_are_only_their_owners
    "orgs:list",
    "regions:list",
    "regions:detail",  # shared reference data: see the regions tests
    "orgs:export",  # exports what org_list shows: see the jobs tests
    "notify:inbox",  # the person's own: see OWNED_PAGES and the notify tests
    "notify:read-all",
    "notify:preferences",
    "jobs:list",
    "volunteers:register",  # anyone may register, read the notice and recover an account
    "volunteers:privacy",
    "volunteers:recover",
    "volunteers:recover-finish",
    "volunteers:import-template",  # reference data only (regions, code lists, skills)
    "volunteers:list",  # filtered by access.scoped: see test_volunteer_list_shows_only_the_scope
    "volunteers:export",
    # The volunteer's own record, teams and applications: see volunteers/tests/test_views.py.
    "volunteers:me",
    "volunteers:me-edit",
    "volunteers:me-download",
    "volunteers:me-close",
    "volunteers:teams",
    "volunteers:apply",
    "volunteers:withdraw",
    "volunteers:leave",
    # Published activities and stations are public (no personal data: activities/tests).
    "activities:list",
    "activities:detail",
    "activities:stations",
    "activities:station",
    # The volunteer's own sign-ups and check-in (activities/tests/test_views.py).
    "activities:signup",
    "activities:mine",
    "activities:mine-ics",
    "activities:cancel",
    "activities:scan",
    # Lists filtered by access.scoped (test_activity_lists_show_only_the_scope); the forms
    # offer only organisations the user manages.
    "activities:manage",
    "activities:create",
    "activities:station-manage",
    "activities:station-create",
    # The volunteer's own hours; claims listed and confirmed through access.scoped
    # (hours/tests/test_views.py).
    "hours:me",
    "hours:claims",
    "hours:claims-confirm",
    "hours:ask",  # the volunteer's own entries only (hours/tests/test_views.py)
    "hours:corrections",  # filtered by access.scoped
    # Late entries listed, approved in bulk and imported through access.scoped / require;
    # the volunteer's own certificate and record export; a certificate's PDF for its
    # volunteer or the issuer's staff; verification is public (hours/tests/test_views.py).
    "hours:late",
    "hours:late-approve",
    "hours:import",
    "hours:import-template",
    "hours:certificate",
    "hours:record-xlsx",
    "hours:certificate-pdf",
    "hours:verify",
    "hours:verify-number",
    # Residents order and rate without an account (the rating link carries its token); the
    # board, the register and the menu list through access.scoped; an order's steps are
    # checked by its services (demands/tests); a volunteer's own orders.
    "demands:menu",
    "demands:new",
    "demands:sent",
    "demands:rate",
    "demands:board",
    "demands:record",
    "demands:act",
    "demands:menu-manage",
    "demands:register",
    "demands:mine",
    "demands:photo",  # services.order_visible, as the order's page (demands/tests/test_views.py)
    # Reports: the lists and the dashboard go through access.scoped; the public figures hold
    # no personal data; a report's moves (two ids: report and action) and a picked photo
    # check the report through access and the services (reports/tests/test_views.py).
    "reports:index",
    "reports:periods",
    "reports:period_new",
    "reports:year_new",
    "reports:dashboard",
    "reports:dashboard_chart",
    "reports:figures",
    "reports:act",
    "reports:pickable_photo",
    "reports:pickable_activity_photo",
}
# Pages of a person's own things: (url name, what the id names, may a system admin use it).
OWNED_PAGES = [
    ("notify:open", "notification", False),
    ("notify:read", "notification", False),
    ("notify:delivery-retry", "delivery", True),
    ("jobs:detail", "job", True),
    ("jobs:download", "job", True),
    ("jobs:retry", "job", True),
]


def _named_urls(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_every_page_is_in_the_access_matrix():
    """A new page must be added to SCOPED_PAGES or UNSCOPED_PAGES, so it gets its access test."""
    known = {name for name, *_rest in SCOPED_PAGES + OWNED_PAGES} | UNSCOPED_PAGES
    assert set(_named_urls()) - known == set()


def _object(tree, kind: str, target: str):
    """An object of `kind` belonging to the target organisation."""
    org = getattr(tree, target)
    if kind == "org":
        return org
    if kind == "membership":
        return Membership.objects.filter(organisation=org).first()
    if kind in ACTIVITY_KINDS:
        return activity_objects(tree, org)[kind]
    if kind == "claim":
        return hours_claim(tree, org)
    if kind == "correction":
        from leifeng.hours import services as hours_services

        claim = hours_claim(tree, org)
        entry = hours_services.claim_confirm(actor=tree.root, claim=claim)
        return hours_services.correction_ask(
            actor=entry.volunteer.user,
            volunteer=entry.volunteer,
            message="少记了半小时",
            entry=entry,
        )
    if kind == "hours_entry":
        from leifeng.hours import services as hours_services

        claim = hours_claim(tree, org)
        return hours_services.claim_confirm(actor=tree.root, claim=claim)
    if kind == "late_entry":
        return late_entry(tree, org)
    if kind in {"order", "menu_item"}:
        return demand_objects(tree, org)[kind]
    if kind in REPORT_KINDS:
        return report_objects(tree, org)[kind]
    return volunteer_objects(tree, org)[kind]


REPORT_KINDS = {"report", "period", "attachment"}


def report_objects(tree, org: Organisation) -> dict:
    """A report `org` owes the city (its narrative and contact filled in, one photo
    attached), and a period `org` runs itself."""
    import io
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from leifeng.reports import services as report_services

    city_period = report_services.period_save(
        actor=tree.root,
        organisation=tree.city,
        name=f"{org.name}第二期",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 7, 19),
        due_on=date(2099, 7, 19),
    )
    report_services.obligations_set(actor=tree.root, period=city_period, organisations=[org])
    report = city_period.reports.get()
    report = report_services.report_save(
        actor=tree.root,
        report=report,
        narrative="<p>开展文明实践志愿服务活动</p>",
        contact_name="张三",
        contact_phone="0356-2566216",
    )
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 40)).save(picture, "PNG")
    attachment = report_services.attachment_add(
        actor=tree.root,
        report=report,
        upload=SimpleUploadedFile("活动.png", picture.getvalue(), content_type="image/png"),
    )
    own_period = report_services.period_save(
        actor=tree.root,
        organisation=org,
        name="专项报送",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 7, 19),
        due_on=date(2099, 7, 19),
    )
    return {"report": report, "period": own_period, "attachment": attachment}


def demand_objects(tree, org: Organisation) -> dict:
    """An order received by `org` (recorded by staff) and a service on its menu."""
    from leifeng.demands import services as demand_services
    from leifeng.regions.models import Region

    township = Region.objects.filter(level="township", path__startswith=org.region.path).first()
    order = demand_services.order_record(
        actor=tree.root,
        receiver=org,
        mobile="13912345678",
        data={
            "category": "shopping",
            "description": "代买米面油",
            "township": township,
            "address": "幸福小区3号楼",
            "contact_name": "张大爷",
        },
    )
    item = demand_services.menu_item_save(
        actor=tree.root,
        data={
            "organisation": org,
            "category": "repairs",
            "title": "家电维修",
            "description": "",
            "area": "全县",
            "times": "预约上门",
        },
    )
    return {"order": order, "menu_item": item}


def late_entry(tree, org: Organisation):
    """Hours of a volunteer of `org` recorded two months late by a clerk of `org` (so that
    every user of the matrix is a possible second approver)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from conftest import grant, make_user
    from leifeng.hours import services as hours_services

    clerk = make_user(f"clerk{org.pk}")
    grant(tree.root, clerk, org, Membership.Role.STAFF)
    start = timezone.now() - timedelta(days=60)
    return hours_services.late_entry_request(
        actor=clerk,
        organisation=org,
        volunteer=volunteer_objects(tree, org)["volunteer"],
        content="纸质台账补录",
        started_at=start,
        ended_at=start + timedelta(hours=2),
        hours=Decimal("2"),
        reason="纸质台账",
    )


def hours_claim(tree, org: Organisation):
    """A pending hours claim from attendance at an activity of `org`."""
    from leifeng.activities import services as activity_services
    from leifeng.hours import services as hours_services
    from leifeng.hours.models import HoursClaim

    made = activity_objects(tree, org)
    shift = made["shift"]
    activity_services.attendance_correct(
        actor=tree.root,
        signup=made["signup"],
        checked_in_at=shift.starts_at,
        checked_out_at=shift.ends_at,
        reason="现场签到",
    )
    hours_services.claims_collect()
    return HoursClaim.objects.get(attendance__signup=made["signup"])


ACTIVITY_KINDS = {
    "activity",
    "draft",
    "shift",
    "free_shift",
    "signup",
    "station",
    "pattern",
    "activity_photo",
}


def photo_png(name: str = "活动照片.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(picture, "PNG")
    return SimpleUploadedFile(name, picture.getvalue(), content_type="image/png")


def activity_objects(tree, org: Organisation) -> dict:
    """A published activity of `org` whose shift starts in 30 minutes (check-in is open), a
    volunteer's sign-up for it, a second shift nobody took and a photo; a draft; a station
    with a weekly pattern."""
    from datetime import time, timedelta

    from django.utils import timezone

    from leifeng.activities import services as activity_services
    from leifeng.activities.tests.conftest import activity_data, make_activity

    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=30)
    activity = activity_services.activity_save(
        actor=tree.root, organisation=org, data=activity_data()
    )
    shift = activity_services.shift_add(
        actor=tree.root,
        activity=activity,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        quota=2,
    )
    free_shift = activity_services.shift_add(
        actor=tree.root,
        activity=activity,
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=2),
        quota=2,
    )
    activity_services.activity_publish(actor=tree.root, activity=activity)
    [photo] = activity_services.activity_photos_add(
        actor=tree.root, activity=activity, photos=[photo_png()]
    )
    draft = make_activity(tree.root, org, publish=False, title="草稿活动")
    volunteer = volunteer_objects(tree, org)["volunteer"]
    signup = activity_services.signup_create(
        actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True
    )
    station = activity_services.station_save(
        actor=tree.root,
        organisation=org,
        data={
            "name": f"{org.name}广场服务站",
            "place_kind": "square",
            "host_unit": org.name,
            "address": "广场东侧",
            "opening_hours": "每天 9:00–17:00",
            "services": ["water", "guidance"],
        },
    )
    pattern = activity_services.pattern_add(
        actor=tree.root, station=station, weekday=5, start_time=time(9), end_time=time(12), quota=2
    )
    return {
        "activity": activity,
        "draft": draft,
        "shift": shift,
        "free_shift": free_shift,
        "signup": signup,
        "station": station,
        "pattern": pattern,
        "activity_photo": photo,
    }


TOWNSHIP = {"140525": "140525100", "140502": "140502001"}


def volunteer_objects(tree, org: Organisation) -> dict:
    """A volunteer registered with `org`, a team under it, an application and a membership."""
    from leifeng.volunteers import services as volunteer_services
    from leifeng.volunteers.models import ImportBatch
    from leifeng.volunteers.tests.conftest import register

    seq = f"{Organisation.objects.count() % 1000:03d}"
    volunteer = register(
        document_number=_id(org.region.code, seq),
        residence=_township(org),
        mobile=f"139{org.pk:05d}{seq}",
    )
    assert volunteer.organisation == org
    team = make_org(
        tree.root, org, f"{org.name}志愿服务队", Organisation.Kind.TEAM, org.region.code
    )
    applicant = register(
        document_number=_id(org.region.code, f"{(int(seq) + 500) % 1000:03d}"),
        residence=_township(org),
        mobile=f"137{org.pk:05d}{seq}",
    )
    application = volunteer_services.team_apply(
        actor=applicant.user, volunteer=applicant, team=team
    )
    membership = volunteer_services.team_add(
        actor=tree.root, team=team, volunteer=volunteer, consent_note="书面同意"
    )
    batch = ImportBatch.objects.create(
        organisation=org,
        filename="x.xlsx",
        file="imports/x.xlsx",
        uploaded_by=tree.root,
        status=ImportBatch.Status.CHECKED,
    )
    return {
        "volunteer": volunteer,
        "team": team,
        "application": application,
        "team_membership": membership,
        "import": batch,
    }


def _township(org: Organisation):
    from leifeng.regions.models import Region

    return Region.objects.get(code=TOWNSHIP[org.region.code])


def _id(area: str, seq: str) -> str:
    from leifeng.volunteers.tests.conftest import id_number

    return id_number("19850101", area=area, seq=seq)


def _counts() -> tuple:
    from leifeng.activities.models import (
        Activity,
        ActivityPhoto,
        Attendance,
        RosterPattern,
        Shift,
        Signup,
    )
    from leifeng.demands.models import MenuItem
    from leifeng.hours.models import (
        Certificate,
        CorrectionRequest,
        HoursClaim,
        HoursEntry,
        LateEntry,
    )
    from leifeng.volunteers.models import ImportBatch, TeamApplication, TeamMembership

    return (
        tuple(Activity.objects.values_list("status", "title").order_by("pk")),
        tuple(Shift.objects.values_list("quota", "confirmed").order_by("pk")),
        tuple(Signup.objects.values_list("status").order_by("pk")),
        Attendance.objects.count(),
        RosterPattern.objects.count(),
        ActivityPhoto.objects.count(),
        HoursEntry.objects.count(),
        tuple(HoursClaim.objects.values_list("status").order_by("pk")),
        tuple(CorrectionRequest.objects.values_list("status").order_by("pk")),
        tuple(LateEntry.objects.values_list("status").order_by("pk")),
        tuple(MenuItem.objects.values_list("title", "is_active").order_by("pk")),
        Certificate.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
        TeamMembership.objects.count(),
        TeamApplication.objects.filter(status="pending").count(),
        ImportBatch.objects.filter(status="checked").count(),
    )


@pytest.mark.parametrize(("url_name", "kind", "get_action", "post_action"), SCOPED_PAGES)
@pytest.mark.parametrize("target", ["org_a1", "org_b1"])
@pytest.mark.parametrize("username", USERS)
def test_page_access_matrix(
    client, org_tree, username, target, url_name, kind, get_action, post_action
):
    client.force_login(getattr(org_tree, username))
    obj = _object(org_tree, kind, target)
    url = reverse(url_name, args=[obj.pk])
    visible = expected(org_tree, username, target, "view")
    if get_action:
        response = client.get(url)
        if expected(org_tree, username, target, get_action):
            assert response.status_code == 200
        else:
            assert response.status_code in ({403} if visible else {404})
    if post_action and not expected(org_tree, username, target, post_action):
        before = _counts()
        response = client.post(
            url,
            {
                "name": "x",
                "grant-login": "outsider",
                "grant-role": "staff",
                "what": "mobile",
                "reason": "x",
                "decision": "approve",
                "volunteer_number": "JC1405250000001",
                "consent_note": "x",
            },
        )
        assert response.status_code in ({403, 404} if visible else {404})
        assert _counts() == before


@pytest.mark.parametrize("username", USERS)
def test_volunteer_list_shows_only_the_scope(client, org_tree, username):
    """Lists, exports and every volunteer model filter through access.scoped."""
    from leifeng.volunteers.models import (
        ConsentRecord,
        ImportBatch,
        TeamApplication,
        TeamEvent,
        TeamMembership,
        Volunteer,
    )

    objects = {t: volunteer_objects(org_tree, getattr(org_tree, t)) for t in ("org_a1", "org_b1")}
    user = getattr(org_tree, username)
    client.force_login(user)
    body = client.get(reverse("volunteers:list")).content.decode()
    api = client.get("/api/v1/volunteers?page_size=100", **_bearer(user)).json()["items"]
    pending = client.get("/api/v1/volunteers/applications/pending", **_bearer(user)).json()
    for target, made in objects.items():
        visible = expected(org_tree, username, target, "view")
        volunteer = made["volunteer"]
        assert (f'href="{reverse("volunteers:detail", args=[volunteer.pk])}"' in body) == visible
        assert (volunteer.number in {v["number"] for v in api}) == visible
        assert (made["application"].pk in {a["id"] for a in pending["items"]}) == visible
        org = getattr(org_tree, target)
        for model, lookup in [
            (Volunteer, {"organisation": org}),
            (ConsentRecord, {"volunteer__organisation": org}),
            (TeamApplication, {"team__parent": org}),
            (TeamMembership, {"team__parent": org}),
            (TeamEvent, {"team__parent": org}),
            (ImportBatch, {"organisation": org}),
        ]:
            rows = access.scoped(model.objects.filter(**lookup), user)
            assert rows.exists() == visible, (model, target)


@pytest.mark.parametrize("username", USERS)
def test_activity_lists_show_only_the_scope(client, org_tree, username):
    """Organisers' activity and station lists filter through access.scoped."""
    objects = {t: activity_objects(org_tree, getattr(org_tree, t)) for t in ("org_a1", "org_b1")}
    client.force_login(getattr(org_tree, username))
    activities = client.get(reverse("activities:manage")).content.decode()
    stations = client.get(reverse("activities:station-manage")).content.decode()
    for target, made in objects.items():
        visible = expected(org_tree, username, target, "view")
        detail = reverse("activities:manage-detail", args=[made["activity"].pk])
        assert (f'href="{detail}"' in activities) == visible
        station = reverse("activities:station-edit", args=[made["station"].pk])
        assert (f'href="{station}"' in stations) == visible


@pytest.mark.parametrize("username", USERS)
def test_organisation_list_page_shows_only_the_subtree(client, org_tree, username):
    client.force_login(getattr(org_tree, username))
    body = client.get(reverse("orgs:list")).content.decode()
    for target in TARGETS:
        link = f'href="{reverse("orgs:detail", args=[getattr(org_tree, target).pk])}"'
        assert (link in body) == expected(org_tree, username, target, "view")


def _owned_object(kind: str, owner, finished: bool = False):
    from leifeng.jobs.models import Job
    from leifeng.notify.models import Delivery, Notification

    if kind == "job":
        job = Job.objects.create(name="orgs.export", owner=owner, status=Job.Status.FAILED)
        if finished:
            job.status, job.result_name = Job.Status.SUCCEEDED, "x.xlsx"
            job.result_file.save("x.xlsx", ContentFile(b"x"))
        return job
    notification = Notification.objects.create(
        recipient=owner, kind="k", event_key="e", title="t", body="b"
    )
    if kind == "notification":
        return notification
    return Delivery.objects.create(
        notification=notification,
        kind="k",
        event_key="e",
        channel="sms",
        address="13800000000",
        subject="t",
        body="b",
        status=Delivery.Status.FAILED,
    )


@pytest.mark.parametrize(("url_name", "kind", "system_admin_may"), OWNED_PAGES)
@pytest.mark.parametrize("username", ["county_a_admin", "b1_staff", "root"])
def test_owned_pages_are_their_owners(
    client, org_tree, settings, tmp_path, username, url_name, kind, system_admin_may
):
    settings.MEDIA_ROOT = tmp_path
    obj = _owned_object(kind, owner=org_tree.a1_staff, finished=url_name == "jobs:download")
    user = getattr(org_tree, username)
    client.force_login(user)
    method = (
        client.get if url_name in {"notify:open", "jobs:detail", "jobs:download"} else client.post
    )
    response = method(reverse(url_name, args=[obj.pk]))
    if user.is_superuser and system_admin_may:
        assert response.status_code != 404
    else:
        assert response.status_code == 404
    client.force_login(org_tree.a1_staff)
    response = method(reverse(url_name, args=[obj.pk]))
    if kind == "delivery":
        assert response.status_code == 404  # failed deliveries are for system administrators
    else:
        assert response.status_code in {200, 302}


def test_pages_need_a_log_in(client, org_tree):
    response = client.get(reverse("orgs:detail", args=[org_tree.org_a1.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# ---- API -------------------------------------------------------------------------------------

# (method, path template, action needed) for every API route that names an organisation object.
SCOPED_API = [
    ("get", "/api/v1/organisations/{org}", "view"),
    ("patch", "/api/v1/organisations/{org}", "manage"),
    ("post", "/api/v1/organisations/{org}/move", "manage"),
    ("get", "/api/v1/volunteers/{volunteer}", "view"),
    ("post", "/api/v1/volunteers/{volunteer}/reveal", "manage"),
    ("post", "/api/v1/volunteers/applications/{application}/decide", "manage"),
    ("post", "/api/v1/volunteers/teams/{team}/members", "manage"),
    ("post", "/api/v1/volunteers/memberships/{team_membership}/remove", "manage"),
    ("get", "/api/v1/activities/manage/{activity}", "view"),
    ("put", "/api/v1/activities/manage/{activity}", "manage"),
    ("post", "/api/v1/activities/manage/{draft}/publish", "manage"),
    ("post", "/api/v1/activities/manage/{activity}/cancel", "manage"),
    ("post", "/api/v1/activities/manage/{activity}/finish", "manage"),
    ("post", "/api/v1/activities/manage/{activity}/shifts", "manage"),
    ("get", "/api/v1/activities/manage/{activity}/photos", "view"),
    ("post", "/api/v1/activities/manage/{activity}/photos", "manage"),
    ("delete", "/api/v1/activities/manage/photos/{activity_photo}", "manage"),
    ("get", "/api/v1/activities/manage/photos/{activity_photo}/file", "view"),
    ("put", "/api/v1/activities/manage/shifts/{shift}", "manage"),
    ("delete", "/api/v1/activities/manage/shifts/{free_shift}", "manage"),
    ("get", "/api/v1/activities/manage/shifts/{shift}/roster", "view"),
    ("get", "/api/v1/activities/manage/shifts/{shift}/qr", "manage"),
    ("post", "/api/v1/activities/manage/signups/{signup}/check", "manage"),
    ("post", "/api/v1/activities/manage/signups/{signup}/correct", "manage"),
    ("post", "/api/v1/activities/manage/signups/{signup}/cancel", "manage"),
    ("get", "/api/v1/activities/manage/stations/{station}", "view"),
    ("put", "/api/v1/activities/manage/stations/{station}", "manage"),
    ("post", "/api/v1/activities/manage/stations/{station}/patterns", "manage"),
    ("post", "/api/v1/activities/manage/stations/{station}/roster", "manage"),
    ("delete", "/api/v1/activities/manage/patterns/{pattern}", "manage"),
    ("post", "/api/v1/hours/claims/{claim}/confirm", "manage"),
    ("post", "/api/v1/hours/claims/{claim}/reject", "manage"),
    ("post", "/api/v1/hours/entries/{hours_entry}/reverse", "manage"),
    ("post", "/api/v1/hours/entries/{hours_entry}/correct", "manage"),
    ("post", "/api/v1/hours/claims/{claim}/confirm-late", "manage"),
    ("post", "/api/v1/hours/late/{late_entry}/approve", "manage"),
    ("post", "/api/v1/hours/late/{late_entry}/reject", "manage"),
    ("post", "/api/v1/hours/corrections/{correction}/answer", "manage"),
    ("get", "/api/v1/demands/orders/{order}", "view"),
    ("get", "/api/v1/demands/orders/{order}/candidates", "manage"),
    ("post", "/api/v1/demands/orders/{order}/verify", "manage"),
    ("post", "/api/v1/demands/orders/{order}/reject", "manage"),
    ("post", "/api/v1/demands/orders/{order}/dispatch", "manage"),
    ("post", "/api/v1/demands/orders/{order}/open", "manage"),
    ("post", "/api/v1/demands/orders/{order}/take", "manage"),
    ("post", "/api/v1/demands/orders/{order}/decline", "manage"),
    ("post", "/api/v1/demands/orders/{order}/start", "manage"),
    ("post", "/api/v1/demands/orders/{order}/finish", "manage"),
    ("post", "/api/v1/demands/orders/{order}/cancel", "manage"),
    ("post", "/api/v1/demands/orders/{order}/follow-up", "manage"),
    ("put", "/api/v1/demands/menu-items/{menu_item}", "manage"),
    ("get", "/api/v1/reports/{report}", "view"),
    ("put", "/api/v1/reports/{report}", "manage"),
    ("post", "/api/v1/reports/{report}/submit", "manage"),
    ("get", "/api/v1/reports/attachments/{attachment}/file", "view"),
    ("put", "/api/v1/reports/attachments/{attachment}", "manage"),
    ("delete", "/api/v1/reports/attachments/{attachment}", "manage"),
    ("get", "/api/v1/reports/periods/{period}", "manage"),
    ("put", "/api/v1/reports/periods/{period}", "manage"),
    ("put", "/api/v1/reports/periods/{period}/obligations", "manage"),
]
API_PARAMS = {
    "org": "org_id",
    "volunteer": "volunteer_id",
    "application": "application_id",
    "team": "team_id",
    "team_membership": "membership_id",
    "activity": "activity_id",
    "draft": "activity_id",
    "shift": "shift_id",
    "free_shift": "shift_id",
    "signup": "signup_id",
    "station": "station_id",
    "pattern": "pattern_id",
    "activity_photo": "photo_id",
    "claim": "claim_id",
    "hours_entry": "entry_id",
    "late_entry": "late_id",
    "correction": "correction_id",
    "order": "order_id",
    "menu_item": "item_id",
    "report": "report_id",
    "attachment": "attachment_id",
    "period": "period_id",
}
API_PAYLOADS = {
    "reveal": {"what": "mobile", "reason": "核对"},
    "decide": {"approve": True},
    "members": {"consent_note": "电话同意"},
    "remove": {"reason": "已调离"},
}


def activity_api_payload(method: str, template: str, made: dict) -> dict:
    """A valid body for each activities route that takes one."""
    from datetime import timedelta

    from django.utils import timezone

    from leifeng.activities.tests.conftest import activity_data, soon

    shift = made["shift"]
    last = template.rsplit("/", 1)[-1]
    if method == "put" and "{activity}" in template:
        data = activity_data()
        return {key: value for key, value in data.items() if key not in {"latitude", "longitude"}}
    if method == "put" and "{station}" in template:
        return {
            "name": "广场服务站",
            "place_kind": "square",
            "host_unit": "文明实践中心",
            "address": "广场东侧",
            "opening_hours": "每天 9:00–17:00",
            "services": ["water"],
        }
    today = timezone.localdate()
    return {
        "cancel": {"reason": "天气原因"},
        "shifts": {
            "starts_at": soon(days=5).isoformat(),
            "ends_at": soon(days=5, hour=11).isoformat(),
            "quota": 2,
        },
        "{shift}": {"quota": 3},
        "check": {"action": "in"},
        "correct": {
            "checked_in_at": shift.starts_at.isoformat(),
            "checked_out_at": shift.ends_at.isoformat(),
            "reason": "忘记签退",
        },
        "patterns": {"weekday": 1, "start_time": "09:00", "end_time": "12:00", "quota": 2},
        "roster": {
            "first_day": (today + timedelta(days=1)).isoformat(),
            "last_day": (today + timedelta(days=7)).isoformat(),
        },
    }.get(last, {})


def demand_api_case(tree, org: Organisation, template: str) -> tuple:
    """The order (or menu item) of `org` a demands route acts on, brought by the system
    administrator to the state the route needs, and a valid body."""
    from leifeng.demands import services as demand_services

    made = demand_objects(tree, org)
    last = template.rsplit("/", 1)[-1]
    if "{menu_item}" in template:
        return made["menu_item"], {
            "category": "repairs",
            "title": "家电维修",
            "area": "全县",
            "times": "周末预约上门",
        }
    order, root = made["order"], tree.root
    after_verify = {"dispatch", "open", "take", "decline", "start", "finish", "follow-up"}
    if last in after_verify:
        order = demand_services.order_verify(actor=root, order=order)
    if last in after_verify - {"dispatch", "open"}:
        order = demand_services.order_open(actor=root, order=order)
    volunteer = volunteer_objects(tree, org)["volunteer"] if last != "{order}" else None
    if last in {"start", "finish", "follow-up"}:
        order = demand_services.order_take(actor=root, order=order, volunteer=volunteer)
    if last in {"finish", "follow-up"}:
        order = demand_services.order_start(actor=root, order=order)
    if last == "follow-up":
        order = demand_services.order_finish(actor=root, order=order, note="已送到")
        demand_services.order_rate(order=order, token=order.rating_token, rating=1)
    unit = None
    if last == "dispatch":
        unit = make_org(root, org, f"{org.name}实践站", Organisation.Kind.STATION, org.region.code)
    payload = {
        "reject": {"reason": "不属于志愿服务范围"},
        "cancel": {"reason": "群众来电取消"},
        "decline": {"reason": "人手不足"},
        "dispatch": {"to_id": unit.pk if unit else None},
        "take": {"volunteer_id": volunteer.pk if volunteer else None},
        "finish": {"note": "已送到，老人很满意"},
        "follow-up": {"note": "电话回访，已致歉"},
    }.get(last, {})
    return order, payload


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='test')[1]}"}


def test_every_api_route_is_in_the_access_matrix():
    from config.api import api

    routes = set(api.get_openapi_schema()["paths"])
    scoped = set()
    for _m, template, _a in SCOPED_API:
        for kind, param in API_PARAMS.items():
            template = template.replace(f"{{{kind}}}", f"{{{param}}}")
        scoped.add(template)
    # Lists are filtered by access.scoped (tested below); tokens and me belong to their owner;
    # regions are shared reference data; role deletion is checked in test_api_role_access.
    others = {
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/regions",
        "/api/v1/regions/{region_id}",
        "/api/v1/regions/{region_id}/villages",
        "/api/v1/organisations",
        "/api/v1/organisations/roles",
        "/api/v1/organisations/roles/{role_id}",
        "/api/v1/audit",
        # Registration and recovery are for anyone; "me" routes serve the volunteer's own
        # record (volunteers/tests/test_api.py); lists are scoped (tested below).
        "/api/v1/volunteers",
        "/api/v1/volunteers/register",
        "/api/v1/volunteers/recover",
        "/api/v1/volunteers/recover/finish",
        "/api/v1/volunteers/me",
        "/api/v1/volunteers/me/data",
        "/api/v1/volunteers/me/close",
        "/api/v1/volunteers/me/applications",
        "/api/v1/volunteers/me/applications/{application_id}/withdraw",
        "/api/v1/volunteers/me/memberships",
        "/api/v1/volunteers/me/memberships/{membership_id}/leave",
        "/api/v1/volunteers/teams",
        "/api/v1/volunteers/teams/{team_id}/apply",
        "/api/v1/volunteers/applications/pending",
        "/api/v1/volunteers/skills",
        # Published activities and stations are public; sign-ups and check-in are the
        # volunteer's own (activities/tests/test_api.py); the manage lists are scoped.
        "/api/v1/activities",
        "/api/v1/activities/service-items",
        "/api/v1/activities/stations",
        "/api/v1/activities/stations/{station_id}",
        "/api/v1/activities/{activity_id}",
        "/api/v1/activities/shifts/{shift_id}/signup",
        "/api/v1/activities/signups/mine",
        "/api/v1/activities/signups/{signup_id}/cancel",
        "/api/v1/activities/checkin",
        "/api/v1/activities/manage",
        "/api/v1/activities/manage/stations",
        # Hours: "me" routes are the volunteer's own (hours/tests/test_api.py); the claim and
        # entry lists are scoped; bulk confirm and manual credit fetch through access.
        "/api/v1/hours/me",
        "/api/v1/hours/me/entries",
        "/api/v1/hours/me/claims",
        "/api/v1/hours/claims",
        "/api/v1/hours/claims/confirm",
        "/api/v1/hours/entries",
        # Late entries listed and recorded, imports and staff-issued certificates fetch through
        # access (hours/tests/test_api.py); the volunteer's own certificates; verification is
        # public.
        "/api/v1/hours/late",
        "/api/v1/hours/imports",
        "/api/v1/hours/me/certificates",
        "/api/v1/hours/volunteers/{volunteer_id}/certificates",
        "/api/v1/hours/certificates/verify",
        "/api/v1/hours/me/corrections",
        "/api/v1/hours/corrections",
        "/api/v1/hours/me/items",
        "/api/v1/hours/me/stars",
        "/api/v1/hours/volunteers/{volunteer_id}/items",
        "/api/v1/hours/volunteers/{volunteer_id}/stars",
        # Residents' orders: the menu, the receiving centers, the phone code, placing an order
        # (POST /orders) and rating it with its token are for anyone, and answer no personal
        # data; the staff's order list (GET /orders), menu items and register are scoped;
        # recording an order fetches its receiver and beneficiary through access, the board
        # its organisation; "me" routes are the volunteer's own (demands/tests/test_api.py).
        "/api/v1/demands/menu",
        "/api/v1/demands/centers",
        "/api/v1/demands/code",
        "/api/v1/demands/orders",
        "/api/v1/demands/orders/{number}/rate",
        "/api/v1/demands/orders/record",
        "/api/v1/demands/board",
        "/api/v1/demands/me/open",
        "/api/v1/demands/me/taken",
        "/api/v1/demands/menu-items",
        "/api/v1/demands/beneficiaries",
        # Reports: lists, creating periods and years, and the dashboard figures fetch their
        # organisation through access; public totals are counts only; figures, uploads,
        # picked photos (a second id) and the office's return/accept (MANAGE on the period's
        # office, not the report's) are checked by the services (reports/tests/test_api.py).
        "/api/v1/reports",
        "/api/v1/reports/periods",
        "/api/v1/reports/periods/year",
        "/api/v1/reports/figures",
        "/api/v1/reports/figures/trend",
        "/api/v1/reports/public",
        "/api/v1/reports/{report_id}/figures/{key}",
        "/api/v1/reports/{report_id}/figures/{key}/reset",
        "/api/v1/reports/{report_id}/attachments",
        "/api/v1/reports/{report_id}/attachments/pick",
        "/api/v1/reports/{report_id}/photos",
        "/api/v1/reports/{report_id}/photos/{photo_id}/file",
        "/api/v1/reports/{report_id}/activity-photos/{photo_id}/file",
        "/api/v1/reports/{report_id}/return",
        "/api/v1/reports/{report_id}/accept",
    }
    assert routes - scoped - others == set()


@pytest.mark.parametrize(("method", "template", "action"), SCOPED_API)
@pytest.mark.parametrize("target", ["org_a1", "org_b1"])
@pytest.mark.parametrize("username", USERS)
def test_api_access_matrix(client, org_tree, username, target, method, template, action):
    org = getattr(org_tree, target)
    payload = {"contact_name": "张三"}
    kind = template.split("{")[1].split("}")[0]
    obj = org
    if template.endswith("/move"):
        # Move a new leaf of the target to sit under the target again: both ends share its scope.
        leaf = make_org(org_tree.root, org, "叶子站", Organisation.Kind.STATION, org.region.code)
        obj, payload = leaf, {"new_parent_id": org.pk}
    elif kind in ACTIVITY_KINDS:
        made = activity_objects(org_tree, org)
        obj = made[kind]
        payload = activity_api_payload(method, template, made)
    elif kind in {"claim", "hours_entry", "late_entry", "correction"}:
        obj = _object(org_tree, kind, target)
        payload = {
            "answer": {"corrected": False, "answer": "记录无误"},
            "reject": {"reason": "未到岗"},
            "confirm-late": {"reason": "负责人出差"},
            "reverse": {"reason": "重复记录"},
            "correct": {
                "hours": "1.5",
                "started_at": getattr(obj, "started_at", None) and obj.started_at.isoformat(),
                "ended_at": getattr(obj, "ended_at", None) and obj.ended_at.isoformat(),
                "reason": "时间有误",
            },
        }.get(template.rsplit("/", 1)[-1], {})
    elif kind in {"order", "menu_item"}:
        obj, payload = demand_api_case(org_tree, org, template)
    elif kind in REPORT_KINDS:
        obj = report_objects(org_tree, org)[kind]
        payload = {
            "{report}": {
                "narrative": "<p>开展志愿服务</p>",
                "contact_name": "张三",
                "contact_phone": "0356-2566216",
            },
            "{attachment}": {"title": "活动照片", "in_document": True},
            "{period}": {
                "name": "专项报送（改）",
                "starts_on": "2026-03-20",
                "ends_on": "2026-07-19",
                "due_on": "2099-07-19",
            },
            "obligations": {"organisation_ids": []},
        }.get(template.rsplit("/", 1)[-1], {})
    elif kind != "org":
        made = volunteer_objects(org_tree, org)
        obj = made[kind]
        payload = API_PAYLOADS.get(template.rsplit("/", 1)[-1], {})
        if kind == "team":
            # A volunteer of the target who is not in the team yet.
            made["team_membership"].delete()
            payload = {**payload, "volunteer_number": made["volunteer"].number}
    url = template.replace(f"{{{kind}}}", str(obj.pk))
    if method == "post" and template.endswith("/photos"):
        # A multipart upload, not a JSON body.
        response = client.post(
            url, {"photos": [photo_png()]}, **_bearer(getattr(org_tree, username))
        )
    else:
        response = getattr(client, method)(
            url,
            payload if method != "get" else None,
            content_type="application/json",
            **_bearer(getattr(org_tree, username)),
        )
    if expected(org_tree, username, target, action):
        assert response.status_code in {200, 201, 204}, response.content
    elif expected(org_tree, username, target, "view"):
        assert response.status_code == 403
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("username", USERS)
def test_api_lists_show_only_the_subtree(client, org_tree, username):
    user = getattr(org_tree, username)
    headers = _bearer(user)
    names = {
        o["name"]
        for o in client.get("/api/v1/organisations?page_size=100", **headers).json()["items"]
    }
    for target in TARGETS:
        assert (getattr(org_tree, target).name in names) == expected(
            org_tree, username, target, "view"
        )
    roles = client.get("/api/v1/organisations/roles?page_size=100", **headers).json()["items"]
    assert {r["organisation_id"] for r in roles} <= set(
        access.scoped(Organisation.objects.all(), user).values_list("pk", flat=True)
    )
    audit = client.get("/api/v1/audit?page_size=100", **headers).json()["items"]
    assert {a["organisation_id"] for a in audit} <= set(
        access.scoped(Organisation.objects.all(), user, access.ADMIN).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("username", USERS)
def test_api_role_access(client, org_tree, username):
    membership = Membership.objects.get(user=org_tree.a1_staff)
    response = client.delete(
        f"/api/v1/organisations/roles/{membership.pk}", **_bearer(getattr(org_tree, username))
    )
    if expected(org_tree, username, "org_a1", "admin"):
        assert response.status_code == 204
        assert not Membership.objects.filter(pk=membership.pk).exists()
    else:
        assert response.status_code in (
            {403} if expected(org_tree, username, "org_a1", "view") else {404}
        )
        assert Membership.objects.filter(pk=membership.pk).exists()


# ---- Admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["orgs/organisation", "orgs/membership", "audit/auditentry"])
def test_admin_lists_only_the_subtree(client, org_tree, model):
    client.force_login(org_tree.county_a_admin)
    body = client.get(f"/admin/{model}/").content.decode()
    assert "泽州县新时代文明实践中心" in body
    assert "城区新时代文明实践中心" not in body


@pytest.mark.parametrize("target", ["org_a1", "org_b1"])
def test_admin_change_page_is_scoped(client, org_tree, target):
    client.force_login(org_tree.county_a_admin)
    org = getattr(org_tree, target)
    response = client.get(f"/admin/orgs/organisation/{org.pk}/change/")
    if target == "org_a1":
        assert response.status_code == 200
    else:
        assert response.status_code == 302  # Django admin: "doesn't exist", back to the index
    response = client.post(
        f"/admin/orgs/organisation/{org.pk}/change/",
        {"parent": org.parent_id, "name": "改名", "kind": org.kind, "region": org.region_id},
    )
    org.refresh_from_db()
    assert (org.name == "改名") == (target == "org_a1")


def test_admin_login_works_for_an_organisation_admin(client, org_tree):
    response = client.post("/admin/login/", {"username": "county_a_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_revoking_ones_own_last_admin_role_in_the_admin_is_refused_not_a_crash(client, org_tree):
    own = Membership.objects.get(user=org_tree.county_a_admin)
    client.force_login(org_tree.county_a_admin)
    response = client.post(f"/admin/orgs/membership/{own.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_county_admin_cannot_reach_another_countys_villages_by_moving_its_region(
    client, org_tree
):
    from leifeng.regions.models import Region

    city = Region.objects.get(code="140500")
    response = client.patch(
        f"/api/v1/organisations/{org_tree.county_a.pk}",
        {"region_id": city.pk},
        content_type="application/json",
        **_bearer(org_tree.county_a_admin),
    )
    assert response.status_code == 403
    township = Region.objects.get(code="140502001")
    response = client.post(
        f"/api/v1/regions/{township.pk}/villages",
        {"name": "越权社区"},
        content_type="application/json",
        **_bearer(org_tree.county_a_admin),
    )
    assert response.status_code == 403


def test_the_admins_person_picker_offers_only_their_own_people(client, org_tree):
    client.force_login(org_tree.county_a_admin)
    assert client.get("/admin/orgs/membership/add/").status_code == 200
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "orgs", "model_name": "membership", "field_name": "user", "term": "staff"},
    ).json()
    assert [item["text"] for item in found["results"]] == ["a1_staff"]


def test_admin_volunteers_are_scoped_and_masked(client, org_tree):
    mine = volunteer_objects(org_tree, org_tree.org_a1)["volunteer"]
    theirs = volunteer_objects(org_tree, org_tree.org_b1)["volunteer"]
    client.force_login(org_tree.county_a_admin)
    body = client.get("/admin/volunteers/volunteer/").content.decode()
    assert mine.number in body and theirs.number not in body
    assert mine.document_masked in body
    response = client.get(f"/admin/volunteers/volunteer/{theirs.pk}/change/")
    assert response.status_code == 302
    assert client.get("/admin/volunteers/skill/").status_code == 403
