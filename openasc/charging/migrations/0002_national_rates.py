"""Reference data: the national charging rates for each year they are known, with the status of each source."""

from django.db import migrations


def load(apps, schema_editor):
    from openasc.charging.rates_csv import rows

    ChargingRate = apps.get_model("charging", "ChargingRate")
    for row in rows():
        ChargingRate.objects.get_or_create(
            year=row["year"],
            key=row["key"],
            defaults={"amount_pence": row["amount_pence"], "status": row["status"], "source": row["source"]},
        )


class Migration(migrations.Migration):
    dependencies = [("charging", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
