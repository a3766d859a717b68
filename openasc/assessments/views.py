"""Pages for assessments: start, the task list, one page per section, completion and sign-off."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from openasc.assessments import forms, sections, selectors, services
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from openasc.assessments.workflows import ASSESSMENT
from openasc.core import access
from openasc.core import services as core_services
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.people.models import Person
from openasc.ui import forms as ui
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, forbidden, not_found


def _open(request: HttpRequest, assessment_id: int, purpose: str = "view"):
    """The assessment, or the response to send instead (not found, or no basis to open it); the opened record is
    kept on the request (`request.opened_record`) for the services that change it."""
    try:
        assessment, request.opened_record = selectors.assessment_open(
            user=request.user, assessment_id=assessment_id, purpose=purpose
        )
        return assessment, None
    except Assessment.DoesNotExist:
        return None, not_found(request)
    except AccessDenied as exc:
        return None, denied(request, exc, selectors.assessment_person_id(assessment_id=assessment_id))


def _restore(request: HttpRequest, path: str):
    """What the worker typed before a timeout or closing the page (the autosaved draft), or None."""
    draft = core_services.form_draft_get(user=request.user, path=path)
    if not draft:
        return None
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in draft.items()})


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, person_id: int) -> HttpResponse:
    if not services.can_assess(request.user):
        return forbidden(request, "You cannot start an assessment", "Your role cannot carry out assessments.")
    try:
        options = selectors.start_options(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    person = options.person
    form = forms.StartForm(
        request.POST or None,
        options=options,
        initial={
            "kind": AssessmentKind.CARER if person.is_carer and options.cared_for else AssessmentKind.NEEDS,
            "assessment_type": "Long term assessment",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_start(
                record=options.record,
                kind=data["kind"],
                assessment_type=data["assessment_type"],
                method=data["method"],
                request=form.requests.get(data["request"]),
                cared_for=form.cared_for_people.get(data["cared_for"])
                if data["kind"] == AssessmentKind.CARER
                else None,
                started_on=data["started_on"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        else:
            messages.success(request, f"{assessment.get_kind_display()} started")
            return redirect("assessments:detail", assessment_id=assessment.pk)
    return render(
        request,
        "assessments/start.jinja",
        {
            "form": form,
            "person": person,
            "options": options,
            "title": f"Start an assessment for {person.full_name}",
            "errors": ui.error_summary(form),
        },
        status=400 if request.method == "POST" else 200,
    )


def person_assessments(request: HttpRequest, person_id: int) -> HttpResponse:
    from openasc.people import selectors as people_selectors

    try:
        person, _ = people_selectors.person_get(user=request.user, person_id=person_id, purpose="assessments")
        found = selectors.assessments_for_person(user=request.user, person=person)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    return render(
        request,
        "assessments/person_list.jinja",
        {
            "person": person,
            "assessments": found,
            "title": f"Assessments for {person.full_name}",
            "can_assess": services.can_assess(request.user),
        },
    )


def _status_param(status: str) -> dict:
    if status == selectors.COMPLETED:
        return {"text": "Completed"}
    if status == selectors.IN_PROGRESS:
        return {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}}
    return {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}}


def detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment, response = _open(request, assessment_id)
    if response:
        return response
    items = selectors.task_list(assessment)
    editable = assessment.status == AssessmentStatus.IN_PROGRESS
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["title"] != item.section.group:
            groups.append({"title": item.section.group, "items": []})
        groups[-1]["items"].append(
            {
                "title": {"text": item.section.title},
                "href": reverse("assessments:section", args=[assessment.pk, item.section.key]),
                "status": _status_param(item.status),
            }
        )
    done = sum(1 for item in items if item.status == selectors.COMPLETED)
    can_complete = editable and done == len(items)
    groups.append(
        {
            "title": "Complete",
            "items": [
                {
                    "title": {"text": "Complete the assessment"},
                    "href": reverse("assessments:complete", args=[assessment.pk]) if can_complete else None,
                    "hint": None if can_complete else {"text": "Complete every section first"},
                    "status": {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}}
                    if can_complete
                    else (
                        {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
                        if editable
                        else {"text": "Completed"}
                    ),
                }
            ],
        }
    )
    return render(
        request,
        "assessments/task_list.jinja",
        {
            "assessment": assessment,
            "person": assessment.person,
            "groups": groups,
            "done": done,
            "total": len(items),
            "title": f"{assessment.get_kind_display()} for {assessment.person.full_name}",
            "editable": editable,
            "return_note": selectors.return_note(assessment),
            "needs": selectors.eligible_needs(assessment) if assessment.eligible is not None else None,
            "can_sign_off": ASSESSMENT.may(
                request.user, assessment, "sign_off"
            ),  # state, role, not their own work
        },
    )


@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, assessment_id: int, section: str) -> HttpResponse:
    assessment, response = _open(request, assessment_id, purpose="section")
    if response:
        return response
    sec = sections.get(assessment.kind, section)
    if sec is None:
        return not_found(request, "section")
    form_class = forms.for_section(sec)
    path = reverse("assessments:section", args=[assessment.pk, sec.key])
    restored = None
    if request.method == "POST":
        form = form_class(request.POST, kind=assessment.kind)
        later = request.POST.get("action") == "later"
        if form.is_valid():
            try:
                services.assessment_section_save(
                    record=request.opened_record,
                    assessment=assessment,
                    section=sec.key,
                    data=form.section_data(),
                    complete=not later,
                )
            except ValidationFailed as exc:
                ui.add_service_errors(form, exc.errors)
            except PermissionError as exc:
                form.add_error(None, str(exc))
            else:
                core_services.form_draft_discard(user=request.user, path=path)
                messages.success(
                    request,
                    f"{sec.title}: saved as work in progress. You can come back to it at any time."
                    if later
                    else f"{sec.title}: completed",
                )
                return redirect("assessments:detail", assessment_id=assessment.pk)
    else:
        restored = _restore(request, path)
        if restored is not None:
            form = form_class(data=restored, kind=assessment.kind)
            form.restored_draft = True
        elif sec.key in assessment.section_drafts:
            form = form_class(
                data=MultiValueDict(
                    {
                        k: v if isinstance(v, list) else [v]
                        for k, v in assessment.section_drafts[sec.key].items()
                    }
                ),
                kind=assessment.kind,
            )
            form.restored_draft = True  # saved work in progress: show it, without errors
        else:
            form = form_class(
                initial=forms.initial_for(assessment, sec, selectors.outcome_answers(assessment)),
                kind=assessment.kind,
            )
    context = {
        "assessment": assessment,
        "person": assessment.person,
        "section": sec,
        "form": form,
        "title": sec.title,
        "errors": ui.error_summary(form),
        "draft_path": path,
        "restored": restored,
        "carer": assessment.kind == AssessmentKind.CARER,
        "editable": assessment.status == AssessmentStatus.IN_PROGRESS,
        "limbs": _limb_items(form, assessment.kind),
        "limbs_error": {"text": form.errors["limbs"][0]}
        if form.is_bound and not getattr(form, "restored_draft", False) and "limbs" in form.errors
        else None,
    }
    if sec.key == sections.ELIGIBILITY:
        context["missing"] = selectors.missing_sections(assessment, exclude=(sections.ELIGIBILITY,))
        context["determination"] = selectors.determination(assessment)
    return render(
        request, "assessments/section.jinja", context, status=400 if request.method == "POST" else 200
    )


def _limb_items(form, kind: str) -> list[dict]:
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


@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment, response = _open(request, assessment_id, purpose="complete")
    if response:
        return response
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        messages.info(request, f"This assessment is {assessment.get_status_display().lower()}.")
        return redirect("assessments:detail", assessment_id=assessment.pk)
    form = forms.CompleteForm(request.POST or None)
    missing = selectors.missing_sections(assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_complete(
                record=request.opened_record,
                assessment=assessment,
                information_given=data["information_given"],
                outcome=data["outcome"],
                completed_on=data["completed_on"],
            )
        except ValidationFailed as exc:
            ui.add_service_errors(form, exc.errors)
        except PermissionError as exc:
            form.add_error(None, str(exc))
        else:
            if assessment.status == AssessmentStatus.AWAITING_SIGN_OFF:
                messages.success(
                    request, "Assessment completed: it is waiting for a team manager to sign it off"
                )
            else:
                messages.success(request, "Assessment completed")
            return redirect("assessments:detail", assessment_id=assessment.pk)
    eligible = bool(assessment.eligible)
    return render(
        request,
        "assessments/complete.jinja",
        {
            "assessment": assessment,
            "person": assessment.person,
            "form": form,
            "missing": missing,
            "title": "Complete the assessment",
            "errors": ui.error_summary(form),
            "outcome_if_information": services.completion_outcome(eligible=eligible, information_given=True),
            "outcome_if_none": services.completion_outcome(eligible=eligible, information_given=False),
            "overrides": services.OUTCOME_OVERRIDES,
        },
        status=400 if request.method == "POST" else 200,
    )


def sign_off_list(request: HttpRequest) -> HttpResponse:
    if not services.can_sign_off(request.user):
        return forbidden(request, "You cannot see this page", "Only team managers sign off assessments.")
    return render(
        request,
        "assessments/sign_off_list.jinja",
        {
            "assessments": selectors.awaiting_sign_off(user=request.user),
            "title": "Assessments waiting for sign-off",
            "active_nav": "sign-off",
        },
    )


class SignOff(RecordAction):
    """A team manager (not the assessor) signs off an assessment, or returns it to the assessor with a reason."""

    purpose = "sign off"
    capability = access.Capability.SIGN_OFF
    refused_title = "You cannot sign off assessments"
    refused_explanation = "Only a team manager can sign off an assessment."
    form_class = forms.SignOffForm
    template = "assessments/sign_off.jinja"
    title = "Sign off the assessment"
    what = "page"

    def open(self, request: HttpRequest, *, assessment_id: int):
        return selectors.assessment_open(user=request.user, assessment_id=assessment_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, *, assessment_id: int) -> HttpResponse:
        return denied(request, exc, selectors.assessment_person_id(assessment_id=assessment_id))

    def perform(self, record, assessment: Assessment, data: dict):
        return services.assessment_sign_off(
            record=record, assessment=assessment, approve=data["decision"] == "approve", reason=data["reason"]
        )

    def get_success_message(self, assessment: Assessment, result: Assessment) -> str:
        return (
            "Assessment signed off"
            if result.status == AssessmentStatus.COMPLETED
            else "Assessment returned to the assessor"
        )

    def success_url(self, assessment: Assessment, result) -> str:
        return reverse("assessments:sign-off-list")

    def context(self, request: HttpRequest, assessment: Assessment) -> dict:
        return {"assessment": assessment, "needs": selectors.eligible_needs(assessment)}


sign_off = SignOff.as_view()
