"""Demo residents' orders for `manage.py demo` (群众点单、中心派单、志愿者接单、群众评单), after the
hours: every practice center, institute and station of the demo tree publishes its menu (制单);
a register of about 30 people served regularly (空巢老人、留守儿童、困境儿童、残疾人、困难家庭、
居家隔离人员), kept with their consent; and about 60 orders in all six counties and the
development zone, in every state, ordered on a phone (with the SMS code read back from the
delivery, as the resident would) or recorded by staff for people in the register. A low
rating waits for its follow-up (回访), another has it recorded; two orders are escalated.

Who takes an order: the demo volunteers were registered by their organisations and have no
accounts, so the leader or staff of the unit that holds the order takes it naming the member
who serves (services.order_take), a volunteer living in the order's township first; 王小雷,
who has an account, takes open orders in 巴公镇 himself. The served ones check in and out
through services.order_start / order_finish at past times (they accept `now`), and their
attendance is collected into hours claims (hours_load ran before): those of services over a
week ago confirmed in time, as hours_load does for activities, the last week's waiting.

Everything goes through leifeng.demands.services, each call with the past `now` of its
decision, so the orders spread over the last month: a served order came in two to five days
before its service, was verified within hours, dispatched (or opened) within a day and taken
within hours, and rated within days of the service; the others are of an age that suits their
state (AGES), so some of those waiting are overdue now. The two escalated orders came in
ten to twelve days ago and are escalated by running the escalation at a past moment just
after their step's deadline; the served orders never rated are closed 未评价 by the closing
job at a past moment just after the last of their rating windows ended. Random choices come
from random.Random with a fixed seed; a menu item (organisation and title) or a person in the
register (organisation and name) that exists is left alone, and no order is made when a demo
order exists, so loading again adds nothing.
"""

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone, translation

from leifeng.accounts.models import User
from leifeng.activities.codes import ServedGroup as G
from leifeng.activities.models import Signup
from leifeng.core.errors import DomainError
from leifeng.demands import services
from leifeng.demands.models import Beneficiary, Category, MenuItem, Order
from leifeng.hours import services as hours_services
from leifeng.hours.models import HoursClaim
from leifeng.notify.models import Delivery
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers.models import TeamMembership, Volunteer

SEED = 2021
LANGUAGE = "zh-hans"  # the services' notes and SMS texts are made with gettext
S = Order.Status
C = Category

CITY = "晋城市新时代文明实践中心"
KFQ = "开发区新时代文明实践中心"
CHENGQU = "城区新时代文明实践中心"
XSZ = "西上庄街道新时代文明实践所"
XSZ_STATION = "西上庄社区新时代文明实践站"
BSD = "北石店镇新时代文明实践所"
ZEZHOU = "泽州县新时代文明实践中心"
BAGONG = "巴公镇新时代文明实践所"
BAGONG_STATION = "巴公一村新时代文明实践站"
NANCUN = "南村镇新时代文明实践所"
GAOPING = "高平市新时代文明实践中心"
BEICHENG = "北城街道新时代文明实践所"
YANGCHENG = "阳城县新时代文明实践中心"
LINGCHUAN = "陵川县新时代文明实践中心"
QINSHUI = "沁水县新时代文明实践中心"
CITY_CORPS = "志爱晋城志愿服务总队"
CHENGQU_CORPS = "城区志愿服务总队"
ZEZHOU_CORPS = "泽州县志愿服务总队"
WOMEN = "巴公镇巾帼志愿服务队"

# Who acts for an organisation: the first of these demo log-ins who may manage it (the
# superuser otherwise). Leaders first, so that a team's own leader takes its orders.
STAFF_USERS = (
    "zezhou_leader",
    "city_leader",
    "zezhou_staff",
    "chengqu_admin",
    "city_staff",
    "city_admin",
)
# The receiving center's own staff verify, dispatch and record (not a team leader).
DESK_USERS = ("zezhou_staff", "chengqu_admin", "city_staff", "city_admin")

# --- the menus (制单): (category, title, description, where, when) ----------------------------

MENUS: dict[str, list[tuple[str, str, str, str, str]]] = {
    CITY: [
        (
            C.POLICY,
            "惠民政策宣讲进社区",
            "市级宣讲志愿服务队到社区、村讲解医保、养老、就业等惠民政策，可按群众关心的题目备课。",
            "全市各县（市、区）社区、村",
            "每月第一、三周，提前5个工作日预约",
        ),
        (
            C.PERFORMANCE,
            "文艺演出送基层",
            "“志爱晋城”文艺志愿服务队送戏、送歌舞到村和社区，节目以上党梆子、晋城鼓书等本地曲艺为主。",
            "全市各乡镇、社区",
            "节假日前后，提前10天预约",
        ),
        (
            C.COUNSELLING,
            "心理疏导志愿服务",
            "持证心理咨询师志愿者电话或上门陪伴倾听，面向独居老人、困境儿童家庭和居家隔离人员。",
            "晋城市区及各县城区",
            "每周二、四 14:30–17:30，预约",
        ),
        (
            C.REPAIRS,
            "用电安全检查与家电义务维修",
            "国网晋城供电公司志愿者上门检查老旧线路，维修电饭锅、电暖器、洗衣机等常用家电。",
            "晋城市区各社区",
            "每月第二个周六 9:00–12:00，预约上门",
        ),
    ],
    KFQ: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为行动不便的老人和居家隔离人员代购米面油、蔬菜和常用药品，凭小票结算。",
            "开发区街道各社区",
            "工作日 9:00–17:00，提前一天预约",
        ),
        (
            C.CARE,
            "独居老人助洁助餐",
            "志愿者上门打扫卫生、送餐，顺带看看老人身体情况。",
            "开发区街道兰花路、凤鸣等社区",
            "每周一、三、五上午",
        ),
        (
            C.POLICY,
            "企业职工政策咨询",
            "社保、公积金、技能补贴等政策现场答疑，可到企业车间、园区食堂开讲。",
            "开发区各企业、园区",
            "工作日 14:30–17:00，预约",
        ),
    ],
    CHENGQU: [
        (
            C.SHOPPING,
            "代购生活物资",
            "代购米面油、蔬菜水果和常用药品，送货上门，凭小票结算。",
            "城区各街道、北石店镇",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.ERRANDS,
            "代办证件与医保报销",
            "代办老年证、残疾证年审、医保异地备案和门诊慢特病报销等事项。",
            "城区各街道",
            "工作日 8:30–12:00，预约",
        ),
        (
            C.VISITS,
            "空巢老人节日慰问",
            "节日前后上门看望空巢、独居老人，送去慰问品，陪老人拉拉家常。",
            "城区各社区",
            "重要节日前后一周",
        ),
        (
            C.COUNSELLING,
            "青少年心理陪伴",
            "为困境儿童、留守儿童提供课后陪伴、学业辅导和心理疏导。",
            "城区各社区、学校",
            "周六 9:00–11:30",
        ),
        (
            C.PERFORMANCE,
            "社区文艺汇演",
            "城区文艺志愿者到社区广场演出，可结合社区活动编排节目。",
            "城区各社区广场",
            "周末及节假日，提前一周预约",
        ),
    ],
    XSZ: [
        (
            C.CARE,
            "居家养老生活照料",
            "上门理发、洗衣、打扫卫生，陪老人散步、聊天。",
            "西上庄街道各社区",
            "每周二、四、六 9:00–11:30，预约",
        ),
        (
            C.SHOPPING,
            "送药送菜上门",
            "按清单到药店、菜市场代买，当天送到家。",
            "西上庄街道各社区",
            "每天 8:00–18:00，提前半天预约",
        ),
        (
            C.REPAIRS,
            "水电小修",
            "更换水龙头、灯泡、插座等小修小补，材料由群众自备。",
            "西上庄街道",
            "周六、周日 9:00–12:00",
        ),
        (
            C.ERRANDS,
            "代缴水电燃气费",
            "为不会用手机缴费的老人代缴水费、电费、燃气费。",
            "西上庄街道各社区",
            "每月5日—15日，工作日",
        ),
    ],
    XSZ_STATION: [
        (
            C.VISITS,
            "独居老人每周探访",
            "网格员和志愿者每周上门看一看，问问冷暖，查查水电燃气安全。",
            "西上庄社区",
            "每周三下午",
        ),
        (
            C.CARE,
            "助浴理发",
            "志愿者在社区日间照料中心为老人理发、助浴。",
            "西上庄社区",
            "每月第一个周日 9:00–11:00",
        ),
        (
            C.POLICY,
            "防范电信诈骗宣讲",
            "到楼栋讲解常见骗局和养老诈骗的识别方法。",
            "西上庄社区各楼栋",
            "工作日晚 19:00–20:00，预约",
        ),
    ],
    BSD: [
        (
            C.SHOPPING,
            "代购农资和生活物资",
            "代购种子、化肥和生活用品，送到村里。",
            "北石店镇各村",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.REPAIRS,
            "农机和家电义务维修",
            "农机手和电工志愿者上门维修小型农机和家用电器。",
            "北石店镇各村",
            "每月逢五赶集日",
        ),
        (
            C.CARE,
            "留守老人生活照料",
            "上门打扫、做饭、陪老人就医。",
            "北石店镇各村",
            "每周二、五上午，预约",
        ),
        (
            C.POLICY,
            "乡村振兴政策宣讲",
            "讲解种粮补贴、农村医保、雨露计划等政策。",
            "北石店镇各村",
            "每月第二周，村委会预约",
        ),
    ],
    ZEZHOU: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为独居老人、残疾人代购米面油和日用品，送货上门。",
            "泽州县各乡镇（金村镇、南村镇、高都镇等）",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.ERRANDS,
            "代办事项",
            "代办养老资格认证、高龄补贴申领、医保缴费等事项。",
            "泽州县各乡镇",
            "工作日 8:30–17:30，预约",
        ),
        (
            C.COUNSELLING,
            "心理疏导",
            "心理咨询志愿者电话或上门陪伴，面向困境儿童、独居老人和居家隔离人员。",
            "泽州县各乡镇",
            "每周三、五 14:30–17:30，预约",
        ),
        (
            C.VISITS,
            "慰问关怀",
            "看望空巢老人、困难家庭，送去米面油等慰问品。",
            "泽州县各乡镇",
            "节假日前后，或预约",
        ),
        (
            C.POLICY,
            "政策宣讲",
            "到村讲解惠农政策、养老保险和防范电信诈骗。",
            "泽州县各行政村",
            "每月第二、四周，提前5个工作日预约",
        ),
        (
            C.PERFORMANCE,
            "文艺演出进乡村",
            "泽州县文艺志愿者送上党梆子、秧歌和广场舞到村。",
            "泽州县各行政村",
            "节假日，提前10天预约",
        ),
    ],
    BAGONG: [
        (
            C.SHOPPING,
            "代购生活物资",
            "代购米面油、蔬菜和常用药品，送到家里。",
            "巴公镇各村",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.CARE,
            "空巢老人生活照料",
            "巾帼志愿者上门拆洗被褥、打扫卫生、做饭。",
            "巴公镇各村",
            "每周二、四上午，预约",
        ),
        (
            C.REPAIRS,
            "家电维修",
            "电工志愿者上门维修电视、电暖器、洗衣机等。",
            "巴公镇各村",
            "周六 9:00–12:00，预约上门",
        ),
        (
            C.ERRANDS,
            "代办事项",
            "代办社保认证、残疾人补贴申领、医保缴费等。",
            "巴公镇各村",
            "工作日 8:30–17:30",
        ),
        (
            C.COUNSELLING,
            "留守儿童课后陪伴",
            "大学生志愿者周末陪伴留守儿童写作业、读书、做游戏。",
            "巴公镇各村",
            "周六、周日 14:00–17:00",
        ),
    ],
    BAGONG_STATION: [
        (
            C.VISITS,
            "敬老爱老上门探访",
            "志愿者上门陪老人拉家常，帮着干点力所能及的活。",
            "巴公一村",
            "每周六上午",
        ),
        (
            C.SHOPPING,
            "代购代送",
            "到镇上超市、药店代买，送到家。",
            "巴公一村",
            "每天 9:00–18:00，电话预约",
        ),
        (
            C.PERFORMANCE,
            "村晚和广场舞辅导",
            "文艺志愿者帮村里排练节目、辅导广场舞。",
            "巴公一村文化广场",
            "每周二、四晚 19:30–21:00",
        ),
    ],
    NANCUN: [
        (
            C.SHOPPING,
            "代购生活物资",
            "代购米面油、蔬菜和常用药品。",
            "南村镇各村、社区",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.CARE,
            "生活照料",
            "为卧床老人和残疾人家庭上门做饭、打扫、助浴。",
            "南村镇各村",
            "每周一、三、五上午，预约",
        ),
        (
            C.POLICY,
            "政策宣讲",
            "讲解医保、养老和防范电信诈骗，可到村委会或小区开讲。",
            "南村镇各村、社区",
            "提前5个工作日预约",
        ),
        (
            C.VISITS,
            "慰问关怀",
            "看望困难家庭和独居老人。",
            "南村镇各村",
            "节假日前后",
        ),
    ],
    GAOPING: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为独居老人、居家隔离人员代购生活物资和药品。",
            "高平市各乡镇、街道",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.ERRANDS,
            "代办事项",
            "代办养老资格认证、医疗救助申请、残疾人两项补贴等。",
            "高平市各乡镇、街道",
            "工作日 8:30–17:30，预约",
        ),
        (
            C.CARE,
            "生活照料",
            "上门打扫、做饭、理发，陪老人就医。",
            "高平市各乡镇",
            "每周二、四、六上午，预约",
        ),
        (
            C.COUNSELLING,
            "心理疏导",
            "心理咨询志愿者陪伴留守儿童、困境儿童和独居老人。",
            "高平市各乡镇、学校",
            "周六 9:00–11:30，预约",
        ),
        (
            C.PERFORMANCE,
            "文艺演出送基层",
            "高平市文艺志愿者送上党梆子、高平秧歌到村。",
            "高平市各行政村",
            "节假日，提前10天预约",
        ),
    ],
    BEICHENG: [
        (
            C.ERRANDS,
            "代办事项",
            "代办老年证、残疾证年审和医保报销。",
            "北城街道各社区",
            "工作日 8:30–12:00",
        ),
        (
            C.REPAIRS,
            "家电维修",
            "上门维修常用家电，更换灯泡、开关。",
            "北城街道各社区",
            "周六 9:00–12:00，预约上门",
        ),
        (
            C.VISITS,
            "独居老人探访",
            "每周上门看望独居老人，查看水电燃气安全。",
            "北城街道各社区",
            "每周四下午",
        ),
    ],
    YANGCHENG: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为山区独居老人和困难家庭代购生活物资，送货上门。",
            "阳城县各乡镇",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.ERRANDS,
            "代办事项",
            "代办养老资格认证、残疾人补贴、医保缴费等。",
            "阳城县各乡镇",
            "工作日 8:30–17:30，预约",
        ),
        (
            C.COUNSELLING,
            "留守儿童心理关爱",
            "心理咨询志愿者和大学生志愿者陪伴留守儿童。",
            "阳城县各乡镇",
            "周六、周日，预约",
        ),
        (
            C.REPAIRS,
            "家电维修",
            "电工志愿者上门检修线路和家电。",
            "凤城镇及周边乡镇",
            "每周六上午，预约上门",
        ),
        (
            C.POLICY,
            "政策宣讲",
            "讲解惠农政策、医保和养老保险，可到村委会开讲。",
            "阳城县各行政村",
            "提前5个工作日预约",
        ),
    ],
    LINGCHUAN: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为山区独居老人代购米面油、药品，送货上山。",
            "陵川县各乡镇",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.CARE,
            "生活照料",
            "上门打扫、做饭、理发。",
            "陵川县各乡镇",
            "每周二、五上午，预约",
        ),
        (
            C.VISITS,
            "慰问关怀",
            "看望空巢老人和困难家庭，送去慰问品。",
            "陵川县各乡镇",
            "节假日前后，或预约",
        ),
        (
            C.COUNSELLING,
            "留守儿童陪伴",
            "志愿者周末陪伴留守儿童学习、读书。",
            "陵川县各乡镇",
            "周六、周日 14:00–17:00",
        ),
    ],
    QINSHUI: [
        (
            C.SHOPPING,
            "代购生活物资",
            "为独居老人和困难家庭代购生活物资、药品。",
            "沁水县各乡镇",
            "工作日 9:00–17:00，预约",
        ),
        (
            C.CARE,
            "生活照料",
            "上门打扫卫生、拆洗被褥、做饭。",
            "沁水县各乡镇",
            "每周三、六上午，预约",
        ),
        (
            C.COUNSELLING,
            "心理疏导",
            "心理咨询志愿者陪伴困境儿童和独居老人。",
            "沁水县各乡镇",
            "每周五 14:30–17:30，预约",
        ),
        (
            C.REPAIRS,
            "家电维修",
            "电工志愿者上门维修常用家电、检修线路。",
            "龙港镇及周边乡镇",
            "周六 9:00–12:00，预约上门",
        ),
    ],
}

# --- the register: (kept by, name, group, township, address, regular needs, consent) ----------

REGISTER: list[tuple[str, str, str, str, str, str, str]] = [
    # 城区 and the development zone
    (
        XSZ,
        "郭秀英",
        G.ELDERLY_ALONE,
        "140502007",
        "西上庄社区3号楼2单元102",
        "每周代购一次米面蔬菜，陪同就医",
        "本人口头同意，社区网格员见证，2026-03-05",
    ),
    (
        XSZ_STATION,
        "李德福",
        G.ELDERLY_ALONE,
        "140502007",
        "西上庄社区老街12号",
        "独居，腿脚不便，需每周探访和打扫卫生",
        "本人签字同意（纸质同意书存站），2026-03-06",
    ),
    (
        CHENGQU,
        "张桂兰",
        G.DISABLED,
        "140502001",
        "东街街道晓庄社区7号楼1单元301",
        "肢体残疾，需代办残疾证年审和医保报销",
        "本人签字同意，社区残协专职委员见证，2026-03-09",
    ),
    (
        CHENGQU,
        "牛浩然",
        G.CHILDREN_IN_DIFFICULTY,
        "140502006",
        "钟家庄街道康馨社区12号楼",
        "父亲病故，母亲在外务工，需课后辅导和心理陪伴",
        "监护人（母亲）书面同意，社区儿童主任见证，2026-03-12",
    ),
    (
        BSD,
        "靳满仓",
        G.POOR_HOUSEHOLDS,
        "140502100",
        "北石店镇北石店村五组",
        "低保家庭，家中电器老旧需定期检修",
        "本人口头同意，村委会主任见证，2026-03-10",
    ),
    (
        KFQ,
        "宋玉梅",
        G.ISOLATED,
        "140502009",
        "开发区街道兰花路社区5号楼2单元",
        "居家健康监测期间需代购物资、送药",
        "本人电话同意，社区工作人员记录，2026-03-15",
    ),
    # 泽州县
    (
        ZEZHOU,
        "申二旦",
        G.ELDERLY_ALONE,
        "140525106",
        "金村镇金村村二组",
        "独居，需代购生活物资、代缴电费",
        "本人口头同意，村网格员见证，2026-03-05",
    ),
    (
        BAGONG,
        "崔金花",
        G.ELDERLY_ALONE,
        "140525108",
        "巴公镇巴公二村东街15号",
        "空巢老人，子女在外地，需每周探访、拆洗被褥",
        "本人签字同意，2026-03-05",
    ),
    (
        BAGONG_STATION,
        "常小宇",
        G.LEFT_BEHIND_CHILDREN,
        "140525108",
        "巴公一村南街8号",
        "父母在外务工，与祖母同住，需课后陪伴和作业辅导",
        "监护人（祖母）书面同意，村委会见证，2026-03-08",
    ),
    (
        BAGONG,
        "卫建国",
        G.DISABLED,
        "140525108",
        "巴公镇西郜村三组",
        "视力残疾，需代办事项和读报陪伴",
        "本人口头同意，镇残联专干见证，2026-03-09",
    ),
    (
        NANCUN,
        "原桂芳",
        G.POOR_HOUSEHOLDS,
        "140525100",
        "南村镇冶底村中街",
        "困难家庭，丈夫长期卧床，需生活照料",
        "本人签字同意，村委会见证，2026-03-11",
    ),
    (
        ZEZHOU,
        "焦文娟",
        G.CHILDREN_IN_DIFFICULTY,
        "140525107",
        "高都镇东吕匠村",
        "事实无人抚养儿童，需学业辅导和心理陪伴",
        "监护人（外祖父）书面同意，镇儿童督导员见证，2026-03-11",
    ),
    (
        ZEZHOU,
        "秦福贵",
        G.ELDERLY_ALONE,
        "140525105",
        "晋庙铺镇天井关村",
        "独居，山区出行不便，需代购和代办",
        "本人口头同意，驻村工作队见证，2026-03-16",
    ),
    # 高平市
    (
        GAOPING,
        "栗春花",
        G.ELDERLY_ALONE,
        "140581101",
        "米山镇米西村四组",
        "独居，需每周代购生活物资",
        "本人口头同意，村网格员见证，2026-03-05",
    ),
    (
        BEICHENG,
        "赵永福",
        G.DISABLED,
        "140581001",
        "北城街道康营社区6号楼",
        "下肢残疾，需代办事项和家电维修",
        "本人签字同意，2026-03-10",
    ),
    (
        GAOPING,
        "郝欣怡",
        G.LEFT_BEHIND_CHILDREN,
        "140581103",
        "神农镇团西村",
        "父母在外务工，需周末陪伴和心理关爱",
        "监护人（祖父）书面同意，学校班主任见证，2026-03-13",
    ),
    (
        GAOPING,
        "武保国",
        G.POOR_HOUSEHOLDS,
        "140581107",
        "马村镇马村东街",
        "因病致困家庭，需政策咨询和代办医疗救助",
        "本人签字同意，村委会见证，2026-03-17",
    ),
    (
        BEICHENG,
        "段玉兰",
        G.ELDERLY_ALONE,
        "140581001",
        "北城街道北关社区2号院",
        "独居，需每周探访",
        "本人口头同意，社区网格员见证，2026-03-06",
    ),
    # 阳城县
    (
        YANGCHENG,
        "王翠萍",
        G.ELDERLY_ALONE,
        "140522100",
        "凤城镇东关社区9号楼",
        "独居，需代购生活物资",
        "本人口头同意，社区网格员见证，2026-03-05",
    ),
    (
        YANGCHENG,
        "田晓东",
        G.DISABLED,
        "140522102",
        "润城镇上庄村",
        "听力残疾，需代办事项和政策解读",
        "本人书面同意（手语翻译志愿者在场），2026-03-12",
    ),
    (
        YANGCHENG,
        "裴子涵",
        G.LEFT_BEHIND_CHILDREN,
        "140522101",
        "北留镇皇城村",
        "父母在外务工，需周末陪伴和心理关爱",
        "监护人（祖母）书面同意，村委会见证，2026-03-14",
    ),
    (
        YANGCHENG,
        "杨满堂",
        G.POOR_HOUSEHOLDS,
        "140522108",
        "蟒河镇桑林村",
        "山区困难家庭，需代购生活物资",
        "本人口头同意，驻村第一书记见证，2026-03-18",
    ),
    (
        YANGCHENG,
        "吴秀珍",
        G.ISOLATED,
        "140522103",
        "町店镇町店村",
        "居家健康监测期间需代购物资、心理疏导",
        "本人电话同意，镇卫生院工作人员记录，2026-03-20",
    ),
    # 陵川县
    (
        LINGCHUAN,
        "牛二保",
        G.ELDERLY_ALONE,
        "140524100",
        "崇文镇城北社区",
        "独居，需生活照料",
        "本人口头同意，社区网格员见证，2026-03-05",
    ),
    (
        LINGCHUAN,
        "秦月娥",
        G.ELDERLY_ALONE,
        "140524207",
        "古郊乡松庙村",
        "独居，山区出行不便，需定期慰问",
        "本人口头同意，驻村工作队见证，2026-03-07",
    ),
    (
        LINGCHUAN,
        "李梓萱",
        G.LEFT_BEHIND_CHILDREN,
        "140524102",
        "附城镇丈河村",
        "父母在外务工，需周末陪伴学习",
        "监护人（祖父）书面同意，村委会见证，2026-03-13",
    ),
    (
        LINGCHUAN,
        "贾福顺",
        G.DISABLED,
        "140524101",
        "礼义镇礼义村",
        "肢体残疾，需代办事项",
        "本人签字同意，镇残联专干见证，2026-03-19",
    ),
    # 沁水县
    (
        QINSHUI,
        "张玉珍",
        G.ELDERLY_ALONE,
        "140521100",
        "龙港镇杏园社区",
        "独居，需生活照料和定期探访",
        "本人口头同意，社区网格员见证，2026-03-05",
    ),
    (
        QINSHUI,
        "王俊杰",
        G.CHILDREN_IN_DIFFICULTY,
        "140521103",
        "端氏镇端氏村",
        "父母重病，需学业辅导和心理陪伴",
        "监护人（叔父）书面同意，镇儿童督导员见证，2026-03-15",
    ),
    (
        QINSHUI,
        "侯三虎",
        G.POOR_HOUSEHOLDS,
        "140521104",
        "嘉峰镇潘庄村",
        "困难家庭，需代购生活物资",
        "本人签字同意，村委会见证，2026-03-18",
    ),
]

# The contact for a child in the register is the guardian who agreed.
GUARDIANS = {
    "牛浩然": "牛浩然母亲 程丽",
    "常小宇": "常小宇祖母 王春梅",
    "焦文娟": "焦文娟外祖父 李保全",
    "郝欣怡": "郝欣怡祖父 郝满囤",
    "裴子涵": "裴子涵祖母 赵爱莲",
    "李梓萱": "李梓萱祖父 李德旺",
    "王俊杰": "王俊杰叔父 王建平",
}

# --- the orders -------------------------------------------------------------------------------


@dataclass
class Spec:
    """One demo order and what becomes of it.

    `fate` is the state it ends in. `to`: where the receiving center dispatches it (None:
    opened for taking); `wang`: 王小雷 takes it himself. `days_ago`, `clock` and `minutes`:
    when it was served. `beneficiary`: a name in the register (recorded by staff); otherwise
    `channel` says how it came in, and `township`, `address` and `contact` are the resident's.
    """

    receiver: str
    fate: str
    description: str
    category: str = ""
    menu: str = ""
    beneficiary: str = ""
    channel: str = Order.Channel.ONLINE
    township: str = ""
    address: str = ""
    contact: str = ""
    preferred: str = ""
    to: str | None = None
    wang: bool = False
    decline: str = ""  # the first holder gives it back with this reason …
    redispatch: str = ""  # … and the center dispatches it here instead
    reason: str = ""  # of a rejection or cancellation
    cancel_from: str = S.SUBMITTED  # the state it is cancelled in
    cancel_by_resident: bool = False
    days_ago: int = 3
    clock: str = "09:30"
    minutes: int = 120
    done_note: str = ""
    rating: int = 0
    comment: str = ""
    follow_up: str = ""  # recorded by the center after a low rating
    escalate: bool = False


ORDERS: list[Spec] = [
    # --- escalated first (the escalation runs before the other orders exist) ------------------
    Spec(
        LINGCHUAN,
        S.SUBMITTED,
        "老伴住院，我一个人在家腿脚不好，想请人帮忙买点米面和降压药，药名写在纸上了。",
        menu="代购生活物资",
        township="140524100",
        address="崇文镇西街小区4号楼1单元201",
        contact="范老师",
        preferred="越快越好",
        escalate=True,
    ),
    Spec(
        CHENGQU,
        S.DISPATCHED,
        "村里三户独居老人家的电暖器不热，想请志愿者上门看看能不能修。",
        category=C.REPAIRS,
        channel=Order.Channel.STAFF,
        township="140502100",
        address="北石店镇小白水村村委会",
        contact="村委会 郭主任",
        preferred="本周内",
        to=BSD,
        escalate=True,
    ),
    # --- 城区 and the development zone --------------------------------------------------------
    Spec(
        CHENGQU,
        S.RATED,
        "残疾证到期需要年审，本人行动不便，请志愿者帮忙把材料送到区残联办理。",
        menu="代办证件与医保报销",
        beneficiary="张桂兰",
        to=CHENGQU_CORPS,
        days_ago=12,
        clock="09:00",
        minutes=150,
        done_note="已将年审材料送区残联窗口办理完毕，新证下周可取，已告知本人。",
        rating=5,
        comment="小伙子跑前跑后，一趟就办好了，太感谢了！",
    ),
    Spec(
        XSZ,
        S.RATED,
        "这周的菜和药：大米一袋、青菜、鸡蛋，再到社区卫生服务中心取降压药。",
        menu="送药送菜上门",
        beneficiary="郭秀英",
        days_ago=8,
        clock="10:00",
        minutes=90,
        done_note="米、菜、鸡蛋和降压药已送到，小票交给老人核对。",
        rating=4,
        comment="东西都买齐了，就是送来得有点晚。",
    ),
    Spec(
        XSZ,
        S.DONE,
        "厨房水龙头一直滴水，关不紧，新龙头已经买好了，请人帮忙换一下。",
        menu="水电小修",
        township="140502007",
        address="西上庄街道怡凤苑小区6号楼302",
        contact="孟阿姨",
        preferred="周六上午",
        days_ago=1,
        clock="09:30",
        minutes=60,
        done_note="已更换厨房水龙头，试水无渗漏。",
    ),
    Spec(
        XSZ_STATION,
        S.VERIFIED,
        "李大爷这周感冒了，请志愿者上门看看，顺便帮着打扫一下屋子。",
        menu="独居老人每周探访",
        beneficiary="李德福",
    ),
    Spec(
        CHENGQU,
        S.SUBMITTED,
        "孩子上初二，最近不爱说话、成绩下滑，想找心理老师聊一聊，家长也想听听建议。",
        category=C.COUNSELLING,
        township="140502006",
        address="钟家庄街道书院社区",
        contact="钟女士",
        preferred="周六上午",
    ),
    Spec(
        CHENGQU,
        S.IN_SERVICE,
        "浩然周六上午想请志愿者辅导数学，顺便陪他聊聊天。",
        menu="青少年心理陪伴",
        beneficiary="牛浩然",
        to=CHENGQU_CORPS,
    ),
    Spec(
        BSD,
        S.RATED,
        "家里的洗衣机不转了，电视也时好时坏，请电工志愿者来看看。",
        menu="农机和家电义务维修",
        beneficiary="靳满仓",
        days_ago=10,
        clock="14:00",
        minutes=120,
        done_note="洗衣机更换了排水阀，电视是接线松动，已修好。",
        rating=3,
        comment="修好了，但等了两天才来。",
    ),
    Spec(
        BSD,
        S.REJECTED,
        "想请志愿者帮忙代买十袋复合肥，钱等卖了粮再给。",
        menu="代购农资和生活物资",
        township="140502100",
        address="北石店镇北石店村二组",
        contact="马师傅",
        reason="需垫付大额货款，超出志愿服务范围；已联系村农资服务点送货上门，货到付款。",
    ),
    Spec(
        KFQ,
        S.OPEN,
        "居家健康监测第三天，家里的菜吃完了，请帮忙买些蔬菜、挂面和退烧药。",
        menu="代购生活物资",
        beneficiary="宋玉梅",
    ),
    Spec(
        KFQ,
        S.SUBMITTED,
        "我们车间有四十多名职工，想请人来讲讲灵活就业人员社保和技能补贴政策。",
        menu="企业职工政策咨询",
        township="140502009",
        address="开发区兰花路与白马路交叉口 某装备制造公司三号车间",
        contact="工会 刘主席",
        preferred="下周三下午",
    ),
    Spec(
        KFQ,
        S.CANCELLED,
        "老人一个人在家，想每周请人来打扫两次卫生。",
        menu="独居老人助洁助餐",
        township="140502009",
        address="开发区街道凤鸣社区11号楼",
        contact="老人女儿 陈女士",
        reason="群众来电：子女已接老人去外地同住，不再需要。",
        cancel_by_resident=True,
    ),
    Spec(
        CHENGQU,
        S.VERIFIED,
        "社区想在重阳节前后办一场文艺汇演，请文艺志愿者来演几个节目。",
        menu="社区文艺汇演",
        channel=Order.Channel.STAFF,
        township="140502002",
        address="西街街道凤台社区文化广场",
        contact="凤台社区 王书记",
        preferred="下月上旬的周末",
    ),
    Spec(
        XSZ,
        S.UNRATED,
        "老伴刚做完手术，请人来帮着打扫一下屋子、洗洗衣服。",
        menu="居家养老生活照料",
        township="140502007",
        address="西上庄街道西上庄社区18号楼",
        contact="杜大爷",
        days_ago=12,
        clock="09:00",
        minutes=120,
        done_note="打扫了客厅、厨房，洗晾了衣物和床单。",
    ),
    # --- the city center ----------------------------------------------------------------------
    Spec(
        CITY,
        S.RATED,
        "家里是老房子，一开电暖器就跳闸，想请供电的志愿者来查查线路。",
        menu="用电安全检查与家电义务维修",
        township="140502003",
        address="南街街道文昌社区老干部楼2单元",
        contact="秦大爷",
        preferred="周六上午",
        to=CITY_CORPS,
        days_ago=14,
        clock="09:00",
        minutes=150,
        done_note="更换了老化的插座和一段电线，漏电保护器已调试，讲了冬季用电注意事项。",
        rating=5,
        comment="查得仔细，还教我们怎么安全用电。",
    ),
    Spec(
        CITY,
        S.DISPATCHED,
        "村里想请宣讲团讲讲城乡居民医保和大病保险的报销，老年人多，讲慢一点。",
        menu="惠民政策宣讲进社区",
        channel=Order.Channel.STAFF,
        township="140525110",
        address="山河镇山河村村委会会议室",
        contact="山河村 牛书记",
        preferred="下周内",
        to=CITY_CORPS,
    ),
    Spec(
        CITY,
        S.DONE,
        "母亲独居后情绪一直低落，不愿出门，想请心理咨询志愿者上门陪她聊聊。",
        menu="心理疏导志愿服务",
        township="140525100",
        address="南村镇泽州路幸福小区7号楼",
        contact="女儿 崔女士",
        preferred="工作日下午",
        to=CITY_CORPS,
        days_ago=2,
        clock="15:00",
        minutes=90,
        done_note="上门陪伴一个半小时，老人愿意下周参加社区老年合唱队，约定两周后再访。",
    ),
    Spec(
        CITY,
        S.REJECTED,
        "村里想在腊月请文艺演出队来唱两天大戏。",
        menu="文艺演出送基层",
        township="140524102",
        address="附城镇丈河村",
        contact="丈河村 贾主任",
        reason="连续两天的大戏需专业剧团演出；已转陵川县新时代文明实践中心纳入送戏下乡计划。",
    ),
    # --- 泽州县 -------------------------------------------------------------------------------
    Spec(
        ZEZHOU,
        S.RATED,
        "申大爷这周要一袋面、一桶油、两斤鸡蛋，再把电费交了。",
        menu="代购生活物资",
        beneficiary="申二旦",
        to=ZEZHOU_CORPS,
        days_ago=10,
        clock="10:00",
        minutes=120,
        done_note="面、油、鸡蛋已送到，代缴电费100元，缴费凭证交给老人。",
        rating=5,
        comment="每回都是这个志愿者来，跟自家孩子一样。",
    ),
    Spec(
        ZEZHOU,
        S.SUBMITTED,
        "老两口都八十多了，想请人每周帮忙从镇上买一次菜和药。",
        menu="代购生活物资",
        township="140525106",
        address="金村镇府城村三组",
        contact="司大娘",
        preferred="每周二上午",
    ),
    Spec(
        ZEZHOU,
        S.RATED,
        "崔奶奶的被褥该拆洗了，屋子也想收拾一下。",
        category=C.CARE,
        beneficiary="崔金花",
        to=WOMEN,
        days_ago=6,
        clock="09:00",
        minutes=180,
        done_note="拆洗了两床被褥，打扫了院子和屋里，陪奶奶说了会儿话。",
        rating=5,
        comment="巾帼志愿者手脚麻利，心也细。",
    ),
    Spec(
        BAGONG,
        S.RATED,
        "电视没有信号，机顶盒一直显示搜索中，请人来看看。",
        menu="家电维修",
        township="140525108",
        address="巴公镇巴公三村北街22号",
        contact="常大爷",
        preferred="周六上午",
        wang=True,
        days_ago=4,
        clock="10:00",
        minutes=60,
        done_note="机顶盒信号线接头松了，重新接好并重新搜台。",
        rating=4,
        comment="修好了，谢谢小王。",
    ),
    Spec(
        BAGONG_STATION,
        S.ACCEPTED,
        "小宇周末想请大哥哥辅导一下数学和作文。",
        category=C.COUNSELLING,
        beneficiary="常小宇",
        wang=True,
    ),
    Spec(
        BAGONG,
        S.RATED,
        "卫大爷的残疾人护理补贴要重新认证，请人帮忙带材料去镇上办。",
        menu="代办事项",
        beneficiary="卫建国",
        days_ago=12,
        clock="14:30",
        minutes=90,
        done_note="已到镇便民服务中心办完认证。",
        rating=2,
        comment="约好上午来，下午才到，也没提前打电话。",
    ),
    Spec(
        NANCUN,
        S.RATED,
        "丈夫卧床，我腰也不好，想请人帮忙给他擦洗身子、换换床单。",
        menu="生活照料",
        beneficiary="原桂芳",
        days_ago=16,
        clock="09:00",
        minutes=120,
        done_note="协助擦洗、更换床单被罩，打扫了卧室。",
        rating=1,
        comment="等了一上午没人来，打电话才知道去错了村。",
        follow_up=(
            "中心回访：志愿者对接错地址未按时上门，已当面致歉；改由南村镇巾帼志愿者"
            "每周二上门，家属表示理解。"
        ),
    ),
    Spec(
        ZEZHOU,
        S.IN_SERVICE,
        "文娟下周要期中考试，想请老师周末来辅导一下英语。",
        menu="心理疏导",
        beneficiary="焦文娟",
        to=ZEZHOU_CORPS,
    ),
    Spec(
        ZEZHOU,
        S.VERIFIED,
        "秦大爷的高龄补贴要做年度认证，请人带他的身份证去镇上办一下。",
        menu="代办事项",
        beneficiary="秦福贵",
    ),
    Spec(
        ZEZHOU,
        S.DISPATCHED,
        "村里老人多，想请文艺志愿者来演一场上党梆子。",
        menu="文艺演出进乡村",
        township="140525109",
        address="大阳镇西街村文化广场",
        contact="西街村 张主任",
        preferred="下月中旬",
        to=ZEZHOU_CORPS,
    ),
    Spec(
        ZEZHOU,
        S.ACCEPTED,
        "小区里老年人多，想请人讲讲防范养老诈骗。",
        menu="政策宣讲",
        township="140525100",
        address="南村镇泽州路东方红小区活动室",
        contact="小区物业 赵经理",
        preferred="下周四下午",
        to=NANCUN,
        decline="本周宣讲志愿者都已排班，人手不足，请中心另行安排。",
        redispatch=ZEZHOU_CORPS,
    ),
    Spec(
        BAGONG_STATION,
        S.CANCELLED,
        "想请文艺志愿者来帮村里排练年底的村晚节目。",
        menu="村晚和广场舞辅导",
        township="140525108",
        address="巴公一村文化广场",
        contact="巴公一村 宋主任",
        reason="与村委会协商后，改由镇文化站统一安排辅导。",
        cancel_from=S.VERIFIED,
    ),
    Spec(
        ZEZHOU,
        S.OPEN,
        "家里老人想要两把新拐杖和一个助行器，我们在外地买不方便，请人帮忙送过去。",
        menu="慰问关怀",
        township="140525114",
        address="川底镇川底村二组",
        contact="老人儿子 刘先生",
        preferred="本周内",
    ),
    Spec(
        BAGONG,
        S.DONE,
        "买一袋面、一桶油、一箱牛奶，送到家。",
        menu="代购生活物资",
        township="140525108",
        address="巴公镇东四义村",
        contact="王大娘",
        preferred="上午",
        days_ago=2,
        clock="10:30",
        minutes=60,
        done_note="面、油、牛奶已送到，小票给了老人。",
    ),
    Spec(
        ZEZHOU,
        S.UNRATED,
        "老人九十岁了，高龄补贴认证要本人拍照，请人上门帮忙用手机认证。",
        menu="代办事项",
        channel=Order.Channel.STAFF,
        township="140525110",
        address="山河镇东山河村",
        contact="老人孙子 韩先生",
        to=ZEZHOU_CORPS,
        days_ago=20,
        clock="15:00",
        minutes=60,
        done_note="已上门用“晋情通”帮老人完成高龄补贴认证。",
    ),
    Spec(
        NANCUN,
        S.SUBMITTED,
        "想请人帮忙去医院取一下复查结果，顺便买点药。",
        category=C.ERRANDS,
        township="140525100",
        address="南村镇坪上村",
        contact="靳大爷",
        preferred="明天上午",
    ),
    # --- 高平市 -------------------------------------------------------------------------------
    Spec(
        GAOPING,
        S.RATED,
        "栗奶奶这周要买面粉、鸡蛋、白菜和止咳糖浆。",
        menu="代购生活物资",
        beneficiary="栗春花",
        days_ago=8,
        clock="09:30",
        minutes=90,
        done_note="东西和药已送到，核对了小票。",
        rating=5,
        comment="志愿者每次都很准时。",
    ),
    Spec(
        BEICHENG,
        S.RATED,
        "电饭锅不加热了，灯也坏了一个，请人来修一下。",
        menu="家电维修",
        beneficiary="赵永福",
        days_ago=6,
        clock="14:00",
        minutes=90,
        done_note="电饭锅更换温控器，换了卧室灯泡。",
        rating=4,
        comment="修得挺好，下次还找你们。",
    ),
    Spec(
        GAOPING,
        S.DONE,
        "欣怡周末在家没人陪，想请大学生志愿者陪她读读书。",
        menu="心理疏导",
        beneficiary="郝欣怡",
        days_ago=1,
        clock="14:30",
        minutes=120,
        done_note="陪读两小时，一起读了《草房子》，孩子很开心，约好下周再来。",
    ),
    Spec(
        GAOPING,
        S.VERIFIED,
        "想了解大病医疗救助怎么申请，请人帮忙整理材料去民政局办理。",
        menu="代办事项",
        beneficiary="武保国",
    ),
    Spec(
        BEICHENG,
        S.SUBMITTED,
        "老人的老年证丢了，想请人帮忙补办。",
        menu="代办事项",
        township="140581001",
        address="北城街道米山社区3号楼",
        contact="老人儿媳 李女士",
        preferred="工作日",
    ),
    Spec(
        GAOPING,
        S.OPEN,
        "家里老人感冒了，想请人代买些药和水果。",
        menu="代购生活物资",
        township="140581102",
        address="三甲镇三甲南村",
        contact="老人外孙 秦先生",
        preferred="今明两天",
    ),
    Spec(
        GAOPING,
        S.ACCEPTED,
        "父亲刚出院，想请人每天中午来帮忙做顿饭，先做一周。",
        menu="生活照料",
        township="140581106",
        address="河西镇河西村",
        contact="女儿 毕女士",
        preferred="每天中午",
    ),
    Spec(
        BEICHENG,
        S.RATED,
        "段奶奶这周想请人来看看，她说暖气片有点漏水。",
        menu="独居老人探访",
        beneficiary="段玉兰",
        days_ago=10,
        clock="15:00",
        minutes=60,
        done_note="上门探访，暖气片阀门拧紧已不漏水，已告知社区物业跟进。",
        rating=5,
        comment="",
    ),
    Spec(
        GAOPING,
        S.REJECTED,
        "村里庙会想请演出队来唱三天戏。",
        menu="文艺演出送基层",
        township="140581108",
        address="野川镇野川村",
        contact="野川村 申主任",
        reason="庙会商业演出不属于志愿服务范围；已建议村委会联系市文旅局惠民演出项目。",
    ),
    Spec(
        GAOPING,
        S.CANCELLED,
        "老人行动不便，想请人陪同去医院复查。",
        menu="生活照料",
        township="140581002",
        address="东城街道康乐社区",
        contact="老人儿子 郭先生",
        reason="老人已住院治疗，服务暂缓，出院后重新点单。",
        cancel_from=S.ACCEPTED,
    ),
    # --- 阳城县 -------------------------------------------------------------------------------
    Spec(
        YANGCHENG,
        S.RATED,
        "王奶奶这周要买小米、挂面、鸡蛋和降压药。",
        menu="代购生活物资",
        beneficiary="王翠萍",
        days_ago=8,
        clock="10:00",
        minutes=90,
        done_note="已送到，药按医嘱分装好。",
        rating=5,
        comment="谢谢志愿者，药都给分好了。",
    ),
    Spec(
        YANGCHENG,
        S.RATED,
        "田晓东的残疾人两项补贴要重新申请，请人帮忙准备材料。",
        menu="代办事项",
        beneficiary="田晓东",
        days_ago=12,
        clock="09:00",
        minutes=120,
        done_note="材料已交到镇便民服务中心，受理回执交给本人。",
        rating=3,
        comment="办是办了，就是材料跑了两趟。",
    ),
    Spec(
        YANGCHENG,
        S.IN_SERVICE,
        "子涵周末想请志愿者陪她去县图书馆看书。",
        menu="留守儿童心理关爱",
        beneficiary="裴子涵",
    ),
    Spec(
        YANGCHENG,
        S.DONE,
        "家里缺米面油，请人帮忙从镇上买一些送上山。",
        menu="代购生活物资",
        beneficiary="杨满堂",
        days_ago=3,
        clock="09:00",
        minutes=180,
        done_note="米、面、油已送到，路远，往返约三小时。",
    ),
    Spec(
        YANGCHENG,
        S.ACCEPTED,
        "屋里插座冒火花，请电工来看看。",
        menu="家电维修",
        township="140522100",
        address="凤城镇南关社区15号楼",
        contact="卫大爷",
        preferred="尽快",
    ),
    Spec(
        YANGCHENG,
        S.VERIFIED,
        "村里想请人讲讲新农合缴费和养老保险。",
        menu="政策宣讲",
        township="140522103",
        address="町店镇町店村村委会",
        contact="町店村 杨书记",
        preferred="下周",
    ),
    Spec(
        YANGCHENG,
        S.UNRATED,
        "居家健康监测期间想买些蔬菜和水果。",
        menu="代购生活物资",
        beneficiary="吴秀珍",
        days_ago=16,
        clock="10:00",
        minutes=60,
        done_note="已放在门口，电话告知本人取回。",
    ),
    Spec(
        YANGCHENG,
        S.SUBMITTED,
        "孩子父母在外地，想请人周末陪孩子写写作业。",
        menu="留守儿童心理关爱",
        township="140522104",
        address="芹池镇芹池村",
        contact="孩子奶奶 李大娘",
        preferred="周六下午",
    ),
    # --- 陵川县 -------------------------------------------------------------------------------
    Spec(
        LINGCHUAN,
        S.RATED,
        "牛大爷想请人来帮着理理发、打扫打扫屋子。",
        menu="生活照料",
        beneficiary="牛二保",
        days_ago=6,
        clock="09:30",
        minutes=120,
        done_note="理了发，打扫了屋子，换洗了床单。",
        rating=4,
        comment="挺好的。",
    ),
    Spec(
        LINGCHUAN,
        S.RATED,
        "秦奶奶一个人住在山上，想请人上门看看，送些米面。",
        menu="慰问关怀",
        beneficiary="秦月娥",
        days_ago=14,
        clock="10:00",
        minutes=180,
        done_note="送去米面油，陪老人聊了一个多小时，检查了炉子和烟道。",
        rating=5,
        comment="山路远，孩子们还跑一趟，心里暖和。",
    ),
    Spec(
        LINGCHUAN,
        S.ACCEPTED,
        "梓萱周末想请志愿者陪她读书、写作业。",
        menu="留守儿童陪伴",
        beneficiary="李梓萱",
    ),
    Spec(
        LINGCHUAN,
        S.OPEN,
        "贾福顺的残疾证要换证，请人帮忙拿材料去县残联。",
        category=C.ERRANDS,
        beneficiary="贾福顺",
    ),
    Spec(
        LINGCHUAN,
        S.CANCELLED,
        "想请人帮忙买些过冬的煤。",
        menu="代购生活物资",
        township="140524104",
        address="平城镇平城村",
        contact="秦大爷",
        reason="核实后，村委会已统一为困难户送煤，不再需要。",
        cancel_from=S.VERIFIED,
    ),
    # --- 沁水县 -------------------------------------------------------------------------------
    Spec(
        QINSHUI,
        S.RATED,
        "张奶奶想请人来拆洗被褥、打扫卫生。",
        menu="生活照料",
        beneficiary="张玉珍",
        days_ago=10,
        clock="09:00",
        minutes=150,
        done_note="拆洗被褥两床，打扫了屋子。",
        rating=5,
        comment="干得细致，谢谢你们。",
    ),
    Spec(
        QINSHUI,
        S.DONE,
        "俊杰最近心情不好，想请心理老师来聊聊。",
        menu="心理疏导",
        beneficiary="王俊杰",
        days_ago=2,
        clock="15:00",
        minutes=90,
        done_note="谈心一个半小时，孩子情绪好转，已与学校班主任沟通。",
    ),
    Spec(
        QINSHUI,
        S.RATED,
        "侯三虎家这周要一袋面、一桶油和一些蔬菜。",
        menu="代购生活物资",
        beneficiary="侯三虎",
        days_ago=8,
        clock="10:00",
        minutes=90,
        done_note="已送到，小票交给本人。",
        rating=4,
        comment="谢谢。",
    ),
    Spec(
        QINSHUI,
        S.OPEN,
        "洗衣机漏水，请电工志愿者来看看。",
        menu="家电维修",
        township="140521100",
        address="龙港镇梅杏社区5号楼",
        contact="郑阿姨",
        preferred="周六上午",
    ),
    Spec(
        QINSHUI,
        S.REJECTED,
        "想请人长期每天来照顾老人，可以给点报酬。",
        menu="生活照料",
        township="140521101",
        address="中村镇中村",
        contact="老人女儿 杨女士",
        reason="长期有偿照护属于家政服务，不在志愿服务范围；已推荐县居家养老服务中心。",
    ),
    Spec(
        QINSHUI,
        S.UNRATED,
        "老人一个人在家，请人上门帮忙打扫一下。",
        menu="生活照料",
        township="140521105",
        address="郑村镇郑村",
        contact="老人孙女 王女士",
        days_ago=25,
        clock="14:00",
        minutes=120,
        done_note="打扫了屋子和院子。",
    ),
]
DESCRIPTIONS = [spec.description for spec in ORDERS]

# How long ago (hours, at least and at most) an order that was never served came in, by the
# state it ends in: those waiting are one to a few days old (some overdue), those refused or
# cancelled spread over the month. A served order came in 2-5 days before its service.
AGES: dict[str, tuple[float, float]] = {
    S.SUBMITTED: (1, 3 * 24),
    S.VERIFIED: (4, 4 * 24),
    S.DISPATCHED: (12, 3 * 24),
    S.OPEN: (12, 3 * 24),
    S.ACCEPTED: (48, 5 * 24),
    S.REJECTED: (2 * 24, 28 * 24),
    S.CANCELLED: (3 * 24, 28 * 24),
}
ESCALATED_AGE = (10 * 24, 12 * 24)
BEFORE_SERVICE = (48, 5 * 24)
SERVED = {S.IN_SERVICE, S.DONE, S.RATED, S.UNRATED}

MOBILE_PREFIXES = ["135", "136", "138", "139", "150", "152", "158", "159", "183", "187", "188"]
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@dataclass
class Loaded:
    menu_items: int = 0
    beneficiaries: int = 0
    orders: int = 0
    online: int = 0
    by_staff: int = 0
    statuses: Counter = field(default_factory=Counter)
    escalated: int = 0
    follow_ups: int = 0
    claims: int = 0
    confirmed: int = 0


def _at(day: Any, clock: str) -> datetime:
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


class _Loader:
    def __init__(self, actor: User, now: datetime) -> None:
        self.root = actor
        self.now = now
        self.today = timezone.localdate(now)
        self.rng = random.Random(SEED)  # who serves
        self.numbers = random.Random(f"{SEED}:mobiles")  # the residents' phones
        self.clock = random.Random(f"{SEED}:times")  # the gaps between the steps
        self.at = now  # the moment of the order's latest step
        self.loaded = Loaded()
        self.orgs = {org.name: org for org in Organisation.objects.filter(is_active=True)}
        users = {u.username: u for u in User.objects.filter(username__in=STAFF_USERS)}
        self.staff = [users[name] for name in STAFF_USERS if name in users]
        self.desk = [users[name] for name in DESK_USERS if name in users]
        self.regions: dict[str, Region] = {}
        self.wang = (
            Volunteer.objects.filter(
                name=volunteer_demo.DEMO_NAME,
                user__isnull=False,
                status=Volunteer.Status.ACTIVE,
            )
            .select_related("user", "residence")
            .first()
        )
        self.used: Counter = Counter()  # orders served by each volunteer in this load

    # --- helpers ------------------------------------------------------------------------------

    def region(self, code: str) -> Region:
        if code not in self.regions:
            self.regions[code] = Region.objects.get(code=code)
        return self.regions[code]

    def manager(self, org: Organisation, users: list[User]) -> User:
        """The first of `users` who may manage `org`; the superuser otherwise."""
        return next((user for user in users if access.can(user, access.MANAGE, org)), self.root)

    def mobile(self) -> str:
        return f"{self.numbers.choice(MOBILE_PREFIXES)}{self.numbers.randrange(10**8):08d}"

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.clock.randint(round(low * 60), round(high * 60)))

    def next(self, low: float, high: float) -> datetime:
        """The moment of the order's next step, `low` to `high` hours after the last one
        (never later than now)."""
        self.at = min(self.at + self.hours(low, high), self.now)
        return self.at

    def later(self, after: datetime, low: float, high: float) -> datetime:
        """`low` to `high` hours after `after`, but no more than half-way to now."""
        return after + min(self.hours(low, high), (self.now - after) / 2)

    @staticmethod
    def free(volunteer: Volunteer, start: datetime, end: datetime) -> bool:
        """Nothing else on the volunteer's time (half an hour either side): no shift signed
        up for and no hours credited."""
        before, after = start - timedelta(minutes=30), end + timedelta(minutes=30)
        busy = Signup.objects.filter(
            volunteer=volunteer,
            status__in=Signup.ACTIVE,
            shift__starts_at__lt=after,
            shift__ends_at__gt=before,
        ).exists()
        return not busy and not hours_services.active_overlaps(volunteer, before, after)

    def window(self, spec: Spec) -> tuple[datetime, datetime]:
        """When the service took place (in service: began 40 minutes ago, for up to the
        planned time)."""
        if spec.fate == S.IN_SERVICE:
            start = self.now - timedelta(minutes=40)
            return start, start + services.SERVICE_PLANNED
        start = _at(self.today - timedelta(days=spec.days_ago), spec.clock)
        return start, start + timedelta(minutes=spec.minutes)

    def taker(
        self, unit: Organisation, township: Region, start: datetime, end: datetime
    ) -> Volunteer | None:
        """An adult member of the unit (registered with it or below it, or in a team below
        it) who is free then: living in the order's township first, then members of teams
        under the unit, then anyone registered under it in the county; those who served
        fewest orders in this load first."""
        people = list(
            Volunteer.objects.filter(
                Q(organisation__path__startswith=unit.path)
                | Q(team_memberships__team__path__startswith=unit.path),
                status=Volunteer.Status.ACTIVE,
                user__isnull=True,
                birth_date__isnull=False,
            )
            .distinct()
            .select_related("residence")
            .order_by("pk")
        )
        in_teams = set(
            TeamMembership.objects.filter(
                team__path__startswith=unit.path, volunteer__in=people
            ).values_list("volunteer_id", flat=True)
        )
        county = township.code[:6]
        near = [v for v in people if v.residence_id == township.pk]
        members = [v for v in people if v.pk in in_teams and v.residence_id != township.pk]
        rest = [
            v
            for v in people
            if v.pk not in in_teams
            and v.residence_id != township.pk
            and v.residence.code[:6] == county
        ]
        day = timezone.localdate(start)
        for group in (near, members, rest):
            self.rng.shuffle(group)
            group.sort(key=lambda v: self.used[v.pk])
            for volunteer in group:
                if not volunteer.is_minor(day) and self.free(volunteer, start, end):
                    return volunteer
        return None

    def wang_window(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """王小雷's service at the planned time, or the first day before it he is free."""
        wang = self.wang
        assert wang is not None
        for back in range(8):
            shifted = (start - timedelta(days=back), end - timedelta(days=back))
            if self.free(wang, *shifted):
                return shifted
        return start, end

    # --- menus and the register ---------------------------------------------------------------

    def menus(self) -> dict[tuple[str, str], MenuItem]:
        items: dict[tuple[str, str], MenuItem] = {}
        for org_name, rows in MENUS.items():
            org = self.orgs.get(org_name)
            if org is None:
                continue
            existing = {item.title: item for item in MenuItem.objects.filter(organisation=org)}
            actor = self.manager(org, self.desk)
            for category, title, description, area, times in rows:
                item = existing.get(title)
                if item is None:
                    item = services.menu_item_save(
                        actor=actor,
                        data={
                            "organisation": org,
                            "category": category,
                            "title": title,
                            "description": description,
                            "area": area,
                            "times": times,
                        },
                    )
                    self.loaded.menu_items += 1
                items[(org_name, title)] = item
        return items

    def register(self) -> dict[str, Beneficiary]:
        people: dict[str, Beneficiary] = {}
        for org_name, name, group, township, address, needs, consent in REGISTER:
            org = self.orgs.get(org_name)
            if org is None:
                continue
            mobile = self.mobile()  # drawn for everyone, so that the numbers stay the same
            person = Beneficiary.objects.filter(organisation=org, name=name).first()
            if person is None:
                person = services.beneficiary_add(
                    actor=self.manager(org, self.desk),
                    data={
                        "organisation": org,
                        "name": name,
                        "group": group,
                        "township": self.region(township),
                        "address": address,
                        "needs": needs,
                        "consent_note": consent,
                    },
                    mobile=mobile,
                )
                self.loaded.beneficiaries += 1
            people[name] = person
        return people

    # --- orders -------------------------------------------------------------------------------

    def order(
        self,
        spec: Spec,
        items: dict[tuple[str, str], MenuItem],
        people: dict[str, Beneficiary],
    ) -> Order | None:
        receiver = self.orgs.get(spec.receiver)
        if receiver is None:
            return None
        desk = self.manager(receiver, self.desk)
        menu_item = items.get((spec.receiver, spec.menu)) if spec.menu else None
        person = people.get(spec.beneficiary) if spec.beneficiary else None
        if spec.beneficiary and person is None:
            return None
        mobile = self.mobile()
        start, end = self.window(spec)
        if spec.wang and self.wang is not None and self.wang.user is not None:
            start, end = self.wang_window(start, end)
        if spec.fate in SERVED:
            self.at = start - self.hours(*BEFORE_SERVICE)
        else:
            self.at = self.now - self.hours(*(ESCALATED_AGE if spec.escalate else AGES[spec.fate]))
        data: dict[str, Any] = {
            "description": spec.description,
            "preferred_time": spec.preferred,
        }
        if spec.category:
            data["category"] = spec.category
        elif menu_item is None:
            return None
        if person is not None:
            data.update(
                township=person.township,
                address=person.address,
                contact_name=GUARDIANS.get(person.name, person.name),
            )
        else:
            data.update(
                township=self.region(spec.township),
                address=spec.address,
                contact_name=spec.contact,
            )
        if person is not None or spec.channel == Order.Channel.STAFF:
            order = services.order_record(
                actor=desk,
                receiver=receiver,
                mobile="" if person is not None else mobile,
                data=data,
                menu_item=menu_item,
                beneficiary=person,
                now=self.at,
            )
            self.loaded.by_staff += 1
        else:
            services.phone_code_send(mobile=mobile, now=self.at)
            sms = Delivery.objects.filter(address=mobile).order_by("-pk").first()
            assert sms is not None
            code = CODE.search(sms.body)
            assert code is not None, sms.body
            order = services.order_submit(
                receiver=receiver,
                mobile=mobile,
                code=code.group(),
                data=data,
                menu_item=menu_item,
                now=self.at,
            )
            self.loaded.online += 1
        self.loaded.orders += 1
        self.advance(spec, order, receiver, desk, start, end)
        order.refresh_from_db()
        self.loaded.statuses[order.status] += 1
        return order

    def advance(
        self,
        spec: Spec,
        order: Order,
        receiver: Organisation,
        desk: User,
        start: datetime,
        end: datetime,
    ) -> None:
        """Move the order along its way to `spec.fate`, through the services, each step some
        hours after the last (self.at); served from `start` to `end`."""
        if spec.fate == S.SUBMITTED:
            return
        if spec.fate == S.REJECTED:
            services.order_reject(
                actor=desk, order=order, reason=spec.reason, now=self.next(0.5, 6)
            )
            return
        if spec.fate == S.CANCELLED and spec.cancel_from == S.SUBMITTED:
            actor = None if spec.cancel_by_resident else desk
            services.order_cancel(
                actor=actor, order=order, reason=spec.reason, now=self.next(1, 24)
            )
            return
        order = services.order_verify(
            actor=desk, order=order, note="已电话核实需求", now=self.next(0.5, 6)
        )
        if spec.fate == S.VERIFIED:
            return
        if spec.fate == S.CANCELLED and spec.cancel_from == S.VERIFIED:
            services.order_cancel(actor=desk, order=order, reason=spec.reason, now=self.next(1, 24))
            return
        township = order.township
        if spec.decline and spec.to and spec.redispatch:
            first = self.orgs[spec.to]
            order = services.order_dispatch(actor=desk, order=order, to=first, now=self.next(1, 20))
            holder = self.manager(first, self.staff)
            order = services.order_decline(
                actor=holder, order=order, reason=spec.decline, now=self.next(1, 6)
            )
            order = services.order_dispatch(
                actor=desk, order=order, to=self.orgs[spec.redispatch], now=self.next(0.5, 4)
            )
        elif spec.to:
            order = services.order_dispatch(
                actor=desk, order=order, to=self.orgs[spec.to], now=self.next(1, 20)
            )
        else:
            order = services.order_open(
                actor=desk, order=order, note="附近志愿者可接单", now=self.next(1, 20)
            )
        if spec.fate in (S.DISPATCHED, S.OPEN):
            return
        if spec.wang and self.wang is not None and self.wang.user is not None:
            volunteer: Volunteer | None = self.wang
            actor = self.wang.user
            order = services.order_take(
                actor=actor, order=order, volunteer=self.wang, now=self.next(0.5, 8)
            )
        else:
            unit = order.organisation
            volunteer = self.taker(unit, township, start, end)
            if volunteer is None:
                return  # nobody free: it waits to be taken
            actor = self.manager(unit, self.staff)
            order = services.order_take(
                actor=actor, order=order, volunteer=volunteer, now=self.next(0.5, 8)
            )
        self.used[volunteer.pk] += 1
        if spec.fate == S.CANCELLED:  # cancel_from == ACCEPTED
            services.order_cancel(actor=desk, order=order, reason=spec.reason, now=self.next(1, 24))
            return
        if spec.fate == S.ACCEPTED:
            return
        order = services.order_start(actor=actor, order=order, now=start)
        if spec.fate == S.IN_SERVICE:
            return
        order = services.order_finish(actor=actor, order=order, note=spec.done_note, now=end)
        if spec.rating:
            rated = self.later(end, 2, 72)
            order = services.order_rate(
                order=order,
                token=order.rating_token,
                rating=spec.rating,
                comment=spec.comment,
                now=rated,
            )
            if spec.follow_up:
                services.follow_up_record(
                    actor=self.manager(receiver, self.desk),
                    order=order,
                    note=spec.follow_up,
                    now=self.later(rated, 4, 48),
                )
            elif order.follow_up:
                self.loaded.follow_ups += 1

    def orders(
        self, items: dict[tuple[str, str], MenuItem], people: dict[str, Beneficiary]
    ) -> None:
        if Order.objects.filter(description__in=DESCRIPTIONS).exists():
            return
        waiting = [S.SUBMITTED, S.VERIFIED, S.DISPATCHED, S.OPEN]
        others_waiting = Order.objects.filter(status__in=waiting).exists()
        first = [spec for spec in ORDERS if spec.escalate]
        made = [self.order(spec, items, people) for spec in first]
        made = [order for order in made if order is not None]
        if made and not others_waiting:
            # Escalated as the periodic job will do once their step is overdue: run it at a
            # past moment just after the last of their deadlines (nothing else is waiting yet).
            dues = [order.step_due_at for order in made if order.step_due_at]
            if dues:
                later = min(max(dues) + timedelta(minutes=10), self.now)
                self.loaded.escalated = services.orders_escalate(now=later)
        for spec in ORDERS:
            if not spec.escalate:
                self.order(spec, items, people)
        # Served over a week ago and never rated: closed 未评价 as the periodic job did, just
        # after the last of their rating windows ended.
        ended = Order.objects.filter(status=S.DONE, step_due_at__lt=self.now).aggregate(
            last=Max("step_due_at")
        )["last"]
        closed = 0
        if ended is not None:
            moment = min(ended + timedelta(minutes=10), self.now)
            closed = services.orders_close_unrated(now=moment)
        self.loaded.statuses[S.DONE] -= closed
        self.loaded.statuses[S.UNRATED] += closed

    def confirm(self) -> None:
        """As hours_load does for activities: the claims of services over a week ago were
        confirmed in time by the team or center that served (two days after); the last
        week's wait. (Left waiting, hours_load would confirm them on the next load.)"""
        old = HoursClaim.objects.filter(
            status=HoursClaim.Status.PENDING,
            ended_at__lt=self.now - timedelta(days=7),
            attendance__signup__demand_order__isnull=False,
        ).select_related("organisation")
        for claim in old.order_by("pk"):
            decided_on = timezone.localdate(claim.ended_at) + timedelta(days=2)
            actor = self.manager(claim.organisation, self.staff)
            try:
                hours_services.claim_confirm(actor=actor, claim=claim, today=decided_on)
            except DomainError:
                continue  # e.g. rounded to zero hours: left for the organiser
            self.loaded.confirmed += 1


def demands_load(*, actor: User, now: datetime | None = None) -> Loaded:
    """Load the demo menus, register and orders that are missing, then collect the served
    orders' attendance into hours claims. `actor` (the superuser) acts where no demo staff
    log-in manages the organisation. Call inside a transaction, after the hours."""
    with translation.override(LANGUAGE):
        loader = _Loader(actor, now or timezone.now())
        items = loader.menus()
        people = loader.register()
        loader.orders(items, people)
        loader.loaded.claims = hours_services.claims_collect(loader.now)
        loader.confirm()
    return loader.loaded
