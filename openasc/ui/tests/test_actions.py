"""The generic record-action page (ui.actions.RecordAction), through a test action on a person's request for support.

The action under test opens the person named in the URL, finds the request in their record, needs the triage
capability, keeps drafts, and calls a stand-in for the service whose answer each test chooses (the real views on
RecordAction are tested with their apps)."""

import datetime as dt
import re

import pytest
from django import forms as django_forms
from django.urls import path, reverse

from openasc.config.urls import urlpatterns as site_urls
from openasc.core import access
from openasc.core import services as core_services
from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditAction, AuditEvent, FormDraft
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.frontdoor import forms
from openasc.frontdoor.models import RequestStatus, SupportRequest
from openasc.frontdoor.tests.factories import SupportRequestFactory
from openasc.people.tests.factories import PersonFactory
from openasc.planning.tests.factories import ReviewFactory
from openasc.ui.actions import Confirm, RecordAction


class NoteOnRequest(RecordAction):
    purpose = "test note"
    capability = access.Capability.TRIAGE
    refused_title = "You cannot triage requests"
    refused_explanation = "Your role cannot triage requests."
    form_class = forms.TriageForm
    template = "frontdoor/triage_form.jinja"
    title = "Note on the request"
    success_message = "Note saved"
    what = "request"
    drafts = True
    calls: list = []
    allow = True

    def get_object(self, record, *, request_id):
        return SupportRequest.objects.select_related("person").get(pk=request_id)

    def precondition(self, request, support_request):
        if support_request.status == RequestStatus.CANCELLED:
            from django.shortcuts import redirect

            return redirect("frontdoor:request", request_id=support_request.pk)
        return None

    def may(self, user, support_request):
        return type(self).allow

    def perform(self, record, support_request, data):
        said = data["information_given"]
        if said == "service says no":
            raise ValidationFailed(
                {"information_given": "The service refused this note", "budget": "The budget is spent"}
            )
        if said == "not allowed":
            raise PermissionError("Only a manager can add this note.")
        if said == "refused by the workflow":
            raise access.refuse(
                record.user,
                person_id=record.person_id,
                purpose="test note",
                explanation="Your role cannot add this note.",
            )
        type(self).calls.append((record, support_request, data))
        return support_request

    def success_url(self, support_request, result):
        return reverse("frontdoor:request", args=[support_request.pk])

    def context(self, request, support_request):
        return {"req": support_request}


class ButtonOnRequest(NoteOnRequest):
    """A POST-only action with nothing to fill in, whose errors are flashed on the request's page."""

    methods = ("POST",)
    form_class = Confirm
    drafts = False
    outcome = "ok"

    def perform(self, record, support_request, data):
        if type(self).outcome == "invalid":
            raise ValidationFailed({"status": "The request has already been passed on"})
        if type(self).outcome == "refused":
            raise PermissionError("Only a manager can press this.")
        type(self).calls.append((record, support_request, data))
        return support_request

    def form_invalid(self, request, support_request, form):
        from django.contrib import messages
        from django.shortcuts import redirect

        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect("frontdoor:request", request_id=support_request.pk)


class NoteNeededForm(forms.TriageForm):
    """The triage form with the note required (the form SavedWorkNote chooses for a request already passed on)."""

    information_given = django_forms.CharField(
        max_length=5000, error_messages={"required": "Enter the note for a request already passed on"}
    )


class SavedWorkNote(NoteOnRequest):
    """Drafts kept under the path and a query, work saved on the thing, a form chosen by the thing, the data the
    form hands the service, the form's own context, and a service refusal shown on the form."""

    saved: dict | None = None
    service_refusal_on_form = True

    def get_form_class(self, support_request):
        return NoteNeededForm if support_request.status == RequestStatus.ROUTED else forms.TriageForm

    def draft_path(self, request, support_request):
        return request.path + "?copy=1"

    def saved_work(self, request, support_request):
        return type(self).saved

    def form_data(self, form, support_request):
        return {**form.cleaned_data, "via": self.request.path}

    def form_context(self, form, support_request):
        return {"title": "Bound: " + ("yes" if form.is_bound else "no")}


urlpatterns = [
    path("test-action/<int:person_id>/<int:request_id>", NoteOnRequest.as_view(), name="test-action"),
    path("test-button/<int:person_id>/<int:request_id>", ButtonOnRequest.as_view(), name="test-button"),
    path("test-saved/<int:person_id>/<int:request_id>", SavedWorkNote.as_view(), name="test-saved"),
    *site_urls,
]
pytestmark = pytest.mark.urls(__name__)

VALID = {"decision": "information_and_advice", "information_given": "Leaflet on day centres"}


@pytest.fixture(autouse=True)
def reset_action():
    NoteOnRequest.calls = []
    NoteOnRequest.allow = True
    ButtonOnRequest.outcome = "ok"
    SavedWorkNote.saved = None
    yield
    NoteOnRequest.calls = []
    NoteOnRequest.allow = True


@pytest.fixture
def req(staff):
    support_request = SupportRequestFactory(person=PersonFactory(first_name="Ivy", last_name="Lane"))
    CareRelationshipFactory(person=support_request.person, user=staff.social_worker)
    return support_request


def url_for(req) -> str:
    return reverse("test-action", args=[req.person_id, req.pk])


def events(action: str, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def summary(html: str) -> list[tuple[str, str]]:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    items = re.findall(r'<li>\s*(?:<a href="#([^"]+)">)?([^<]+)', found.group(1)) if found else []
    return [(anchor, text.strip()) for anchor, text in items]


def test_get_opens_the_record_for_the_purpose_and_shows_the_form(client, staff, req):
    client.force_login(staff.social_worker)
    response = client.get(url_for(req))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Note on the request" in html and "Ivy Lane" in html and "We have filled in" not in html
    view = events(AuditAction.VIEW, actor=staff.social_worker, person_id=req.person_id).get()
    assert view.details["purpose"] == "test note"
    assert NoteOnRequest.calls == []


def test_a_saved_draft_is_restored_on_get_without_errors(client, staff, req):
    core_services.form_draft_save(
        user=staff.social_worker,
        path=url_for(req),
        data={"decision": "", "information_given": "Typed before the timeout"},
    )
    client.force_login(staff.social_worker)
    response = client.get(url_for(req))
    html = response.content.decode()
    assert response.status_code == 200
    assert "We have filled in what you typed" in html and "Typed before the timeout" in html
    assert summary(html) == []  # the missing decision is not an error until the worker submits
    assert f'data-draft-path="{url_for(req)}"' in html


def test_a_role_without_the_capability_is_refused_before_the_record_is_opened(client, staff, req):
    client.force_login(staff.broker)  # arranges services, does not triage
    for response in (client.get(url_for(req)), client.post(url_for(req), VALID)):
        assert response.status_code == 403
        assert "You cannot triage requests" in response.content.decode()
    refusals = events(AuditAction.ACCESS_REFUSED, actor=staff.broker)
    assert refusals.count() == 2 and refusals.first().details["reason"] == "Your role cannot triage requests."
    assert not events(AuditAction.VIEW, actor=staff.broker).exists()
    assert NoteOnRequest.calls == []


def test_the_rule_about_this_one_thing_refuses_after_opening(client, staff, req):
    NoteOnRequest.allow = False
    client.force_login(staff.social_worker)
    assert client.get(url_for(req)).status_code == 403
    assert client.post(url_for(req), VALID).status_code == 403
    assert events(AuditAction.ACCESS_REFUSED, actor=staff.social_worker).count() == 2
    assert NoteOnRequest.calls == []


def test_no_basis_for_the_record_offers_break_glass_and_is_audited(client, staff, req):
    client.force_login(staff.safeguarding_lead)  # may triage, but has no relationship with this person
    response = client.get(url_for(req))
    assert response.status_code == 302 and response.url == reverse("core:break-glass", args=[req.person_id])
    assert events(AuditAction.ACCESS_REFUSED, actor=staff.safeguarding_lead, person_id=req.person_id).exists()
    assert not events(AuditAction.VIEW, actor=staff.safeguarding_lead).exists()


def test_a_missing_person_or_thing_is_not_found(client, staff, req):
    client.force_login(staff.social_worker)
    assert client.get(reverse("test-action", args=[req.person_id, req.pk + 1000])).status_code == 404
    assert client.get(reverse("test-action", args=[req.person_id + 1000, req.pk])).status_code == 404


def test_a_thing_of_another_person_is_refused(client, staff, req):
    other = SupportRequestFactory(person=PersonFactory(first_name="Olga", last_name="North"))
    client.force_login(staff.social_worker)
    for response in (
        client.get(reverse("test-action", args=[req.person_id, other.pk])),
        client.post(reverse("test-action", args=[req.person_id, other.pk]), VALID),
    ):
        assert response.status_code == 403
        html = response.content.decode()
        assert "That request is not part of this person" in html and "Olga" not in html
    assert events(AuditAction.ACCESS_REFUSED, actor=staff.social_worker).count() == 2
    assert NoteOnRequest.calls == []


def test_the_precondition_sends_the_worker_back(client, staff, req):
    cancelled = SupportRequestFactory(person=req.person, cancelled=True)
    client.force_login(staff.social_worker)
    response = client.post(url_for(cancelled), VALID)
    assert response.status_code == 302 and response.url == reverse("frontdoor:request", args=[cancelled.pk])
    assert NoteOnRequest.calls == []


def test_an_invalid_form_is_shown_again_with_its_errors_and_the_service_is_not_called(client, staff, req):
    client.force_login(staff.social_worker)
    response = client.post(url_for(req), {"information_given": "No decision"})
    assert response.status_code == 400
    assert summary(response.content.decode()) == [("decision", "Select what happens next")]
    assert NoteOnRequest.calls == []


def test_the_services_errors_go_to_their_fields_and_unknown_fields_to_the_form(client, staff, req):
    core_services.form_draft_save(user=staff.social_worker, path=url_for(req), data=VALID)
    client.force_login(staff.social_worker)
    response = client.post(url_for(req), {**VALID, "information_given": "service says no"})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary(html) == [
        ("", "The budget is spent"),
        ("information_given", "The service refused this note"),
    ]
    assert "service says no" in html  # what was typed is kept
    assert FormDraft.objects.filter(user=staff.social_worker).exists()  # nothing saved, so the draft stays


def test_a_permission_error_from_the_service_is_the_forbidden_page(client, staff, req):
    client.force_login(staff.social_worker)
    response = client.post(url_for(req), {**VALID, "information_given": "not allowed"})
    assert response.status_code == 403
    assert "Only a manager can add this note." in response.content.decode()


def test_a_refusal_the_service_audited_is_the_forbidden_page_and_not_audited_twice(client, staff, req):
    client.force_login(staff.social_worker)
    response = client.post(url_for(req), {**VALID, "information_given": "refused by the workflow"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot triage requests" in html and "Your role cannot add this note." in html
    assert events(AuditAction.ACCESS_REFUSED, actor=staff.social_worker).count() == 1


def test_success_calls_the_service_with_the_opened_record_discards_the_draft_and_redirects(
    client, staff, req
):
    core_services.form_draft_save(user=staff.social_worker, path=url_for(req), data=VALID)
    client.force_login(staff.social_worker)
    response = client.post(url_for(req), VALID, follow=True)
    assert response.redirect_chain == [(reverse("frontdoor:request", args=[req.pk]), 302)]
    assert "Note saved" in response.content.decode()
    [(record, support_request, data)] = NoteOnRequest.calls
    assert isinstance(record, access.OpenedRecord)
    assert (record.person_id, record.user, record.purpose) == (
        req.person_id,
        staff.social_worker,
        "test note",
    )
    assert support_request.pk == req.pk and data["information_given"] == "Leaflet on day centres"
    assert not FormDraft.objects.filter(user=staff.social_worker).exists()


def test_other_methods_are_not_allowed(client, staff, req):
    client.force_login(staff.social_worker)
    assert client.put(url_for(req)).status_code == 405
    assert NoteOnRequest.calls == []


def test_read_only_when_refused_shows_the_page_without_the_form(client, staff, req):
    """The review page (planning.views.CompleteReview): a worker who may not complete it still reads it."""
    review = ReviewFactory(person=req.person, reviewer=staff.social_worker, due_on=dt.date.today())
    client.force_login(staff.front_door)  # may open anyone's record, cannot complete reviews
    response = client.get(reverse("planning:review", args=[review.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Review</h1>' in html and "completed_on-day" not in html
    assert (
        client.post(reverse("planning:review", args=[review.pk]), {"method": "Face to face"}).status_code
        == 403
    )
    client.force_login(staff.social_worker)
    html = client.get(reverse("planning:review", args=[review.pk])).content.decode()
    assert "Complete the review" in html and "completed_on-day" in html


# --- the smaller parts a view may name ---------------------------------------------------------------------------


def test_a_button_action_refuses_get_and_its_post_needs_nothing_filled_in(client, staff, req):
    client.force_login(staff.social_worker)
    url = reverse("test-button", args=[req.person_id, req.pk])
    response = client.get(url)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert not events(AuditAction.VIEW, actor=staff.social_worker).exists()  # not even opened
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("frontdoor:request", args=[req.pk]), 302)]
    assert "Note saved" in response.content.decode()
    [(record, support_request, data)] = ButtonOnRequest.calls
    assert record.purpose == "test note" and support_request.pk == req.pk and data == {}


def test_a_button_actions_service_errors_are_flashed_on_the_page_it_goes_back_to(client, staff, req):
    ButtonOnRequest.outcome = "invalid"
    client.force_login(staff.social_worker)
    response = client.post(reverse("test-button", args=[req.person_id, req.pk]), follow=True)
    assert response.redirect_chain == [(reverse("frontdoor:request", args=[req.pk]), 302)]
    html = response.content.decode()
    assert "The request has already been passed on" in html and "Note saved" not in html
    assert ButtonOnRequest.calls == []


def test_a_button_actions_refusal_by_the_service_is_still_the_forbidden_page(client, staff, req):
    ButtonOnRequest.outcome = "refused"
    client.force_login(staff.social_worker)
    response = client.post(reverse("test-button", args=[req.person_id, req.pk]))
    assert response.status_code == 403 and "Only a manager can press this." in response.content.decode()


def test_the_draft_kept_under_the_actions_draft_path_is_restored_and_discarded(client, staff, req):
    url = reverse("test-saved", args=[req.person_id, req.pk])
    core_services.form_draft_save(user=staff.social_worker, path=url, data={"information_given": "Not this"})
    core_services.form_draft_save(
        user=staff.social_worker, path=url + "?copy=1", data={"information_given": "Typed under the query"}
    )
    client.force_login(staff.social_worker)
    html = client.get(url).content.decode()
    assert "Typed under the query" in html and "Not this" not in html
    assert f'data-draft-path="{url}?copy=1"' in html
    assert client.post(url, VALID).status_code == 302
    assert FormDraft.objects.filter(user=staff.social_worker, path=url).exists()  # another page's draft stays
    assert not FormDraft.objects.filter(user=staff.social_worker, path=url + "?copy=1").exists()


def test_work_saved_on_the_thing_is_shown_without_errors_unless_a_newer_draft_exists(client, staff, req):
    url = reverse("test-saved", args=[req.person_id, req.pk])
    client.force_login(staff.social_worker)
    html = client.get(url).content.decode()
    assert "Bound: no" in html  # nothing saved: the form starts from `initial`
    SavedWorkNote.saved = {"decision": "", "information_given": "Saved to come back to"}
    html = client.get(url).content.decode()
    assert "Saved to come back to" in html and "Bound: yes" in html
    assert summary(html) == [] and "We have filled in" not in html  # not a draft: no restored notice
    core_services.form_draft_save(
        user=staff.social_worker, path=url + "?copy=1", data={"information_given": "Typed since"}
    )
    html = client.get(url).content.decode()
    assert "Typed since" in html and "Saved to come back to" not in html and "We have filled in" in html


def test_the_form_is_chosen_by_the_thing_and_hands_the_service_its_data(client, staff, req):
    client.force_login(staff.social_worker)
    url = reverse("test-saved", args=[req.person_id, req.pk])
    assert client.post(url, VALID).status_code == 302
    [(_, _, data)] = NoteOnRequest.calls
    assert data["information_given"] == "Leaflet on day centres" and data["via"] == url
    routed = SupportRequestFactory(person=req.person, triaged=True)
    assert routed.status == RequestStatus.ROUTED
    no_note = {"decision": "information_and_advice"}
    assert client.post(url, no_note).status_code == 302  # the note is optional on the usual form
    response = client.post(reverse("test-saved", args=[req.person_id, routed.pk]), no_note)
    assert response.status_code == 400  # the form chosen for a request already passed on needs it
    assert summary(response.content.decode()) == [
        ("information_given", "Enter the note for a request already passed on")
    ]


def test_a_service_refusal_can_be_shown_on_the_form(client, staff, req):
    client.force_login(staff.social_worker)
    url = reverse("test-saved", args=[req.person_id, req.pk])
    response = client.post(url, {**VALID, "information_given": "not allowed"})
    assert response.status_code == 400
    assert summary(response.content.decode()) == [("", "Only a manager can add this note.")]
    assert "Bound: yes" in response.content.decode()
