"""Example local sources of risk, each mapped to the national source it is counted as. Local practice, not national
(modelled on a council's public recording form, specs/next-capabilities.md a.6): a council renames, adds or retires
them (LocalSourceType.active) to match its own recording."""

from django.db import migrations

EXAMPLES = (
    ("Social care provider: private sector", "Service Provider"),
    ("Social care provider: voluntary sector", "Service Provider"),
    ("Social care provider: council-run service", "Service Provider"),
    ("Personal assistant paid by a direct payment", "Service Provider"),
    ("Known to the adult: relative, family or unpaid carer", "Other - Known to individual"),
    ("Known to the adult: partner or spouse", "Other - Known to individual"),
    ("Known to the adult: friend, neighbour or acquaintance", "Other - Known to individual"),
    (
        "Known to the adult: health or council staff (assessment and care management)",
        "Other - Known to individual",
    ),
    ("Known to the adult: another adult using the same service", "Other - Known to individual"),
    ("Unknown to the adult: stranger", "Other - Unknown to individual"),
    ("Unknown to the adult: scam or fraud", "Other - Unknown to individual"),
)


def add(apps, schema_editor):
    LocalSourceType = apps.get_model("safeguarding", "LocalSourceType")
    for name, national in EXAMPLES:
        LocalSourceType.objects.get_or_create(name=name, defaults={"national": national})


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
