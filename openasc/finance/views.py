"""Budget pages: the monitoring page (forecast outturn against budget by cost centre and care category, the year's
months), the services behind any figure (audited per person), and for a finance officer the cost centres, the
budgets of a year and the care categories. Thin: selectors read, services write, presenters format."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openasc.core import audit
from openasc.core.cells import safe_row
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction
from openasc.core.money import pounds_input
from openasc.finance import commitments, forms, presenters, services
from openasc.finance.selectors import budgets as sel
from openasc.ui.forms import add_service_errors, error_summary
from openasc.ui.responses import forbidden, not_found

REFUSED_TITLE = "You cannot see these budgets"
SET_REFUSED = "Only a finance officer can set cost centres and budgets."


def _year(request: HttpRequest, label: str | None = None):
    label = label if label is not None else request.GET.get("year", "")
    found = sel.year_get(label) if label else None
    if found is None and not label:
        found = sel.year_of(timezone.localdate()) or (sel.years() or [None])[-1]
    return found


def _as_at(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_at", ""))
    except ValueError:
        return timezone.localdate()


def monitoring(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        sel.require_see(user)
    except sel.NotAllowed as exc:
        return forbidden(request, REFUSED_TITLE, str(exc), audited=True)
    year = _year(request)
    if year is None:
        return not_found(request, "financial year")
    as_at = _as_at(request)
    figures = sel.figures_for(user, year, as_at, refresh=request.GET.get("refresh") == "1")
    result, total = figures["result"], figures["total"]
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis=sel.BASIS,
        details={"what": "budget monitoring", "year": year.label, "as_at": result.as_at.isoformat()},
    )
    month_rows = presenters.months(result, total)
    peak = max([m["cumulative"] for m in month_rows] + [m["profile"] or 0 for m in month_rows] + [1])
    lines = figures["centre_lines"] + [("Total", "all", total)]
    return render(
        request,
        "finance/monitoring.jinja",
        {
            "title": f"Budget monitoring {year.label}",
            "year": year,
            "years": sel.years(),
            "as_at": result.as_at,
            "previous": result.previous,
            "committee_head": presenters.COMMITTEE_HEAD,
            "committee_rows": presenters.committee_rows(
                figures["committee"], year=year.label, as_at=result.as_at
            ),
            "centre_head": presenters.CENTRE_HEAD,
            "centre_rows": presenters.centre_rows(lines, year=year.label, as_at=result.as_at),
            "months": month_rows,
            "peak": peak,
            "has_budget": total.budget is not None,
            "sees_all": figures["visible"] is None,
            "shown_centres": len(figures["centre_lines"]),
            "can_set": services.can_set_budgets(user),
            "active_nav": "finance",
        },
    )


def _centre_key(raw: str) -> int | str | None:
    if raw == "all":
        return None
    if raw == "none":
        return commitments.NONE
    if raw.isdigit() and raw != "0":
        return int(raw)
    return "bad"


def behind(request: HttpRequest, year: str, centre: str) -> HttpResponse:
    user = request.user
    try:
        sel.require_see(user)
    except sel.NotAllowed as exc:
        return forbidden(request, REFUSED_TITLE, str(exc), audited=True)
    fy = sel.year_get(year)
    key = _centre_key(centre)
    if fy is None or key == "bad":
        return not_found(request, "cost centre" if fy else "financial year")
    cost_centre = None
    if isinstance(key, int) and key != commitments.NONE:
        cost_centre = sel.centre_get(key)
        if cost_centre is None:
            return not_found(request, "cost centre")
    category = None
    code = request.GET.get("category", "")
    category_id = None
    if code == "none":
        category_id = commitments.NONE
    elif code:
        category = next((c for c in sel.categories() if c.code == code), None)
        if category is None:
            return not_found(request, "care category")
        category_id = category.pk
    figure = request.GET.get("figure", "all")
    figure = figure if figure in sel.FIGURES else "all"
    export = request.GET.get("format") == "csv"
    as_at = _as_at(request)
    try:
        listing = sel.services_behind(
            user=user,
            year=fy,
            as_at=as_at,
            centre_key=key,
            category_id=category_id,
            figure=figure,
            page=request.GET.get("page", 1),
            export=export,
        )
    except sel.NotAllowed as exc:
        return forbidden(request, REFUSED_TITLE, str(exc), audited=True)
    as_at = commitments.clip_as_at(as_at, fy.starts_on, fy.ends_on)
    if export:
        header, data = presenters.behind_csv(listing.rows)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(safe_row(header))
        writer.writerows(safe_row(row) for row in data)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="services-{fy.label}-{centre}-{figure}.csv"'
        return response
    from openasc.ui.pagination import pagination

    base = {"figure": figure, "as_at": as_at.isoformat()}
    if code:
        base["category"] = code
    if cost_centre is not None:
        what = f"{cost_centre.code} {cost_centre.name}"
    elif key == commitments.NONE:
        what = "Not in a cost centre"
    else:
        what = (
            "Every cost centre you hold" if sel.visible_centre_ids(user) is not None else "Every cost centre"
        )
    if category is not None:
        what += f", {category.name}"
    elif category_id == commitments.NONE:
        what += ", in no care category"
    return render(
        request,
        "finance/behind.jinja",
        {
            "title": f"Services behind the figure: {what}",
            "what": what,
            "year": fy,
            "as_at": as_at,
            "figure_text": sel.FIGURES[figure],
            "head": presenters.BEHIND_HEAD,
            "rows": presenters.behind_rows(listing.rows, can_open=True),
            "total": listing.total,
            "pagination": pagination(listing.page, base, label="Pages of services") if listing.page else None,
            "csv_url": "?" + _query({**base, "format": "csv"}),
            "back": reverse("finance:monitoring")
            + "?"
            + _query({"year": fy.label, "as_at": as_at.isoformat()}),
            "active_nav": "finance",
        },
    )


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# ---------------------------------------------------------------------------------------------------------------------
# Setting up: cost centres, budgets, care categories (finance officer)


def _require_set(request):
    if not services.can_set_budgets(request.user):
        return forbidden(request, "You cannot set budgets", SET_REFUSED)
    return None


def centres_page(request: HttpRequest) -> HttpResponse:
    if (refused := _require_set(request)) is not None:
        return refused
    year = _year(request)
    if year is None:
        return not_found(request, "financial year")
    ccs = sel.centres()
    return render(
        request,
        "finance/centres.jinja",
        {
            "title": f"Cost centres and budgets {year.label}",
            "year": year,
            "years": sel.years(),
            "head": [
                {"text": "Code"},
                {"text": "Name"},
                {"text": "Holds"},
                {"text": "Named holder"},
                {"text": "Status"},
                {"text": f"Budget {year.label}", "format": "numeric"},
                {"text": "Change"},
            ],
            "rows": presenters.centre_list_rows(
                ccs, sel.budgets_for(year), year=year.label, editable=not year.closed
            ),
            "active_nav": "finance",
        },
    )


def _centre_form(request, data=None, initial=None):
    return forms.CostCentreForm(
        data,
        initial=initial,
        categories=sel.categories(),
        teams=sel.teams(),
        holders=sel.holders(),
    )


def centre_edit(request: HttpRequest, centre_id: int | None = None) -> HttpResponse:
    if (refused := _require_set(request)) is not None:
        return refused
    centre = None
    if centre_id is not None:
        centre = sel.centre_get(centre_id)
        if centre is None:
            return not_found(request, "cost centre")
    initial = (
        {
            "code": centre.code,
            "name": centre.name,
            "care_category": str(centre.care_category_id or ""),
            "support_reasons": "\n".join(centre.support_reasons or []),
            "team": str(centre.team_id or ""),
            "holder": str(centre.holder_id or ""),
            "active": "yes" if centre.active else "no",
        }
        if centre
        else {"active": "yes"}
    )
    status = 200
    if request.method == "POST":
        form = _centre_form(request, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.cost_centre_save(
                    actor=request.user,
                    centre=centre,
                    code=d["code"],
                    name=d["name"],
                    care_category_id=d["care_category"],
                    support_reasons=d["support_reasons"],
                    team_id=d["team"],
                    holder_id=d["holder"],
                    active=d["active"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors)
            else:
                from django.contrib import messages

                messages.success(request, "Cost centre saved")
                return redirect(reverse("finance:centres"))
        status = 400
    else:
        form = _centre_form(request, initial=initial)
    return render(
        request,
        "finance/centre_form.jinja",
        {
            "title": f"Edit cost centre {centre.code}" if centre else "Add a cost centre",
            "centre": centre,
            "form": form,
            "errors": error_summary(form),
            "active_nav": "finance",
        },
        status=status,
    )


def budget_edit(request: HttpRequest, year: str, centre_id: int) -> HttpResponse:
    if (refused := _require_set(request)) is not None:
        return refused
    fy = sel.year_get(year)
    centre = sel.centre_get(centre_id)
    if fy is None or centre is None:
        return not_found(request, "cost centre" if fy else "financial year")
    existing = sel.budget_get(fy, centre)
    unit = centre.care_category.unit if centre.care_category else "week"
    status = 200
    extra: dict[str, str] = {}
    if request.method == "POST":
        form = forms.BudgetForm(request.POST)
        if fy.closed:
            extra["year"] = f"{fy.label} is closed: its budgets can no longer be changed"
        elif form.is_valid():
            d = form.cleaned_data
            try:
                services.budget_set(
                    actor=request.user,
                    year=fy,
                    centre=centre,
                    net_budget_pence=d["net_budget"],
                    budgeted_people=d["budgeted_people"],
                    budgeted_unit_cost_pence=d["budgeted_unit_cost"],
                    note=d["note"],
                )
            except ValidationFailed as exc:
                year_error = exc.errors.pop("year", None)
                if year_error:
                    extra["year"] = year_error
                add_service_errors(form, exc.errors)
            else:
                from django.contrib import messages

                messages.success(request, f"Budget for {centre.code} in {fy.label} saved")
                return redirect(reverse("finance:centres") + f"?year={fy.label}")
        status = 400
    else:
        form = forms.BudgetForm(
            initial={
                "net_budget": pounds_input(existing.net_budget_pence) if existing else "",
                "budgeted_people": str(existing.budgeted_people) if existing else "",
                "budgeted_unit_cost": pounds_input(existing.budgeted_unit_cost_pence) if existing else "",
                "note": existing.note if existing else "",
            }
        )
    return render(
        request,
        "finance/budget_form.jinja",
        {
            "title": f"Budget for {centre.code} {centre.name}, {fy.label}",
            "year": fy,
            "centre": centre,
            "form": form,
            "per": presenters.per(unit),
            "errors": error_summary(form, extra),
            "closed": fy.closed,
            "active_nav": "finance",
        },
        status=status,
    )


def categories_page(request: HttpRequest) -> HttpResponse:
    if not (services.can_set_budgets(request.user) or sel.may_see(request.user)):
        return forbidden(
            request, REFUSED_TITLE, "Care categories are for finance officers and budget holders."
        )
    rows = []
    for c in sel.categories():
        local = c.source.lower().startswith("local setting")
        rows.append(
            {
                "category": c,
                "unit": presenters.per(c.unit),
                "local": local,
                "rules": [
                    ("Service types", c.service_types),
                    ("Service components", c.service_components),
                    ("Delivery mechanisms", c.delivery_mechanisms),
                    ("Client groups (primary support reason)", c.support_reasons),
                ],
            }
        )
    return render(
        request,
        "finance/categories.jinja",
        {
            "title": "Care categories",
            "rows": rows,
            "can_edit": services.can_set_budgets(request.user),
            "active_nav": "finance",
        },
    )


def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    if (refused := _require_set(request)) is not None:
        return refused
    category = next((c for c in sel.categories() if c.pk == category_id), None)
    if category is None:
        return not_found(request, "care category")
    status = 200
    if request.method == "POST":
        form = forms.CareCategoryForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.care_category_save(actor=request.user, category=category, **d)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors)
            else:
                from django.contrib import messages

                messages.success(request, f"{category.name} saved")
                return redirect(reverse("finance:categories"))
        status = 400
    else:
        form = forms.CareCategoryForm(
            initial={
                "name": category.name,
                "priority": str(category.priority),
                "service_types": "\n".join(category.service_types or []),
                "service_components": "\n".join(category.service_components or []),
                "delivery_mechanisms": "\n".join(category.delivery_mechanisms or []),
                "support_reasons": "\n".join(category.support_reasons or []),
                "active": "yes" if category.active else "no",
            }
        )
    return render(
        request,
        "finance/category_form.jinja",
        {
            "title": f"Edit care category {category.name}",
            "category": category,
            "unit": presenters.per(category.unit),
            "form": form,
            "errors": error_summary(form),
            "active_nav": "finance",
        },
        status=status,
    )


def adjustments(request: HttpRequest, year: str, centre_id: int) -> HttpResponse:
    """A cost centre's forecast adjustments for a year, and a form to add one, for its budget holders and finance."""
    fy = sel.year_get(year)
    centre = sel.centre_get(centre_id)
    if fy is None or centre is None:
        return not_found(request, "cost centre" if fy else "financial year")
    try:
        sel.require_centre(request.user, centre.pk)
    except sel.NotAllowed as exc:
        return forbidden(request, REFUSED_TITLE, str(exc), audited=True)
    status = 200
    extra: dict[str, str] = {}
    form = forms.AdjustmentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.forecast_adjust(
                    actor=request.user, year=fy, centre=centre, amount_pence=d["amount"], reason=d["reason"]
                )
            except ValidationFailed as exc:
                year_error = exc.errors.pop("year", None)
                if year_error:
                    extra["year"] = year_error
                add_service_errors(form, exc.errors)
            else:
                from django.contrib import messages

                messages.success(request, f"Forecast adjustment for {centre.code} added")
                return redirect("finance:adjustments", year=fy.label, centre_id=centre.pk)
        status = 400
    figures = sel.figures_for(request.user, fy, timezone.localdate(), visible={centre.pk})
    (line,) = [f for _label, key, f in figures["centre_lines"] if key == centre.pk] or [None]
    made = sel.adjustments_of(fy, centre)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        basis=sel.BASIS,
        details={"what": "forecast adjustments", "year": fy.label, "cost_centre": centre.code},
    )
    return render(
        request,
        "finance/adjustments.jinja",
        {
            "title": f"Forecast adjustments for {centre.code}, {fy.label}",
            "year": fy,
            "centre": centre,
            "form": form,
            "forecast": presenters.pounds(line.forecast) if line else presenters.pounds(0),
            "summary": presenters.adjustment_summary(line),
            "rows": presenters.adjustment_rows(made),
            "has_budget": sel.budget_get(fy, centre) is not None,
            "closed": fy.closed,
            "errors": error_summary(form, extra),
            "active_nav": "finance",
        },
        status=status,
    )
