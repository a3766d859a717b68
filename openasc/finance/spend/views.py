"""The spend report (`finance:spend`, Capability.SEE_SPEND: finance officers and performance analysts): a year's gross
spend by setting (with a chart and the table beside it), CLD service type, client group and age band, each figure
opening the services behind it (25 a page, each person on the page audited as a view; the CSV of them audited as an
export per person). The tables download as CSV and XLSX (no names)."""

from __future__ import annotations

import csv
import io

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openasc.core import audit
from openasc.core.models import AuditAction
from openasc.core.money import pounds
from openasc.finance.spend import calc, presenters, selectors
from openasc.ui.pagination import pagination
from openasc.ui.responses import forbidden, not_found

BASIS = "spend report"
REFUSED = "The spend report is for finance officers and performance analysts."


def _refused(request: HttpRequest) -> HttpResponse:
    return forbidden(request, "You cannot see this page", REFUSED)


def _download(header: list, rows: list[list], fmt: str, name: str, sheet: str) -> HttpResponse:
    from openasc.core.cells import append_row, safe_row

    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(header)
        for r in rows:
            w.writerow(safe_row(r))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook()
        ws = book.active
        ws.title = sheet[:31]
        append_row(ws, header)
        for r in rows:
            append_row(ws, r)
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(
            data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _params(request: HttpRequest):
    today = timezone.localdate()
    year = selectors.year_get(request.GET.get("year"), today)
    mode = request.GET.get("to", selectors.TO_DATE)
    mode = mode if mode in selectors.MODES else selectors.TO_DATE
    return today, year, mode


def spend(request: HttpRequest) -> HttpResponse:
    if not selectors.can_see(request.user):
        return _refused(request)
    today, year, mode = _params(request)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in ("csv", "xlsx") else ""
    result = selectors.spend_for(
        request.user, year, mode, today=today, refresh=request.GET.get("refresh") == "1"
    )
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT if fmt else AuditAction.VIEW,
        basis=BASIS,
        details={"what": "spend report", "year": year.label, "to": mode, "format": fmt or "page"},
    )
    if fmt:
        return _download(
            presenters.FILE_HEADER, presenters.file_rows(result), fmt, f"spend-{year.label}-{mode}", "Spend"
        )
    tables = [
        {
            "id": d,
            "title": title,
            "heading": calc.HEADINGS[d],
            "rows": presenters.table_rows(result.tables[d], year=year.label, mode=mode, dimension=d),
        }
        for d, title in calc.DIMENSIONS.items()
    ]
    return render(
        request,
        "finance/spend.jinja",
        {
            "title": f"Spend {year.label}",
            "year": year,
            "years": selectors.years(),
            "mode": mode,
            "modes": selectors.MODES,
            "result": result,
            "total_rows": presenters.total_rows(result, year=year.label, mode=mode),
            "tables": tables,
            "bars": presenters.chart_bars(result.tables[calc.SETTING]),
            "head": presenters.HEAD,
            "active_nav": "spend",
        },
    )


def spend_services(request: HttpRequest) -> HttpResponse:
    """The services behind one figure: a page of 25 (each person on it audited), or all of them as CSV (each person
    audited as an export)."""
    if not selectors.can_see(request.user):
        return _refused(request)
    today, year, mode = _params(request)
    dimension, label = request.GET.get("dim", ""), request.GET.get("row", calc.TOTAL)
    fmt = "csv" if request.GET.get("format") == "csv" else ""
    _, row, behind = selectors.behind_for(request.user, year, mode, dimension, label, today=today)
    if row is None:
        return not_found(
            request, explanation="There is no such figure in the spend report. Go back to the report."
        )
    where = calc.DIMENSIONS.get(dimension, "")
    details = {
        "what": "services behind a spend figure",
        "year": year.label,
        "to": mode,
        "table": where,
        "row": label,
    }
    if fmt:
        rows, people = selectors.service_rows(request.user, selectors.as_spends(behind))
        audit.record_many(
            actor=request.user,
            action=AuditAction.EXPORT,
            objs=people,
            basis=BASIS,
            details={**details, "format": "csv"},
        )
        return _download(
            presenters.SERVICE_HEADER,
            presenters.service_file_rows(rows),
            "csv",
            f"spend-{year.label}-services",
            "Services",
        )
    page = Paginator(behind, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows, people = selectors.service_rows(request.user, selectors.as_spends(page.object_list))
    audit.record_many(actor=request.user, action=AuditAction.VIEW, objs=people, basis=BASIS, details=details)
    base = {"year": year.label, "to": mode, "dim": dimension, "row": label}
    return render(
        request,
        "finance/spend_services.jinja",
        {
            "title": f"Spend {year.label}: the services behind {label}",
            "year": year,
            "mode": mode,
            "mode_text": selectors.MODES[mode],
            "where": where,
            "label": label,
            "figure": row,
            "figure_spend": pounds(row.spend_pence),
            "rows": presenters.service_table(rows),
            "count": len(behind),
            "pagination": pagination(page, base, label="Pages of services"),
            "csv_url": presenters.behind_url(year.label, mode, dimension, label, format="csv"),
            "back_url": presenters.report_url(year.label, mode, anchor=dimension),
            "active_nav": "spend",
        },
    )
