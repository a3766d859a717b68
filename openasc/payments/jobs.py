"""The payment run as a background job (openasc.jobs, ADR 0012), started from the payment runs page.

The jobs app needs to know the kind: JobKind.PAYMENT_RUN ("payment_run") and RUNNERS["payment_run"] =
"openasc.payments.jobs.run_payment_run" (the lead wires both). Until then `available()` is False and the page runs
the payment run in the request instead (same service, same result)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from openasc.core.models import User

KIND = "payment_run"


def available() -> bool:
    from openasc.jobs.models import JobKind
    from openasc.jobs.tasks import RUNNERS

    return KIND in JobKind.values and KIND in RUNNERS


def start(*, user: User, period_end: dt.date):
    from openasc.jobs.services import job_start

    return job_start(kind=KIND, user=user, params={"period_end": period_end.isoformat()})


def run_payment_run(job, progress):
    from openasc.jobs.tasks import JobFailed, Outcome
    from openasc.payments.services import run as run_svc

    try:
        day = dt.date.fromisoformat(job.params["period_end"])
    except (KeyError, ValueError):
        raise JobFailed(
            "The job has no period end date: start the payment run again from its page."
        ) from None

    def told(done, total):
        progress(done=done, total=total, message=f"{done:,} of {total:,} payments made")

    try:
        result = run_svc.payment_run(user=job.requested_by, period_end=day, progress=told)
    except PermissionError:
        raise JobFailed("Your role cannot run payments: nothing was paid.") from None
    url = reverse("payments:run", args=[result.run_id]) if result.run_id else reverse("payments:runs")
    return Outcome(
        result={"run": result.run_id, "payments": result.count, "total_pence": result.total_pence},
        result_url=url,
        message=result.message,
    )
