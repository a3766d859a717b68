"""The CLD import and export as background jobs (openasc.jobs): what each does, and how far it has got."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openasc.jobs.models import Job, JobKind, JobState
from openasc.jobs.services import Progress, job_files_dir
from openasc.jobs.tasks import JobFailed, Outcome
from openasc.reporting import importer
from openasc.reporting.importer import lock
from openasc.reporting.models import ImportRun, ImportStatus

UPLOADS = "uploads"
EXPORTS = "exports"


def _private_file(*parts: str) -> Path:
    """A file in the jobs' directory, by the name the job recorded; never anywhere outside it."""
    root = job_files_dir().resolve()
    path = root.joinpath(*parts).resolve()
    if root not in path.parents:
        raise JobFailed("The job names a file outside the jobs' directory: nothing was done.")
    return path


def import_busy_reason() -> str:
    """Why an import cannot be queued now ('' when it can): imports run one at a time (importer/lock.py), and an
    import job already waiting for the worker would take the lock first."""
    waiting = Job.objects.filter(
        kind=JobKind.CLD_IMPORT, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).first()
    if waiting is not None:
        return (
            f"Another CLD import is {'waiting to start' if waiting.state == JobState.QUEUED else 'running'} "
            f"(job {waiting.pk}): imports run one at a time, so wait for it to finish and try again."
        )
    try:
        lock._refuse_if_running(lock=False)  # the look that writes nothing (a CLI import may be running)
    except importer.ImportBusy as exc:
        return str(exc)
    return ""


class _ImportProgress(importer.Progress):
    """The importer's progress (rows checked, then events loaded) as the job's."""

    def __init__(self, progress: Progress, total_bytes: int):
        self.progress, self.total_bytes = progress, total_bytes
        self.rows = self.loaded = self.to_load = 0

    def checking(self, rows: int, nbytes: int) -> None:
        self.rows = rows
        self.progress(done=nbytes, total=self.total_bytes, message=f"{rows:,} rows checked")

    def loading_total(self, n: int) -> None:
        self.to_load = n
        self.progress(
            done=0, total=n, message=f"{self.rows:,} rows checked; loading {n:,} events", force=True
        )

    def loading(self, n: int) -> None:
        self.loaded += n
        self.progress(done=self.loaded, message=f"{self.loaded:,} of {self.to_load:,} events loaded")


def run_cld_import(job: Job, progress: Progress) -> Outcome:
    """Check the uploaded file and, when it has no errors, load it (one transaction); the upload is deleted after."""
    params = job.params
    path = _private_file(UPLOADS, params["file"])
    try:
        if not path.is_file():
            raise JobFailed(
                "The uploaded file is no longer on the server (it is deleted when its job ends), so "
                "nothing was loaded: upload it again."
            )
        size = path.stat().st_size
        progress(done=0, total=size, message="Checking rows", force=True)
        try:
            result = importer.run_import(
                [path],
                user=job.requested_by,
                source="browser",
                names=[params["name"]],
                check_only=bool(params.get("check_only")),
                progress=_ImportProgress(progress, size),
            )
        except importer.ImportBusy as exc:
            raise JobFailed(f"{exc} Nothing was loaded.") from None
        except Exception as exc:
            run = (
                ImportRun.objects.filter(
                    by=job.requested_by,
                    source="browser",
                    status=ImportStatus.FAILED,
                    started_at__gte=job.started_at,
                )
                .order_by("-pk")
                .first()
            )
            why = run.failure if run is not None and run.failure else f"{type(exc).__name__}: {exc}"
            raise JobFailed(
                f"The import stopped before it finished ({why}). Nothing was loaded: the file is loaded "
                "in one transaction, so the record is as it was before.",
                result={"import_run": run.pk} if run else {},
                result_url=reverse("reporting:cld-import-result", args=[run.pk]) if run else "",
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    run = result.run
    message = {
        ImportStatus.LOADED: f"{run.rows:,} rows checked and loaded",
        ImportStatus.VALIDATED: f"{run.rows:,} rows checked: nothing was loaded",
        ImportStatus.REJECTED: f"{run.error_count:,} errors found: nothing was loaded",
    }.get(run.status, "")
    return Outcome(
        result={"import_run": run.pk, "status": run.status, "rows": run.rows, "errors": run.error_count},
        result_url=reverse("reporting:cld-import-result", args=[run.pk]),
        message=message,
    )


def export_paths(job: Job) -> tuple[Path, Path]:
    """Where an export job's CLD file and its validation report are kept (the jobs' private directory)."""
    folder = job_files_dir(EXPORTS)
    return folder / f"cld-export-job-{job.pk}.csv", folder / f"cld-export-job-{job.pk}.problems.csv"


def job_files(job: Job) -> list[Path]:
    """The files a CLD job keeps in the jobs' directory (for pruning, openasc.jobs.services.jobs_prune): an import's
    upload (deleted when the job ends, unless its worker was killed), an export's CLD file and validation report."""
    if job.kind == JobKind.CLD_EXPORT:
        return list(export_paths(job))
    name = str((job.params or {}).get("file") or "")
    if job.kind == JobKind.CLD_IMPORT and name:
        try:
            return [_private_file(UPLOADS, name)]
        except JobFailed:
            return []  # a name outside the jobs' directory is never followed
    return []


def _data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        return max(0, sum(1 for _ in csv.reader(f)) - 1)


def run_cld_export(job: Job, progress: Progress) -> Outcome:
    """`openasc cld export` for the period, as the member of staff who asked (the same file, checks and audit)."""
    period = job.params["period"]
    out, report = export_paths(job)
    progress(message=f"Building the CLD file for {period.replace(':', ' to ')} from the record", force=True)
    try:
        call_command(
            "cld",
            "export",
            f"--period={period}",
            f"--out={out}",
            f"--report={report}",
            f"--as-user={job.requested_by.username}",
            stdout=io.StringIO(),
        )
    except CommandError as exc:
        for p in (out, report):
            p.unlink(missing_ok=True)
        raise JobFailed(f"The CLD file was not made: {exc}") from None
    except BaseException:
        for p in (out, report):
            p.unlink(missing_ok=True)
        raise
    rows, problems = _data_rows(out), _data_rows(report)
    return Outcome(
        result={
            "file": out.name,
            "report": report.name,
            "rows": rows,
            "problems": problems,
            "period": period,
        },
        result_url=reverse("reporting:cld-export-result", args=[job.pk]),
        message=f"{rows:,} CLD rows written; {problems:,} validation problems",
    )
