"""The payment run: what each provider is paid, once and only once, an interrupted run, the CLI and its exit codes."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from openasc.core.errors import AccessDenied
from openasc.core.models import AuditEvent
from openasc.payments.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentLine,
    PaymentRun,
    RunStatus,
)
from openasc.payments.services import invoices as inv_svc
from openasc.payments.services import run
from openasc.payments.tests import factories as f
from openasc.people.tests.factories import PersonFactory

START, END = dt.date(2026, 4, 6), dt.date(2026, 5, 3)


def _approved(world, officers, rows, number, kind=InvoiceKind.INVOICE, schedule="home-care", loc=None):
    text = "la_person_id,service_id,from,to,units,unit_cost,amount\n" + "\n".join(rows) + "\n"
    inv = inv_svc.invoice_upload(
        user=officers.clerk,
        provider_id=(loc or world.agency).provider_id,
        schedule_id=f.schedule(schedule).pk,
        period_start=START,
        number=number,
        kind=kind,
        text=text,
    )
    inv_svc.invoice_submit(user=officers.clerk, invoice_id=inv.pk)
    return inv_svc.invoice_approve(user=officers.first, invoice_id=inv.pk)


def test_the_run_pays_approved_invoices_net_of_credit_notes_and_the_plan_for_care_homes(world, officers):
    _approved(world, officers, [f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,"], "INV-1")
    _approved(
        world,
        officers,
        [f"{world.ann.la_person_id},,2026-04-20,2026-04-26,,,44.00"],
        "CN-1",
        InvoiceKind.CREDIT_NOTE,
    )
    inv_svc.adjustment_add(
        user=officers.first,
        provider_id=world.agency.provider_id,
        schedule_id=f.schedule("home-care").pk,
        period_start=START,
        amount_pence=-1000,
        reason="Missed visit on 12 April",
    )
    # an invoice still waiting for approval is not paid
    text = f"la_person_id,from,to,amount\n{world.bob.la_person_id},2026-04-06,2026-05-03,560.00\n"
    waiting = inv_svc.invoice_upload(
        user=officers.clerk,
        provider_id=world.agency.provider_id,
        schedule_id=f.schedule("home-care").pk,
        period_start=START,
        number="INV-2",
        kind="invoice",
        text=text,
    )
    result = run.payment_run(user=officers.first, period_end=END)
    paid = {p.provider_id: p for p in Payment.objects.all()}
    assert paid[world.agency.provider_id].amount_pence == 88000 - 4400 - 1000
    assert paid[world.home.provider_id].amount_pence == 4 * 85000 + 4 * 98000
    assert result.count == 2 and result.total_pence == 88000 - 5400 + 732000
    assert Invoice.objects.get(number="INV-1").status == InvoiceStatus.PAID
    assert Invoice.objects.get(number="CN-1").status == InvoiceStatus.PAID
    waiting.refresh_from_db()
    assert waiting.status == InvoiceStatus.DRAFT and waiting.payment is None
    assert (
        AuditEvent.objects.filter(object_type="payments.payment", details__what="provider paid").count() == 2
    )


def test_a_run_pays_once_and_only_once(world, officers):
    first = run.payment_run(user=officers.first, period_end=END)
    assert first.count == 1
    again = run.payment_run(user=officers.first, period_end=END)
    assert again.count == 0 and again.already_paid == 1
    assert again.message == "Nothing more to pay for period ending 3 May 2026 (1 already paid)"
    assert Payment.objects.count() == 1


def test_a_day_that_ends_no_period_pays_nothing(world, officers):
    result = run.payment_run(user=officers.first, period_end=dt.date(2026, 5, 2))
    assert result.count == 0 and result.message.startswith(
        "No payment schedule has a period ending on 2 May 2026"
    )


def test_an_interrupted_run_leaves_the_paid_paid_and_a_rerun_pays_the_rest(world, officers, monkeypatch):
    homes = [f.location(kind="Care home service without nursing") for _ in range(3)]
    for loc in homes:
        f.care_home(PersonFactory(), loc)
    real = run._pay_one
    calls = []

    def flaky(user, run_row, item):
        calls.append(item.provider_id)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(user, run_row, item)

    monkeypatch.setattr(run, "_pay_one", flaky)
    with pytest.raises(RuntimeError):
        run.payment_run(user=officers.first, period_end=END)
    assert Payment.objects.count() == 2
    stopped = PaymentRun.objects.get()
    assert stopped.status == RunStatus.FAILED and "run it again" in stopped.message
    monkeypatch.setattr(run, "_pay_one", real)
    rerun = run.payment_run(user=officers.first, period_end=END)
    assert (
        rerun.count == 2 and rerun.already_paid == 2
    )  # the care home of the world and three more: four in all
    assert Payment.objects.count() == 4
    assert sorted(Payment.objects.values_list("provider_id", flat=True)) == sorted(
        {world.home.provider_id, *(h.provider_id for h in homes)}
    )


def test_the_unique_constraint_refuses_a_second_payment_for_a_period(world, officers):
    (item,) = run.plan_run(END)[0]
    row = PaymentRun.objects.create(
        period_end=END, started_by=officers.first, started_at=dt.datetime(2026, 5, 4, tzinfo=dt.UTC)
    )
    assert run._pay_one(officers.first, row, item) is True
    item.reference += "-again"
    assert run._pay_one(officers.first, row, item) is False
    assert Payment.objects.count() == 1 and PaymentLine.objects.count() == 2


def test_a_dry_run_writes_nothing(world, officers):
    result = run.payment_run(user=officers.first, period_end=END, dry_run=True)
    assert result.count == 1 and result.message.startswith("Would pay £7,320.00 in 1 payment")
    assert not Payment.objects.exists() and not PaymentRun.objects.exists()


def test_only_a_finance_officer_runs_payments(world, staff):
    with pytest.raises(AccessDenied):
        run.payment_run(user=staff.team_manager, period_end=END)
    assert AuditEvent.objects.filter(actor=staff.team_manager, action="access_refused").exists()


def test_the_bacs_file(world, officers):
    result = run.payment_run(user=officers.first, period_end=END)
    rows = list(csv.DictReader(io.StringIO(run.bacs_csv(result.paid))))
    assert list(rows[0]) == list(run.BACS_COLUMNS)
    assert rows[0]["amount_pence"] == "732000" and rows[0]["amount_pounds"] == "7320.00"
    assert rows[0]["period_start"] == "2026-04-06" and rows[0]["period_end"] == "2026-05-03"
    assert rows[0]["payment_reference"] == f"P20260503-CARE-HOMES-{world.home.provider_id}"


def test_the_remittance_names_people_and_audits_each(world, officers):
    run.payment_run(user=officers.first, period_end=END)
    payment = Payment.objects.get()
    _, rows = run.remittance(user=officers.first, payment_id=payment.pk)
    assert {r[1] for r in rows} == {world.cat.la_person_id, world.dan.la_person_id}
    assert sum(r[7] for r in rows) == payment.amount_pence
    exported = AuditEvent.objects.filter(actor=officers.first, action="export", object_type="people.person")
    assert set(exported.values_list("person_id", flat=True)) == {world.cat.pk, world.dan.pk}


# --- the command line -----------------------------------------------------------------------------------------------


def _cli(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("payments", "run", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_pays_then_says_nothing_more(world, officers, tmp_path):
    path = tmp_path / "bacs.csv"
    out, _ = _cli("--period-end", "2026-05-03", "--out", str(path), "--as-user", "fo-first")
    assert "Paid £7,320.00 in 1 payment for period ending 3 May 2026" in out
    assert "Total £7,320.00; count 1" in out
    assert path.read_text().splitlines()[0] == ",".join(run.BACS_COLUMNS)
    out, _ = _cli("--period-end", "2026-05-03", "--as-user", "fo-first")
    assert "Nothing more to pay for period ending 3 May 2026" in out and "count 0" in out


def test_cli_dry_run(world, officers):
    out, _ = _cli("--period-end", "2026-05-03", "--dry-run", "--as-user", "fo-first")
    assert "Would pay £7,320.00" in out and not Payment.objects.exists()


def test_cli_refuses_bad_input_with_exit_status_1(world, officers, staff):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        _cli("--period-end", "3 May", "--as-user", "fo-first")
    with pytest.raises(CommandError, match="no active account"):
        _cli("--period-end", "2026-05-03", "--as-user", "nobody")
    with pytest.raises(CommandError, match="may not run payments"):
        _cli("--period-end", "2026-05-03", "--as-user", staff.social_worker.username)


def test_cli_exit_status_2_when_the_run_stops(world, officers, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(run, "_pay_one", boom)
    with pytest.raises(SystemExit) as caught:
        _cli("--period-end", "2026-05-03", "--as-user", "fo-first")
    assert caught.value.code == 2


def test_an_invoice_approved_after_its_periods_run_is_paid_in_the_next(world, officers):
    _approved(world, officers, [f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,"], "INV-1")
    run.payment_run(user=officers.first, period_end=END)
    _approved(world, officers, [f"{world.bob.la_person_id},,2026-04-06,2026-05-03,28,20.00,"], "LATE-1")
    again = run.payment_run(user=officers.first, period_end=END)
    assert again.count == 0 and again.already_paid == 2  # the agency and the care home: paid once only
    late = Invoice.objects.get(number="LATE-1")
    assert late.status == InvoiceStatus.APPROVED and late.payment is None
    nxt = run.payment_run(user=officers.first, period_end=dt.date(2026, 5, 31))
    agency = next(p for p in nxt.paid if p.provider_id == world.agency.provider_id)
    assert agency.amount_pence == 56000 and agency.period.first == dt.date(2026, 5, 4)
    late.refresh_from_db()
    assert late.status == InvoiceStatus.PAID and late.payment.period_end == dt.date(2026, 5, 31)


def test_credit_notes_beyond_what_is_owed_are_held_not_paid_negative(world, officers):
    _approved(
        world,
        officers,
        [f"{world.ann.la_person_id},,2026-04-20,2026-04-26,,,44.00"],
        "CN-9",
        InvoiceKind.CREDIT_NOTE,
    )
    result = run.payment_run(user=officers.first, period_end=END)
    assert result.held == 1 and not Payment.objects.filter(provider_id=world.agency.provider_id).exists()
    assert "1 held" in result.message
    _approved(world, officers, [f"{world.ann.la_person_id},,2026-04-06,2026-05-03,40,22.00,"], "INV-9")
    result = run.payment_run(user=officers.first, period_end=END)
    assert Payment.objects.get(provider_id=world.agency.provider_id).amount_pence == 88000 - 4400


def test_lines_carry_their_cost_centre_and_the_payment_the_largest(world, officers, teams):
    from openasc.core.models import RelationshipKind
    from openasc.core.tests.factories import CareRelationshipFactory
    from openasc.finance.models import CareCategory
    from openasc.finance.tests.factories import CostCentreFactory

    CostCentreFactory(
        code="RES-N", care_category=CareCategory.objects.get(code="residential"), team=teams.north
    )
    CostCentreFactory(code="NUR", care_category=CareCategory.objects.get(code="nursing"))
    CareRelationshipFactory(
        person=world.cat,
        kind=RelationshipKind.ALLOCATED_TEAM,
        team=teams.north,
        user=None,
        starts_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # the team working with her at the end of the period
    run.payment_run(user=officers.first, period_end=END)
    payment = Payment.objects.get(provider_id=world.home.provider_id)
    by_service = dict(
        PaymentLine.objects.filter(payment=payment).values_list("service_id", "cost_centre_code")
    )
    assert by_service == {world.cat_home.pk: "RES-N", world.dan_home.pk: "NUR"}
    assert payment.cost_centre_code == "NUR"  # £980 a week against £850


def test_an_in_advance_schedule_pays_the_next_period_when_one_ends(world, officers):
    from openasc.core import audit

    homes = f.schedule("care-homes")
    homes.timing = "advance"
    with audit.exempt_from_safety_net():
        homes.save()
    result = run.payment_run(user=officers.first, period_end=END)
    (paid,) = result.paid
    assert (paid.period.first, paid.period.last) == (dt.date(2026, 5, 4), dt.date(2026, 5, 31))
    assert paid.amount_pence == 4 * 85000 + 4 * 98000
