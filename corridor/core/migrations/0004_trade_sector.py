from django.db import migrations

# A frozen copy of corridor.core.sectors.SECTORS as of this migration: adds trade and commerce
# (the Bridge of Dialogue's delegations name it) and renumbers the positions.
SECTORS = [
    ("financial-services", "Financial services", "金融服务", True),
    ("aviation", "Aviation", "航空", True),
    ("transport-logistics", "Transport and logistics", "交通物流", True),
    ("ict", "Information and communications technology", "信息通信技术", True),
    ("agriculture-food", "Agriculture and food", "农业与食品", False),
    ("manufacturing", "Manufacturing", "制造业", False),
    ("health", "Health", "医疗健康", False),
    ("education", "Education", "教育", False),
    ("tourism", "Tourism", "旅游", False),
    ("digital-economy", "Digital economy", "数字经济", False),
    ("green-development", "Green development", "绿色发展", False),
    ("trade", "Trade and commerce", "商贸", False),
    ("other", "Other", "其他", False),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("core", "Sector")
    for position, (code, name_en, name_zh, priority) in enumerate(SECTORS):
        Sector.objects.update_or_create(
            code=code,
            defaults={"name_en": name_en, "name_zh": name_zh, "is_priority": priority,
                      "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_action_label")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
