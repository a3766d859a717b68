"""Reference data: the default payment schedules (a starting point a council changes): home care four-weekly in
arrears against an approved invoice; care homes (residential, nursing, respite) four-weekly in arrears from the plan,
without an invoice. Periods run from Monday 6 April 2026, every 28 days, both ways."""

import datetime as dt

from django.db import migrations

ANCHOR = dt.date(2026, 4, 6)
SCHEDULES = (
    # code, name, care categories, basis, priority
    ("home-care", "Home care: four-weekly in arrears, against invoices", ["home-care"], "invoice", 10),
    (
        "care-homes",
        "Care homes: four-weekly in arrears, from the plan",
        ["residential", "residential-dementia", "nursing", "nursing-dementia", "respite"],
        "plan",
        20,
    ),
)


def add(apps, schema_editor):
    PaymentSchedule = apps.get_model("payments", "PaymentSchedule")
    for code, name, categories, basis, priority in SCHEDULES:
        PaymentSchedule.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "care_categories": categories,
                "frequency": "four_weekly",
                "timing": "arrears",
                "anchor": ANCHOR,
                "basis": basis,
                "priority": priority,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("finance", "0002_care_categories_and_years")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
