"""The council's advocacy providers: added, listed, removed through `openasc capacity providers`, audited; only an
administrator may; a removed provider is no longer offered but stays on records that name it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openasc.capacity import reference, selectors
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent


def run(*args):
    out = StringIO()
    call_command("capacity", *args, stdout=out)
    return out.getvalue()


def test_an_administrator_adds_lists_and_removes_providers(staff):
    assert "No advocacy providers yet" in run("providers", "list", "--as", "administrator")
    run("providers", "add", "Northshire Advocacy Hub", "--as", "administrator")
    run("providers", "add", "Voiceability", "--as", "administrator")
    assert selectors.advocacy_providers() == ("Northshire Advocacy Hub", "Voiceability")
    assert run("providers", "list", "--as", "administrator").split("\n")[:2] == [
        "Northshire Advocacy Hub",
        "Voiceability",
    ]
    run("providers", "remove", "Voiceability", "--as", "administrator")
    assert selectors.advocacy_providers() == ("Northshire Advocacy Hub",)
    events = AuditEvent.objects.filter(actor=staff.administrator, object_type="core.referencecode")
    assert [e.details["event"] for e in events.order_by("pk")] == [
        "advocacy_provider_added",
        "advocacy_provider_added",
        "advocacy_provider_removed",
    ]
    run("providers", "add", "Voiceability", "--as", "administrator")  # back again
    assert selectors.advocacy_providers() == ("Northshire Advocacy Hub", "Voiceability")


def test_only_an_administrator_and_no_duplicates_or_blanks(staff):
    with pytest.raises(CommandError, match="not an administrator"):
        run("providers", "add", "Someone", "--as", "social_worker")
    reference.provider_add(actor=staff.administrator, name="Hub")
    with pytest.raises(ValidationFailed, match="already on the list"):
        reference.provider_add(actor=staff.administrator, name="Hub")
    with pytest.raises(ValidationFailed, match="Enter the advocacy provider's name"):
        reference.provider_add(actor=staff.administrator, name="   ")
    with pytest.raises(ValidationFailed, match="is not on the list"):
        reference.provider_remove(actor=staff.administrator, name="Nobody")
