"""Pages for the statutory returns: ASCOF figures and the people behind each one (CSV and XLSX too)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openasc.core import access, audit, periods
from openasc.core.cells import append_row, safe_row
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction
from openasc.reporting import population, returns
from openasc.reporting.engine.measures import MEASURE_KEYS
from openasc.ui import forms as ui
from openasc.ui.responses import forbidden, not_found


def _latest_year() -> int:
    """The financial year (by its first year) that started most recently."""
    return periods.year_of(timezone.localdate()).starts_on.year


def _years() -> list[int]:
    latest = _latest_year()
    return list(range(latest, latest - 5, -1))


def _period(request: HttpRequest) -> tuple[int, dt.date, dt.date]:
    latest = _latest_year()
    try:
        year = int(request.GET.get("year", latest - 1))
    except ValueError:
        year = latest - 1
    year = min(max(year, 2015), latest)
    start, end = returns.financial_year(year)
    return year, start, end


def _forbidden(request, exc):
    return forbidden(request, "You cannot see this page", str(exc))


def ascof(request: HttpRequest) -> HttpResponse:
    year, start, end = _period(request)
    try:
        results = returns.ascof(
            user=request.user, period_start=start, period_end=end, refresh=request.GET.get("refresh") == "1"
        )
    except returns.NotAllowed as exc:
        return _forbidden(request, exc)
    return render(
        request,
        "reporting/ascof.jinja",
        {
            "title": "Adult Social Care Outcomes Framework",
            "results": results,
            "year": year,
            "years": _years(),
            "measures": MEASURE_KEYS,
            "titles": returns.TITLES,
            "active_nav": "returns",
        },
    )


def ascof_detail(request: HttpRequest, measure: str) -> HttpResponse:
    year, start, end = _period(request)
    age_group = request.GET.get("age_group", "Total")
    part = "numerator" if request.GET.get("part") == "numerator" else "denominator"
    gender = request.GET.get("gender", "")
    if measure not in MEASURE_KEYS:
        return not_found(request, explanation="There is no such measure.")
    try:
        results = returns.ascof(user=request.user, period_start=start, period_end=end)
    except returns.NotAllowed as exc:
        return _forbidden(request, exc)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in ("csv", "xlsx") else ""
    # audited per person: "export" for a download, "view" for the page
    rows = returns.detail(
        user=request.user,
        results=results,
        measure=measure,
        age_group=age_group,
        part=part,
        gender=gender,
        fmt=fmt,
    )
    show_nhs = access.returns_show_nhs_numbers(request.user)
    if fmt:
        return _download(
            rows,
            fmt,
            f"ascof-{measure.replace(' ', '-')}-{year}-{age_group.replace(' ', '-')}-{part}",
            show_nhs,
        )
    return render(
        request,
        "reporting/ascof_detail.jinja",
        {
            "title": f"ASCOF {measure}: {part} ({age_group})",
            "measure": measure,
            "measure_title": returns.TITLES[measure],
            "rows": rows,
            "year": year,
            "age_group": age_group,
            "part": part,
            "gender": gender,
            "active_nav": "returns",
            "results": results,
            "show_nhs": show_nhs,
            "not_shown": returns.NOT_SHOWN,
        },
    )


def _who(rows, show_nhs: bool) -> tuple[list[str], list[list[str]]]:
    """The person columns of a download: LA person id, name (only of people the user may open), NHS number only for
    roles that see them (access.returns_show_nhs_numbers)."""
    header = ["LA person id", "Name", *(["NHS number"] if show_nhs else [])]
    data = [
        [r.la_person_id, r.name if r.can_open else returns.NOT_SHOWN, *([r.nhs_number] if show_nhs else [])]
        for r in rows
    ]
    return header, data


def _download(rows, fmt: str, name: str, show_nhs: bool) -> HttpResponse:
    who, people = _who(rows, show_nhs)
    header = [*who, "Age group", "In numerator", "In denominator", "Rule"]
    data = [
        [*p, r.age_band, "Yes" if r.in_numerator else "No", "Yes" if r.in_denominator else "No", r.rule]
        for p, r in zip(people, rows, strict=True)
    ]
    return _table_download(header, data, fmt, name, sheet_title="People")


# ---------------------------------------------------------------------------------------------------------------
# SALT-style tables
# ---------------------------------------------------------------------------------------------------------------


def salt(request: HttpRequest) -> HttpResponse:
    year, start, end = _period(request)
    try:
        results = returns.salt(
            user=request.user, period_start=start, period_end=end, refresh=request.GET.get("refresh") == "1"
        )
    except returns.NotAllowed as exc:
        return _forbidden(request, exc)
    return render(
        request,
        "reporting/salt.jinja",
        {
            "title": "Short and Long Term support (SALT) tables",
            "results": results,
            "year": year,
            "years": _years(),
            "active_nav": "returns",
        },
    )


def salt_table(request: HttpRequest, table: str) -> HttpResponse:
    from openasc.reporting.engine.salt import TABLE_IDS

    year, start, end = _period(request)
    if table not in TABLE_IDS:
        return not_found(request, explanation="There is no such SALT table.")
    try:
        results = returns.salt(user=request.user, period_start=start, period_end=end)
    except returns.NotAllowed as exc:
        return _forbidden(request, exc)
    fmt = request.GET.get("format", "")
    t = results.tables[table]
    if fmt in ("csv", "xlsx"):
        audit.record(
            actor=request.user,
            action=AuditAction.EXPORT,
            basis="Statutory returns",
            details={"what": f"SALT {table} table", "format": fmt},
        )
        header = ["Group", "Row", *t.columns]
        data = [[r["group"], r["label"], *r["cells"]] for r in t.rows]
        return _table_download(header, data, fmt, f"salt-{table}-{year}", t.notes)
    return render(
        request,
        "reporting/salt_table.jinja",
        {
            "title": f"SALT {table}: {t.title}",
            "t": t,
            "results": results,
            "year": year,
            "years": _years(),
            "active_nav": "returns",
        },
    )


def salt_detail(request: HttpRequest, table: str) -> HttpResponse:
    from openasc.reporting.engine.salt import TABLE_IDS

    year, start, end = _period(request)
    if table not in TABLE_IDS:
        return not_found(request, explanation="There is no such SALT table.")
    group, row, column = (
        request.GET.get("group", ""),
        request.GET.get("row", "Total"),
        request.GET.get("column", "Total"),
    )
    try:
        results = returns.salt(user=request.user, period_start=start, period_end=end)
    except returns.NotAllowed as exc:
        return _forbidden(request, exc)
    fmt = request.GET.get("format", "")
    fmt = fmt if fmt in ("csv", "xlsx") else ""
    rows = returns.salt_detail(
        user=request.user, results=results, table=table, group=group, row=row, column=column, fmt=fmt
    )  # audited per person, as ascof_detail
    show_nhs = access.returns_show_nhs_numbers(request.user)
    if fmt:
        who, people = _who(rows, show_nhs)
        header = [*who, "What was counted", "Group", "Row", "Column", "Rule"]
        data = [[*p, r.unit, r.group, r.row, r.column, r.rule] for p, r in zip(people, rows, strict=True)]
        from openasc.reporting.engine.salt import slug

        return _table_download(
            header, data, fmt, f"salt-{table}-{year}-{slug(group)}-{slug(row)}-{slug(column)}"
        )
    t = results.tables[table]
    return render(
        request,
        "reporting/salt_detail.jinja",
        {
            "title": f"SALT {table}: people behind a figure",
            "t": t,
            "rows": rows,
            "year": year,
            "group": group,
            "row": row,
            "column": column,
            "active_nav": "returns",
            "show_nhs": show_nhs,
            "not_shown": returns.NOT_SHOWN,
        },
    )


def _table_download(
    header: list,
    data: list[list],
    fmt: str,
    name: str,
    notes: list[str] | None = None,
    sheet_title: str = "Table",
) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(safe_row(header))
        writer.writerows(safe_row(row) for row in data)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    append_row(sheet, header)
    for row in data:
        append_row(sheet, row)
    if notes:
        notes_sheet = book.create_sheet("Notes")
        for note in notes:
            append_row(notes_sheet, [note])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


class PopulationForm(forms.Form):
    year = forms.CharField(max_length=10, required=False)
    population_18_64 = forms.CharField(max_length=20, required=False)
    population_65_plus = forms.CharField(max_length=20, required=False)
    source = forms.CharField(max_length=300, required=False)


def population_page(request: HttpRequest) -> HttpResponse:
    """The population figures behind ASCOF 2B and 2C, by year; analysts set a year's figures here."""
    if not returns.can_see_returns(request.user) and not population.can_change(request.user):
        return _forbidden(
            request,
            "Only performance analysts, team managers and information governance can see the "
            "returns' reference data.",
        )
    can_change = population.can_change(request.user)
    form = PopulationForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            return _forbidden(
                request, "Only performance analysts and administrators can change the population figures."
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                population.population_set(
                    actor=request.user,
                    year=data["year"],
                    source=data["source"],
                    figures={"18-64": data["population_18_64"], "65+": data["population_65_plus"]},
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            else:
                messages.success(
                    request,
                    f"Population figures for {data['year'].strip()} saved. ASCOF 2B and 2C for "
                    "periods starting that year use them from now on.",
                )
                return redirect("returns:population")
    return render(
        request,
        "reporting/population.jinja",
        {
            "title": "Population figures for ASCOF 2B and 2C",
            "rows": population.table(),
            "form": form,
            "errors": ui.error_summary(form),
            "can_change": can_change,
            "active_nav": "returns",
        },
        status=400 if request.method == "POST" else 200,
    )
