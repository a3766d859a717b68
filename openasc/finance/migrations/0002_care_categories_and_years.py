"""Reference data: the financial years around now, and a common set of care categories for budget monitoring (the
lines of the committee table in Cambridgeshire's 2018/19 finance report). The CLD has no code for dementia care,
respite or live-in care: these rules are a starting point a council changes (each says so in `source`); live-in care
matches nothing until the council says how it records it."""

import datetime as dt

from django.db import migrations

NURSING = ["Long term support: Nursing care"]
RESIDENTIAL = ["Long term support: Residential care"]
COMMUNITY = ["Long term support: Community"]
MEMORY = ["Support with memory and cognition", "Support with Memory & Cognition"]
LOCAL = "Local setting (no CLD code): a common structure, check it against your ledger"
CLD = "CLD service type and component"

CATEGORIES = (
    # code, name, unit, order, priority, types, components, mechanisms, reasons, source
    ("residential", "Residential", "week", 10, 20, RESIDENTIAL, [], [], [], CLD),
    ("residential-dementia", "Residential dementia", "week", 20, 10, RESIDENTIAL, [], [], MEMORY, LOCAL),
    ("nursing", "Nursing", "week", 30, 20, NURSING, [], [], [], CLD),
    ("nursing-dementia", "Nursing dementia", "week", 40, 10, NURSING, [], [], MEMORY, LOCAL),
    (
        "respite",
        "Respite",
        "week",
        50,
        5,
        [],
        ["Short term residential care", "Short term nursing care"],
        [],
        [],
        LOCAL,
    ),
    (
        "direct-payments",
        "Community-based: direct payments",
        "week",
        60,
        30,
        COMMUNITY,
        [],
        ["Direct payment"],
        [],
        CLD,
    ),
    ("day-care", "Community-based: day care", "week", 70, 40, COMMUNITY, ["Day support"], [], [], CLD),
    ("home-care", "Home care", "hour", 80, 40, COMMUNITY, ["Home support or domiciliary care"], [], [], CLD),
    (
        "live-in-care",
        "Live-in care",
        "week",
        90,
        35,
        [],
        [],
        [],
        [],
        "Local setting (no CLD code): matches nothing until the council sets how it records live-in care",
    ),
    ("community-other", "Community-based: other", "week", 100, 90, COMMUNITY, [], [], [], CLD),
    (
        "reablement",
        "Reablement and short-term support",
        "week",
        110,
        50,
        ["Short term support: ST-Max"],
        [],
        [],
        [],
        CLD,
    ),
)


def add(apps, schema_editor):
    FinancialYear = apps.get_model("finance", "FinancialYear")
    CareCategory = apps.get_model("finance", "CareCategory")
    for start in range(2022, 2029):
        FinancialYear.objects.get_or_create(
            label=f"{start}-{(start + 1) % 100:02d}",
            defaults={"starts_on": dt.date(start, 4, 1), "ends_on": dt.date(start + 1, 3, 31)},
        )
    for code, name, unit, order, priority, types, components, mechanisms, reasons, source in CATEGORIES:
        CareCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "order": order,
                "priority": priority,
                "service_types": types,
                "service_components": components,
                "delivery_mechanisms": mechanisms,
                "support_reasons": reasons,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
