"""`openasc measures/salt --detail` from the record: the people written to the detail files are audited one by one
against the account the command runs as (--as-user), which must be allowed to see them (issue 11, finding 8)."""

import pytest

from openasc.core.models import AuditEvent
from openasc.reporting.management.commands.measures import Command as Measures
from openasc.reporting.management.commands.salt import Command as Salt

from .test_salt_views import record  # noqa: F401  (the fixture: four people with care in 2024/25)

PERIOD = ["--period", "2024-04-01:2025-03-31"]


def _exports(user, since):
    return list(AuditEvent.objects.filter(pk__gt=since, actor=user, action="export", person_id__isnull=False))


def _last_id():
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_salt_detail_is_audited_per_person_against_the_system_account(staff, record, tmp_path, capsys):  # noqa: F811
    before = _last_id()
    assert Salt().execute_argv([*PERIOD, "--format", "csv", "--detail", str(tmp_path)]) == 0
    written = "".join(f.read_text() for f in tmp_path.glob("*.csv"))
    events = _exports(staff.system, before)
    assert {e.person_id for e in events} == {p.pk for p in record if p.la_person_id in written}
    assert len(events) == len({e.person_id for e in events}) >= 3  # one event per person, not per row
    assert all(
        e.details["what"] == "openasc salt --detail"
        and e.details["with_nhs_numbers"] is False
        and e.details["files"]
        for e in events
    )


def test_measures_detail_is_audited_against_the_named_analyst(staff, record, tmp_path, capsys):  # noqa: F811
    before = _last_id()
    args = [
        *PERIOD,
        "--population",
        "18-64=1000",
        "--population",
        "65+=1000",
        "--out",
        str(tmp_path / "m.json"),
    ]
    assert (
        Measures().execute_argv([*args, "--detail", str(tmp_path / "d"), "--as-user", "performance_analyst"])
        == 0
    )
    events = _exports(staff.performance_analyst, before)
    assert events and all(e.details["what"] == "openasc measures --detail" for e in events)
    assert not _exports(staff.system, before)  # nobody else is blamed for it


def test_without_detail_nobody_is_audited_one_by_one(staff, record, tmp_path, capsys):  # noqa: F811
    before = _last_id()
    assert Salt().execute_argv([*PERIOD, "--format", "csv"]) == 0
    assert _exports(staff.system, before) == []
    assert AuditEvent.objects.filter(pk__gt=before, action="export", person_id__isnull=True).count() == 1


def test_a_role_without_the_returns_is_refused_and_the_refusal_audited(staff, record, tmp_path, capsys):  # noqa: F811
    before = _last_id()
    code = Salt().execute_argv([*PERIOD, "--detail", str(tmp_path / "d"), "--as-user", "social_worker"])
    assert code == 2
    assert "may not see the people behind the returns" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
    assert (
        AuditEvent.objects.filter(pk__gt=before, actor=staff.social_worker, action="access_refused").count()
        == 1
    )
    assert not AuditEvent.objects.filter(pk__gt=before, action="export").exists()


@pytest.mark.parametrize("roles, allowed", [("", False), ("performance_analyst", True)])
def test_nhs_numbers_in_detail_files_only_for_the_roles_the_council_names(
    staff,
    record,  # noqa: F811
    tmp_path,
    capsys,
    settings,
    roles,
    allowed,
):
    settings.OPENASC_RETURNS_NHS_NUMBER_ROLES = roles
    before = _last_id()
    code = Salt().execute_argv(
        [
            *PERIOD,
            "--detail",
            str(tmp_path / "d"),
            "--with-nhs-numbers",
            "--as-user",
            "performance_analyst",
            "--out",
            str(tmp_path / "s.json"),
        ]
    )
    assert code == (0 if allowed else 2)
    events = _exports(staff.performance_analyst, before)
    assert bool(events) is allowed
    assert all(e.details["with_nhs_numbers"] is True for e in events)
    if not allowed:
        assert "may not see NHS numbers in returns" in capsys.readouterr().err


def test_an_unknown_account_is_a_clear_error(staff, record, tmp_path, capsys):  # noqa: F811
    assert Salt().execute_argv([*PERIOD, "--as-user", "nobody"]) == 2
    assert "no active account called 'nobody'" in capsys.readouterr().err


def test_the_files_a_run_wrote_are_told_apart_from_those_it_left_alone(tmp_path):
    from openasc.reporting.management.engine_command import detail_people, snapshot, value_of

    header = "la_person_id,measure\n"
    old = tmp_path / "old.csv"
    old.write_text(header + "P0000001,1A\n")
    rewritten = tmp_path / "same_second.csv"
    rewritten.write_text(header + "P0000002,1A\n")
    before = snapshot(tmp_path)
    rewritten.write_text(
        header + "P0000003,1A\nP0000004,1A\n"
    )  # rewritten in the same second: still this run's
    (tmp_path / "new.csv").write_text(header + "P0000005,2A\n")
    files, ids = detail_people(tmp_path, before=before)
    assert files == ["new.csv", "same_second.csv"]
    assert ids == {"P0000003", "P0000004", "P0000005"}  # not P0000001: that file was left as it was
    assert snapshot(tmp_path / "missing") == {}
    assert (
        value_of(["--detail", "a", "--detail=b"], "--detail") == "b"
    )  # the last one wins, as argparse reads it
    assert value_of(["--period", "x"], "--detail") is None
