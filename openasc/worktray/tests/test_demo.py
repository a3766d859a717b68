"""The demo council's worktrays: its history leaves work waiting, and `openasc demo` refreshes the worktray."""

from io import StringIO

import pytest
from django.core.management import call_command

from openasc.core.models import User
from openasc.worktray.models import Task, TaskKind
from openasc.worktray.services import for_user


@pytest.mark.no_audit_safety_net
def test_the_demo_council_has_believable_worktrays_and_a_second_refresh_changes_nothing(transactional_db):
    call_command("demo", "--people", "600", "--seed", "11", "--reset", stdout=StringIO(), stderr=StringIO())
    kinds = set(Task.objects.filter(closed_at__isnull=True).values_list("kind", flat=True))
    assert {TaskKind.REVIEW_DUE, TaskKind.BREAK_GLASS} <= kinds
    manager = User.objects.get(username="manager")
    assert Task.objects.filter(for_user(manager)).exists()
    out = StringIO()
    call_command("worktray", "refresh", stdout=out)
    assert all(line.split(": ")[1].startswith("0 opened, 0 closed") for line in out.getvalue().splitlines())


@pytest.mark.django_db
def test_the_refresh_command_needs_an_account_to_audit_against():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no active account 'nobody'"):
        call_command("worktray", "refresh", "--as-user", "nobody", stdout=StringIO())
