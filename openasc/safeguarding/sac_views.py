"""The Safeguarding Adults Collection in the browser: every table of the year with each count opening the adults
behind it (audited per adult), the derived figures, the notes on what the national material leaves open, and the
return as CSV or XLSX. For Capability.SEE_SAC (sac.can_see)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from openasc.safeguarding import sac
from openasc.ui.responses import forbidden, not_found


def _year(request: HttpRequest) -> tuple[int, list[int]]:
    """The reporting year asked for (?year=2025 or ?year=2025-26), by default the last one that has ended."""
    latest = sac.current_year(timezone.localdate())
    years = list(range(latest, latest - 5, -1))
    raw = request.GET.get("year", "")
    try:
        year = sac.parse_year(raw) if "-" in raw else int(raw)
    except (ValueError, sac.YearError):
        year = latest - 1
    return min(max(year, 2015), latest), years


def _download(data: bytes | str, name: str, fmt: str) -> HttpResponse:
    kind = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def sac_page(request: HttpRequest) -> HttpResponse:
    year, years = _year(request)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in ("csv", "xlsx") else ""
    try:
        results = sac.results_for(request.user, year, refresh=request.GET.get("refresh") == "1", fmt=fmt)
    except sac.NotAllowed as exc:
        return forbidden(request, "You cannot see this page", str(exc))
    if fmt == "csv":
        return _download(sac.csv_text(results), f"sac-{results.year}", "csv")
    if fmt == "xlsx":
        return _download(sac.xlsx_bytes(results), f"sac-{results.year}", "xlsx")
    return render(
        request,
        "safeguarding/sac.jinja",
        {
            "title": f"Safeguarding Adults Collection {results.year}",
            "results": results,
            "year": year,
            "years": years,
            "total": sac.TOTAL,
            "active_nav": "safeguarding",
        },
    )


def sac_cell(request: HttpRequest, table: str) -> HttpResponse:
    year, _ = _year(request)
    row, column = request.GET.get("row", sac.TOTAL), request.GET.get("column", sac.TOTAL)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in ("csv", "xlsx") else ""
    try:
        results = sac.results_for(request.user, year, full=True)
        rows = sac.cell_people(
            user=request.user, results=results, table=table, row=row, column=column, fmt=fmt
        )
    except sac.NotAllowed as exc:
        return forbidden(request, "You cannot see this page", str(exc))
    except ValueError as exc:
        return not_found(request, explanation=str(exc))
    if fmt:
        from openasc.reporting.returns_views import _table_download

        header = ["LA person id", "Name", "Row", "Column", "Concern", "Enquiry", "Why counted"]
        data = [
            [
                r.la_person_id,
                r.name or sac.NOT_SHOWN,
                r.row,
                r.column,
                r.concern_id or "",
                r.enquiry_id or "",
                r.rule,
            ]
            for r in rows
        ]
        return _table_download(header, data, fmt, f"sac-{results.year}-{table}", sheet_title=table)
    return render(
        request,
        "safeguarding/sac_cell.jinja",
        {
            "title": f"SAC {table}: the adults behind a figure",
            "t": results.tables[table],
            "results": results,
            "rows": rows,
            "row": row,
            "column": column,
            "year": year,
            "not_shown": sac.NOT_SHOWN,
            "active_nav": "safeguarding",
        },
    )


urlpatterns = [
    path("sac/", sac_page, name="sac"),
    path("sac/<str:table>/", sac_cell, name="sac-cell"),
]
