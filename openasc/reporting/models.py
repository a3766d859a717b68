"""Records of CLD file imports: each run, and which record each imported CLD event became (idempotency)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openasc.core import audit
from openasc.core.sensitive import SensitiveManager


class ImportStatus(models.TextChoices):
    RUNNING = "running", "Running"
    REJECTED = "rejected", "Rejected: the file has errors, nothing was loaded"
    LOADED = "loaded", "Loaded"
    VALIDATED = "validated", "Checked only (nothing loaded)"
    FAILED = "failed", "Failed"


class ImportRun(models.Model):
    """One run of the CLD import: the files, their hashes, who ran it, when, and what it did."""

    file_names = models.JSONField(default=list)
    file_hashes = models.JSONField(default=list, help_text="SHA-256 of each file, in the order of file_names")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    source = models.CharField(max_length=20, default="cli", help_text="cli or browser")
    rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Created and updated, by kind of record")
    warnings = models.JSONField(
        default=list, blank=True, help_text="[field, value, reason, count, first row], most frequent first"
    )
    # The full error report as gzip-compressed CSV (row, field, value, reason), for the download link.
    error_report = models.BinaryField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Imports run one at a time (importer/lock.py): a run still RUNNING is the lock, alive while its process is
    # (pid on host) and its heartbeat is recent; one that died is marked FAILED by the next import to start.
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="The process running the import")
    host = models.CharField(max_length=255, blank=True, help_text="The machine the process runs on")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run last showed it was alive"
    )
    failure = models.TextField(blank=True, help_text="Why a failed run failed")

    class Meta:
        ordering = ["-started_at", "-pk"]


class ImportLock(models.Model):
    """One row (id 1), locked by each import as it starts (importer/lock.py): two imports starting at once take
    turns to look for a run in progress and to record their own."""

    taken_at = models.DateTimeField(null=True, blank=True)


@audit.sensitive
class ImportedEvent(models.Model):
    """A CLD event (by its unique event key) and the record it was loaded into, so a re-import updates, never
    duplicates. The key holds the person identifier (NHS number or LA person id), hence personal data."""

    event_key = models.CharField(max_length=600)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=40, help_text="Hash of the mapped row last loaded for this event")
    import_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="events")
    objects = SensitiveManager()  # refuses unaudited bulk writes (core.sensitive)

    class Meta:
        # A constraint rather than unique=True: keys are only ever looked up whole, so PostgreSQL needs no second
        # (pattern-matching) index on them; every index here is written once for each event an import loads.
        constraints = [models.UniqueConstraint(fields=["event_key"], name="imported_event_key_unique")]


class PopulationEstimate(models.Model):
    """The council's adult population by age band for a year: the denominator of ASCOF 2B and 2C (per 100,000).

    Loaded with illustrative defaults (reference/ons_population.csv); a performance analyst replaces them with the
    ONS mid-year estimates for the area on /returns/population. The figures for the year a period starts in are
    used; a period starting after the latest year uses the latest year."""

    AGE_BANDS = ("18-64", "65+")

    year = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=10, choices=[(b, b) for b in AGE_BANDS])
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=300, blank=True, help_text="Where the figure comes from")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "age_band"], name="population_year_band")]
        ordering = ["-year", "age_band"]

    def __str__(self) -> str:
        return f"{self.year} {self.age_band}: {self.population:,}"
