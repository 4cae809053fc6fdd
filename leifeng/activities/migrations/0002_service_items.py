from django.db import migrations

# The service items the campaign plan names for each line (三、主要内容); the city office edits
# the list in the admin.
ITEMS = {
    "practice": ["理论宣讲", "政策宣讲", "文化服务", "科技科普", "健身体育", "移风易俗"],
    "city": [
        "文明礼仪知识普及",
        "公共秩序维护",
        "主次干道环境整治",
        "文明交通劝导",
        "平安晋城建设",
        "文明礼仪进社区",
    ],
    "epidemic": [
        "信息登记",
        "体温测量",
        "区域消毒",
        "环境清洁",
        "治安巡逻",
        "卡点值守",
        "代购物资",
        "代办事项",
        "宣传教育",
        "心理疏导",
        "慰问关怀",
    ],
    "public_places": ["秩序维护", "宣传引导", "咨询指引", "文明交通宣讲", "便民服务"],
    "care": ["慰问关怀", "生活照料", "心理疏导", "家电维修", "助学帮扶", "邻里互助"],
    "nature": [
        "植树",
        "清扫路面",
        "清洗护栏",
        "捡拾白色垃圾",
        "清除卫生死角",
        "垃圾分类宣传",
        "文明旅游引导",
        "低碳生活宣传",
    ],
}


def add(apps, schema_editor):
    ServiceItem = apps.get_model("activities", "ServiceItem")
    ServiceItem.objects.bulk_create(
        [
            ServiceItem(campaign_line=line, name=name, position=position)
            for line, names in ITEMS.items()
            for position, name in enumerate(names)
        ],
        ignore_conflicts=True,
    )


def remove(apps, schema_editor):
    ServiceItem = apps.get_model("activities", "ServiceItem")
    for line, names in ITEMS.items():
        ServiceItem.objects.filter(campaign_line=line, name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
