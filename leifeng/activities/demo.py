"""Demo activities and stations for `manage.py demo`, after the organisations and volunteers.

What is loaded (campaign plan 三、主要内容; campaign calendar DOMAIN.md §9):
- activities of the six campaign lines on the 2021 campaign nodes (3/5 学雷锋纪念日, 3/12 植树节,
  清明, 五一, 中秋, 国庆) and on the same nodes of 2026, in all six counties. Those that are over
  are finished, with sign-ups of adult demo volunteers and their attendance;
- activities in the coming weeks (dates relative to today): recruiting with free places, one
  full with a waiting list, one with an invitation code, one for the members of a team, one
  risky with its insurance (minors excluded), one with an age limit and a skill, one cancelled
  and two drafts;
- 学雷锋志愿服务站点 at public places in every county, with weekly duty patterns and the duty
  roster of the past two and the coming four weeks (the past with sign-ups and attendance);
- 王小雷, the demo volunteer with an account, signed up for one coming activity and, in the
  past, for two activities and one station duty, checked in and out.

Everything goes through leifeng.activities.services where a service can do it. Where none can,
the rows are written with the fields the services would set, and the comment says why; the
eligibility of every sign-up is still checked by services.signup_problem. Random choices come
from random.Random seeded with the activity's or station's name, so the same data come out on
every run; an activity (organiser and title) or a station (name) that exists is left alone, so
loading again adds nothing.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone, translation

from leifeng.accounts.models import User
from leifeng.activities import services
from leifeng.activities.codes import NationalCategory as N
from leifeng.activities.codes import PlaceKind as P
from leifeng.activities.codes import ServedGroup as G
from leifeng.activities.codes import StationService as S
from leifeng.activities.models import (
    Activity,
    Attendance,
    ServiceItem,
    Shift,
    Signup,
    Station,
)
from leifeng.core.campaign import CampaignLine as L
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers import services as volunteer_services
from leifeng.volunteers.codes import VolunteerKind
from leifeng.volunteers.identity import DocumentType
from leifeng.volunteers.models import Skill, TeamMembership, Volunteer

SEED = 2021
YEARS = (2021, 2026)
LANGUAGE = "zh-hans"  # the duty rosters' titles are made by the services with gettext

# The campaign nodes (DOMAIN.md §9; lunar-python and chinese-calendar are not installed, so the
# table's values). Holidays: 清明 2021 4-03..4-05, 2026 4-04..4-06; 五一 5-01..5-05; 中秋 2021
# 9-19..9-21, 2026 9-25..9-27; 国庆 10-01..10-07.
NODES: dict[int, dict[str, date]] = {
    2021: {
        "leifeng": date(2021, 3, 5),
        "trees": date(2021, 3, 12),
        "qingming": date(2021, 4, 4),
        "mayday": date(2021, 5, 1),
        "midautumn": date(2021, 9, 21),
        "national": date(2021, 10, 1),
    },
    2026: {
        "leifeng": date(2026, 3, 5),
        "trees": date(2026, 3, 12),
        "qingming": date(2026, 4, 5),
        "mayday": date(2026, 5, 1),
        "midautumn": date(2026, 9, 25),
        "national": date(2026, 10, 1),
    },
}
LEIFENG_DAY_SINCE = 1963  # 毛泽东题词 "向雷锋同志学习" published 1963-03-05: 2021 is the 58th

# Places: (township code, address, latitude, longitude). Jincheng ≈ 35.49N 112.85E.
PLACES: dict[str, tuple[str, str, str, str]] = {
    # 城区 140502
    "jc_square": ("140502001", "晋城市城区泽州公园南广场", "35.495800", "112.853600"),
    "jc_hall": ("140502004", "晋城市政务服务中心一楼大厅", "35.508400", "112.850700"),
    "jc_station": ("140502006", "晋城站站前广场", "35.516300", "112.827500"),
    "jc_cross": ("140502002", "晋城市城区泽州路与凤台街交叉口", "35.497600", "112.845900"),
    "jc_hospital": ("140502003", "晋城市人民医院门诊楼一层", "35.489100", "112.856200"),
    "jc_mall": ("140502001", "晋城百货大楼一层服务台", "35.494500", "112.852100"),
    "jc_bus": ("140502007", "西上庄公交枢纽站候车厅", "35.524100", "112.867800"),
    "jc_xsz": ("140502007", "城区西上庄街道西上庄社区新时代文明实践站", "35.523000", "112.870000"),
    "jc_clinic": (
        "140502007",
        "西上庄街道社区卫生服务中心新冠疫苗接种点",
        "35.521500",
        "112.872500",
    ),
    "jc_baima": ("140502100", "白马寺山森林公园东门", "35.531200", "112.889600"),
    "jc_toll": ("140502100", "晋城北收费站出口疫情防控检查点", "35.545300", "112.880400"),
    "jc_cemetery": ("140502006", "晋城市烈士陵园", "35.508000", "112.830200"),
    "jc_kfq": ("140502009", "开发区街道兰花路社区党群服务中心", "35.478200", "112.865300"),
    "jc_beijie": ("140502004", "北街街道书院街社区文化活动室", "35.503600", "112.849300"),
    # 泽州县 140525
    "zz_hall": ("140525100", "泽州县政务服务中心", "35.578000", "112.842000"),
    "zz_hospital": ("140525100", "泽州县人民医院门诊大厅", "35.575800", "112.835200"),
    "zz_cross": ("140525100", "泽州县南村镇泽州路与文昌街交叉口", "35.580600", "112.839800"),
    "zz_danhe": ("140525100", "丹河快速路南村段绿化带", "35.585000", "112.870000"),
    "zz_bagong": ("140525108", "巴公镇巴公一村文化广场", "35.672000", "112.880000"),
    "zz_bagong_bus": ("140525108", "巴公镇汽车站候车厅", "35.674500", "112.877000"),
    "zz_bagong_home": ("140525108", "巴公镇敬老院", "35.670200", "112.883400"),
    "zz_jueshan": ("140525106", "珏山景区游客服务中心", "35.433000", "112.938000"),
    "zz_dayang": ("140525109", "大阳古镇游客中心", "35.600400", "112.696300"),
    "zz_jinmiaopu": ("140525105", "晋庙铺镇天井关村", "35.305200", "112.877400"),
    # 高平市 140581
    "gp_hall": ("140581001", "高平市政务服务中心", "35.802100", "112.925400"),
    "gp_station": ("140581002", "高平东站进站口", "35.793000", "112.960200"),
    "gp_yandi": ("140581103", "炎帝陵景区（神农镇庄里村）", "35.876100", "112.980300"),
    "gp_square": ("140581001", "高平市人民广场", "35.797200", "112.923800"),
    "gp_cross": ("140581001", "高平市北城街道神农路与长平路交叉口", "35.799800", "112.928600"),
    "gp_cemetery": ("140581001", "高平市烈士陵园", "35.806000", "112.918000"),
    "gp_mishan": ("140581101", "米山镇中心小学", "35.756100", "112.885200"),
    "gp_dongcheng": ("140581002", "东城街道康乐社区日间照料中心", "35.790300", "112.941700"),
    # 阳城县 140522
    "yc_huangcheng": ("140522101", "皇城相府景区游客中心", "35.533000", "112.556000"),
    "yc_manghe": ("140522108", "蟒河景区游客中心", "35.261000", "112.437000"),
    "yc_bus": ("140522100", "阳城县汽车站", "35.487000", "112.413000"),
    "yc_hospital": ("140522100", "阳城县人民医院门诊大厅", "35.485000", "112.420000"),
    "yc_fengcheng": ("140522100", "凤城镇东关社区新时代文明实践站", "35.488200", "112.425100"),
    "yc_ring": ("140522100", "凤城镇南环路生态廊道", "35.479000", "112.410000"),
    "yc_runcheng": ("140522102", "润城镇砥洎城景区入口", "35.516000", "112.526000"),
    # 陵川县 140524
    "lc_wangmang": ("140524207", "王莽岭景区游客服务中心", "35.687000", "113.582000"),
    "lc_hall": ("140524100", "陵川县政务服务中心", "35.776000", "113.278000"),
    "lc_square": ("140524100", "陵川县人民广场", "35.774000", "113.281000"),
    "lc_fucheng": ("140524102", "附城镇丈河村荒山造林点", "35.734000", "113.235000"),
    "lc_school": ("140524100", "崇文镇中心小学", "35.778300", "113.274600"),
    "lc_home": ("140524100", "陵川县社会福利中心", "35.771200", "113.286900"),
    # 沁水县 140521
    "qs_bus": ("140521100", "沁水县汽车站", "35.692000", "112.188000"),
    "qs_hall": ("140521100", "沁水县政务服务中心", "35.690000", "112.185000"),
    "qs_river": ("140521100", "沁河滨河公园", "35.688000", "112.195000"),
    "qs_liushi": ("140521201", "柳氏民居景区（土沃乡西文兴村）", "35.569000", "112.008000"),
    "qs_xiangyu": ("140521105", "湘峪古堡景区", "35.650000", "112.375000"),
    "qs_street": ("140521100", "龙港镇梅杏街背街小巷", "35.689400", "112.181300"),
}

CONTACTS = [
    "张晓燕",
    "李建军",
    "王丽娟",
    "赵志强",
    "郭红霞",
    "陈晋芳",
    "杨文斌",
    "牛建伟",
    "秦宇",
    "申丽萍",
]
INSURER = "中国人民财产保险股份有限公司晋城市分公司"
CANCEL_REASONS = ["家中临时有事，无法参加。", "单位临时加班。", "身体不适，请假一次。"]

RISK_CROWD = (
    "现场人员密集，请佩戴志愿者证、服从现场负责人安排，注意保管个人物品；"
    "如遇突发情况，按工作人员指引有序疏散。"
)
RISK_TRAFFIC = (
    "路口车流量大，请穿反光背心、站在安全岛或人行道上劝导，不进入机动车道；"
    "雨雪天气注意防滑，听从交警指挥。"
)
RISK_OUTDOOR = (
    "户外劳动，请穿运动鞋和长袖衣裤，戴好手套；使用铁锹、扫帚等工具时注意间距，"
    "注意防晒补水，身体不适及时告知现场负责人。"
)
RISK_SCENIC = (
    "景区游客较多、台阶陡峭，请在指定点位服务，不攀爬护栏；注意防晒防雨，"
    "遇到游客受伤或走失，立即联系景区工作人员和现场负责人。"
)
RISK_HOME = (
    "入户服务请两人以上结伴，出示志愿者证，不收受财物，不替老人保管钱物；"
    "发现老人身体异常及时联系家属或拨打120。"
)
RISK_EPIDEMIC = (
    "请全程规范佩戴医用外科口罩，勤洗手、勤消毒，与群众保持一米以上距离；"
    "体温异常或有发热、咳嗽等症状者请勿参加。"
)
RISK_INDOOR = (
    "室内活动，风险较低；请提前十分钟到场签到，活动中注意用电和消防安全，熟悉安全出口位置。"
)


@dataclass(frozen=True)
class Spec:
    """One demo activity. Shifts are (day, start, end, quota): for a campaign activity the day
    is counted from its node, for a coming one from today (an int), or "sat0"/"sun1" … the
    first, second … Saturday or Sunday at least two days ahead."""

    title: str
    org: str
    line: str
    place: str
    items: tuple[str, ...]
    groups: tuple[str, ...]
    category: str
    description: str
    risk: str
    shifts: tuple[tuple[Any, str, str, int], ...]
    node: str = ""
    years: tuple[int, ...] = YEARS
    kinds: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    teams: tuple[str, ...] = ()
    code: str = ""
    risky: bool = False
    require_location: bool = False
    radius: int = 300
    closes_day_before: bool = False
    cancel_hours: int = 2
    fill: float = 0.45  # a coming activity: share of the places taken
    waiting: int = 0  # a coming activity: people on the first shift's waiting list
    wang: str = ""  # 王小雷 signs up: "qr" / "roster" (checked in that way) / "yes" (coming)
    state: str = ""  # "draft" or "cancelled"
    cancel_reason: str = ""


CAMPAIGN: list[Spec] = [
    # --- 3/5 学雷锋纪念日: the launch --------------------------------------------------------
    Spec(
        "新时代文明实践暨学雷锋志愿服务活动启动仪式",
        "晋城市新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "jc_square",
        ("理论宣讲", "文化服务"),
        (G.PUBLIC,),
        N.CIVILITY,
        "第{n}个学雷锋纪念日，全市新时代文明实践暨学雷锋志愿服务活动在泽州公园南广场启动。"
        "现场发布年度志愿服务项目清单，设置理论宣讲、政策咨询、义诊、义剪、家电维修、法律咨询等"
        "服务摊位，志愿者负责摊位服务、秩序引导和宣传资料发放。",
        RISK_CROWD,
        ((0, "08:30", "11:30", 40),),
        node="leifeng",
    ),
    Spec(
        "学雷锋纪念日巴公镇便民服务大集",
        "巴公镇新时代文明实践所",
        L.GRASSROOTS_CARE,
        "zz_bagong",
        ("家电维修", "生活照料", "邻里互助"),
        (G.RESIDENTS, G.ELDERLY_ALONE),
        N.COMMUNITY,
        "第{n}个学雷锋纪念日，巴公镇各村（社区）志愿服务队在巴公一村文化广场摆开便民服务大集："
        "免费理发、量血压、小家电维修、磨刀补锅，为行动不便的老人送服务上门。",
        RISK_CROWD,
        ((0, "09:00", "12:00", 20), (0, "14:00", "16:30", 12)),
        node="leifeng",
        wang="qr",
    ),
    Spec(
        "学雷锋纪念日文明交通劝导",
        "高平市新时代文明实践中心",
        L.CIVILIZED_CITY,
        "gp_cross",
        ("文明交通劝导",),
        (G.PUBLIC, G.DRIVERS),
        N.TRAFFIC,
        "在神农路与长平路交叉口开展文明交通劝导，提醒行人和非机动车各行其道、不闯红灯，"
        "发放《文明出行倡议书》。",
        RISK_TRAFFIC,
        ((0, "07:30", "09:00", 8), (0, "17:30", "19:00", 8)),
        node="leifeng",
        require_location=True,
    ),
    Spec(
        "学雷锋纪念日党的政策宣讲进社区",
        "阳城县新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "yc_fengcheng",
        ("政策宣讲", "理论宣讲"),
        (G.RESIDENTS,),
        N.CIVILITY,
        "第{n}个学雷锋纪念日，宣讲志愿者走进东关社区，用身边事讲身边理，宣讲党的惠民政策，"
        "讲述雷锋故事和阳城好人故事。",
        RISK_INDOOR,
        ((0, "09:00", "11:00", 10),),
        node="leifeng",
    ),
    Spec(
        "学雷锋纪念日关爱留守儿童“手拉手”",
        "陵川县新时代文明实践中心",
        L.GRASSROOTS_CARE,
        "lc_school",
        ("助学帮扶", "心理疏导"),
        (G.LEFT_BEHIND_CHILDREN,),
        N.EDUCATION,
        "志愿者与崇文镇中心小学的留守儿童结对，辅导作业、一起读雷锋日记，送去书包和文具。",
        RISK_INDOOR,
        ((0, "14:30", "17:00", 12),),
        node="leifeng",
    ),
    Spec(
        "学雷锋纪念日清洁家园行动",
        "沁水县新时代文明实践中心",
        L.NATURE,
        "qs_river",
        ("清扫路面", "捡拾白色垃圾"),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "沿沁河滨河公园步道清扫路面、捡拾白色垃圾，清理河岸卫生死角。",
        RISK_OUTDOOR,
        ((0, "08:30", "11:00", 25),),
        node="leifeng",
    ),
    Spec(
        "新冠疫苗接种点志愿服务",
        "城区新时代文明实践中心",
        L.EPIDEMIC,
        "jc_clinic",
        ("信息登记", "体温测量", "宣传教育"),
        (G.PUBLIC,),
        N.EPIDEMIC,
        "协助西上庄街道社区卫生服务中心新冠疫苗接种点做好预约信息登记、体温测量、"
        "留观区秩序维护和接种知识宣传。",
        RISK_EPIDEMIC,
        ((1, "08:00", "12:00", 6), (1, "14:00", "17:30", 6), (8, "08:00", "12:00", 6)),
        node="leifeng",
        years=(2021,),
    ),
    Spec(
        "春季传染病防控知识进校园",
        "城区新时代文明实践中心",
        L.EPIDEMIC,
        "jc_beijie",
        ("宣传教育", "环境清洁"),
        (G.STUDENTS,),
        N.HEALTH,
        "医护志愿者和社区志愿者走进书院街社区，讲解流感、诺如病毒等春季传染病的防护知识，"
        "示范七步洗手法，协助清洁消毒公共区域。",
        RISK_EPIDEMIC,
        ((1, "15:00", "17:00", 8),),
        node="leifeng",
        years=(2026,),
    ),
    # --- 3/12 植树节 ----------------------------------------------------------------------
    Spec(
        "植树节义务植树",
        "泽州县新时代文明实践中心",
        L.NATURE,
        "zz_danhe",
        ("植树",),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "植树节当天在丹河快速路南村段绿化带补植侧柏、油松，志愿者挖坑、扶苗、培土、浇水，"
        "共建“志愿林”。",
        RISK_OUTDOOR,
        ((0, "08:30", "11:30", 30),),
        node="trees",
        wang="roster",
    ),
    Spec(
        "植树节白马寺山“志爱晋城”志愿林植树",
        "志爱晋城志愿服务总队",
        L.NATURE,
        "jc_baima",
        ("植树", "捡拾白色垃圾"),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "在白马寺山森林公园东坡栽植“志爱晋城”志愿林，并沿登山步道捡拾白色垃圾。",
        RISK_OUTDOOR,
        ((1, "08:30", "11:30", 30),),
        node="trees",
    ),
    Spec(
        "植树节护绿清洁行动",
        "北城街道新时代文明实践所",
        L.NATURE,
        "gp_square",
        ("清除卫生死角", "垃圾分类宣传"),
        (G.RESIDENTS,),
        N.ENVIRONMENT,
        "清理人民广场周边绿地卫生死角，为新栽树木浇水护绿，向市民宣传垃圾分类知识。",
        RISK_OUTDOOR,
        ((0, "15:00", "17:30", 15),),
        node="trees",
    ),
    Spec(
        "植树节“绿满阳城”义务植树",
        "阳城县新时代文明实践中心",
        L.NATURE,
        "yc_ring",
        ("植树",),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "在凤城镇南环路生态廊道栽植国槐和连翘，每棵树挂上志愿者认养牌，定期浇水养护。",
        RISK_OUTDOOR,
        ((0, "08:30", "11:30", 25),),
        node="trees",
    ),
    Spec(
        "植树节太行山荒山造林",
        "陵川县新时代文明实践中心",
        L.NATURE,
        "lc_fucheng",
        ("植树",),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "在附城镇丈河村荒山造林点栽植油松和连翘，守护太行山生态屏障。",
        RISK_OUTDOOR + "山地坡陡，请沿已开辟的小路上下，不单独行动。",
        ((2, "08:00", "12:00", 25),),
        node="trees",
    ),
    Spec(
        "植树节沁河岸边植树护绿",
        "沁水县新时代文明实践中心",
        L.NATURE,
        "qs_river",
        ("植树", "低碳生活宣传"),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "沿沁河岸边补植垂柳，向晨练市民宣传低碳出行、节约用水。",
        RISK_OUTDOOR,
        ((0, "08:30", "11:00", 20),),
        node="trees",
    ),
    # --- 清明 ------------------------------------------------------------------------------
    Spec(
        "清明文明祭扫秩序引导",
        "市教育工委",
        L.PUBLIC_PLACES,
        "jc_cemetery",
        ("秩序维护", "宣传引导"),
        (G.PUBLIC, G.STUDENTS),
        N.CIVILITY,
        "清明期间在晋城市烈士陵园引导群众有序祭扫，倡导鲜花祭扫、网上祭扫，"
        "为前来缅怀先烈的师生讲解英烈事迹。",
        RISK_CROWD,
        ((-1, "08:30", "12:00", 12), (0, "08:30", "12:00", 12)),
        node="qingming",
    ),
    Spec(
        "清明“绿色低碳祭扫”宣传",
        "南村镇新时代文明实践所",
        L.NATURE,
        "zz_hall",
        ("低碳生活宣传",),
        (G.RESIDENTS,),
        N.ENVIRONMENT,
        "在南村镇各村口和公墓入口宣传文明低碳祭扫，劝导群众不烧纸、不放鞭炮，"
        "以鲜花、植树等方式寄托哀思。",
        RISK_OUTDOOR,
        ((0, "08:00", "11:30", 10),),
        node="qingming",
    ),
    Spec(
        "清明山林防火宣传劝导",
        "阳城县新时代文明实践中心",
        L.CIVILIZED_CITY,
        "yc_runcheng",
        ("平安晋城建设",),
        (G.RESIDENTS, G.TOURISTS),
        N.FIRE,
        "在进山路口设立宣传点，劝导上山祭扫群众不带火种进山，发放森林防火宣传单。",
        RISK_OUTDOOR + "不进入林区深处，发现火情立即报告，不得擅自扑救。",
        ((-1, "08:00", "12:00", 8), (0, "08:00", "12:00", 8)),
        node="qingming",
    ),
    Spec(
        "清明红色故事宣讲",
        "高平市新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "gp_cemetery",
        ("理论宣讲",),
        (G.STUDENTS, G.PUBLIC),
        N.CIVILITY,
        "在高平市烈士陵园为中小学生讲述革命先烈故事，组织敬献花篮、重温入队誓词。",
        RISK_CROWD,
        ((1, "09:00", "11:30", 10),),
        node="qingming",
    ),
    Spec(
        "清明移风易俗文明祭扫进村宣传",
        "陵川县新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "lc_square",
        ("移风易俗",),
        (G.RESIDENTS,),
        N.CIVILITY,
        "志愿者走村入户发放《文明祭扫倡议书》，宣传厚养薄葬、移风易俗。",
        RISK_OUTDOOR,
        ((-1, "09:00", "12:00", 10),),
        node="qingming",
    ),
    Spec(
        "清明公墓祭扫秩序维护",
        "沁水县新时代文明实践中心",
        L.PUBLIC_PLACES,
        "qs_hall",
        ("秩序维护", "咨询指引"),
        (G.PUBLIC,),
        N.CIVILITY,
        "在县城公墓入口和停车场引导车辆有序停放，为祭扫群众提供咨询指引和应急药品。",
        RISK_CROWD,
        ((0, "07:30", "11:30", 10),),
        node="qingming",
    ),
    # --- 五一 ------------------------------------------------------------------------------
    Spec(
        "“五一”皇城相府文明旅游志愿服务",
        "阳城县新时代文明实践中心",
        L.NATURE,
        "yc_huangcheng",
        ("文明旅游引导", "捡拾白色垃圾"),
        (G.TOURISTS,),
        N.TOURISM,
        "“五一”假期在皇城相府景区入口、停车场和主要景点开展文明旅游引导、游客咨询、"
        "失物招领和环境保洁。",
        RISK_SCENIC,
        ((0, "08:30", "12:00", 10), (1, "08:30", "12:00", 10), (2, "08:30", "12:00", 10)),
        node="mayday",
        radius=800,
    ),
    Spec(
        "“五一”珏山景区文明旅游志愿服务",
        "泽州县志愿服务总队",
        L.NATURE,
        "zz_jueshan",
        ("文明旅游引导",),
        (G.TOURISTS,),
        N.TOURISM,
        "在珏山景区游客服务中心和索道口引导游客有序排队、文明观景，劝阻乱扔垃圾、乱刻乱画。",
        RISK_SCENIC,
        ((0, "09:00", "12:00", 8), (2, "09:00", "12:00", 8)),
        node="mayday",
        radius=800,
    ),
    Spec(
        "“五一”王莽岭景区文明旅游引导",
        "陵川县新时代文明实践中心",
        L.NATURE,
        "lc_wangmang",
        ("文明旅游引导", "捡拾白色垃圾"),
        (G.TOURISTS,),
        N.TOURISM,
        "在王莽岭景区游客中心和观景台引导游客文明观景、有序乘坐景区交通车，宣传护林防火。",
        RISK_SCENIC,
        ((1, "08:30", "12:00", 8), (3, "08:30", "12:00", 8)),
        node="mayday",
        radius=800,
    ),
    Spec(
        "“五一”假期文明交通劝导",
        "城区文明交通志愿服务队",
        L.CIVILIZED_CITY,
        "jc_cross",
        ("文明交通劝导",),
        (G.PUBLIC, G.DRIVERS),
        N.TRAFFIC,
        "假期出行高峰在泽州路与凤台街交叉口劝导行人、非机动车文明出行，礼让斑马线。",
        RISK_TRAFFIC,
        ((0, "08:00", "10:00", 6), (4, "17:00", "19:00", 6)),
        node="mayday",
        require_location=True,
    ),
    Spec(
        "“五一”高平东站旅客咨询引导",
        "高平市新时代文明实践中心",
        L.PUBLIC_PLACES,
        "gp_station",
        ("咨询指引", "便民服务"),
        (G.PUBLIC,),
        N.TRAFFIC,
        "假期客流高峰在高平东站进站口为旅客提供乘车咨询、行李搬运、重点旅客帮扶。",
        RISK_CROWD,
        ((0, "08:00", "12:00", 6), (4, "14:00", "18:00", 6)),
        node="mayday",
    ),
    Spec(
        "“五一”致敬劳动者·慰问环卫工人",
        "沁水县新时代文明实践中心",
        L.GRASSROOTS_CARE,
        "qs_street",
        ("慰问关怀",),
        (G.PUBLIC,),
        N.COMMUNITY,
        "为坚守岗位的环卫工人送去饮用水、毛巾和防暑药品，替他们清扫一段背街小巷。",
        RISK_OUTDOOR,
        ((0, "07:00", "09:00", 12),),
        node="mayday",
    ),
    Spec(
        "“电力红马甲”进社区用电安全检查",
        "国网晋城供电公司",
        L.GRASSROOTS_CARE,
        "jc_kfq",
        ("家电维修",),
        (G.ELDERLY_ALONE, G.RESIDENTS),
        N.COMMUNITY,
        "供电公司青年志愿者走进兰花路社区，为空巢老人检查室内线路、更换老化插座，"
        "现场维修小家电，宣传安全用电知识。",
        RISK_HOME + "带电作业由持证电工进行，其他志愿者不得操作。",
        ((2, "09:00", "12:00", 10),),
        node="mayday",
        kinds=(VolunteerKind.ENTERPRISE,),
    ),
    # --- 中秋 ------------------------------------------------------------------------------
    Spec(
        "中秋巾帼送温暖·慰问空巢老人",
        "巴公镇巾帼志愿服务队",
        L.GRASSROOTS_CARE,
        "zz_bagong_home",
        ("慰问关怀", "生活照料"),
        (G.ELDERLY_ALONE,),
        N.SPECIAL_GROUPS,
        "巾帼志愿者为巴公镇敬老院和村里的空巢老人送去月饼，包饺子、打扫房间、陪老人拉家常。",
        RISK_HOME,
        ((-1, "09:00", "11:30", 12),),
        node="midautumn",
        kinds=(VolunteerKind.WOMEN,),
    ),
    Spec(
        "“邻里情·中秋月”社区邻里节",
        "西上庄社区新时代文明实践站",
        L.GRASSROOTS_CARE,
        "jc_xsz",
        ("邻里互助", "慰问关怀"),
        (G.RESIDENTS,),
        N.COMMUNITY,
        "社区邻里节：一起做月饼、猜灯谜，为独居老人送上节日问候，建立邻里互助小组。",
        RISK_INDOOR,
        ((-1, "15:00", "18:00", 15),),
        node="midautumn",
    ),
    Spec(
        "中秋珏山赏月文明旅游志愿服务",
        "泽州县新时代文明实践中心",
        L.NATURE,
        "zz_jueshan",
        ("文明旅游引导", "捡拾白色垃圾"),
        (G.TOURISTS,),
        N.TOURISM,
        "珏山是“中国赏月名山”，中秋夜游客集中，志愿者在登山步道和观景台引导游客有序通行、"
        "文明赏月，活动结束后清理垃圾。",
        RISK_SCENIC + "夜间服务请自备手电，结伴行动。",
        ((0, "17:30", "21:30", 12),),
        node="midautumn",
        radius=800,
    ),
    Spec(
        "中秋蟒河景区文明旅游志愿服务",
        "阳城县新时代文明实践中心",
        L.NATURE,
        "yc_manghe",
        ("文明旅游引导",),
        (G.TOURISTS,),
        N.TOURISM,
        "在蟒河景区入口和峡谷步道引导游客文明游览，提醒不戏水、不投喂猕猴。",
        RISK_SCENIC + "峡谷步道湿滑，请穿防滑鞋，不靠近水边。",
        ((0, "09:00", "12:30", 8),),
        node="midautumn",
        radius=800,
    ),
    Spec(
        "中秋关爱困境儿童",
        "高平市新时代文明实践中心",
        L.GRASSROOTS_CARE,
        "gp_dongcheng",
        ("助学帮扶", "慰问关怀"),
        (G.CHILDREN_IN_DIFFICULTY,),
        N.SPECIAL_GROUPS,
        "陪伴困境儿童做月饼、画灯笼，送去学习用品，了解孩子们的学习和生活困难。",
        RISK_INDOOR,
        ((-1, "14:30", "17:00", 10),),
        node="midautumn",
    ),
    Spec(
        "中秋敬老院慰问演出",
        "陵川县新时代文明实践中心",
        L.GRASSROOTS_CARE,
        "lc_home",
        ("慰问关怀",),
        (G.ELDERLY_ALONE,),
        N.SPECIAL_GROUPS,
        "文艺志愿者为陵川县社会福利中心的老人表演上党梆子和陵川秧歌，送上月饼和水果。",
        RISK_INDOOR,
        ((-1, "09:30", "11:30", 12),),
        node="midautumn",
    ),
    Spec(
        "中秋返乡旅客服务",
        "沁水县新时代文明实践中心",
        L.PUBLIC_PLACES,
        "qs_bus",
        ("咨询指引", "便民服务"),
        (G.PUBLIC,),
        N.TRAFFIC,
        "在沁水县汽车站为返乡旅客提供乘车咨询、行李搬运和老弱病残孕重点帮扶。",
        RISK_CROWD,
        ((-1, "08:00", "12:00", 6),),
        node="midautumn",
    ),
    Spec(
        "中秋国庆返乡人员信息登记和卡点值守",
        "北石店镇新时代文明实践所",
        L.EPIDEMIC,
        "jc_toll",
        ("信息登记", "体温测量", "卡点值守"),
        (G.PUBLIC, G.DRIVERS),
        N.EPIDEMIC,
        "协助晋城北收费站疫情防控检查点做好返乡人员信息登记、体温测量和健康码查验。",
        RISK_EPIDEMIC + "卡点位于收费站出口，请在隔离桩内工作，穿反光背心。",
        ((-1, "08:00", "14:00", 6), (-1, "14:00", "20:00", 6), (0, "08:00", "14:00", 6)),
        node="midautumn",
        years=(2021,),
    ),
    # --- 国庆 ------------------------------------------------------------------------------
    Spec(
        "国庆“我和国旗合个影”文明实践广场活动",
        "晋城市新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "jc_square",
        ("文化服务", "理论宣讲"),
        (G.PUBLIC,),
        N.CULTURE,
        "国庆当天在泽州公园南广场开展“我和国旗合个影”、红歌快闪和党史知识有奖问答，"
        "志愿者负责活动组织、秩序维护和宣传品发放。",
        RISK_CROWD,
        ((0, "09:00", "12:00", 25),),
        node="national",
    ),
    Spec(
        "国庆皇城相府文明旅游志愿服务",
        "阳城县新时代文明实践中心",
        L.NATURE,
        "yc_huangcheng",
        ("文明旅游引导", "捡拾白色垃圾"),
        (G.TOURISTS,),
        N.TOURISM,
        "国庆黄金周皇城相府游客量大，志愿者在景区入口、停车场、中道庄等点位开展文明引导、"
        "咨询服务和环境保洁。",
        RISK_SCENIC,
        ((1, "08:30", "12:00", 12), (3, "08:30", "12:00", 12), (5, "08:30", "12:00", 12)),
        node="national",
        radius=800,
    ),
    Spec(
        "国庆王莽岭景区文明旅游和护林防火宣传",
        "陵川县新时代文明实践中心",
        L.NATURE,
        "lc_wangmang",
        ("文明旅游引导", "低碳生活宣传"),
        (G.TOURISTS,),
        N.TOURISM,
        "国庆期间在王莽岭景区引导游客文明观景，宣传“进山不带火、野外不用火”，"
        "劝阻游客在禁烟区吸烟。",
        RISK_SCENIC,
        ((2, "08:30", "12:00", 10), (4, "08:30", "12:00", 10)),
        node="national",
        radius=800,
    ),
    Spec(
        "国庆炎帝陵景区文明旅游志愿服务",
        "高平市新时代文明实践中心",
        L.NATURE,
        "gp_yandi",
        ("文明旅游引导",),
        (G.TOURISTS,),
        N.TOURISM,
        "在炎帝陵景区为游客提供讲解咨询、文明引导和环境保洁服务。",
        RISK_SCENIC,
        ((1, "09:00", "12:00", 8), (2, "09:00", "12:00", 8)),
        node="national",
        radius=800,
    ),
    Spec(
        "国庆假期文明交通劝导",
        "泽州县志愿服务总队",
        L.CIVILIZED_CITY,
        "zz_cross",
        ("文明交通劝导",),
        (G.PUBLIC, G.DRIVERS),
        N.TRAFFIC,
        "在泽州路与文昌街交叉口劝导行人和非机动车遵守交通信号，宣传“一盔一带”。",
        RISK_TRAFFIC,
        ((0, "16:30", "18:30", 6), (6, "16:30", "18:30", 6)),
        node="national",
        require_location=True,
    ),
    Spec(
        "国庆背街小巷环境整治",
        "沁水县新时代文明实践中心",
        L.CIVILIZED_CITY,
        "qs_street",
        ("主次干道环境整治",),
        (G.RESIDENTS,),
        N.ENVIRONMENT,
        "清理龙港镇背街小巷的卫生死角和乱贴乱画的“牛皮癣”小广告，整治乱堆乱放。",
        RISK_OUTDOOR,
        ((3, "08:00", "11:00", 20),),
        node="national",
    ),
    Spec(
        "机关干部文明礼仪进社区宣讲",
        "市直工委",
        L.CIVILIZED_CITY,
        "jc_beijie",
        ("文明礼仪进社区", "文明礼仪知识普及"),
        (G.RESIDENTS,),
        N.CIVILITY,
        "市直机关党员干部志愿者走进书院街社区，宣讲文明礼仪和《晋城市文明行为促进条例》，"
        "与居民一起制定楼栋文明公约。",
        RISK_INDOOR,
        ((5, "09:00", "11:00", 12),),
        node="national",
        kinds=(VolunteerKind.CADRE, VolunteerKind.PARTY_MEMBER),
    ),
    Spec(
        "秋冬季呼吸道传染病防控知识宣传",
        "高平市新时代文明实践中心",
        L.EPIDEMIC,
        "gp_dongcheng",
        ("宣传教育", "慰问关怀"),
        (G.ELDERLY_ALONE, G.RESIDENTS),
        N.HEALTH,
        "医护志愿者走进东城街道康乐社区日间照料中心，讲解秋冬季流感防护和疫苗接种知识。",
        RISK_EPIDEMIC,
        ((3, "09:00", "11:00", 8),),
        node="national",
        years=(2026,),
    ),
]

WANG_TEAM = "巴公镇志愿服务支队"

COMING: list[Spec] = [
    Spec(
        "“志爱晋城”文明交通劝导岗",
        "城区文明交通志愿服务队",
        L.CIVILIZED_CITY,
        "jc_cross",
        ("文明交通劝导",),
        (G.PUBLIC, G.DRIVERS),
        N.TRAFFIC,
        "早晚高峰在泽州路与凤台街交叉口劝导行人和非机动车文明出行、礼让斑马线。"
        "到岗后扫描现场负责人手机上的二维码签到。",
        RISK_TRAFFIC,
        (
            (2, "07:30", "09:00", 6),
            (2, "17:30", "19:00", 6),
            (4, "07:30", "09:00", 6),
            (9, "07:30", "09:00", 6),
            (9, "17:30", "19:00", 6),
        ),
        require_location=True,
        fill=0.5,
    ),
    Spec(
        "关爱空巢老人入户走访",
        WANG_TEAM,
        L.GRASSROOTS_CARE,
        "zz_bagong",
        ("慰问关怀", "生活照料"),
        (G.ELDERLY_ALONE,),
        N.SPECIAL_GROUPS,
        "支队队员两人一组走访巴公镇空巢老人，打扫卫生、检查水电煤气，记录老人需要的帮助。"
        "本活动只接受巴公镇志愿服务支队队员报名。",
        RISK_HOME,
        (("sat0", "09:00", "11:30", 10),),
        teams=(WANG_TEAM,),
        fill=0.4,
        wang="yes",
    ),
    Spec(
        "空巢老人家电义务维修",
        "巴公镇新时代文明实践所",
        L.GRASSROOTS_CARE,
        "zz_bagong_home",
        ("家电维修",),
        (G.ELDERLY_ALONE, G.POOR_HOUSEHOLDS),
        N.COMMUNITY,
        "上门为空巢老人和困难家庭维修电视、电饭锅、洗衣机等家电，检查线路安全。"
        "需要会家电维修，年龄18至65周岁。",
        RISK_HOME + "维修前先断电，不会修的不拆。",
        (("sun0", "09:00", "12:00", 4), ("sun1", "09:00", "12:00", 4)),
        skills=("家电维修",),
        min_age=18,
        max_age=65,
        fill=0.3,
    ),
    Spec(
        "王莽岭森林防火巡护",
        "陵川县新时代文明实践中心",
        L.CIVILIZED_CITY,
        "lc_wangmang",
        ("平安晋城建设",),
        (G.PUBLIC, G.TOURISTS),
        N.FIRE,
        "与护林员一起沿王莽岭景区外围防火通道巡护，清理可燃物，劝导游客不带火种进山。"
        "报名截止于活动前一天18:00，以便为全部志愿者投保。",
        "山路陡峭、天气多变，巡护全程约12公里，请身体健康、能走山路者报名，"
        "穿登山鞋、带足饮水。发现火情只报告、不扑救，听从护林员指挥。"
        "本活动已为志愿者投保人身意外伤害险；未满18周岁者不能参加。",
        ((3, "08:00", "16:00", 10), (10, "08:00", "16:00", 10), (17, "08:00", "16:00", 10)),
        risky=True,
        min_age=18,
        max_age=55,
        closes_day_before=True,
        cancel_hours=24,
        radius=1000,
        fill=0.5,
    ),
    Spec(
        "党的创新理论宣讲进社区（凭邀请码报名）",
        "市直工委",
        L.CIVILIZATION_PRACTICE,
        "jc_beijie",
        ("理论宣讲", "政策宣讲"),
        (G.RESIDENTS,),
        N.CIVILITY,
        "市直机关宣讲志愿者走进书院街社区开展小型化、互动式理论宣讲。"
        "邀请码由各机关党组织发给本单位报名的干部。",
        RISK_INDOOR,
        ((6, "15:00", "17:00", 8),),
        code="SZGW2026",
        fill=0.35,
    ),
    Spec(
        "皇城相府周末文明旅游志愿服务",
        "阳城县新时代文明实践中心",
        L.NATURE,
        "yc_huangcheng",
        ("文明旅游引导", "捡拾白色垃圾"),
        (G.TOURISTS,),
        N.TOURISM,
        "周末在皇城相府景区入口和停车场引导游客、提供咨询、劝阻不文明行为。第一场已报满，"
        "可以排队候补，有人取消时按先后顺序递补。",
        RISK_SCENIC,
        (("sat0", "08:30", "12:00", 4), ("sat1", "08:30", "12:00", 6)),
        radius=800,
        fill=1.0,
        waiting=3,
    ),
    Spec(
        "高平东站旅客咨询引导",
        "高平市新时代文明实践中心",
        L.PUBLIC_PLACES,
        "gp_station",
        ("咨询指引", "便民服务"),
        (G.PUBLIC,),
        N.TRAFFIC,
        "周末客流高峰在高平东站为旅客提供乘车咨询、行李搬运和重点旅客帮扶。",
        RISK_CROWD,
        (
            ("sat0", "08:00", "12:00", 4),
            ("sun0", "14:00", "18:00", 4),
            ("sat1", "08:00", "12:00", 4),
        ),
        fill=0.5,
    ),
    Spec(
        "沁河河道清洁行动",
        "沁水县新时代文明实践中心",
        L.NATURE,
        "qs_river",
        ("捡拾白色垃圾", "清除卫生死角"),
        (G.PUBLIC,),
        N.ENVIRONMENT,
        "沿沁河滨河公园河岸捡拾白色垃圾、清理卫生死角，向散步的市民宣传河道保护。",
        RISK_OUTDOOR + "不下河、不靠近水边陡坡。",
        (("sat1", "08:30", "11:00", 20),),
        fill=0.3,
    ),
    Spec(
        "社区传染病防控知识宣传和环境清洁",
        "西上庄街道新时代文明实践所",
        L.EPIDEMIC,
        "jc_xsz",
        ("宣传教育", "环境清洁", "区域消毒"),
        (G.RESIDENTS, G.ELDERLY_ALONE),
        N.HEALTH,
        "在西上庄社区宣传呼吸道传染病防护知识，清洁消毒楼道扶手、电梯按键等公共区域。",
        RISK_EPIDEMIC,
        ((5, "09:00", "11:30", 10),),
        fill=0.4,
    ),
    Spec(
        "留守儿童周末课业辅导",
        "阳城县新时代文明实践中心",
        L.GRASSROOTS_CARE,
        "yc_fengcheng",
        ("助学帮扶",),
        (G.LEFT_BEHIND_CHILDREN,),
        N.EDUCATION,
        "在东关社区新时代文明实践站为留守儿童辅导作业、陪伴阅读。志愿者须年满18周岁。",
        RISK_INDOOR + "志愿者不得单独与儿童相处，活动结束后将儿童交给家长。",
        (
            ("sun0", "14:30", "17:00", 6),
            ("sun1", "14:30", "17:00", 6),
            ("sun2", "14:30", "17:00", 6),
        ),
        min_age=18,
        fill=0.5,
    ),
    Spec(
        "政策宣讲进村",
        "陵川县新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "lc_square",
        ("政策宣讲",),
        (G.RESIDENTS,),
        N.CIVILITY,
        "宣讲志愿者用群众听得懂的话讲解医保、养老、农业补贴等惠民政策，现场答疑。",
        RISK_INDOOR,
        ((8, "09:00", "11:30", 6),),
        fill=0.5,
    ),
    Spec(
        "“文明晋城·健步同行”志愿服务宣传",
        "城区新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "jc_baima",
        ("健身体育", "文化服务"),
        (G.PUBLIC,),
        N.SPORTS,
        "沿白马寺山环山步道健步走，沿途宣传文明行为和全民健身。",
        RISK_OUTDOOR,
        (("sat0", "08:30", "11:00", 30),),
        fill=0.3,
        state="cancelled",
        cancel_reason="天气预报活动当天有大风降温，为保证志愿者和群众安全，本次活动取消，改期另行通知。",
    ),
    Spec(
        "炎帝陵景区讲解志愿服务（筹备中）",
        "高平市新时代文明实践中心",
        L.NATURE,
        "gp_yandi",
        ("文明旅游引导",),
        (G.TOURISTS,),
        N.TOURISM,
        "招募讲解志愿者，经培训后在炎帝陵景区为游客讲解炎帝文化。讲解词和培训安排待定。",
        RISK_SCENIC,
        (),
        state="draft",
    ),
    Spec(
        "“学雷锋纪念日”集中志愿服务活动（筹备）",
        "晋城市新时代文明实践中心",
        L.CIVILIZATION_PRACTICE,
        "jc_square",
        ("理论宣讲", "文化服务"),
        (G.PUBLIC,),
        N.CIVILITY,
        "下一个学雷锋纪念日全市集中志愿服务活动的筹备稿：启动仪式、服务摊位和各县（市、区）"
        "分会场安排待定。",
        RISK_CROWD,
        (("leifeng", "08:30", "11:30", 40),),
        state="draft",
    ),
]


@dataclass(frozen=True)
class StationSpec:
    """A station; patterns are (weekdays, start, end, quota)."""

    name: str
    org: str
    kind: str
    host: str
    place: str
    hours: str
    services: tuple[str, ...]
    patterns: tuple[tuple[tuple[int, ...], str, str, int], ...]
    note: str = ""
    phone: str = ""
    radius: int = 300
    wang: bool = False


WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
DAILY = (0, 1, 2, 3, 4, 5, 6)

STATIONS: list[StationSpec] = [
    # 城区
    StationSpec(
        "晋城市政务服务中心学雷锋志愿服务站",
        "晋城市新时代文明实践中心",
        P.GOVERNMENT_HALL,
        "晋城市行政审批服务管理局",
        "jc_hall",
        "周一至周五 9:00–12:00，14:00–17:30",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.UMBRELLA, S.CHARGING),
        ((WEEKDAYS, "09:00", "12:00", 2), (WEEKDAYS, "14:00", "17:30", 2)),
        note="帮办代办、复印填表指导",
        phone="0356-2196000",
    ),
    StationSpec(
        "晋城站学雷锋志愿服务站",
        "志爱晋城志愿服务总队",
        P.STATION,
        "晋城站",
        "jc_station",
        "每日 7:30–11:30，周末 14:00–18:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.WHEELCHAIR, S.FIRST_AID, S.REST),
        ((DAILY, "07:30", "11:30", 2), (WEEKEND, "14:00", "18:00", 2)),
        note="重点旅客帮扶、行李搬运",
        phone="0356-2026110",
        radius=500,
    ),
    StationSpec(
        "泽州路凤台街口文明交通志愿服务岗",
        "城区文明交通志愿服务队",
        P.CROSSROADS,
        "晋城市公安局交通警察支队城区大队",
        "jc_cross",
        "工作日 7:30–9:00，17:30–19:00",
        (S.GUIDANCE, S.UMBRELLA),
        ((WEEKDAYS, "07:30", "09:00", 3), (WEEKDAYS, "17:30", "19:00", 3)),
        note="文明交通劝导",
    ),
    StationSpec(
        "晋城市人民医院学雷锋志愿服务站",
        "城区新时代文明实践中心",
        P.HOSPITAL,
        "晋城市人民医院",
        "jc_hospital",
        "周一至周六 8:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.WHEELCHAIR, S.DRINKING_WATER, S.CHARGING),
        (((0, 1, 2, 3, 4, 5), "08:00", "12:00", 2),),
        note="自助挂号、缴费机使用指导",
        phone="0356-2198120",
    ),
    StationSpec(
        "晋城百货大楼学雷锋志愿服务站",
        "城区志愿服务总队",
        P.MALL,
        "晋城百货大楼",
        "jc_mall",
        "周六、周日 10:00–18:00",
        (S.CONSULTATION, S.GUIDANCE, S.UMBRELLA, S.CHARGING, S.REST),
        ((WEEKEND, "10:00", "13:00", 2), (WEEKEND, "14:00", "18:00", 2)),
    ),
    StationSpec(
        "西上庄公交枢纽站学雷锋志愿服务岗",
        "西上庄街道新时代文明实践所",
        P.BUS_STOP,
        "晋城市公共交通有限责任公司",
        "jc_bus",
        "工作日 7:00–9:00",
        (S.GUIDANCE, S.UMBRELLA, S.DRINKING_WATER),
        ((WEEKDAYS, "07:00", "09:00", 2),),
        note="乘车线路咨询、老人乘车帮扶",
    ),
    # 泽州县
    StationSpec(
        "泽州县政务服务中心学雷锋志愿服务站",
        "泽州县新时代文明实践中心",
        P.GOVERNMENT_HALL,
        "泽州县行政审批服务管理局",
        "zz_hall",
        "周一至周五 9:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.CHARGING),
        ((WEEKDAYS, "09:00", "12:00", 2),),
        note="帮办代办",
    ),
    StationSpec(
        "珏山景区学雷锋志愿服务站",
        "泽州县志愿服务总队",
        P.SCENIC_SPOT,
        "珏山风景名胜区管理中心",
        "zz_jueshan",
        "周六、周日 9:00–17:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.FIRST_AID, S.REST),
        ((WEEKEND, "09:00", "12:00", 3), (WEEKEND, "13:30", "17:00", 3)),
        note="文明旅游引导、失物招领",
        radius=800,
    ),
    StationSpec(
        "巴公镇汽车站学雷锋志愿服务岗",
        "巴公镇新时代文明实践所",
        P.STATION,
        "巴公镇汽车站",
        "zz_bagong_bus",
        "周六、周日 8:00–11:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.UMBRELLA),
        ((WEEKEND, "08:00", "11:00", 2),),
        wang=True,
    ),
    StationSpec(
        "泽州县人民医院学雷锋志愿服务站",
        "南村镇新时代文明实践所",
        P.HOSPITAL,
        "泽州县人民医院",
        "zz_hospital",
        "周一至周五 8:00–11:30",
        (S.CONSULTATION, S.GUIDANCE, S.WHEELCHAIR, S.DRINKING_WATER),
        ((WEEKDAYS, "08:00", "11:30", 2),),
    ),
    # 高平市
    StationSpec(
        "高平市政务服务中心学雷锋志愿服务站",
        "高平市新时代文明实践中心",
        P.GOVERNMENT_HALL,
        "高平市行政审批服务管理局",
        "gp_hall",
        "周一至周五 9:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.CHARGING),
        ((WEEKDAYS, "09:00", "12:00", 2),),
    ),
    StationSpec(
        "高平东站学雷锋志愿服务站",
        "高平市新时代文明实践中心",
        P.STATION,
        "高平东站",
        "gp_station",
        "每日 8:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.WHEELCHAIR, S.DRINKING_WATER, S.FIRST_AID),
        ((DAILY, "08:00", "12:00", 2),),
        radius=500,
    ),
    StationSpec(
        "炎帝陵景区学雷锋志愿服务站",
        "高平市新时代文明实践中心",
        P.SCENIC_SPOT,
        "炎帝陵景区管理处",
        "gp_yandi",
        "周六、周日 9:00–16:30",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.FIRST_AID),
        ((WEEKEND, "09:00", "12:00", 2), (WEEKEND, "13:30", "16:30", 2)),
        radius=800,
    ),
    StationSpec(
        "高平市人民广场学雷锋志愿服务站",
        "北城街道新时代文明实践所",
        P.SQUARE,
        "高平市北城街道办事处",
        "gp_square",
        "周六、周日 18:30–20:30",
        (S.CONSULTATION, S.DRINKING_WATER, S.FIRST_AID, S.REST),
        ((WEEKEND, "18:30", "20:30", 2),),
    ),
    # 阳城县
    StationSpec(
        "皇城相府景区学雷锋志愿服务站",
        "阳城县新时代文明实践中心",
        P.SCENIC_SPOT,
        "皇城相府（集团）旅游有限公司",
        "yc_huangcheng",
        "周五至周日 8:30–17:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.FIRST_AID, S.WHEELCHAIR, S.REST),
        (((4, 5, 6), "08:30", "12:00", 3), ((4, 5, 6), "13:30", "17:00", 3)),
        note="文明旅游引导、失物招领",
        radius=800,
    ),
    StationSpec(
        "蟒河景区学雷锋志愿服务站",
        "阳城县新时代文明实践中心",
        P.SCENIC_SPOT,
        "蟒河生态旅游区管理处",
        "yc_manghe",
        "周六、周日 9:00–15:00",
        (S.CONSULTATION, S.GUIDANCE, S.FIRST_AID),
        ((WEEKEND, "09:00", "15:00", 2),),
        radius=800,
    ),
    StationSpec(
        "阳城县汽车站学雷锋志愿服务站",
        "阳城县新时代文明实践中心",
        P.STATION,
        "阳城县汽车站",
        "yc_bus",
        "每日 7:30–10:30",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.UMBRELLA),
        ((DAILY, "07:30", "10:30", 2),),
    ),
    StationSpec(
        "阳城县人民医院学雷锋志愿服务站",
        "阳城县新时代文明实践中心",
        P.HOSPITAL,
        "阳城县人民医院",
        "yc_hospital",
        "周一至周五 8:00–11:30",
        (S.CONSULTATION, S.GUIDANCE, S.WHEELCHAIR),
        ((WEEKDAYS, "08:00", "11:30", 1),),
    ),
    # 陵川县
    StationSpec(
        "王莽岭景区学雷锋志愿服务站",
        "陵川县新时代文明实践中心",
        P.SCENIC_SPOT,
        "王莽岭景区管理中心",
        "lc_wangmang",
        "周六、周日 9:00–16:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.FIRST_AID, S.REST),
        ((WEEKEND, "09:00", "16:00", 3),),
        note="护林防火宣传",
        radius=800,
    ),
    StationSpec(
        "陵川县政务服务中心学雷锋志愿服务站",
        "陵川县新时代文明实践中心",
        P.GOVERNMENT_HALL,
        "陵川县行政审批服务管理局",
        "lc_hall",
        "周一至周五 9:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER),
        ((WEEKDAYS, "09:00", "12:00", 1),),
    ),
    StationSpec(
        "陵川县人民广场学雷锋志愿服务站",
        "陵川县新时代文明实践中心",
        P.SQUARE,
        "陵川县崇文镇人民政府",
        "lc_square",
        "周六、周日 9:00–11:30",
        (S.CONSULTATION, S.DRINKING_WATER, S.FIRST_AID),
        ((WEEKEND, "09:00", "11:30", 2),),
    ),
    # 沁水县
    StationSpec(
        "沁水县汽车站学雷锋志愿服务站",
        "沁水县新时代文明实践中心",
        P.STATION,
        "沁水县汽车站",
        "qs_bus",
        "每日 7:30–10:30",
        (S.CONSULTATION, S.GUIDANCE, S.DRINKING_WATER, S.UMBRELLA),
        ((DAILY, "07:30", "10:30", 2),),
    ),
    StationSpec(
        "沁水县政务服务中心学雷锋志愿服务站",
        "沁水县新时代文明实践中心",
        P.GOVERNMENT_HALL,
        "沁水县行政审批服务管理局",
        "qs_hall",
        "周一至周五 9:00–12:00",
        (S.CONSULTATION, S.GUIDANCE, S.CHARGING),
        ((WEEKDAYS, "09:00", "12:00", 1),),
    ),
    StationSpec(
        "柳氏民居景区学雷锋志愿服务站",
        "沁水县新时代文明实践中心",
        P.SCENIC_SPOT,
        "柳氏民居景区管理处",
        "qs_liushi",
        "周六、周日 9:00–16:00",
        (S.CONSULTATION, S.GUIDANCE, S.FIRST_AID),
        ((WEEKEND, "09:00", "16:00", 2),),
        radius=800,
    ),
    StationSpec(
        "沁河滨河公园学雷锋志愿服务站",
        "沁水县新时代文明实践中心",
        P.PARK,
        "沁水县园林绿化服务中心",
        "qs_river",
        "周六、周日 8:00–11:00",
        (S.DRINKING_WATER, S.FIRST_AID, S.REST),
        ((WEEKEND, "08:00", "11:00", 2),),
    ),
]

ROSTER_PAST_DAYS = 14
ROSTER_AHEAD_DAYS = 27  # today and the next four weeks

# Who creates what: the first of these demo log-ins who may manage the organiser.
STAFF_USERS = (
    "zezhou_leader",
    "city_leader",
    "zezhou_staff",
    "chengqu_admin",
    "zezhou_admin",
    "city_staff",
    "city_admin",
)


@dataclass
class Loaded:
    activities: int = 0
    finished: int = 0
    recruiting: int = 0
    cancelled: int = 0
    drafts: int = 0
    stations: int = 0
    duty_shifts: int = 0
    signups: int = 0
    attendances: int = 0
    flagged: int = 0


@dataclass
class _Planned:
    """Sign-ups for one activity or station, written together (see _Loader.write)."""

    signups: list[Signup] = field(default_factory=list)
    moments: list[datetime] = field(default_factory=list)
    # For a past shift: "present", "no_show" or "forgot" per confirmed sign-up.
    attendance: list[tuple[Signup, str]] = field(default_factory=list)


def _at(day: date, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _coming_day(today: date, offset: Any) -> date:
    """An int: that many days ahead. "sat0", "sun1" …: the first, second … Saturday or Sunday
    at least two days ahead. "leifeng": the next 3/5 at least a month ahead."""
    if isinstance(offset, int):
        return today + timedelta(days=offset)
    if offset == "leifeng":
        year = today.year if today < date(today.year, 2, 5) else today.year + 1
        return date(year, 3, 5)
    weekday = {"sat": 5, "sun": 6}[offset[:3]]
    first = today + timedelta(days=2)
    first += timedelta(days=(weekday - first.weekday()) % 7)
    return first + timedelta(weeks=int(offset[3:]))


def _shuffled(rng: random.Random, items: list[Any]) -> Any:
    """`items` in random order, drawn one by one as they are needed (Fisher–Yates)."""
    for i in range(len(items)):
        j = rng.randrange(i, len(items))
        items[i], items[j] = items[j], items[i]
        yield items[i]


class _Loader:
    def __init__(self, actor: User, now: datetime) -> None:
        self.root = actor
        self.now = now
        self.today = timezone.localdate(now)
        self.loaded = Loaded()
        self.orgs = {org.name: org for org in Organisation.objects.filter(is_active=True)}
        self.staff = list(User.objects.filter(username__in=STAFF_USERS, is_active=True))
        self.staff.sort(key=lambda user: STAFF_USERS.index(user.username))
        self.actors: dict[int, User] = {}
        codes = {code for code, *_rest in PLACES.values()}
        self.regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        self.items = {(i.campaign_line, i.name): i for i in ServiceItem.objects.all()}
        self.skills = {s.name: s for s in Skill.objects.all()}
        # Registered by their organisations (no account): the people the demo signs up.
        self.people = list(
            Volunteer.objects.filter(
                status=Volunteer.Status.ACTIVE, user__isnull=True, birth_date__isnull=False
            )
            .select_related("residence")
            .order_by("pk")
        )
        self.by_county: dict[str, list[Volunteer]] = {}
        for volunteer in self.people:
            self.by_county.setdefault(volunteer.residence.code[:6], []).append(volunteer)
        self.outside: dict[str, list[Volunteer]] = {}
        # 王小雷, who registered himself (volunteers/demo.py): he signs up through the services.
        self.wang = (
            Volunteer.objects.filter(
                document_hash=volunteer_services.document_key(
                    DocumentType.RESIDENT_ID, volunteer_demo.DEMO_DOCUMENT
                ),
                user__isnull=False,
                status=Volunteer.Status.ACTIVE,
            )
            .select_related("user")
            .first()
        )
        # Everyone's shifts, so that nobody is given two at the same time.
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}
        for volunteer_id, starts_at, ends_at in Signup.objects.filter(
            status__in=Signup.ACTIVE
        ).values_list("volunteer_id", "shift__starts_at", "shift__ends_at"):
            self.busy.setdefault(volunteer_id, []).append((starts_at, ends_at))
        self.backdated: list[tuple[Signup, datetime]] = []
        self.forgot_one = Attendance.objects.filter(needs_review=True).exists()

    # --- helpers -------------------------------------------------------------------------

    def actor(self, org: Organisation) -> User:
        if org.pk not in self.actors:
            self.actors[org.pk] = next(
                (user for user in self.staff if access.can(user, access.MANAGE, org)), self.root
            )
        return self.actors[org.pk]

    def place(self, key: str) -> dict[str, Any]:
        code, address, latitude, longitude = PLACES[key]
        return {
            "address": address,
            "township": self.regions.get(code),
            "latitude": Decimal(latitude),
            "longitude": Decimal(longitude),
        }

    def free(self, volunteer_id: int, shift: Shift) -> bool:
        return not any(
            start < shift.ends_at and shift.starts_at < end
            for start, end in self.busy.get(volunteer_id, ())
        )

    def pick(
        self,
        rng: random.Random,
        shift: Shift,
        county: str,
        count: int,
        moment: datetime,
        *,
        taken: set[int],
    ) -> list[Volunteer]:
        """`count` adults who may take this shift at `moment` (services.signup_problem says
        so) and are free then: people of the county first, a few from elsewhere."""
        activity = shift.activity
        pool = self.by_county.get(county, [])
        if county not in self.outside:
            self.outside[county] = [v for v in self.people if v.residence.code[:6] != county]
        others = self.outside[county]
        if activity.join_rule == Activity.JoinRule.TEAMS:
            members = set(
                TeamMembership.objects.filter(team__in=activity.teams.all()).values_list(
                    "volunteer_id", flat=True
                )
            )
            pool = [v for v in self.people if v.pk in members]
            others = []
        required = [skill.pk for skill in activity.skills.all()]
        if required:
            able = None
            for skill_id in required:
                having = set(
                    Volunteer.skills.through.objects.filter(skill_id=skill_id).values_list(
                        "volunteer_id", flat=True
                    )
                )
                able = having if able is None else able & having
            pool = [v for v in pool + others if v.pk in (able or set())]
            others = []
        if activity.volunteer_kinds:
            kinds = set(activity.volunteer_kinds)
            pool = [v for v in pool if kinds & set(v.kinds)]
            others = [v for v in others if kinds & set(v.kinds)]
        order = list(pool)
        for volunteer in rng.sample(others, min(len(others), max(1, count // 5))):
            order.insert(rng.randrange(len(order) + 1), volunteer)
        day = timezone.localdate(shift.starts_at)
        chosen: list[Volunteer] = []
        for volunteer in _shuffled(rng, order):
            if len(chosen) >= count:
                break
            if volunteer.pk in taken or volunteer.is_minor(day):
                continue
            if not self.free(volunteer.pk, shift):
                continue
            code = activity.invitation_code
            if services.signup_problem(volunteer, shift, invitation_code=code, now=moment):
                continue
            chosen.append(volunteer)
            taken.add(volunteer.pk)
            self.busy.setdefault(volunteer.pk, []).append((shift.starts_at, shift.ends_at))
        return chosen

    def shifts_of(self, activity: Activity) -> list[Shift]:
        """The shifts with their activity, its skills and teams loaded once, for
        signup_problem."""
        activity = Activity.objects.prefetch_related("skills", "teams").get(pk=activity.pk)
        shifts = list(activity.shifts.order_by("starts_at"))
        for shift in shifts:
            shift.activity = activity
        return shifts

    def plan_past(
        self,
        rng: random.Random,
        shift: Shift,
        county: str,
        opened: datetime,
        plan: _Planned,
        *,
        recent: bool = False,
    ) -> None:
        """Sign-ups of a shift that is over, made between `opened` and two hours before the
        start, with what happened on the day. In a `recent` one somebody forgets to check
        out (once in the demo), for the organiser to review."""
        span = max((shift.starts_at - timedelta(hours=2) - opened).total_seconds(), 60)
        wanted = max(1, round((shift.quota - shift.confirmed) * rng.uniform(0.7, 1.0)))
        moment = opened + timedelta(seconds=span * rng.uniform(0.1, 0.9))
        taken: set[int] = set()
        for volunteer in self.pick(rng, shift, county, wanted, moment, taken=taken):
            at = opened + timedelta(seconds=span * rng.random())
            if rng.random() < 0.04:  # cancelled in time, with a reason
                signup = self.signup(shift, volunteer, at, Signup.Status.CANCELLED)
                signup.cancelled_at = at + timedelta(hours=rng.randint(2, 30))
                signup.cancel_reason = rng.choice(CANCEL_REASONS)
                plan.signups.append(signup)
                plan.moments.append(at)
                continue
            signup = self.signup(shift, volunteer, at, Signup.Status.CONFIRMED)
            plan.signups.append(signup)
            plan.moments.append(at)
            if recent and not self.forgot_one and len(plan.attendance) == 3:
                outcome = "forgot"
                self.forgot_one = True
            else:
                outcome = "no_show" if rng.random() < 0.06 else "present"
            plan.attendance.append((signup, outcome))

    def plan_coming(
        self,
        rng: random.Random,
        shift: Shift,
        county: str,
        share: float,
        waiting: int,
        opened: datetime,
        plan: _Planned,
    ) -> None:
        """Sign-ups of a shift still ahead, made between `opened` and now."""
        places = shift.quota - shift.confirmed
        wanted = min(places, round(shift.quota * share * rng.uniform(0.7, 1.15)))
        if share >= 1:
            wanted = places
        span = max((self.now - opened).total_seconds(), 60)
        latest = self.now - timedelta(minutes=5)
        taken: set[int] = set()
        chosen = self.pick(rng, shift, county, wanted + waiting, latest, taken=taken)
        moments = sorted(opened + timedelta(seconds=span * rng.random()) for _ in chosen)
        for index, (volunteer, at) in enumerate(zip(chosen, moments, strict=True)):
            status = Signup.Status.CONFIRMED if index < wanted else Signup.Status.WAITLISTED
            plan.signups.append(self.signup(shift, volunteer, min(at, latest), status))
            plan.moments.append(min(at, latest))

    @staticmethod
    def signup(shift: Shift, volunteer: Volunteer, at: datetime, status: str) -> Signup:
        return Signup(
            shift=shift,
            volunteer=volunteer,
            status=status,
            risk_notice_read_at=at,
            confirmed_at=at if status == Signup.Status.CONFIRMED else None,
        )

    def write(self, rng: random.Random, plan: _Planned) -> None:
        """The demo volunteers were registered by their organisations and have no accounts, and
        services.signup_create signs up only the volunteer who is logged in (art. 25), so their
        sign-ups are written here with the fields signup_create sets, after signup_problem
        allowed each one. Past attendance is written with the fields services._check sets
        (roster_check could back-date it, but at two calls per person it would make the demo
        slow); 王小雷's goes through the services. A forgotten check-out is left open for
        attendances_close_forgotten."""
        if not plan.signups:
            return
        Signup.objects.bulk_create(plan.signups, batch_size=500)
        self.backdated += list(zip(plan.signups, plan.moments, strict=True))
        taken = Counter(s.shift_id for s in plan.signups if s.status == Signup.Status.CONFIRMED)
        for shift_id, count in taken.items():
            Shift.objects.filter(pk=shift_id).update(confirmed=F("confirmed") + count)
        rows = []
        for signup, outcome in plan.attendance:
            shift = signup.shift
            row = Attendance(signup=signup, shift=shift, volunteer=signup.volunteer)
            if outcome == "no_show":
                row.status = Attendance.Status.NO_SHOW
            else:
                method = Attendance.Method.QR if rng.random() < 0.8 else Attendance.Method.ROSTER
                row.checked_in_at = shift.starts_at + timedelta(minutes=rng.randint(-25, 8))
                row.check_in_method = method
                if outcome == "present":
                    row.checked_out_at = shift.ends_at + timedelta(minutes=rng.randint(-8, 20))
                    row.check_out_method = method
            rows.append(row)
        Attendance.objects.bulk_create(rows, batch_size=500)
        self.loaded.signups += len(plan.signups)
        self.loaded.attendances += len(rows)

    def wang_signup(self, shift: Shift, at: datetime) -> Signup | None:
        """王小雷 signs himself up, through the service, as he would on his phone."""
        wang = self.wang
        if wang is None or wang.user is None or not self.free(wang.pk, shift):
            return None
        if services.signup_problem(wang, shift, now=at):
            return None
        signup = services.signup_create(
            actor=wang.user, volunteer=wang, shift=shift, risk_notice_read=True, now=at
        )
        self.busy.setdefault(wang.pk, []).append((shift.starts_at, shift.ends_at))
        self.backdated.append((signup, at))
        self.loaded.signups += 1
        return signup

    def wang_attend(self, signup: Signup, shift: Shift, how: str, organiser: User) -> None:
        """He checks in and out by scanning the organiser's code, or the organiser ticks him
        on the roster: the services, at the times it happened."""
        wang = self.wang
        assert wang is not None and wang.user is not None
        came = shift.starts_at - timedelta(minutes=12)
        left = shift.ends_at + timedelta(minutes=6)
        if how == "qr":
            for moment, out in ((came, False), (left, True)):
                services.check_by_code(
                    actor=wang.user,
                    volunteer=wang,
                    token=services.qr_token(shift, now=moment),
                    check_out=out,
                    now=moment,
                )
        else:
            services.roster_check(actor=organiser, signup=signup, check_out=False, now=came)
            services.roster_check(actor=organiser, signup=signup, check_out=True, now=left)
        self.loaded.attendances += 1

    # --- activities ----------------------------------------------------------------------

    def activity(self, spec: Spec, year: int | None) -> None:
        org = self.orgs.get(spec.org)
        if org is None:
            return
        title = f"{year}年{spec.title}" if year else spec.title
        if Activity.objects.filter(organisation=org, title=title, station__isnull=True).exists():
            return
        rng = random.Random(f"{SEED}:{title}")
        actor = self.actor(org)
        if year:
            node = NODES[year][spec.node]
            times = [
                (_at(node + timedelta(days=d), a), _at(node + timedelta(days=d), b), q)
                for d, a, b, q in spec.shifts
            ]
        else:
            times = [
                (_at(_coming_day(self.today, d), a), _at(_coming_day(self.today, d), b), q)
                for d, a, b, q in spec.shifts
            ]
        data: dict[str, Any] = {
            "title": title,
            "description": spec.description.format(n=(year or self.today.year) - LEIFENG_DAY_SINCE),
            "campaign_line": spec.line,
            "served_groups": list(spec.groups),
            "national_category": spec.category,
            "contact_name": rng.choice(CONTACTS),
            "contact_phone": f"0356-{rng.randint(2020000, 6999999)}",
            **self.place(spec.place),
            "checkin_radius_m": spec.radius,
            "require_location": spec.require_location,
            "cancel_hours_before": spec.cancel_hours,
            "join_rule": (
                Activity.JoinRule.TEAMS
                if spec.teams
                else Activity.JoinRule.CODE
                if spec.code
                else Activity.JoinRule.EVERYONE
            ),
            "invitation_code": spec.code,
            "min_age": spec.min_age,
            "max_age": spec.max_age,
            "volunteer_kinds": list(spec.kinds),
            "risk_notice": spec.risk,
            "risky": spec.risky,
            "service_items": [
                self.items[(spec.line, name)]
                for name in spec.items
                if (spec.line, name) in self.items
            ],
            "teams": [self.orgs[name] for name in spec.teams if name in self.orgs],
            "skills": [self.skills[name] for name in spec.skills if name in self.skills],
        }
        if spec.teams and not data["teams"]:
            return
        if spec.closes_day_before and times:
            data["signup_closes_at"] = _at(
                timezone.localdate(times[0][0]) - timedelta(days=1), "18:00"
            )
        if spec.risky and times:
            data.update(
                insurer=INSURER,
                policy_number=f"PEAC{self.today.year}1405{rng.randrange(10**8):08d}",
                insured_from=timezone.localdate(times[0][0]),
                insured_until=timezone.localdate(times[-1][1]),
            )
        activity = services.activity_save(actor=actor, organisation=org, data=data)
        for starts_at, ends_at, quota in times:
            note = (
                "全天"
                if ends_at - starts_at >= timedelta(hours=6)
                else "上午场"
                if starts_at.hour < 12
                else "下午场"
                if starts_at.hour < 18
                else "晚场"
            )
            services.shift_add(
                actor=actor,
                activity=activity,
                starts_at=starts_at,
                ends_at=ends_at,
                quota=quota,
                note=note if len(times) > 1 else "",
            )
        self.loaded.activities += 1
        if spec.state == "draft":
            self.loaded.drafts += 1
            return
        over = bool(times) and times[-1][1] <= self.now
        if over:
            published = _at(timezone.localdate(times[0][0]), "10:00") - timedelta(
                days=rng.randint(7, 12)
            )
        else:
            published = self.now - timedelta(days=rng.randint(2, 6), minutes=rng.randrange(600))
        # The activity was made before it was published (the row is made now, by the demo).
        Activity.objects.filter(pk=activity.pk).update(
            created_at=min(published - timedelta(hours=rng.randint(2, 48)), self.now)
        )
        services.activity_publish(actor=actor, activity=activity, now=published)
        county = PLACES[spec.place][0][:6]
        shifts = self.shifts_of(activity)
        plan = _Planned()
        mine: list[tuple[Signup, Shift]] = []
        # 王小雷 registered himself this year: his sign-ups are this year's.
        if spec.wang and shifts and (year is None or year == YEARS[-1]):
            if over:
                at = published + timedelta(hours=20)
            else:
                at = max(published + timedelta(hours=1), self.now - timedelta(hours=20))
            signup = self.wang_signup(shifts[0], at)
            if signup is not None:
                shifts[0].confirmed += 1
                mine.append((signup, shifts[0]))
        for index, shift in enumerate(shifts):
            if shift.ends_at <= self.now:
                self.plan_past(rng, shift, county, published, plan)
            else:
                # Only the first shift is full (with its waiting list); the others have room.
                waiting = spec.waiting if index == 0 else 0
                share = spec.fill if index == 0 else min(spec.fill, 0.5)
                self.plan_coming(rng, shift, county, share, waiting, published, plan)
        self.write(rng, plan)
        if spec.state == "cancelled":
            services.activity_cancel(actor=actor, activity=activity, reason=spec.cancel_reason)
            self.loaded.cancelled += 1
        elif over:
            services.activity_finish(actor=actor, activity=activity)
            for signup, shift in mine:
                self.wang_attend(signup, shift, spec.wang, actor)
            self.loaded.finished += 1
        else:
            self.loaded.recruiting += 1

    # --- stations ------------------------------------------------------------------------

    def station(self, spec: StationSpec) -> None:
        org = self.orgs.get(spec.org)
        if org is None:
            return
        actor = self.actor(org)
        station = Station.objects.filter(name=spec.name).first()
        new = station is None
        if station is None:
            station = services.station_save(
                actor=actor,
                organisation=org,
                data={
                    "name": spec.name,
                    "place_kind": spec.kind,
                    "host_unit": spec.host,
                    **self.place(spec.place),
                    "checkin_radius_m": spec.radius,
                    "opening_hours": spec.hours,
                    "services": list(spec.services),
                    "services_note": spec.note,
                    "contact_phone": spec.phone,
                },
            )
            for weekdays, start, end, quota in spec.patterns:
                for weekday in weekdays:
                    services.pattern_add(
                        actor=actor,
                        station=station,
                        weekday=weekday,
                        start_time=time.fromisoformat(start),
                        end_time=time.fromisoformat(end),
                        quota=quota,
                    )
            self.loaded.stations += 1
        if not station.is_active:
            return
        first = self.today - timedelta(days=ROSTER_PAST_DAYS)
        last = self.today + timedelta(days=ROSTER_AHEAD_DAYS)
        if not self._roster_missing(station, first, last):
            return
        created = services.roster_generate(
            actor=actor, station=station, first_day=first, last_day=last
        )
        self.loaded.duty_shifts += len(created)
        duty = services.station_duty(station, actor)
        if new:
            # The duty roster is published when it is first generated, which is now; the
            # demo's roster began two weeks ago, so its publication is dated then.
            opened = _at(first, "09:00") - timedelta(days=7)
            Activity.objects.filter(pk=duty.pk).update(published_at=opened, created_at=opened)
            duty.published_at = opened
        opened = duty.published_at or self.now
        rng = random.Random(f"{SEED}:{spec.name}:{first}")
        county = PLACES[spec.place][0][:6]
        ids = {shift.pk for shift in created}
        shifts = [shift for shift in self.shifts_of(duty) if shift.pk in ids]
        plan = _Planned()
        mine: list[tuple[Signup, Shift]] = []
        if spec.wang and new:
            past = [
                s
                for s in shifts
                if s.ends_at <= self.now and timezone.localtime(s.starts_at).weekday() == 5
            ]
            if past:
                shift = past[-1]
                signup = self.wang_signup(shift, shift.starts_at - timedelta(days=2, hours=3))
                if signup is not None:
                    shift.confirmed += 1
                    mine.append((signup, shift))
        for shift in shifts:
            if shift.ends_at <= self.now:
                since = max(opened, shift.starts_at - timedelta(days=6))
                self.plan_past(rng, shift, county, since, plan, recent=True)
            elif shift.starts_at > self.now:
                days = (shift.starts_at - self.now).days
                share = 0.75 if days < 7 else 0.45 if days < 14 else 0.2
                self.plan_coming(rng, shift, county, share, 0, opened, plan)
        self.write(rng, plan)
        for signup, shift in mine:
            self.wang_attend(signup, shift, "roster", actor)

    @staticmethod
    def _roster_missing(station: Station, first: date, last: date) -> bool:
        """Whether generating the roster for [first, last] would add a shift (generating
        writes an audit entry even when it adds nothing)."""
        patterns = list(station.patterns.all())
        if not patterns:
            return False
        duty = Activity.objects.filter(station=station).first()
        existing = set(duty.shifts.values_list("starts_at", "ends_at")) if duty else set()
        day = first
        while day <= last:
            for pattern in patterns:
                if pattern.weekday == day.weekday():
                    zone = timezone.get_current_timezone()
                    starts_at = datetime.combine(day, pattern.start_time, tzinfo=zone)
                    ends_at = datetime.combine(day, pattern.end_time, tzinfo=zone)
                    if (starts_at, ends_at) not in existing:
                        return True
            day += timedelta(days=1)
        return False

    def finish(self) -> None:
        # created_at is set on insert (auto_now_add); back-date it to when each one signed up.
        for signup, at in self.backdated:
            signup.created_at = at
        Signup.objects.bulk_update([s for s, _at in self.backdated], ["created_at"], 500)
        # Whoever forgot to check out is closed at the shift's end and flagged, as the
        # periodic job does.
        self.loaded.flagged = services.attendances_close_forgotten(now=self.now)


def activities_load(*, actor: User, now: datetime | None = None) -> Loaded:
    """Load the demo activities, stations and rosters that are missing. `actor` (the
    superuser) acts where no demo staff log-in manages the organiser. Call inside a
    transaction, after the organisations and volunteers."""
    with translation.override(LANGUAGE):
        loader = _Loader(actor, now or timezone.now())
        for year in YEARS:
            for spec in CAMPAIGN:
                if year in spec.years:
                    loader.activity(spec, year)
        for spec in COMING:
            loader.activity(spec, None)
        for station_spec in STATIONS:
            loader.station(station_spec)
        loader.finish()
    return loader.loaded
