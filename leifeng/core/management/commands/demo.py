"""`leifeng demo`: load the Jincheng demo organisations, log-ins, volunteers, activities,
stations, service hours and residents' orders. Safe to run again: only what is missing is
added."""

from django.core.management.base import BaseCommand
from django.db import transaction

from leifeng.accounts.models import User
from leifeng.activities import demo as activity_demo
from leifeng.activities.models import Activity, Station
from leifeng.demands import demo as demand_demo
from leifeng.demands.models import Beneficiary, MenuItem, Order
from leifeng.hours import demo as hours_demo
from leifeng.orgs import services as org_services
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions import services as region_services
from leifeng.regions.models import Region
from leifeng.reports import demo as report_demo
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers.models import Volunteer

DEMO_PASSWORD = "leifeng2026"
K = Organisation.Kind

# (path of names from the root, kind, region code or (township code, village name)).
TREE: list[tuple[tuple[str, ...], str, object]] = [
    (("晋城市文明办",), K.OFFICE, "140500"),
    (("晋城市文明办", "晋城市新时代文明实践中心"), K.CENTER, "140500"),
    (("晋城市文明办", "晋城市新时代文明实践中心", "志爱晋城志愿服务总队"), K.TEAM_CORPS, "140500"),
    (("晋城市文明办", "市直工委"), K.UNIT, "140500"),
    (("晋城市文明办", "市教育工委"), K.UNIT, "140500"),
    (("晋城市文明办", "市国资委党委"), K.UNIT, "140500"),
    (("晋城市文明办", "国网晋城供电公司"), K.UNIT, "140500"),
    (("晋城市文明办", "晋城市志愿服务联合会"), K.FEDERATION, "140500"),
    # The development zone has no division code of its own: it sits at city level.
    (("晋城市文明办", "晋城经济技术开发区党工委"), K.OFFICE, "140500"),
    (("晋城市文明办", "晋城经济技术开发区党工委", "开发区新时代文明实践中心"), K.CENTER, "140500"),
    (("晋城市文明办", "城区文明办"), K.OFFICE, "140502"),
    (("晋城市文明办", "城区文明办", "城区新时代文明实践中心"), K.CENTER, "140502"),
    (
        ("晋城市文明办", "城区文明办", "城区新时代文明实践中心", "西上庄街道新时代文明实践所"),
        K.INSTITUTE,
        "140502007",
    ),
    (
        (
            "晋城市文明办",
            "城区文明办",
            "城区新时代文明实践中心",
            "西上庄街道新时代文明实践所",
            "西上庄社区新时代文明实践站",
        ),
        K.STATION,
        ("140502007", "西上庄社区"),
    ),
    (
        ("晋城市文明办", "城区文明办", "城区新时代文明实践中心", "北石店镇新时代文明实践所"),
        K.INSTITUTE,
        "140502100",
    ),
    (
        ("晋城市文明办", "城区文明办", "城区新时代文明实践中心", "城区志愿服务总队"),
        K.TEAM_CORPS,
        "140502",
    ),
    (
        (
            "晋城市文明办",
            "城区文明办",
            "城区新时代文明实践中心",
            "城区志愿服务总队",
            "城区文明交通志愿服务队",
        ),
        K.TEAM,
        "140502",
    ),
    (("晋城市文明办", "泽州县文明办"), K.OFFICE, "140525"),
    (("晋城市文明办", "泽州县文明办", "泽州县新时代文明实践中心"), K.CENTER, "140525"),
    (
        ("晋城市文明办", "泽州县文明办", "泽州县新时代文明实践中心", "巴公镇新时代文明实践所"),
        K.INSTITUTE,
        "140525108",
    ),
    (
        (
            "晋城市文明办",
            "泽州县文明办",
            "泽州县新时代文明实践中心",
            "巴公镇新时代文明实践所",
            "巴公一村新时代文明实践站",
        ),
        K.STATION,
        ("140525108", "巴公一村"),
    ),
    (
        ("晋城市文明办", "泽州县文明办", "泽州县新时代文明实践中心", "南村镇新时代文明实践所"),
        K.INSTITUTE,
        "140525100",
    ),
    (
        ("晋城市文明办", "泽州县文明办", "泽州县新时代文明实践中心", "泽州县志愿服务总队"),
        K.TEAM_CORPS,
        "140525",
    ),
    (
        (
            "晋城市文明办",
            "泽州县文明办",
            "泽州县新时代文明实践中心",
            "泽州县志愿服务总队",
            "巴公镇志愿服务支队",
        ),
        K.TEAM_BRANCH,
        "140525108",
    ),
    (
        (
            "晋城市文明办",
            "泽州县文明办",
            "泽州县新时代文明实践中心",
            "泽州县志愿服务总队",
            "巴公镇志愿服务支队",
            "巴公镇巾帼志愿服务队",
        ),
        K.TEAM,
        "140525108",
    ),
    (("晋城市文明办", "高平市文明办"), K.OFFICE, "140581"),
    (("晋城市文明办", "高平市文明办", "高平市新时代文明实践中心"), K.CENTER, "140581"),
    (
        ("晋城市文明办", "高平市文明办", "高平市新时代文明实践中心", "北城街道新时代文明实践所"),
        K.INSTITUTE,
        "140581001",
    ),
    (("晋城市文明办", "阳城县文明办"), K.OFFICE, "140522"),
    (("晋城市文明办", "阳城县文明办", "阳城县新时代文明实践中心"), K.CENTER, "140522"),
    (("晋城市文明办", "陵川县文明办"), K.OFFICE, "140524"),
    (("晋城市文明办", "陵川县文明办", "陵川县新时代文明实践中心"), K.CENTER, "140524"),
    (("晋城市文明办", "沁水县文明办"), K.OFFICE, "140521"),
    (("晋城市文明办", "沁水县文明办", "沁水县新时代文明实践中心"), K.CENTER, "140521"),
]

R = Membership.Role
# (user name, real name, mobile, organisation name, role, may use the admin site)
USERS = [
    ("city_admin", "王文明", "13800000001", "晋城市文明办", R.ADMIN, True),
    ("city_staff", "李实践", "13800000002", "晋城市文明办", R.STAFF, False),
    ("city_leader", "张雷锋", "13800000003", "志爱晋城志愿服务总队", R.TEAM_LEADER, False),
    ("city_judge", "赵评审", "13800000004", "晋城市文明办", R.JUDGE, False),
    ("city_reporter", "刘报送", "13800000005", "晋城市文明办", R.REPORTER, False),
    ("zezhou_admin", "陈泽州", "13800000011", "泽州县文明办", R.ADMIN, True),
    ("zezhou_staff", "杨中心", "13800000012", "泽州县新时代文明实践中心", R.STAFF, False),
    ("zezhou_leader", "黄巾帼", "13800000013", "巴公镇巾帼志愿服务队", R.TEAM_LEADER, False),
    ("zezhou_judge", "周评审", "13800000014", "泽州县文明办", R.JUDGE, False),
    ("zezhou_reporter", "吴报送", "13800000015", "泽州县文明办", R.REPORTER, False),
    ("chengqu_admin", "郑城区", "13800000021", "城区文明办", R.ADMIN, True),
]


class Command(BaseCommand):
    help = (
        "Load the Jincheng demo organisations, one log-in per role, about 2,000 volunteers, "
        "activities, service stations, service hours and residents' orders (idempotent)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        root, _ = User.objects.get_or_create(
            username="admin",
            defaults={"name": "系统管理员", "is_staff": True, "is_superuser": True},
        )
        if not root.has_usable_password():
            root.set_password(DEMO_PASSWORD)
            root.save()
        orgs: dict[str, Organisation] = {}
        created = 0
        for names, kind, region_ref in TREE:
            parent = orgs.get(names[-2]) if len(names) > 1 else None
            org = Organisation.objects.filter(parent=parent, name=names[-1]).first()
            if org is None:
                org = org_services.org_create(
                    actor=root,
                    parent=parent,
                    name=names[-1],
                    kind=kind,
                    region=self._region(root, region_ref),
                )
                created += 1
            orgs[names[-1]] = org
        for username, name, mobile, org_name, role, staff in USERS:
            user, new = User.objects.get_or_create(
                username=username, defaults={"name": name, "mobile": mobile, "is_staff": staff}
            )
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if not Membership.objects.filter(
                user=user, organisation=orgs[org_name], role=role
            ).exists():
                org_services.membership_grant(
                    actor=root, user=user, organisation=orgs[org_name], role=role
                )
        # The volunteer with an account first, so that his number is easy: JC1405250000001.
        volunteer = volunteer_demo.demo_volunteer(
            password=DEMO_PASSWORD,
            join=orgs["巴公镇志愿服务支队"],
            apply_to=orgs["志爱晋城志愿服务总队"],
            decider=User.objects.get(username="zezhou_admin"),
        )
        loaded = volunteer_demo.volunteers_load(actor=root)
        events = activity_demo.activities_load(actor=root)
        hours = hours_demo.hours_load(actor=root, approver=User.objects.get(username="city_admin"))
        demands = demand_demo.demands_load(actor=root)
        reports = report_demo.reports_load()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} organisations added)."))
        total = Volunteer.objects.count()
        if loaded.created:
            self.stdout.write(
                f"Volunteers: {loaded.created} added ({loaded.minors} under 18 with their "
                f"guardian's consent), {loaded.members} team memberships, {loaded.pending} "
                f"applications waiting; {total} in the registry."
            )
        else:
            self.stdout.write(f"Volunteers: none added (already loaded); {total} in the registry.")
        if events.activities or events.stations or events.duty_shifts:
            self.stdout.write(
                f"Activities: {events.activities} added ({events.finished} finished, "
                f"{events.recruiting} recruiting, {events.cancelled} cancelled, {events.drafts} "
                f"drafts); {events.stations} stations, {events.duty_shifts} duty shifts; "
                f"{events.signups} sign-ups, {events.attendances} attendance records "
                f"({events.flagged} flagged for review)."
            )
        else:
            self.stdout.write(
                f"Activities: none added (already loaded); {Activity.objects.count()} "
                f"activities, {Station.objects.count()} stations."
            )
        self.stdout.write(
            f"Service hours: {hours.claims} claims from attendance, {hours.confirmed} "
            f"confirmed, {hours.historical} historical years recorded late and approved, "
            f"{hours.waiting} late entry waiting for approval, {hours.certificates} "
            "certificate printed."
        )
        if demands.orders or demands.menu_items or demands.beneficiaries:
            states = ", ".join(
                f"{demands.statuses[status]} {status}"
                for status in Order.Status.values
                if demands.statuses[status]
            )
            self.stdout.write(
                f"Residents' orders: {demands.orders} added ({demands.online} online, "
                f"{demands.by_staff} recorded by staff; {states}), {demands.escalated} "
                f"escalated, {demands.follow_ups} low rating waiting for a follow-up; "
                f"{demands.menu_items} menu services, {demands.beneficiaries} people in the "
                f"register; {demands.claims} hours claims from served orders "
                f"({demands.confirmed} confirmed, {demands.claims - demands.confirmed} waiting)."
            )
        else:
            self.stdout.write(
                f"Residents' orders: none added (already loaded); {Order.objects.count()} "
                f"orders, {MenuItem.objects.count()} menu services, "
                f"{Beneficiary.objects.count()} people in the register."
            )
        if reports.periods:
            states = ", ".join(f"{n} {status}" for status, n in reports.states.items() if n)
            self.stdout.write(
                f"Reports to the city: {reports.periods} periods with their obligations; "
                f"reports {states}; {reports.activity_photos} activity photos to pick."
            )
        else:
            self.stdout.write("Reports to the city: none added (already loaded).")
        self.stdout.write("")
        self.stdout.write(
            f"Demo log-ins (password for all: {DEMO_PASSWORD}; the mobile number works too):"
        )
        self.stdout.write(f"  {'admin':<16} 系统管理员 (superuser)")
        for username, name, mobile, org_name, role, _staff in USERS:
            self.stdout.write(f"  {username:<16} {mobile}  {name}  {org_name} · {role.label}")
        self.stdout.write(
            f"  {volunteer.number:<16} {volunteer_demo.DEMO_MOBILE}  {volunteer.name}  "
            f"{volunteer.organisation.name} · 志愿者 (volunteer number)"
        )

    def _region(self, actor: User, ref) -> Region:
        if isinstance(ref, str):
            return Region.objects.get(code=ref)
        township = Region.objects.get(code=ref[0])
        village = Region.objects.filter(parent=township, name=ref[1]).first()
        return village or region_services.region_create_village(
            actor=actor, township=township, name=ref[1]
        )
