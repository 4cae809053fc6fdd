from django.db import migrations

# A starting list; the city office edits it in the admin. Names follow the campaign plan's
# service items (理论宣讲, 心理疏导, 家电维修, …).
SKILLS = [
    "理论宣讲",
    "政策宣讲",
    "医疗护理",
    "急救",
    "心理疏导",
    "法律咨询",
    "家电维修",
    "水电维修",
    "教育辅导",
    "文艺演出",
    "摄影摄像",
    "新闻写作",
    "计算机",
    "外语",
    "手语",
    "驾驶",
    "农业技术",
    "养老照护",
    "体育健身",
    "环保宣传",
]


def add(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    Skill.objects.bulk_create([Skill(name=name) for name in SKILLS], ignore_conflicts=True)


def remove(apps, schema_editor):
    apps.get_model("volunteers", "Skill").objects.filter(name__in=SKILLS).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
