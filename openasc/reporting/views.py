"""Reporting pages: the CLD import in the browser, for performance analysts and administrators, and the CLD export
for performance analysts. Both run as background jobs (openasc.jobs): the page queues the job and shows its progress."""

from __future__ import annotations

import csv
import gzip
import io
import uuid

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openasc.core import access, audit
from openasc.core.models import AuditAction
from openasc.jobs import selectors as job_selectors
from openasc.jobs.models import JobKind, JobState
from openasc.jobs.services import job_files_dir, job_start
from openasc.reporting import jobs
from openasc.reporting.forms import CldExportForm, CldImportForm
from openasc.reporting.models import ImportRun
from openasc.ui.forms import error_summary
from openasc.ui.responses import forbidden, not_found

SHOWN_ERRORS = 200


def may_import(user) -> bool:
    """Loading a council's CLD file changes many records at once: performance analysts and administrators only."""
    return access.has(user, access.Capability.IMPORT_CLD)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return forbidden(
        request,
        "You cannot import CLD files",
        "Only performance analysts and administrators can load Client Level Data files.",
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return not_found(request, "import")


def cld_import(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    form = CldImportForm(request.POST, request.FILES) if request.method == "POST" else CldImportForm()
    busy = False
    if form.is_bound and form.is_valid():
        busy_reason = jobs.import_busy_reason()  # imports run one at a time
        if busy_reason:
            form.add_error(None, busy_reason)
            busy = True
        else:
            return _queue_import(request, form.cleaned_data["file"], form.cleaned_data["check_only"])
    recent = ImportRun.objects.select_related("by").order_by("-started_at", "-pk")[:10]
    return render(
        request,
        "reporting/cld_import.jinja",
        {
            "title": "Import a Client Level Data file",
            "form": form,
            "errors": error_summary(form),
            "recent": recent,
            "active_nav": "cld-import",
            "may_export": may_export(request.user),
            "unfinished": job_selectors.jobs_unfinished(request.user, JobKind.CLD_IMPORT),
        },
        status=(409 if busy else 400) if request.method == "POST" else 200,
    )


def _queue_import(request: HttpRequest, upload, check_only: bool) -> HttpResponse:
    """Keep the upload in the jobs' private directory (the job deletes it when it ends) and queue the import."""
    name = f"{uuid.uuid4().hex}{'.csv.gz' if upload.name.lower().endswith('.gz') else '.csv'}"
    path = job_files_dir(jobs.UPLOADS) / name
    try:
        with path.open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job = job_start(
            kind=JobKind.CLD_IMPORT,
            user=request.user,
            params={"file": name, "name": upload.name, "check_only": bool(check_only)},
        )
    except BaseException:
        path.unlink(missing_ok=True)  # nothing half-written: no job, no file
        raise
    return redirect("jobs:job", job_id=job.pk)


def _errors(run: ImportRun, limit: int | None = None) -> list[list[str]]:
    if not run.error_report:
        return []
    text = gzip.decompress(bytes(run.error_report)).decode("utf-8")
    rows = csv.reader(io.StringIO(text))
    next(rows, None)
    out = []
    for row in rows:
        out.append(row)
        if limit and len(out) >= limit:
            break
    return out


def cld_import_result(request: HttpRequest, run_id: int) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    run = ImportRun.objects.select_related("by").filter(pk=run_id).first()
    if run is None:
        return _not_found(request)
    errors = _errors(run, SHOWN_ERRORS)
    if errors:
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            basis="CLD import",
            details={"what": "CLD import errors", "import_run": run.pk, "rows_shown": len(errors)},
        )
    return render(
        request,
        "reporting/cld_import_result.jinja",
        {
            "title": f"CLD import {run.pk}: {run.get_status_display()}",
            "run": run,
            "shown_errors": errors,
            "errors_url": reverse("reporting:cld-import-errors", args=[run.pk]),
            "active_nav": "cld-import",
        },
    )


def cld_import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or not run.error_report:
        return _not_found(request)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        basis="CLD import",
        details={"what": "CLD import error report", "import_run": run.pk, "rows": run.error_count},
    )
    response = HttpResponse(gzip.decompress(bytes(run.error_report)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cld-import-{run.pk}-errors.csv"'
    return response


# -- the CLD export ---------------------------------------------------------------------------------------------------
def may_export(user) -> bool:
    """The CLD file holds every person's events: the performance analysts who load and submit the returns only."""
    return access.has(user, access.Capability.IMPORT_CLD) and access.has(user, access.Capability.SEE_RETURNS)


def _export_forbidden(request: HttpRequest) -> HttpResponse:
    return forbidden(
        request,
        "You cannot export the CLD file",
        "Only performance analysts can export the Client Level Data file.",
    )


def cld_export(request: HttpRequest) -> HttpResponse:
    if not may_export(request.user):
        return _export_forbidden(request)
    form = CldExportForm(request.POST) if request.method == "POST" else CldExportForm()
    if form.is_bound and form.is_valid():
        job = job_start(
            kind=JobKind.CLD_EXPORT, user=request.user, params={"period": form.cleaned_data["period"]}
        )
        return redirect("jobs:job", job_id=job.pk)
    return render(
        request,
        "reporting/cld_export.jinja",
        {
            "title": "Export the Client Level Data file",
            "form": form,
            "errors": error_summary(form),
            "unfinished": job_selectors.jobs_unfinished(request.user, JobKind.CLD_EXPORT),
            "active_nav": "cld-export",
        },
        status=400 if form.is_bound else 200,
    )


def _own_export(request: HttpRequest, job_id: int):
    """The finished export job, only for the member of staff who ran it (anyone else: not found)."""
    job = job_selectors.job_for(request.user, job_id)
    if (
        job is None
        or job.kind != JobKind.CLD_EXPORT
        or job.requested_by_id != request.user.pk
        or job.state != JobState.SUCCEEDED
    ):
        return None
    return job


def cld_export_result(request: HttpRequest, job_id: int) -> HttpResponse:
    if not may_export(request.user):
        return _export_forbidden(request)
    job = _own_export(request, job_id)
    if job is None:
        return not_found(request, "export")
    out, report = jobs.export_paths(job)
    return render(
        request,
        "reporting/cld_export_result.jinja",
        {
            "title": "CLD file ready",
            "job": job,
            "available": out.is_file(),
            "active_nav": "cld-export",
            "report_available": report.is_file(),
        },
    )


def cld_export_download(request: HttpRequest, job_id: int, which: str) -> HttpResponse:
    """The CLD file (or its validation report), to the member of staff who ran the export; each download audited."""
    if not may_export(request.user):
        return _export_forbidden(request)
    job = _own_export(request, job_id)
    if job is None or which not in ("file", "problems"):
        return not_found(request, "export")
    out, report = jobs.export_paths(job)
    path = out if which == "file" else report
    if not path.is_file():
        return not_found(request, "export", explanation="The file is no longer kept: export it again.")
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=job,
        basis="CLD statutory return",
        details={
            "what": "CLD file downloaded" if which == "file" else "CLD validation report downloaded",
            "job": job.pk,
            "period": job.params.get("period"),
            "file": path.name,
            "rows": job.result.get("rows" if which == "file" else "problems"),
        },
    )
    start, end = job.params["period"].split(":")
    name = f"cld-{start}-to-{end}{'' if which == 'file' else '-problems'}.csv"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8"
    )
