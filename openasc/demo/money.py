"""The demo council's money, after its history (the services it is worked out from): cost centres and budgets, a year
of invoices and payment runs, and rate uplifts."""

from __future__ import annotations

import datetime as dt


def build_money(*, seed: int, system, today: dt.date) -> None:
    from openasc.demo.finance import build_finance
    from openasc.demo.payments import build_payments
    from openasc.demo.uplifts import build_uplifts

    build_finance(seed=seed, system=system, today=today)  # cost centres and budgets from the services
    build_payments(seed=seed, system=system, today=today)  # a year of invoices and payment runs
    build_uplifts(seed=seed, system=system, today=today)  # a rate uplift applied and one being previewed


def reset_money() -> None:
    """Delete the money the demo made (demo databases only), children before parents, before the services and people
    it points at; the reference data (financial years, care categories, payment schedules) stays."""
    from django.db import transaction

    from openasc.core import audit
    from openasc.finance import models as finance
    from openasc.payments import models as payments

    # (no audit event: reset_database wipes the audit trail next, demo databases only)
    with transaction.atomic(), audit.exempt_from_safety_net():
        for model in (
            payments.PaymentLine,
            payments.NhsContribution,
            payments.EcmVisit,
            payments.EcmUpload,
            payments.InvoiceStatusChange,
            payments.InvoiceLine,
            payments.Adjustment,
            payments.Invoice,
            payments.Payment,
            payments.PaymentRun,
            finance.RateUpliftLine,
            finance.RateUplift,
            finance.Budget,
            finance.CostCentre,
        ):
            model.objects.all()._raw_delete(model.objects.db)
