"""Invoices and how their lines match what was planned (and, where the council has it, what call monitoring shows
was delivered), with every difference explained in plain English. Whoever shows the lines names people: the page
audits each person shown (`lines_page`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Q, Sum

from openasc.core import audit
from openasc.core.models import AuditAction, User
from openasc.finance import costing
from openasc.finance.selectors.costed import costed_services
from openasc.payments.models import EcmVisit, Invoice, InvoiceLine, InvoiceStatus
from openasc.people.models import Person
from openasc.services.models import Service

PAGE = 25
_CHUNK = 900  # below SQLite's limit on parameters


@dataclass
class Match:
    line: InvoiceLine
    la_person_id: str
    name: str
    person_id: int | None
    service_id: int | None
    service_label: str
    invoiced_pence: int
    planned_pence: int | None
    invoiced_hours: Decimal | None
    planned_hours: Decimal | None
    ecm_hours: Decimal | None
    explanation: str
    status: str  # "as planned", "differs", "not matched"

    @property
    def difference_pence(self) -> int | None:
        return None if self.planned_pence is None else self.invoiced_pence - self.planned_pence


def invoice_get(invoice_id: int) -> Invoice | None:
    return (
        Invoice.objects.select_related(
            "provider", "schedule", "entered_by", "first_approver", "second_approver"
        )
        .filter(pk=invoice_id)
        .first()
    )


def invoices(*, status: str = "", provider_id: int | None = None):
    """Invoices (newest period first), for a paged list: a queryset, headers only (they name nobody)."""
    qs = Invoice.objects.select_related("provider", "schedule", "entered_by")
    if status:
        qs = qs.filter(status=status)
    if provider_id:
        qs = qs.filter(provider_id=provider_id)
    return qs.order_by("-period_end", "provider__name", "number")


def awaiting_approval() -> list[Invoice]:
    return list(
        Invoice.objects.select_related("provider", "schedule", "entered_by")
        .filter(status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.SECOND])
        .order_by("entered_at")
    )


def approved_for(schedule_id: int, period_start: dt.date, *, provider_ids=None) -> dict[int, list[Invoice]]:
    """provider id -> its approved, unpaid invoices and credit notes for the schedule's period starting then, or for
    an earlier one (approved after that period's run: paid in the next)."""
    qs = Invoice.objects.filter(
        schedule_id=schedule_id,
        period_start__lte=period_start,
        status=InvoiceStatus.APPROVED,
        payment__isnull=True,
    )
    if provider_ids is not None:
        qs = qs.filter(provider_id__in=list(provider_ids))
    out: dict[int, list[Invoice]] = defaultdict(list)
    for inv in qs.order_by("pk"):
        out[inv.provider_id].append(inv)
    return out


def invoice_line_rows(invoice_ids: list[int]):
    """(invoice_id, person_id, service_id, from, to, amount) of the lines of some invoices, for a payment's lines."""
    return list(
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .order_by("invoice_id", "row")
        .values_list(
            "invoice_id", "person_id", "service_id", "from_on", "to_on", "amount_pence", "la_person_id"
        )
    )


def people_by_la_id(la_ids) -> dict[str, tuple[int, str]]:
    """LA person id -> (person pk, name), for matching what a provider wrote; a bulk read that names nobody on its
    own (whoever shows the names audits them)."""
    out = {}
    wanted = sorted({x for x in la_ids if x})
    for i in range(0, len(wanted), 900):
        for pk, la, first, middle, last in Person.objects.filter(
            la_person_id__in=wanted[i : i + 900]
        ).values_list("pk", "la_person_id", "first_name", "middle_names", "last_name"):
            out[la] = (pk, " ".join(p for p in (first, middle, last) if p))
    return out


def service_provider(service_ids) -> dict[int, tuple[int, int | None]]:
    """service id -> (person id, provider id)."""
    out = {}
    for pk, pid, prov in Service.objects.filter(pk__in=list(service_ids)).values_list(
        "pk", "person_id", "provider_location__provider_id"
    ):
        out[pk] = (pid, prov)
    return out


def candidates(
    provider_id: int, person_ids, first: dt.date, last: dt.date
) -> dict[int, list[costing.CostedService]]:
    """person id -> the services at the provider running on any day from `first` to `last`."""
    out: dict[int, list[costing.CostedService]] = defaultdict(list)
    wanted = sorted(set(person_ids))
    for i in range(0, len(wanted), _CHUNK):
        for s in costed_services(
            first=first, last=last, provider_ids=[provider_id], extra=Q(person_id__in=wanted[i : i + _CHUNK])
        ):
            out[s.person_id].append(s)
    return out


def best_service(services: list[costing.CostedService], first: dt.date, last: dt.date):
    """The service with the most days from `first` to `last` (the lowest id when two tie), or None."""
    best, best_days = None, 0
    for s in sorted(services, key=lambda s: s.id):
        window = costing.clip(s, first, last)
        days = 0 if window is None else (window[1] - window[0]).days + 1
        if days > best_days:
            best, best_days = s, days
    return best


def ecm_minutes(provider_id: int, person_ids, first: dt.date, last: dt.date) -> dict[int, dict[dt.date, int]]:
    """person id -> day -> minutes call monitoring shows delivered at the provider."""
    out: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    wanted = sorted(set(person_ids))
    for i in range(0, len(wanted), _CHUNK):
        rows = (
            EcmVisit.objects.filter(
                provider_id=provider_id,
                person_id__in=wanted[i : i + _CHUNK],
                visit_on__gte=first,
                visit_on__lte=last,
            )
            .values("person_id", "visit_on")
            .annotate(m=Sum("minutes"))
            .values_list("person_id", "visit_on", "m")
        )
        for pid, day, minutes in rows:
            out[pid][day] += minutes
    return out


def _number(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')).normalize():f}"


def _hours(value: Decimal) -> str:
    text = _number(value)
    return f"{text} hour" if Decimal(value) == 1 else f"{text} hours"


def _uk(day: dt.date) -> str:
    return day.strftime("%-d %B %Y")


def explain(
    *,
    invoiced: int,
    planned: int,
    invoiced_hours: Decimal | None,
    planned_hours: Decimal | None,
    ecm_hours: Decimal | None,
    service: costing.CostedService,
    first: dt.date,
    last: dt.date,
) -> tuple[str, str]:
    """(explanation, status) for a matched line: the money, the hours against the plan and call monitoring, and why
    the plan is short (a service that started or ended inside the line's dates)."""
    from openasc.core.money import pounds

    parts = []
    diff = invoiced - planned
    if diff > 0:
        parts.append(f"invoiced {pounds(diff)} more than planned")
    elif diff < 0:
        parts.append(f"invoiced {pounds(-diff)} less than planned")
    hours_differ = False
    if invoiced_hours is not None and planned_hours is not None:
        hdiff = Decimal(invoiced_hours) - Decimal(planned_hours).quantize(Decimal("0.01"))
        if hdiff > 0:
            text = f"invoiced {_hours(hdiff)} more than planned"
        elif hdiff < 0:
            text = f"invoiced {_hours(-hdiff)} fewer than planned"
        else:
            text = "invoiced hours as planned"
        hours_differ = bool(hdiff)
        if ecm_hours is not None:
            edelta = Decimal(invoiced_hours) - ecm_hours
            if edelta:
                more = "more" if edelta > 0 else "fewer"
                text += f", and {_number(abs(edelta))} {more} than the call monitoring shows"
                hours_differ = True
            else:
                text += ", as the call monitoring shows"
        if hours_differ:
            parts.append(text)
    if service.end_on is not None and first <= service.end_on < last:
        parts.append(f"service ended on {_uk(service.end_on)}")
    if first < service.start_on <= last:
        parts.append(f"service started on {_uk(service.start_on)}")
    if not parts:
        return "As planned", "as planned"
    status = "as planned" if not diff and not hours_differ else "differs"
    text = "; ".join(parts)
    return text[:1].upper() + text[1:], status


def match_invoice(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> list[Match]:
    """Every line of the invoice (or those given) matched and explained; the whole invoice's lines are needed only
    for its totals, a page's for the page."""
    if lines is None:
        lines = list(InvoiceLine.objects.filter(invoice=invoice).select_related("person").order_by("row"))
    person_ids = [ln.person_id for ln in lines if ln.person_id]
    first = min((ln.from_on for ln in lines), default=invoice.period_start)
    last = max((ln.to_on for ln in lines), default=invoice.period_end)
    by_person = candidates(invoice.provider_id, person_ids, first, last)
    by_id = {s.id: s for group in by_person.values() for s in group}
    ecm = ecm_minutes(invoice.provider_id, person_ids, first, last) if person_ids else {}
    out = []
    sign = invoice.sign
    for ln in lines:
        name = ln.person.full_name if ln.person_id else ""
        invoiced = sign * ln.amount_pence
        base = {
            "line": ln,
            "la_person_id": ln.la_person_id,
            "name": name,
            "person_id": ln.person_id,
            "invoiced_pence": invoiced,
            "invoiced_hours": ln.units,
        }
        if ln.person_id is None:
            out.append(
                Match(
                    **base,
                    service_id=None,
                    service_label="",
                    planned_pence=None,
                    planned_hours=None,
                    ecm_hours=None,
                    explanation=f"No person with LA person id {ln.la_person_id}",
                    status="not matched",
                )
            )
            continue
        svc = (
            by_id.get(ln.service_id)
            if ln.service_id
            else best_service(by_person.get(ln.person_id, []), ln.from_on, ln.to_on)
        )
        if svc is None:
            out.append(
                Match(
                    **base,
                    service_id=None,
                    service_label="",
                    planned_pence=None,
                    planned_hours=None,
                    ecm_hours=None,
                    explanation="No service for this person at this provider in the period",
                    status="not matched",
                )
            )
            continue
        planned = sign * costing.cost_between(svc, ln.from_on, ln.to_on)
        planned_hours = costing.units_between(svc, ln.from_on, ln.to_on) if _hourly(svc) else None
        ecm_hours = None
        if ln.person_id in ecm:
            minutes = sum(m for day, m in ecm[ln.person_id].items() if ln.from_on <= day <= ln.to_on)
            ecm_hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
        explanation, status = explain(
            invoiced=invoiced,
            planned=planned,
            invoiced_hours=ln.units,
            planned_hours=planned_hours,
            ecm_hours=ecm_hours,
            service=svc,
            first=ln.from_on,
            last=ln.to_on,
        )
        out.append(
            Match(
                **base,
                service_id=svc.id,
                service_label=svc.service_component or svc.service_type,
                planned_pence=planned,
                planned_hours=planned_hours.quantize(Decimal("0.01")) if planned_hours is not None else None,
                ecm_hours=ecm_hours,
                explanation=explanation,
                status=status,
            )
        )
    return out


def _hourly(svc: costing.CostedService) -> bool:
    return any(v.cost_frequency.strip().lower().startswith("hour") for v in svc.versions)


@dataclass
class Totals:
    invoiced_pence: int
    planned_pence: int
    unmatched: int
    differing: int
    lines: int


def totals(matches: list[Match]) -> Totals:
    return Totals(
        sum(m.invoiced_pence for m in matches),
        sum(m.planned_pence or 0 for m in matches),
        sum(1 for m in matches if m.status == "not matched"),
        sum(1 for m in matches if m.status == "differs"),
        len(matches),
    )


CACHE_SECONDS = 600


def _version() -> str:
    """What an invoice's totals were worked out from: the services and their costs (finance's mark), the schedules and
    the call monitoring uploaded. Totals cached before any of these changes are never shown after it."""
    import hashlib

    from django.db.models import Max

    from openasc.finance.selectors.budgets import version as finance_version
    from openasc.payments.models import EcmUpload, PaymentSchedule

    marks = (
        finance_version(),
        EcmUpload.objects.aggregate(v=Max("pk"))["v"],
        list(PaymentSchedule.objects.order_by("pk").values_list("pk", "care_categories", "active", "anchor")),
    )
    return hashlib.sha256(repr(marks).encode()).hexdigest()[:16]


def invoice_totals(invoice: Invoice) -> Totals:
    """The invoice's totals against the plan, over all its lines (cached while nothing they depend on changes)."""
    from django.core.cache import cache

    key = f"payments:invoice-totals:{invoice.pk}:{invoice.status}:{_version()}"
    found = cache.get(key)
    if found is None:
        found = totals(match_invoice(invoice))
        cache.set(key, found, CACHE_SECONDS)
    return found


def lines_page(*, user: User, invoice: Invoice, page: int) -> tuple[list[Match], Totals, object]:
    """One page of the invoice's matched lines (25 a page) and the totals of all of them; each person shown on the
    page is audited (a view, with the invoice)."""
    rows = InvoiceLine.objects.filter(invoice=invoice).select_related("person").order_by("row")
    page_obj = Paginator(rows, PAGE).get_page(page)
    shown = match_invoice(invoice, list(page_obj.object_list))
    people = {m.person_id for m in shown if m.person_id}
    if people:
        audit.record_many(
            actor=user,
            action=AuditAction.VIEW,
            objs=[Person(pk=pid) for pid in sorted(people)],
            basis="provider payments",
            details={"what": "invoice lines", "invoice": invoice.pk, "provider": invoice.provider_id},
        )
    return shown, invoice_totals(invoice), page_obj
