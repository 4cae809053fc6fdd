"""Demo volunteers for `manage.py demo`: about 2,000 people with common Chinese names, living in
the Jincheng townships, registered with the practice center or institute of their place, some
of them in the volunteer teams of their county, a few minors with their guardian's consent.

Everything is drawn from a fixed seed, so every run makes the same people; a person whose
document is already registered is left alone, which makes loading again add nobody. The records
go through profile_check and the Excel import's bulk writer (imports.write_plan), as if each
organisation had imported its volunteers, so a load takes seconds, not minutes.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from leifeng.accounts.models import User
from leifeng.core.campaign import CampaignLine
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import services
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType, age_on, check_char
from leifeng.volunteers.imports import Plan, write_plan
from leifeng.volunteers.models import (
    ADULT_AGE,
    ConsentRecord,
    Skill,
    TeamApplication,
    TeamEvent,
    TeamMembership,
    Volunteer,
)
from leifeng.volunteers.services import Guardian, Profile

SEED = 2026
COUNT = 2000  # of whom MINORS are under 18
MINORS = 10
ADULTS_BORN = (date(1950, 1, 1), date(2007, 12, 31))  # adults on any day from 2026 on
# Ages for drawing education, party membership and the like are taken on this day, not today,
# so that the same people come out on every run, whatever the date.
AGES_ON = date(2026, 1, 1)
MINORS_BORN = (date(2010, 1, 1), date(2015, 12, 31))
CHUNK = 1000

# Where the volunteers live: the counties weighted roughly by population, every township of a
# county alike except those where the demo teams work, which get more.
COUNTY_WEIGHTS = {
    "140502": 24,  # 城区
    "140521": 9,  # 沁水县
    "140522": 17,  # 阳城县
    "140524": 9,  # 陵川县
    "140525": 21,  # 泽州县
    "140581": 20,  # 高平市
}
TOWNSHIP_WEIGHTS = {"140525108": 5, "140502007": 2}  # 巴公镇, 西上庄街道

# The common family names, most common first, and a few that are common in southern Shanxi.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史牛侯段雷武常"
    "申焦靳栗原卫裴"
)
LOCAL_SURNAMES = "郭贾郝牛申靳栗原卫武秦崔常裴焦"
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛"]

# Common given names, by sex and by generation (names follow the fashion of their time).
GIVEN: dict[tuple[str, str], list[str]] = {
    (Sex.MALE, "old"): str.split(
        "建国 国庆 建华 志刚 卫东 建军 国强 永红 文斌 德胜 保国 振华 红军 爱国 庆丰 福生 "
        "金山 跃进 春生 海林 永福 长青 忠 宝 林 胜利 铁柱 保平 三虎 锁柱 发 喜 贵 成 明 德"
    ),
    (Sex.MALE, "mid"): str.split(
        "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 辉 鹏 飞 波 宁 峰 亮 剑 兵 冬 龙 俊 锋 晓东 海涛 "
        "志强 建伟 小军 晓峰 俊杰 文博 海波 志勇 晓明 建平 永强 红伟 亚军 鹏飞 云龙 晋军"
    ),
    (Sex.MALE, "young"): str.split(
        "浩然 宇轩 子轩 博文 睿 泽宇 晨阳 鑫 昊天 一凡 天佑 逸飞 航 奕辰 嘉豪 煜 铭 哲 "
        "梓豪 子豪 俊熙 皓轩 浩宇 宇航 晨 子墨 思远 明轩 家乐 振宇 文杰 嘉诚 雨泽 旭"
    ),
    (Sex.FEMALE, "old"): str.split(
        "秀英 桂兰 凤英 玉兰 秀兰 桂英 玉珍 桂芳 翠兰 凤兰 香梅 翠花 秀琴 彩云 爱华 淑珍 "
        "巧云 玉梅 红梅 素芳 月英 金花 美兰 兰 英 芳 珍 梅 霞 荣 琴 莲"
    ),
    (Sex.FEMALE, "mid"): str.split(
        "丽 娜 敏 静 艳 娟 燕 玲 婷 红 霞 慧 萍 莉 洁 丹 芳 雪 颖 琳 倩 媛 丽娟 晓燕 海燕 "
        "丽华 艳红 晓丽 红霞 春梅 秀丽 晓红 慧敏 丽萍 彦 晋芳 瑞 红艳 丽娜 晓霞 雪梅"
    ),
    (Sex.FEMALE, "young"): str.split(
        "欣怡 梓涵 雨桐 诗涵 语嫣 思琪 佳悦 可馨 子萱 若汐 一诺 佳琪 梦瑶 雨涵 紫涵 "
        "欣妍 梓萱 静怡 佳怡 雨欣 思雨 心怡 悦 彤 瑶 璐 欣 琪 雯 晨曦 嘉欣 诗琪 亦菲"
    ),
}

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
]  # fmt: skip

# The demo volunteer who has an account (the others were registered by their organisations).
DEMO_NAME = "王小雷"
DEMO_TOWNSHIP = "140525108"  # 巴公镇
DEMO_FIRST17 = "14052519900315071"  # male: the 17th digit is odd
DEMO_DOCUMENT = DEMO_FIRST17 + check_char(DEMO_FIRST17)
DEMO_MOBILE = "13912340001"

NOTE = "演示数据：由所在新时代文明实践中心（所）代为登记，本人已书面同意"
TEAM_NOTE = "演示数据：本人在入队登记表上签字同意"
# What people write when they apply to a team, by their age.
APPLICATION_MESSAGES = {
    "minor": ["放假的时候想和爸爸妈妈一起参加。", "老师说可以报名，家长同意了。"],
    "student": ["在校大学生，寒暑假都能参加活动。", "想在假期里多做点有意义的事。"],
    "adult": [
        "我就住在附近，周末有空，想参加。",
        "以前参加过志愿服务，想继续参加。",
        "会开车，可以帮忙接送物资。",
        "单位组织过活动，想长期参加。",
    ],
    "retired": ["退休在家，身体还好，愿意出一份力。", "退休了时间多，白天都可以参加。"],
}


@dataclass
class Loaded:
    created: int = 0
    minors: int = 0
    members: int = 0
    pending: int = 0


# --- the people ------------------------------------------------------------------------------


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


SURNAME_WEIGHTS = [
    (2 if name in LOCAL_SURNAMES else 1) / (rank + 4) for rank, name in enumerate(SURNAMES)
]


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.004:
        return rng.choice(COMPOUND_SURNAMES)
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]


def _given(rng: random.Random, sex: str, born: date) -> str:
    generation = "old" if born.year < 1970 else "mid" if born.year < 1995 else "young"
    if rng.random() < 0.15:  # fashions overlap
        generation = rng.choice(["old", "mid", "young"])
    return rng.choice(GIVEN[(sex, generation)])


def _mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if mobile not in taken:
            taken.add(mobile)
            return mobile


def _document(rng: random.Random, county: str, born: date, sex: str, taken: set[str]) -> str:
    """A 公民身份号码 with the county's area code, the birth date, a sequence whose last digit
    gives the sex (odd: male) and the GB 11643 check character."""
    while True:
        last = rng.choice("13579" if sex == Sex.MALE else "02468")
        first17 = f"{county}{born:%Y%m%d}{rng.randrange(100):02d}{last}"
        if first17 not in taken:
            taken.add(first17)
            return first17 + check_char(first17)


def _political_status(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if age < 14:
        return PoliticalStatus.MASSES
    if age <= 28 and roll < 0.35:
        return PoliticalStatus.CYL_MEMBER
    if age < ADULT_AGE:
        return PoliticalStatus.MASSES
    if roll >= 0.74:
        return PoliticalStatus.CPC_MEMBER
    if roll >= 0.72:
        return PoliticalStatus.CPC_PROBATIONARY
    if roll >= 0.71:
        return rng.choice(PoliticalStatus.values[3:12])  # the other parties, non-partisans
    return PoliticalStatus.MASSES


def _education(rng: random.Random, age: int) -> str:
    if age < ADULT_AGE:
        return Education.JUNIOR_HIGH if age >= 12 else Education.PRIMARY
    if age >= 60:
        levels, weights = ["81", "71", "61", "41", "31", "21"], [15, 35, 25, 10, 10, 5]
    elif age >= 40:
        levels, weights = ["71", "61", "41", "31", "21", "14"], [20, 25, 15, 20, 17, 3]
    else:
        levels, weights = ["71", "61", "41", "31", "21", "14", "11"], [5, 10, 15, 30, 33, 6, 1]
    return rng.choices(levels, weights)[0] if rng.random() > 0.05 else ""


def _kinds(rng: random.Random, sex: str, age: int, political: str) -> list[str]:
    K = VolunteerKind  # noqa: N806
    kinds = set()
    if political in (PoliticalStatus.CPC_MEMBER, PoliticalStatus.CPC_PROBATIONARY):
        kinds.add(K.PARTY_MEMBER)
        if ADULT_AGE < age < 60 and rng.random() < 0.3:
            kinds.add(K.CADRE)
    if age <= 35 and rng.random() < 0.6:
        kinds.add(K.YOUTH)
    if sex == Sex.FEMALE and age >= ADULT_AGE and rng.random() < 0.35:
        kinds.add(K.WOMEN)
    if ADULT_AGE <= age < 60 and rng.random() < 0.15:
        kinds.add(K.ENTERPRISE)
    if rng.random() < 0.35:
        kinds.add(K.COMMUNITY)
    if rng.random() < 0.06:
        kinds.add(K.SOCIAL_ORG)
    return sorted(kinds)


def _availability(rng: random.Random, age: int) -> list[str]:
    A = Availability  # noqa: N806
    if age >= 60 and rng.random() < 0.5:
        return [A.ANY_TIME]
    if age < ADULT_AGE:
        return sorted(rng.sample([A.WEEKEND, A.HOLIDAY], rng.randint(1, 2)))
    pool = [A.WEEKEND] * 4 + [A.HOLIDAY] * 2 + [A.WEEKDAY_EVENING] * 2
    pool += [A.WEEKDAY_MORNING, A.WEEKDAY_AFTERNOON]
    return sorted({rng.choice(pool) for _ in range(rng.randint(1, 3))})


def _campaign_lines(rng: random.Random) -> list[str]:
    lines = CampaignLine.values
    weights = [5, 4, 1, 3, 4, 2]
    return sorted(set(rng.choices(lines, weights, k=rng.randint(1, 3))))


def people(
    townships: list[Region],
    skills: list[Skill],
    *,
    count: int = COUNT,
    minors: int = MINORS,
    seed: int = SEED,
) -> list[tuple[dict[str, Any], Guardian | None]]:
    """The volunteers' form data (and a guardian for the minors), the same on every run.

    Who a person is (place, sex, birth, name, numbers) comes from one stream of random numbers
    and the rest from another, so that editing the skills list changes nobody's document."""
    rng = random.Random(seed)
    extra = random.Random(seed + 7)
    county_weights = [COUNTY_WEIGHTS.get(t.code[:6], 1) for t in townships]
    per_county = Counter(t.code[:6] for t in townships)
    weights = [
        w / per_county[t.code[:6]] * TOWNSHIP_WEIGHTS.get(t.code, 1)
        for t, w in zip(townships, county_weights, strict=True)
    ]
    documents = {DEMO_FIRST17}
    mobiles = {DEMO_MOBILE}
    step = max(count // minors, 1) if minors else 0
    minor_rows = set(range(step // 2, count, step)[:minors]) if minors else set()
    result = []
    for index in range(count):
        minor = index in minor_rows
        residence = rng.choices(townships, weights)[0]
        sex = Sex.MALE if rng.random() < 0.46 else Sex.FEMALE
        born = _between(rng, *(MINORS_BORN if minor else ADULTS_BORN))
        surname = _surname(rng)
        data: dict[str, Any] = {
            "name": surname + _given(rng, sex, born),
            "document_type": DocumentType.RESIDENT_ID,
            "document_number": _document(rng, residence.code[:6], born, sex, documents),
            "mobile": _mobile(rng, mobiles),
            "residence": residence,
        }
        age = age_on(born, AGES_ON)
        political = _political_status(extra, age)
        data.update(
            skills=extra.sample(skills, min(len(skills), extra.choice([0, 0, 1, 1, 1, 2, 2, 3]))),
            availability=_availability(extra, age),
            campaign_lines=_campaign_lines(extra),
            kinds=_kinds(extra, sex, age, political),
            political_status=political,
            education=_education(extra, age),
        )
        guardian = None
        if minor:
            father = rng.random() < 0.5
            parent_born = _between(rng, date(1975, 1, 1), date(1990, 12, 31))
            guardian = Guardian(
                name=(
                    surname + _given(rng, Sex.MALE, parent_born)
                    if father
                    else _surname(rng) + _given(rng, Sex.FEMALE, parent_born)
                ),
                relation=GuardianRelation.FATHER if father else GuardianRelation.MOTHER,
                phone=_mobile(rng, mobiles),
                consented=True,
            )
        result.append((data, guardian))
    return result


# --- loading ---------------------------------------------------------------------------------


def _townships() -> list[Region]:
    counties = list(COUNTY_WEIGHTS)
    return [
        region
        for region in Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")
        if region.code[:6] in counties
    ]


def _existing(hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        found.update(
            Volunteer.objects.filter(document_hash__in=hashes[start : start + CHUNK]).values_list(
                "document_hash", flat=True
            )
        )
    return found


def volunteers_load(
    *,
    actor: User,
    today: date | None = None,
    count: int = COUNT,
    minors: int = MINORS,
    seed: int = SEED,
) -> Loaded:
    """Register the demo volunteers who are not registered yet, each with the organisation
    that serves their township, then put some in teams and leave a few applications pending.
    Call inside a transaction."""
    today = today or timezone.localdate()
    skills = list(Skill.objects.order_by("name"))
    rows = people(_townships(), skills, count=count, minors=minors, seed=seed)
    profiles = [services.profile_check(data, today=today, guardian=g) for data, g in rows]
    existing = _existing([p.document_hash for p in profiles])
    homes: dict[int, Organisation] = {}
    groups: dict[int, list[Profile]] = {}
    for profile in profiles:
        if profile.document_hash in existing:
            continue
        residence = profile.residence
        if residence.pk not in homes:
            homes[residence.pk] = services.home_organisation(residence)
        groups.setdefault(homes[residence.pk].pk, []).append(profile)
    loaded = Loaded()
    organisations = {org.pk: org for org in homes.values()}
    for org_pk, group in groups.items():
        loaded.created += write_plan(
            Plan(create=group),
            organisation=organisations[org_pk],
            actor=actor,
            team=None,
            note=NOTE,
        )
        loaded.minors += sum(1 for p in group if p.guardian is not None)
    if loaded.created:
        new = [p.document_hash for group in groups.values() for p in group]
        volunteers = Volunteer.objects.filter(document_hash__in=new)
        loaded.members, loaded.pending = _teams(volunteers, actor=actor, seed=seed)
    return loaded


def _covers(team: Organisation, residence: Region) -> bool:
    """A team takes volunteers from the place it serves (the city's corps: everyone)."""
    region = team.region
    if region.level == Region.Level.COUNTY:
        return residence.code[:6] == region.code
    if region.level == Region.Level.TOWNSHIP:
        return residence.code == region.code
    return region.level in (Region.Level.PROVINCE, Region.Level.CITY)


def _teams(volunteers: QuerySet[Volunteer], *, actor: User, seed: int) -> tuple[int, int]:
    """Team memberships in bulk, as team_add and application_decide write them, and a few
    applications waiting for the team leaders. Returns (memberships, pending applications)."""
    rng = random.Random(seed + 1)
    now = timezone.now()

    def message(volunteer: Volunteer) -> str:
        age = volunteer.age(AGES_ON) or 30
        group = (
            "minor"
            if age < ADULT_AGE
            else "student"
            if age <= 22
            else "retired"
            if age >= 60
            else "adult"
        )
        return rng.choice(APPLICATION_MESSAGES[group])

    teams = list(
        Organisation.objects.filter(
            kind__in=[
                Organisation.Kind.TEAM_CORPS,
                Organisation.Kind.TEAM_BRANCH,
                Organisation.Kind.TEAM,
            ],
            is_active=True,
        )
        .select_related("region")
        .order_by("path")
    )
    share: dict[str, float] = {
        Organisation.Kind.TEAM_CORPS: 0.1,
        Organisation.Kind.TEAM_BRANCH: 0.25,
        Organisation.Kind.TEAM: 0.2,
    }
    registered = list(volunteers.select_related("residence").order_by("pk"))
    memberships: list[TeamMembership] = []
    events: list[TeamEvent] = []
    consents: list[ConsentRecord] = []
    applications: list[TeamApplication] = []
    applied_at: list[datetime] = []
    pending = 0
    for team in teams:
        eligible = [
            v
            for v in registered
            if _covers(team, v.residence) and ("巾帼" not in team.name or v.sex == Sex.FEMALE)
        ]
        chance = share[team.kind] / (3 if team.region.level == Region.Level.CITY else 1)
        if "巾帼" in team.name:  # half the people to choose from, so ask more of them
            chance *= 2
        joining = [v for v in eligible if rng.random() < chance]
        for volunteer in joining:
            joined = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
            if rng.random() < 0.4:  # applied and approved
                source = TeamMembership.Source.APPLIED
                applied = joined - timedelta(days=rng.randint(1, 5), minutes=rng.randrange(600))
                applications.append(
                    TeamApplication(
                        volunteer=volunteer,
                        team=team,
                        message=message(volunteer),
                        status=TeamApplication.Status.APPROVED,
                        decided_at=joined,
                        decided_by=actor,
                    )
                )
                applied_at.append(applied)
                events.append(
                    TeamEvent(
                        volunteer=volunteer, team=team, kind=TeamEvent.Kind.APPLIED, at=applied
                    )
                )
                events.append(
                    TeamEvent(
                        volunteer=volunteer,
                        team=team,
                        kind=TeamEvent.Kind.APPROVED,
                        at=joined,
                        actor=actor,
                    )
                )
            else:  # added by staff with the volunteer's consent
                source = TeamMembership.Source.ADDED
                consents.append(
                    ConsentRecord(
                        volunteer=volunteer,
                        purpose=ConsentRecord.Purpose.TEAM_ADDED,
                        note=TEAM_NOTE,
                        at=joined,
                        recorded_by=actor,
                    )
                )
                events.append(
                    TeamEvent(
                        volunteer=volunteer,
                        team=team,
                        kind=TeamEvent.Kind.ADDED,
                        reason=TEAM_NOTE,
                        at=joined,
                        actor=actor,
                    )
                )
            memberships.append(
                TeamMembership(volunteer=volunteer, team=team, source=source, joined_at=joined)
            )
        if team.kind != Organisation.Kind.TEAM_CORPS:  # a few waiting for the team leader
            members = {v.pk for v in joining}
            waiting = [v for v in eligible if v.pk not in members]
            for volunteer in rng.sample(waiting, min(3, len(waiting))):
                pending += 1
                applied = now - timedelta(hours=rng.randint(1, 72), minutes=rng.randrange(60))
                applications.append(
                    TeamApplication(volunteer=volunteer, team=team, message=message(volunteer))
                )
                applied_at.append(applied)
                events.append(
                    TeamEvent(
                        volunteer=volunteer, team=team, kind=TeamEvent.Kind.APPLIED, at=applied
                    )
                )
    TeamMembership.objects.bulk_create(memberships, batch_size=CHUNK)
    TeamApplication.objects.bulk_create(applications, batch_size=CHUNK)
    # created_at is set on insert (auto_now_add); back-date it to when each one applied.
    for application, at in zip(applications, applied_at, strict=True):
        application.created_at = at
    TeamApplication.objects.bulk_update(applications, ["created_at"], batch_size=CHUNK)
    TeamEvent.objects.bulk_create(events, batch_size=CHUNK)
    ConsentRecord.objects.bulk_create(consents, batch_size=CHUNK)
    return len(memberships), pending


# --- the volunteer who can log in ---------------------------------------------------------


def demo_volunteer(
    *,
    password: str,
    join: Organisation | None = None,
    apply_to: Organisation | None = None,
    decider: User | None = None,
) -> Volunteer:
    """王小雷 registers himself (so he has an account), is approved into `join` by `decider`
    and waits for an answer from `apply_to`. Nothing happens when he is registered already."""
    found = Volunteer.objects.filter(
        document_hash=services.document_key(DocumentType.RESIDENT_ID, DEMO_DOCUMENT)
    ).first()
    if found is not None:
        return found
    volunteer = services.volunteer_register(
        data={
            "name": DEMO_NAME,
            "document_type": DocumentType.RESIDENT_ID,
            "document_number": DEMO_DOCUMENT,
            "mobile": DEMO_MOBILE,
            "residence": Region.objects.get(code=DEMO_TOWNSHIP),
            "skills": list(Skill.objects.filter(name__in=["驾驶", "家电维修"])),
            "availability": [Availability.WEEKEND, Availability.WEEKDAY_EVENING],
            "campaign_lines": [CampaignLine.CIVILIZATION_PRACTICE, CampaignLine.GRASSROOTS_CARE],
            "kinds": [VolunteerKind.YOUTH, VolunteerKind.COMMUNITY],
            "political_status": PoliticalStatus.CYL_MEMBER,
            "education": Education.BACHELOR,
        },
        password=password,
        privacy_consent=True,
        public_display=True,
    )
    user = volunteer.user
    assert user is not None
    if join is not None and decider is not None:
        application = services.team_apply(
            actor=user, volunteer=volunteer, team=join, message="会开车，周末可以帮忙送物资。"
        )
        services.application_decide(actor=decider, application=application, approve=True)
    if apply_to is not None:
        services.team_apply(
            actor=user, volunteer=volunteer, team=apply_to, message="想参加全市的志愿服务活动。"
        )
    return volunteer
