"""Reference lists for the care journey (service components, cost frequency, review and assessment lists)."""

from django.db import migrations


def load_codes(apps, schema_editor):
    from openasc.core.codes import bulk_load_rows

    bulk_load_rows(apps.get_model("core", "ReferenceCode"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_codes_and_audit_trigger")]

    operations = [migrations.RunPython(load_codes, migrations.RunPython.noop)]
