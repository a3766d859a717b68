"""Formatting for the assessment pages: the task list, the summary of the assessment, the limbs of an outcome.

Plain functions of model objects and forms (no database, no request) that return what the GOV.UK macros take."""

from __future__ import annotations

from django.urls import reverse

from openasc.assessments import sections, selectors
from openasc.assessments.models import AssessmentStatus
from openasc.ui.jinja2 import uk_date

NOT_STARTED_TAG = {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}}


def section_status(status: str) -> dict:
    """The status of one section in the GOV.UK task list."""
    if status == selectors.COMPLETED:
        return {"text": "Completed"}
    if status == selectors.IN_PROGRESS:
        return {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}}
    return NOT_STARTED_TAG


def _complete_item(assessment, can_complete: bool) -> dict:
    editable = assessment.status == AssessmentStatus.IN_PROGRESS
    if can_complete:
        status = NOT_STARTED_TAG
    elif editable:
        status = {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
    elif assessment.status == AssessmentStatus.CANCELLED:
        status = {"text": "Cancelled"}
    else:
        status = {"text": "Completed"}
    return {
        "title": {"text": "Complete the assessment"},
        "href": reverse("assessments:complete", args=[assessment.pk]) if can_complete else None,
        "hint": None if can_complete else {"text": "Complete every section first"},
        "status": status,
    }


def task_groups(assessment, items) -> list[dict]:
    """The task list's groups of sections (each linking to its page), then the step that completes it."""
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["title"] != item.section.group:
            groups.append({"title": item.section.group, "items": []})
        groups[-1]["items"].append(
            {
                "title": {"text": item.section.title},
                "href": reverse("assessments:section", args=[assessment.pk, item.section.key]),
                "status": section_status(item.status),
            }
        )
    done = sum(1 for item in items if item.status == selectors.COMPLETED)
    can_complete = assessment.status == AssessmentStatus.IN_PROGRESS and done == len(items)
    groups.append({"title": "Complete", "items": [_complete_item(assessment, can_complete)]})
    return groups


def summary_rows(assessment, *, cancel_reason: str = "") -> list[dict]:
    """The facts at the top of the task list: status, type, method, dates, who, and the decision once made."""

    def row(key: str, value: str) -> dict:
        return {"key": {"text": key}, "value": {"text": value}}

    rows = [
        row("Status", assessment.get_status_display()),
        row("Type", assessment.assessment_type),
        row("Method", assessment.method or "Not recorded"),
        row("Started", uk_date(assessment.started_on)),
        row("Assessor", assessment.assessor.display_name),
    ]
    if assessment.cared_for_id:
        cared_for = assessment.cared_for
        rows.insert(1, row("Cares for", f"{cared_for.full_name} ({cared_for.la_person_id})"))
    if assessment.completed_on:
        rows.append(row("Completed", uk_date(assessment.completed_on)))
        rows.append(row("Eligibility", "Eligible" if assessment.eligible else "Not eligible"))
        rows.append(row("Outcome", assessment.outcome))
    if assessment.signed_off_by_id:
        signed = assessment.signed_off_by
        rows.append(row("Signed off", f"{signed.display_name}, {uk_date(assessment.signed_off_at)}"))
    if assessment.status == AssessmentStatus.CANCELLED and cancel_reason:
        rows.append(row("Why it was cancelled", cancel_reason))
    return rows


def limb_items(form, kind: str) -> list[dict]:
    """The checkboxes for how an outcome cannot be achieved, ticked as the worker left them."""
    if "limbs" not in form.fields:
        return []
    if form.is_bound:
        chosen = form.data.getlist("limbs") if hasattr(form.data, "getlist") else form.data.get("limbs", [])
    else:
        chosen = form.initial.get("limbs", [])
    return [
        {"value": code, "text": f"({code}) {label}", "checked": code in chosen}
        for code, label in sections.limbs_for(kind)
    ]


def limbs_error(form) -> dict | None:
    """The error on the limbs checkboxes, once the worker has submitted (not on a restored draft)."""
    if form.is_bound and not getattr(form, "restored_draft", False) and "limbs" in form.errors:
        return {"text": form.errors["limbs"][0]}
    return None
