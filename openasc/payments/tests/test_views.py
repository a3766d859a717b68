"""The payments pages: the finance officer's, everyone else refused (audited); lines paged and each person audited."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openasc.core.models import AuditEvent, Role
from openasc.payments.models import Invoice, InvoiceStatus, Payment
from openasc.payments.services import invoices as inv_svc
from openasc.payments.tests import factories as f
from openasc.people.tests.factories import PersonFactory

PAGES = [
    ("payments:home", []),
    ("payments:schedules", []),
    ("payments:expected", []),
    ("payments:invoices", []),
    ("payments:invoice-new", []),
    ("payments:ecm", []),
    ("payments:adjustment-new", []),
    ("payments:runs", []),
    ("payments:nhs", []),
]


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name,args", PAGES)
def test_the_finance_officer_sees_every_page(client, officers, world, name, args):
    response = _login(client, officers.first).get(reverse(name, args=args))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "role",
    [
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.BROKER,
        Role.PERFORMANCE_ANALYST,
        Role.NHS_PARTNER,
        Role.ADMINISTRATOR,
        Role.SAFEGUARDING_LEAD,
    ],
)
def test_other_roles_are_refused_and_the_refusal_audited(client, staff, world, role):
    user = getattr(staff, role.value)
    for name, args in PAGES:
        response = _login(client, user).get(reverse(name, args=args))
        assert response.status_code == 403, name
    assert AuditEvent.objects.filter(actor=user, action="access_refused").count() == len(PAGES)


def _invoice_with_lines(world, officers, n):
    people = [PersonFactory() for _ in range(n)]
    for p in people:
        f.home_care(p, world.agency)
    text = "la_person_id,from,to,units,amount\n" + "\n".join(
        f"{p.la_person_id},2026-04-06,2026-05-03,40,880.00" for p in people
    )
    return inv_svc.invoice_upload(
        user=officers.clerk,
        provider_id=world.agency.provider_id,
        schedule_id=f.schedule("home-care").pk,
        period_start=dt.date(2026, 4, 6),
        number="BIG-1",
        kind="invoice",
        text=text,
    ), people


def test_invoice_lines_come_25_a_page_and_each_person_shown_is_audited(client, officers, world):
    invoice, people = _invoice_with_lines(world, officers, 30)
    page1 = _login(client, officers.first).get(reverse("payments:invoice", args=[invoice.pk]))
    assert page1.status_code == 200
    body = page1.content.decode()
    assert people[0].la_person_id in body and people[29].la_person_id not in body
    viewed = AuditEvent.objects.filter(actor=officers.first, action="view", object_type="people.person")
    assert set(viewed.values_list("person_id", flat=True)) == {p.pk for p in people[:25]}
    page2 = client.get(reverse("payments:invoice", args=[invoice.pk]) + "?page=2")
    assert people[29].la_person_id in page2.content.decode()
    assert viewed.count() == 30


def test_entering_an_invoice_on_the_page_then_approval_by_someone_else(client, officers, world):
    text = f"la_person_id,from,to,units,unit_cost\n{world.ann.la_person_id},2026-04-06,2026-05-03,40,22.00\n"
    data = {
        "provider": world.agency.provider_id,
        "schedule": f.schedule("home-care").pk,
        "period_start-day": "6",
        "period_start-month": "4",
        "period_start-year": "2026",
        "number": "WEB-1",
        "kind": "invoice",
        "file": SimpleUploadedFile("inv.csv", text.encode()),
    }
    response = _login(client, officers.clerk).post(reverse("payments:invoice-new"), data)
    invoice = Invoice.objects.get(number="WEB-1")
    assert response.status_code == 302 and response.url == reverse("payments:invoice", args=[invoice.pk])
    client.post(reverse("payments:invoice-action", args=[invoice.pk, "submit"]))
    own = client.post(reverse("payments:invoice-action", args=[invoice.pk, "approve"]))
    assert own.status_code == 400 and "nobody approves their own" in own.content.decode()
    _login(client, officers.first).post(reverse("payments:invoice-action", args=[invoice.pk, "approve"]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED


def test_a_bad_csv_on_the_page_shows_each_row_error(client, officers, world):
    data = {
        "provider": world.agency.provider_id,
        "schedule": f.schedule("home-care").pk,
        "period_start-day": "6",
        "period_start-month": "4",
        "period_start-year": "2026",
        "number": "BAD-1",
        "kind": "invoice",
        "lines": "X1,,2026-04-06,2026-13-01,,,5.00",
    }
    response = _login(client, officers.clerk).post(reverse("payments:invoice-new"), data)
    assert response.status_code == 400
    assert "Enter a date like 2026-05-04" in response.content.decode()
    assert not Invoice.objects.exists()


def test_the_run_page_dry_run_and_run(client, officers, world):
    data = {"period_end-day": "3", "period_end-month": "5", "period_end-year": "2026", "dry_run": "on"}
    dry = _login(client, officers.first).post(reverse("payments:runs"), data)
    assert dry.status_code == 200 and "Would pay £7,320.00" in dry.content.decode()
    assert not Payment.objects.exists()
    data.pop("dry_run")
    done = client.post(reverse("payments:runs"), data, follow=True)  # through the job's page when it is a job
    from openasc.payments.models import PaymentRun

    run_url = reverse("payments:run", args=[PaymentRun.objects.get().pk])
    assert done.status_code == 200 and done.redirect_chain[-1][0] == run_url
    assert "£7,320.00" in done.content.decode()
    bacs = client.get(run_url + "?format=csv")
    assert bacs["Content-Type"].startswith("text/csv") and b"payment_reference" in bacs.content
    payment = Payment.objects.get()
    remit = client.get(reverse("payments:remittance", args=[payment.pk, "csv"]))
    assert world.cat.la_person_id in remit.content.decode()


def test_the_remittance_pdf(client, officers, world):
    from openasc.payments.services import run

    run.payment_run(user=officers.first, period_end=dt.date(2026, 5, 3))
    payment = Payment.objects.get()
    response = _login(client, officers.first).get(reverse("payments:remittance", args=[payment.pk, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_service_payments_page_audits_its_person(client, officers, world):
    response = _login(client, officers.first).get(reverse("payments:service", args=[world.dan_home.pk]))
    assert response.status_code == 200 and world.dan.la_person_id in response.content.decode()
    assert AuditEvent.objects.filter(actor=officers.first, action="view", person_id=world.dan.pk).exists()
    missing = client.get(reverse("payments:service", args=[999999]))
    assert missing.status_code == 404


def test_a_providers_expected_payment_shows_its_lines_and_audits_each_person(client, officers, world):
    home = f.schedule("care-homes")
    url = reverse("payments:expected-provider", args=[world.home.provider_id])
    response = _login(client, officers.first).get(f"{url}?schedule={home.pk}&period_end=2026-05-03")
    body = response.content.decode()
    assert response.status_code == 200 and "£7,320.00" in body
    assert world.cat.la_person_id in body and world.dan.la_person_id in body and "£850.00" in body
    viewed = AuditEvent.objects.filter(actor=officers.first, action="view", object_type="people.person")
    assert set(viewed.values_list("person_id", flat=True)) == {world.cat.pk, world.dan.pk}
    assert client.get(f"{url}?schedule={home.pk}&period_end=2026-05-02").status_code == 404
    assert client.get(f"{url}?schedule=999&period_end=2026-05-03").status_code == 404
    listing = client.get(reverse("payments:expected") + "?period_end=2026-05-03").content.decode()
    assert f"{url}?schedule={home.pk}&amp;period_end=2026-05-03" in listing


def test_a_finance_officer_changes_a_schedule(client, officers):
    home = f.schedule("home-care")
    url = reverse("payments:schedule", args=[home.pk])
    assert _login(client, officers.first).get(url).status_code == 200
    data = {
        "code": "home-care",
        "name": "Home care weekly",
        "care_categories": ["home-care"],
        "frequency": "weekly",
        "timing": "arrears",
        "basis": "invoice",
        "anchor-day": "6",
        "anchor-month": "4",
        "anchor-year": "2026",
        "priority": "10",
        "active": "on",
    }
    bad = client.post(url, {**data, "care_categories": []})
    assert bad.status_code == 400 and "Choose the care categories" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    home.refresh_from_db()
    assert home.frequency == "weekly" and home.name == "Home care weekly"
    assert AuditEvent.objects.filter(actor=officers.first, object_type="payments.paymentschedule").exists()
    assert client.get(reverse("payments:schedule-new")).status_code == 200


def test_the_expected_page_sums_the_nhs_share(client, officers, world):
    from openasc.payments.services.nhs import nhs_contribution_add

    nhs_contribution_add(
        user=officers.first,
        service_id=world.dan_home.pk,
        kind="fnc",
        weekly_pence=25000,
        from_on=dt.date(2026, 4, 6),
    )
    body = (
        _login(client, officers.first)
        .get(reverse("payments:expected") + "?period_end=2026-05-03")
        .content.decode()
    )
    assert "The NHS funds £1,000.00 of it" in body


def test_invoices_are_listed_25_a_page(client, officers, world):
    text = f"la_person_id,from,to,amount\n{world.ann.la_person_id},2026-04-06,2026-05-03,1.00\n"
    for n in range(27):
        inv_svc.invoice_upload(
            user=officers.clerk,
            provider_id=world.agency.provider_id,
            schedule_id=f.schedule("home-care").pk,
            period_start=dt.date(2026, 4, 6),
            number=f"N-{n:02d}",
            kind="invoice",
            text=text,
        )
    first = _login(client, officers.first).get(reverse("payments:invoices")).content.decode()
    assert "N-00" in first and "N-24" in first and "N-25" not in first and "Pages of invoices" in first
    second = client.get(reverse("payments:invoices") + "?page=2").content.decode()
    assert "N-25" in second and "N-26" in second and "N-24" not in second
