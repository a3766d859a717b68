"""A job's progress page: it updates itself (htmx every 2 s, a meta refresh without JavaScript) and, when the job
has finished, goes on to the page with its result; a failed job says why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openasc.jobs import selectors
from openasc.jobs.models import Job, JobKind, JobState
from openasc.jobs.services import job_is_abandoned
from openasc.ui.responses import not_found

POLL_SECONDS = 2
STOP_POLLING = 286  # htmx stops polling on this status

TITLES = {
    JobKind.CLD_IMPORT: "Importing a Client Level Data file",
    JobKind.CLD_EXPORT: "Exporting the Client Level Data file",
    JobKind.PAYMENT_RUN: "Making a payment run",
    JobKind.RATE_UPLIFT: "Applying a rate uplift",
}
NAV = {
    JobKind.CLD_IMPORT: "cld-import",
    JobKind.CLD_EXPORT: "cld-export",
    JobKind.PAYMENT_RUN: "payments",
    JobKind.RATE_UPLIFT: "uplifts",
}


def _version(job: Job) -> str:
    """What the page last showed, coarsely: screen readers hear the status again only when it changes."""
    percent = job.percent
    return f"{job.state}-{percent // 25 if percent is not None else ''}"


def _context(job: Job, seen: str | None = None) -> dict:
    return {
        "job": job,
        "version": _version(job),
        "announce": seen is not None and seen != _version(job),
        "title": TITLES.get(job.kind, job.get_kind_display()),
        "active_nav": NAV.get(job.kind, ""),
        "poll_seconds": POLL_SECONDS,
        "failed": job.state == JobState.FAILED,
        "abandoned": job_is_abandoned(job),
    }


def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.job_for(request.user, job_id)
    if job is None:
        return not_found(request, "job")
    if job.state == JobState.SUCCEEDED and job.result_url:
        return redirect(job.result_url)
    return render(request, "jobs/job.jinja", _context(job))


def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The part of the page that changes, for htmx; a finished job sends the browser on to its result."""
    job = selectors.job_for(request.user, job_id)
    if job is None:
        return not_found(request, "job")
    if job.state == JobState.SUCCEEDED and job.result_url:
        if not request.htmx:
            return redirect(job.result_url)
        response = HttpResponse(status=200)
        response["HX-Redirect"] = job.result_url
        return response
    if not request.htmx:
        return redirect("jobs:job", job_id=job.pk)
    status = STOP_POLLING if job.state == JobState.FAILED else 200
    response = render(
        request, "jobs/_progress.jinja", _context(job, request.GET.get("seen", "")), status=status
    )
    if job.state == JobState.FAILED:
        response["HX-Refresh"] = "true"  # the whole page shows the failure (heading, title and what to do)
    return response
