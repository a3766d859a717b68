"""Pages: the person's mental capacity and advocacy section, each record, and the forms that record them."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from openasc.capacity import forms, presenters, selectors, services
from openasc.core import access
from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.people.models import Person
from openasc.ui.actions import RecordAction
from openasc.ui.responses import denied, forbidden, not_found


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    """Everything recorded about the person's capacity, advocacy and consent, with the presumption of capacity."""
    try:
        record = selectors.capacity_open(user=request.user, person_id=person_id)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    found = selectors.records_for(record)
    name = record.person.full_name
    return render(
        request,
        "capacity/person.jinja",
        {
            "person": record.person,
            "title": f"Mental capacity and advocacy: {name}",
            "presumption": presenters.PRESUMPTION,
            "refusals": [
                presenters.refusal_text(s, record.person.first_name or name) for s in found.refusals
            ],
            "capacity_rows": presenters.capacity_table(found.assessments),
            "best_interests_rows": presenters.best_interests_table(found.best_interests),
            "advocacy_rows": presenters.advocacy_table(found.advocacy),
            "imca_rows": presenters.imca_table(found.imca),
            "consent_rows": presenters.consent_table(found.consents, timezone.localdate()),
            "can_record": services.can_record(request.user),
        },
    )


def _detail(request, getter, kind: str, pk: int, what: str):
    try:
        obj, record = getter(user=request.user, **{f"{kind}_id": pk})
    except ObjectDoesNotExist:
        return None, not_found(request, what)
    except AccessDenied as exc:
        return None, denied(request, exc, None)
    request.opened_record = record
    return obj, None


def _page(request, obj, *, title: str, caption: str, rows: list, **extra) -> HttpResponse:
    return render(
        request,
        "capacity/record.jinja",
        {
            "person": obj.person,
            "title": title,
            "caption": caption,
            "summary_rows": rows,
            "back": reverse("capacity:person", args=[obj.person_id]),
            **extra,
        },
    )


def assessment(request: HttpRequest, capacity_assessment_id: int) -> HttpResponse:
    c, failed = _detail(
        request,
        selectors.capacity_assessment_get,
        "capacity_assessment",
        capacity_assessment_id,
        "mental capacity assessment",
    )
    if failed:
        return failed
    has_bi = hasattr(c, "best_interests")
    imca_referrals, consents = selectors.resting_on(c)
    return _page(
        request,
        c,
        title=f"Mental capacity assessment: {c.decision}",
        caption="Mental capacity assessment",
        rows=presenters.capacity_rows(c),
        tags=[presenters.outcome_tag(c)],
        presumption=presenters.PRESUMPTION,
        stage_rows=presenters.stage_rows(c),
        best_interests=c.best_interests if has_bi else None,
        can_add_best_interests=c.lacks_capacity and not has_bi and services.can_record(request.user),
        assessment_id=c.pk,
        resting_on=presenters.resting_on_links(imca_referrals, consents),
    )


def best_interests(request: HttpRequest, best_interests_id: int) -> HttpResponse:
    b, failed = _detail(
        request, selectors.best_interests_get, "best_interests", best_interests_id, "best-interests decision"
    )
    if failed:
        return failed
    return _page(
        request,
        b,
        title="Best-interests decision",
        caption=b.capacity_assessment.decision,
        rows=presenters.best_interests_rows(b),
        option_rows=presenters.option_rows(b),
        assessment_id=b.capacity_assessment_id,
    )


def advocacy(request: HttpRequest, advocacy_id: int) -> HttpResponse:
    a, failed = _detail(request, selectors.advocacy_get, "advocacy", advocacy_id, "advocacy record")
    if failed:
        return failed
    return _page(
        request,
        a,
        title="Independent advocacy (Care Act s.67)",
        caption=presenters.involvement_label(a.involvement_in),
        rows=presenters.advocacy_rows(a),
    )


def imca(request: HttpRequest, imca_id: int) -> HttpResponse:
    i, failed = _detail(request, selectors.imca_get, "imca", imca_id, "IMCA referral")
    if failed:
        return failed
    return _page(
        request,
        i,
        title="Referral to an IMCA",
        caption=presenters.imca_reason_label(i.reason),
        rows=presenters.imca_rows(i),
    )


def consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    s, failed = _detail(request, selectors.consent_get, "consent", consent_id, "consent record")
    if failed:
        return failed
    return _page(
        request,
        s,
        title="Consent to share information",
        caption=presenters.basis_label(s.basis),
        rows=presenters.consent_rows(s),
        tags=[presenters.basis_tag(s)],
    )


# --- the forms ----------------------------------------------------------------------------------------------------


class _Record(RecordAction):
    """A form that records one thing on the person's record; what was typed is kept as a draft (ADR 0006)."""

    capability = access.Capability.ASSESS
    refused_title = "You cannot record this"
    refused_explanation = services.REFUSED
    template = "capacity/form.jinja"
    drafts = True
    what = "person"
    layout = staticmethod(forms.capacity_fields)
    intro = ""

    def form_kwargs(self, request: HttpRequest, obj) -> dict:
        record = request.opened_record
        return {
            "links": selectors.link_choices(record=record),
            "providers": selectors.advocacy_providers(),
            "capacity": selectors.capacity_choices(record=record),
        }

    def initial(self, request: HttpRequest, obj) -> dict:
        """`?link=assessment:12` (from an assessment's or a plan's page) chooses what the record is about."""
        link = request.GET.get("link", "")
        if any(link == value for value, _ in selectors.link_choices(record=request.opened_record)):
            return {"link": link}
        return {}

    def form_data(self, form, obj) -> dict:
        data = dict(form.cleaned_data)
        data.pop("_deferred", None)
        self._deferred = dict(form.deferred)
        return data

    def call(self, service, **kwargs):
        """The service with the form's data; a date the form could not read is reported with every error the
        service finds (in place of the service's own "enter the date", as it was given none)."""
        try:
            return service(**kwargs)
        except ValidationFailed as exc:
            errors = {**exc.errors, **self._deferred}
            if "options" in errors:
                errors["option_1_option"] = errors.pop("options")
            raise ValidationFailed(errors) from None

    def context(self, request: HttpRequest, obj) -> dict:
        return {
            "back": reverse("capacity:person", args=[request.opened_record.person_id]),
            "intro": self.intro,
        }

    def form_context(self, form, obj) -> dict:
        return {"fields": self.layout(form)}


def _keep(data: dict, *names) -> dict:
    return {n: data.get(n) for n in names}


class RecordCapacity(_Record):
    purpose = "record mental capacity assessment"
    form_class = forms.CapacityForm
    title = "Record a mental capacity assessment"
    success_message = "Mental capacity assessment recorded"
    intro = presenters.PRESUMPTION

    def initial(self, request: HttpRequest, person) -> dict:
        return {**super().initial(request, person), "assessor": request.user.display_name}

    def perform(self, record, person, data: dict):
        return self.call(
            services.capacity_assessment_record,
            record=record,
            **_keep(
                data,
                "decision",
                "assessed_on",
                "assessor",
                "location",
                "present",
                "impairment",
                "impairment_detail",
                "understand",
                "understand_evidence",
                "retain",
                "retain_evidence",
                "use_weigh",
                "use_weigh_evidence",
                "communicate",
                "communicate_evidence",
                "nexus",
                "nexus_evidence",
                "support_steps",
                "outcome",
                "link",
            ),
        )

    def success_url(self, person, result) -> str:
        return reverse("capacity:assessment", args=[result.pk])


class RecordBestInterests(_Record):
    purpose = "record best-interests decision"
    form_class = forms.BestInterestsForm
    title = "Record a best-interests decision"
    success_message = "Best-interests decision recorded"
    refused_title = "You cannot record a best-interests decision for this assessment"
    what = "mental capacity assessment"
    layout = staticmethod(forms.best_interests_fields)

    def open(self, request: HttpRequest, *, capacity_assessment_id: int):
        return selectors.capacity_assessment_get(
            user=request.user, capacity_assessment_id=capacity_assessment_id, purpose=self.purpose
        )

    def may(self, user, c) -> bool:
        return c.lacks_capacity and not hasattr(c, "best_interests")

    def refused_page(self, request: HttpRequest, c=None) -> HttpResponse:
        if c is None:
            return super().refused_page(request)
        if not c.lacks_capacity:
            why = (
                f"The assessment found that the person has capacity to decide “{c.decision}”, so the decision is "
                "theirs to make: a best-interests decision is made only for a person who lacks capacity for it."
            )
        else:
            why = "A best-interests decision has already been recorded for this assessment."
        return forbidden(request, self.refused_title, why)

    def initial(self, request: HttpRequest, c) -> dict:
        return {**super().initial(request, c), "decision_maker": request.user.display_name}

    def perform(self, record, c, data: dict):
        return self.call(
            services.best_interests_record,
            record=record,
            capacity_assessment=c,
            **_keep(
                data,
                "consulted",
                "wishes",
                "options",
                "least_restrictive",
                "decision",
                "decision_maker",
                "decided_on",
                "link",
            ),
        )

    def success_url(self, c, result) -> str:
        return reverse("capacity:best-interests", args=[result.pk])

    def context(self, request: HttpRequest, c) -> dict:
        return {
            "back": reverse("capacity:assessment", args=[c.pk]),
            "intro": f"For the decision “{c.decision}”: the person was assessed as lacking capacity for it on "
            f"{c.assessed_on:%-d %B %Y}.",
        }


class RecordAdvocacy(_Record):
    purpose = "record advocacy"
    form_class = forms.AdvocacyForm
    title = "Independent advocacy: Care Act section 67"
    success_message = "Advocacy recorded"
    layout = staticmethod(forms.advocacy_fields)
    intro = (
        "The council must arrange an independent advocate to support the person to be involved when they would have "
        "substantial difficulty in any one of the four areas below, and there is no appropriate individual to support "
        "them."
    )

    def perform(self, record, person, data: dict):
        return self.call(
            services.advocacy_record,
            record=record,
            **_keep(
                data,
                "involvement_in",
                "considered_on",
                "difficulty_understand",
                "difficulty_retain",
                "difficulty_use_weigh",
                "difficulty_communicate",
                "difficulty_evidence",
                "appropriate_individual",
                "appropriate_individual_name",
                "referral_made",
                "provider",
                "referred_on",
                "no_referral_reason",
                "outcome",
                "outcome_on",
                "link",
            ),
        )

    def success_url(self, person, result) -> str:
        return reverse("capacity:advocacy", args=[result.pk])


class RecordImca(_Record):
    purpose = "record IMCA referral"
    form_class = forms.ImcaForm
    title = "Refer to an Independent Mental Capacity Advocate (IMCA)"
    success_message = "IMCA referral recorded"
    layout = staticmethod(forms.imca_fields)
    intro = (
        "An IMCA is instructed for a person who lacks capacity for a decision about serious medical treatment or a "
        "change of accommodation and has no one appropriate, other than paid carers, to consult (Mental Capacity Act "
        "2005, sections 35 to 41); the council may also instruct one for a review or in safeguarding."
    )

    def context(self, request: HttpRequest, person) -> dict:
        context = super().context(request, person)
        if not selectors.capacity_choices(record=request.opened_record):
            context["blocked"] = (
                f"No mental capacity assessment has found that {person.full_name} lacks capacity for a decision. "
                "An IMCA is instructed only for a decision the person lacks capacity to make: record the "
                "assessment first."
            )
            context["blocked_link"] = (
                reverse("capacity:record-assessment", args=[person.pk]),
                "Record a mental capacity assessment",
            )
        return context

    def perform(self, record, person, data: dict):
        return self.call(
            services.imca_referral_record,
            record=record,
            **_keep(
                data,
                "capacity_assessment",
                "reason",
                "reason_detail",
                "no_one_appropriate",
                "provider",
                "referred_on",
                "outcome",
                "link",
            ),
        )

    def success_url(self, person, result) -> str:
        return reverse("capacity:imca", args=[result.pk])


class RecordConsent(_Record):
    purpose = "record consent to share"
    form_class = forms.ConsentForm
    title = "Record consent to share information"
    success_message = "Consent to share recorded"
    layout = staticmethod(forms.consent_fields)
    intro = "A refusal of consent is recorded too, and respected: it is shown on the person's record."

    def perform(self, record, person, data: dict):
        return self.call(
            services.consent_record,
            record=record,
            **_keep(
                data,
                "what",
                "agencies",
                "basis",
                "capacity_assessment",
                "reason",
                "recorded_on",
                "review_on",
                "link",
            ),
        )

    def success_url(self, person, result) -> str:
        return reverse("capacity:consent", args=[result.pk])


record_capacity = RecordCapacity.as_view()
record_best_interests = RecordBestInterests.as_view()
record_advocacy = RecordAdvocacy.as_view()
record_imca = RecordImca.as_view()
record_consent = RecordConsent.as_view()
