"""The payment run as a background job: the runner pays and points at the run's page; a bad job fails plainly."""

import datetime as dt

import pytest
from django.utils import timezone

from openasc.jobs.models import Job
from openasc.jobs.tasks import JobFailed
from openasc.payments import jobs
from openasc.payments.models import Payment


def _job(user, params):
    # the kind the jobs app will know as JobKind.PAYMENT_RUN (see payments/jobs.py)
    return Job.objects.create(kind=jobs.KIND, requested_by=user, params=params, created_at=timezone.now())


def test_the_runner_pays_and_reports_progress(world, officers):
    told = []
    outcome = jobs.run_payment_run(
        _job(officers.first, {"period_end": "2026-05-03"}), lambda **kw: told.append(kw)
    )
    assert Payment.objects.count() == 1
    assert outcome.result["payments"] == 1 and outcome.result["total_pence"] == 732000
    assert outcome.result_url == f"/payments/runs/{outcome.result['run']}/"
    assert outcome.message.startswith("Paid £7,320.00 in 1 payment")
    assert told and told[-1]["done"] == 1 and told[-1]["total"] == 1


def test_the_runner_refuses_a_job_without_a_date_or_by_the_wrong_role(world, staff):
    with pytest.raises(JobFailed, match="no period end date"):
        jobs.run_payment_run(_job(staff.social_worker, {}), lambda **kw: None)
    with pytest.raises(JobFailed, match="cannot run payments"):
        jobs.run_payment_run(
            _job(staff.social_worker, {"period_end": dt.date(2026, 5, 3).isoformat()}), lambda **kw: None
        )
    assert not Payment.objects.exists()
