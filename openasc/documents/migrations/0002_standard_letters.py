"""The standard letters every council starts with (openasc/documents/standard.py)."""

from django.db import migrations

from openasc.documents import standard


def add(apps, schema_editor):
    standard.load(apps.get_model("documents", "LetterTemplate"))


def remove(apps, schema_editor):
    keys = [x["key"] for x in standard.LETTERS]
    apps.get_model("documents", "LetterTemplate").objects.filter(key__in=keys).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
