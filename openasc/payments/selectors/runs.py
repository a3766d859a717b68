"""Payment runs and payments made (what was paid, to whom, for which period), and a payment's lines for the
remittance advice (which names people: the caller audits them)."""

from __future__ import annotations

import datetime as dt

from openasc.payments.models import Adjustment, Payment, PaymentLine, PaymentRun


def paid_keys(period_starts: dict[int, dt.date]) -> set[tuple[int, int]]:
    """(provider id, schedule id) already paid for each schedule's period (schedule id -> the period's first day)."""
    out = set()
    for schedule_id, start in period_starts.items():
        out.update(
            Payment.objects.filter(schedule_id=schedule_id, period_start=start).values_list(
                "provider_id", "schedule_id"
            )
        )
    return out


def adjustments_for(schedule_id: int, period_start: dt.date) -> dict[int, list[Adjustment]]:
    """provider id -> its unpaid adjustments for the period starting then, or an earlier one (made after that
    period's run: counted in the next)."""
    out: dict[int, list[Adjustment]] = {}
    for adj in Adjustment.objects.filter(
        schedule_id=schedule_id, period_start__lte=period_start, payment__isnull=True
    ).order_by("pk"):
        out.setdefault(adj.provider_id, []).append(adj)
    return out


def runs(limit: int = 50) -> list[PaymentRun]:
    return list(PaymentRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit])


def run_get(run_id: int) -> PaymentRun | None:
    return PaymentRun.objects.select_related("started_by").filter(pk=run_id).first()


def payments_of_run(run_id: int) -> list[Payment]:
    return list(
        Payment.objects.filter(run_id=run_id).select_related("provider", "schedule").order_by("reference")
    )


def payments_for_period(period_end: dt.date) -> list[Payment]:
    return list(
        Payment.objects.filter(period_end=period_end)
        .select_related("provider", "schedule")
        .order_by("reference")
    )


def payment_get(payment_id: int) -> Payment | None:
    return Payment.objects.select_related("provider", "schedule", "run").filter(pk=payment_id).first()


def payment_lines(payment: Payment) -> list[PaymentLine]:
    return list(PaymentLine.objects.filter(payment=payment).select_related("person").order_by("pk"))


def paid_total(schedule_id: int, period_start: dt.date) -> int:
    from django.db.models import Sum

    return (
        Payment.objects.filter(schedule_id=schedule_id, period_start=period_start).aggregate(
            t=Sum("amount_pence")
        )["t"]
        or 0
    )


def payment_lines_for_service(service_id: int) -> list[PaymentLine]:
    return list(
        PaymentLine.objects.filter(service_id=service_id)
        .select_related("payment")
        .order_by("-from_on", "-pk")[:200]
    )


def provider_choices() -> list[tuple[int, str]]:
    from openasc.providers.models import Provider

    return list(Provider.objects.order_by("name").values_list("pk", "name"))


def provider_names(ids) -> dict[int, str]:
    from openasc.providers.models import Provider

    return dict(Provider.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def service_for_payments(service_id: int):
    """The service (with its person and provider) for its payments page; the page audits the person it names."""
    from openasc.services.models import Service

    return (
        Service.objects.select_related("person", "provider_location__provider").filter(pk=service_id).first()
    )


def people_named(person_ids) -> dict:
    """person id -> Person (LA person id and name only), for a page that shows them and audits each."""
    from openasc.people.models import Person

    return {
        p.pk: p
        for p in Person.objects.filter(pk__in=sorted(person_ids)).only(
            "pk", "la_person_id", "first_name", "middle_names", "last_name"
        )
    }
