"""Reporting pages: the CLD import in the browser, for performance analysts and administrators."""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openasc.core import access, audit
from openasc.core.models import AuditAction
from openasc.reporting import importer
from openasc.reporting.forms import CldImportForm
from openasc.reporting.models import ImportRun
from openasc.ui.forms import error_summary
from openasc.ui.responses import forbidden, not_found

SHOWN_ERRORS = 200


def may_import(user) -> bool:
    """Loading a council's CLD file changes many records at once: performance analysts and administrators only."""
    return access.has(user, access.Capability.IMPORT_CLD)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return forbidden(request, "You cannot import CLD files",
                     "Only performance analysts and administrators can load Client Level Data files.")


def _not_found(request: HttpRequest) -> HttpResponse:
    return not_found(request, "import")


def cld_import(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    form = CldImportForm(request.POST, request.FILES) if request.method == "POST" else CldImportForm()
    busy = False
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".csv.gz" if upload.name.lower().endswith(".gz") else ".csv"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = importer.run_import([path], user=request.user, source="browser", names=[upload.name],
                                             check_only=form.cleaned_data["check_only"])
            except importer.ImportBusy as exc:  # imports run one at a time
                form.add_error(None, str(exc))
                result, busy = None, True
        if result is not None:
            return redirect("reporting:cld-import-result", run_id=result.run.pk)
    recent = ImportRun.objects.select_related("by").order_by("-started_at", "-pk")[:10]
    return render(request, "reporting/cld_import.jinja", {
        "title": "Import a Client Level Data file", "form": form, "errors": error_summary(form),
        "recent": recent, "active_nav": "cld-import",
    }, status=(409 if busy else 400) if request.method == "POST" else 200)


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
        audit.record(actor=request.user, action=AuditAction.VIEW, basis="CLD import",
                     details={"what": "CLD import errors", "import_run": run.pk, "rows_shown": len(errors)})
    return render(request, "reporting/cld_import_result.jinja", {
        "title": f"CLD import {run.pk}: {run.get_status_display()}", "run": run, "shown_errors": errors,
        "errors_url": reverse("reporting:cld-import-errors", args=[run.pk]), "active_nav": "cld-import",
    })


def cld_import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    if not may_import(request.user):
        return _forbidden(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or not run.error_report:
        return _not_found(request)
    audit.record(actor=request.user, action=AuditAction.EXPORT, basis="CLD import",
                 details={"what": "CLD import error report", "import_run": run.pk, "rows": run.error_count})
    response = HttpResponse(gzip.decompress(bytes(run.error_report)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cld-import-{run.pk}-errors.csv"'
    return response
