"""Pages for assessments: start, the task list, one page per section, completion, sign-off and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openasc.assessments import forms, presenters, sections, selectors, services
from openasc.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from openasc.assessments.workflows import ASSESSMENT, CANCEL_REFUSED
from openasc.core import access
from openasc.core.errors import AccessDenied
from openasc.people.models import Person
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, forbidden, not_found


class _AssessmentAction(RecordAction):
    """An action on one assessment, opened through its selector (a refusal offers break-glass to its person's
    record where the role allows it)."""

    what = "page"

    def open(self, request: HttpRequest, *, assessment_id: int, **kwargs):
        return selectors.assessment_open(user=request.user, assessment_id=assessment_id, purpose=self.purpose)

    def denied_page(self, request: HttpRequest, exc: AccessDenied, *, assessment_id: int, **kwargs):
        return denied(request, exc, selectors.assessment_person_id(assessment_id=assessment_id))

    def success_url(self, assessment: Assessment, result) -> str:
        return reverse("assessments:detail", args=[assessment.pk])

    def context(self, request: HttpRequest, assessment: Assessment) -> dict:
        return {"assessment": assessment}


class Start(RecordAction):
    """A needs assessment, or a carer's assessment linked to the adult the carer looks after."""

    purpose = "start assessment"
    capability = access.Capability.ASSESS
    refused_title = "You cannot start an assessment"
    refused_explanation = "Your role cannot carry out assessments."
    form_class = forms.StartForm
    template = "assessments/start.jinja"
    what = "person"

    def open(self, request: HttpRequest, *, person_id: int):
        options = selectors.start_options(user=request.user, person_id=person_id)
        return options, options.record

    def form_kwargs(self, request: HttpRequest, options) -> dict:
        return {"options": options}

    def initial(self, request: HttpRequest, options) -> dict:
        carer = options.person.is_carer and options.cared_for
        return {
            "kind": AssessmentKind.CARER if carer else AssessmentKind.NEEDS,
            "assessment_type": "Long term assessment",
        }

    def form_data(self, form, options) -> dict:
        data = dict(form.cleaned_data)
        data["request"] = form.requests.get(data["request"])
        data["cared_for"] = (
            form.cared_for_people.get(data["cared_for"]) if data["kind"] == AssessmentKind.CARER else None
        )
        return data

    def perform(self, record, options, data: dict):
        return services.assessment_start(record=record, **data)

    def get_title(self, options, can_act: bool) -> str:
        return f"Start an assessment for {options.person.full_name}"

    def get_success_message(self, options, assessment: Assessment) -> str:
        return f"{assessment.get_kind_display()} started"

    def success_url(self, options, assessment: Assessment) -> str:
        return reverse("assessments:detail", args=[assessment.pk])

    def context(self, request: HttpRequest, options) -> dict:
        return {"options": options}


start = Start.as_view()


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


def detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        assessment, _ = selectors.assessment_open(user=request.user, assessment_id=assessment_id)
    except Assessment.DoesNotExist:
        return not_found(request)
    except AccessDenied as exc:
        return denied(request, exc, selectors.assessment_person_id(assessment_id=assessment_id))
    items = selectors.task_list(assessment)
    done = sum(1 for item in items if item.status == selectors.COMPLETED)
    return render(
        request,
        "assessments/task_list.jinja",
        {
            "assessment": assessment,
            "person": assessment.person,
            "groups": presenters.task_groups(assessment, items),
            "summary_rows": presenters.summary_rows(
                assessment, cancel_reason=selectors.cancel_reason(assessment)
            ),
            "done": done,
            "total": len(items),
            "title": f"{assessment.get_kind_display()} for {assessment.person.full_name}",
            "editable": assessment.status == AssessmentStatus.IN_PROGRESS,
            "return_note": selectors.return_note(assessment),
            "needs": selectors.eligible_needs(assessment) if assessment.eligible is not None else None,
            # what the workflow lets this user do now (state, role, not their own work)
            "can_sign_off": ASSESSMENT.may(request.user, assessment, "sign_off"),
            "can_cancel": ASSESSMENT.may(request.user, assessment, "cancel"),
        },
    )


class Section(_AssessmentAction):
    """One section of the task list: completed ("Save and continue") or kept as work in progress ("Save and come
    back later"), the draft autosaved as the worker types."""

    purpose = "section"
    template = "assessments/section.jinja"
    drafts = True
    service_refusal_on_form = True  # a role that cannot assess is told so on the form, as before

    def open(self, request: HttpRequest, *, assessment_id: int, section: str):
        opened = super().open(request, assessment_id=assessment_id)
        self.section = sections.get(opened[0].kind, section)
        return opened

    def precondition(self, request: HttpRequest, assessment: Assessment):
        return not_found(request, "section") if self.section is None else None

    def get_form_class(self, assessment: Assessment) -> type:
        return forms.for_section(self.section)

    def form_kwargs(self, request: HttpRequest, assessment: Assessment) -> dict:
        return {"kind": assessment.kind}

    def saved_work(self, request: HttpRequest, assessment: Assessment):
        return assessment.section_drafts.get(self.section.key)

    def initial(self, request: HttpRequest, assessment: Assessment) -> dict:
        return forms.initial_for(assessment, self.section, selectors.outcome_answers(assessment))

    def _later(self) -> bool:
        return self.request.POST.get("action") == "later"

    def form_data(self, form, assessment: Assessment) -> dict:
        return form.section_data()

    def perform(self, record, assessment: Assessment, data: dict):
        return services.assessment_section_save(
            record=record,
            assessment=assessment,
            section=self.section.key,
            data=data,
            complete=not self._later(),
        )

    def get_title(self, assessment: Assessment, can_act: bool) -> str:
        return self.section.title

    def success_url(self, assessment: Assessment, result) -> str:
        """ "Save and continue" goes on to the next section (the task list after the last); "Save and come back
        later" goes back to the task list."""
        following = sections.after(assessment.kind, self.section.key)
        if self._later() or following is None:
            return reverse("assessments:detail", args=[assessment.pk])
        return reverse("assessments:section", args=[assessment.pk, following.key])

    def get_success_message(self, assessment: Assessment, result) -> str:
        if self._later():
            return f"{self.section.title}: saved as work in progress. You can come back to it at any time."
        return f"{self.section.title}: completed"

    def form_context(self, form, assessment: Assessment) -> dict:
        return {
            "limbs": presenters.limb_items(form, assessment.kind),
            "limbs_error": presenters.limbs_error(form),
        }

    def context(self, request: HttpRequest, assessment: Assessment) -> dict:
        context = {
            "assessment": assessment,
            "section": self.section,
            "carer": assessment.kind == AssessmentKind.CARER,
            "editable": assessment.status == AssessmentStatus.IN_PROGRESS,
        }
        if self.section.key == sections.ELIGIBILITY:
            context["missing"] = selectors.missing_sections(assessment, exclude=(sections.ELIGIBILITY,))
            context["determination"] = selectors.determination(assessment)
        return context


section = Section.as_view()


class Complete(_AssessmentAction):
    """The assessment completed with its CLD outcome; it then waits for sign-off where the council asks for it."""

    purpose = "complete"
    form_class = forms.CompleteForm
    template = "assessments/complete.jinja"
    title = "Complete the assessment"
    service_refusal_on_form = True  # a role that cannot assess is told so on the form, as before

    def precondition(self, request: HttpRequest, assessment: Assessment):
        if assessment.status != AssessmentStatus.IN_PROGRESS:
            messages.info(request, f"This assessment is {assessment.get_status_display().lower()}.")
            return redirect("assessments:detail", assessment_id=assessment.pk)
        return None

    def perform(self, record, assessment: Assessment, data: dict):
        return services.assessment_complete(record=record, assessment=assessment, **data)

    def get_success_message(self, assessment: Assessment, result: Assessment) -> str:
        if result.status == AssessmentStatus.AWAITING_SIGN_OFF:
            return "Assessment completed: it is waiting for a team manager to sign it off"
        return "Assessment completed"

    def context(self, request: HttpRequest, assessment: Assessment) -> dict:
        eligible = bool(assessment.eligible)
        return {
            "assessment": assessment,
            "missing": selectors.missing_sections(assessment),
            "outcome_if_information": services.completion_outcome(eligible=eligible, information_given=True),
            "outcome_if_none": services.completion_outcome(eligible=eligible, information_given=False),
            "overrides": services.OUTCOME_OVERRIDES,
        }


complete = Complete.as_view()


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


class SignOff(_AssessmentAction):
    """A team manager (not the assessor) signs off an assessment, or returns it to the assessor with a reason."""

    purpose = "sign off"
    capability = access.Capability.SIGN_OFF
    refused_title = "You cannot sign off assessments"
    refused_explanation = "Only a team manager can sign off an assessment."
    form_class = forms.SignOffForm
    template = "assessments/sign_off.jinja"
    title = "Sign off the assessment"

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


class Cancel(_AssessmentAction):
    """An assessment that will not be finished (started in error, the person withdrew or moved away): kept on the
    record, read-only, with who cancelled it and why; a new one can then be started."""

    purpose = "cancel"
    form_class = forms.CancelForm
    template = "assessments/cancel.jinja"
    title = "Cancel this assessment"
    what = "assessment"
    refused_title = "You cannot cancel this assessment"
    refused_explanation = CANCEL_REFUSED
    success_message = (
        "Assessment cancelled. It stays on the record with your reason and is not counted in the returns."
    )

    def precondition(self, request: HttpRequest, assessment: Assessment):
        if assessment.status != AssessmentStatus.IN_PROGRESS:
            messages.info(request, f"This assessment is {assessment.get_status_display().lower()}.")
            return redirect("assessments:detail", assessment_id=assessment.pk)
        return None

    def may(self, user, assessment: Assessment) -> bool:
        return ASSESSMENT.may(user, assessment, "cancel")

    def perform(self, record, assessment: Assessment, data: dict):
        return services.assessment_cancel(record=record, assessment=assessment, reason=data["reason"])

    def context(self, request: HttpRequest, assessment: Assessment) -> dict:
        return {
            "assessment": assessment,
            "summary_rows": presenters.summary_rows(assessment),
            "done": len(assessment.sections_done),
        }


cancel = Cancel.as_view()
