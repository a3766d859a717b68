"""Load the illustrative resource allocation table (reference/resource_allocation_bands.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from openasc.planning.bands import load_bands

    load_bands(apps.get_model("planning", "ResourceAllocationBand"))


def unload(apps, schema_editor):
    apps.get_model("planning", "ResourceAllocationBand").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
