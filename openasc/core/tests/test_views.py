import re
import time

import pytest
from django.urls import reverse
from markupsafe import escape

from openasc.core.models import AuditEvent, FormDraft, User


def sign_in(client, username, password="correct-horse-battery"):
    return client.post(reverse("core:sign-in"), {"username": username, "password": password})


def test_pages_need_sign_in(client, db):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in?next=/people/")


def test_sign_in_page_is_a_council_service_not_govuk(client, db):
    html = client.get(reverse("core:sign-in")).content.decode()
    assert "govuk-generic-header" in html
    assert "Northshire County Council" in html
    assert "govuk-header__logotype" not in html  # no crown
    assert "<title>Sign in – Adult social care – Northshire County Council</title>" in html


def test_wrong_password_shows_error_summary_and_error_title(client, staff):
    response = sign_in(client, "social_worker", "wrong password")
    html = response.content.decode()
    assert re.search(r"<title>Error: Sign in", html)
    assert 'href="#username">Enter a correct username and password</a>' in html
    assert AuditEvent.objects.filter(action="sign_in_failed", actor=staff.social_worker).count() == 1


def test_unknown_user_gets_the_same_message(client, db):
    html = sign_in(client, "nobody").content.decode()
    assert "Enter a correct username and password" in html


def test_lockout_after_repeated_failures(client, staff, settings):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 3
    for _ in range(3):
        sign_in(client, "social_worker", "wrong")
    html = sign_in(client, "social_worker").content.decode()  # even the right password is refused now
    # The same words as for a wrong password or an unknown account: nobody learns that the account exists (ADR 0006).
    assert "Enter a correct username and password" in html and "locked" not in html.lower()
    assert "_auth_user_id" not in client.session
    from openasc.core import services

    services.sign_in_unlock(actor=staff.administrator, user=User.objects.get(username="social_worker"))
    assert sign_in(client, "social_worker").status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, staff):
    sign_in(client, "social_worker", "wrong")
    assert sign_in(client, "social_worker").status_code == 302
    assert User.objects.get(username="social_worker").failed_sign_ins == 0
    assert AuditEvent.objects.filter(action="sign_in", actor=staff.social_worker).exists()


def test_sign_in_never_redirects_off_site(client, staff):
    response = client.post(
        reverse("core:sign-in") + "?next=https://evil.example/",
        {"username": "social_worker", "password": "correct-horse-battery", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_inactivity_signs_out_and_returns_to_the_page(client, staff, settings):
    settings.OPENASC_IDLE_TIMEOUT_SECONDS = 60
    client.force_login(staff.social_worker)
    assert client.get("/people/").status_code == 200
    session = client.session
    session["last_activity"] = time.time() - 61
    session.save()
    response = client.get("/people/?q=smith")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?timeout=1&next=/people/%3Fq%3Dsmith"
    assert "_auth_user_id" not in client.session
    html = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for a while" in html


def test_the_timeout_page_ends_a_session_that_is_still_alive(client, staff):
    client.force_login(staff.social_worker)
    client.get("/sign-in?timeout=1&next=/people/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_out", details__reason="inactivity").exists()


def test_security_headers(client, staff):
    client.force_login(staff.social_worker)
    response = client.get("/people/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()  # the only inline script carries it
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8


def test_production_settings_secure_cookies_and_hsts():
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['SECRET_KEY']='x'*50; os.environ.pop('DEBUG', None); "
        "os.environ['DJANGO_SETTINGS_MODULE']='openasc.config.settings'; from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.split()
    assert out == ["True", "True", "31536000"]


def test_drafts_are_saved_per_user_and_restored(client, staff):
    client.force_login(staff.front_door)
    path = reverse("people:create")
    response = client.post(
        reverse("core:drafts"),
        {"path": path, "data": {"first_name": "Edna", "last_name": "Ba"}},
        content_type="application/json",
    )
    assert response.json() == {"saved": True}
    assert FormDraft.objects.get(user=staff.front_door).data == {"first_name": "Edna", "last_name": "Ba"}
    html = client.get(path).content.decode()
    assert 'value="Edna"' in html
    assert "We have filled in what you typed" in html
    assert "govuk-error-summary" not in html  # a restored draft shows no errors until submitted
    other = client.__class__()
    other.force_login(staff.social_worker)
    assert 'value="Edna"' not in other.get(path).content.decode()


def test_drafts_reject_bad_payloads(client, staff):
    client.force_login(staff.front_door)
    url = reverse("core:drafts")
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, {"path": "x", "data": {}}, content_type="application/json").status_code == 400
    assert (
        client.post(url, {"path": "/people/new", "data": "x"}, content_type="application/json").status_code
        == 400
    )


def test_break_glass_page_flow(client, staff):
    from openasc.people.tests.factories import PersonFactory

    person = PersonFactory()
    client.force_login(staff.social_worker)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response["Location"] == reverse("core:break-glass", args=[person.pk])
    page = client.post(response["Location"], {"reason_code": "other", "reason_text": ""})
    assert page.status_code == 400
    assert 'href="#reason_text">Explain why you need access</a>' in page.content.decode()
    ok = client.post(response["Location"], {"reason_code": "urgent_safeguarding"})
    assert ok["Location"] == reverse("people:detail", args=[person.pk])
    html = client.get(ok["Location"]).content.decode()
    assert "emergency (break-glass) access" in html
    events = list(AuditEvent.objects.filter(person_id=person.pk).values_list("action", "basis"))
    assert ("break_glass_start", "Break-glass") in events
    assert ("view", "Break-glass") in events
    manager = client.__class__()
    manager.force_login(staff.team_manager)
    # the page escapes names (O'Brien is O&#39;Brien in the HTML)
    assert str(escape(person.last_name)) in manager.get(reverse("core:break-glass-reviews")).content.decode()


@pytest.mark.parametrize("role", ["performance_analyst", "broker", "nhs_partner"])
def test_break_glass_reviews_are_for_managers_only(client, staff, role):
    client.force_login(getattr(staff, role))
    assert client.get(reverse("core:break-glass-reviews")).status_code == 403


def test_information_governance_restricts_and_lifts_a_record(client, staff):
    import datetime as dt

    from openasc.core import access
    from openasc.core.models import Restriction
    from openasc.core.tests.factories import CareRelationshipFactory
    from openasc.people.tests.factories import PersonFactory

    person = PersonFactory()
    CareRelationshipFactory(
        person=person, user=None, team=staff.social_worker.teams.first(), kind="allocated_team"
    )
    assert access.explain(staff.social_worker, person).allowed
    client.force_login(staff.information_governance)
    url = reverse("core:restriction", args=[person.pk])
    bad = client.post(
        url, {"reason": "", "review_on-day": "1", "review_on-month": "1", "review_on-year": "2020"}
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'href="#reason">Enter why the record is restricted</a>' in html
    review = dt.date.today() + dt.timedelta(days=90)
    ok = client.post(
        url,
        {
            "reason": "Member of staff",
            "review_on-day": review.day,
            "review_on-month": review.month,
            "review_on-year": review.year,
            "allowed_roles": ["safeguarding_lead"],
        },
    )
    assert ok.status_code == 302
    restriction = Restriction.objects.get(person=person)
    assert restriction.allowed_role_list == ["safeguarding_lead"]
    assert not access.explain(staff.social_worker, person).allowed
    assert client.post(url, {"reason": "Left the council"}).status_code == 302
    assert access.explain(staff.social_worker, person).allowed
    assert AuditEvent.objects.filter(object_type="core.restriction", action="update").exists()


@pytest.mark.parametrize("role", ["social_worker", "front_door", "performance_analyst"])
def test_only_ig_and_managers_manage_restrictions(client, staff, role):
    from openasc.people.tests.factories import PersonFactory

    client.force_login(getattr(staff, role))
    assert client.get(reverse("core:restriction", args=[PersonFactory().pk])).status_code == 403


def test_activity_is_recorded_once_per_resolution_not_on_every_request(client, staff, settings):
    from openasc.core.middleware import activity_resolution

    settings.OPENASC_IDLE_TIMEOUT_SECONDS, settings.OPENASC_IDLE_WARNING_SECONDS = 30 * 60, 5 * 60
    assert activity_resolution() == 30
    client.force_login(staff.social_worker)
    client.get("/people/")
    first = client.session["last_activity"]
    client.get("/people/")
    assert client.session["last_activity"] == first  # a second later: no session write
    session = client.session
    session["last_activity"] = first - 20
    session.save()
    client.get("/people/")
    assert client.session["last_activity"] == first - 20  # 20 s ago: still within the resolution
    session = client.session
    session["last_activity"] = first - 31
    session.save()
    client.get("/people/")
    assert client.session["last_activity"] > first - 1  # 31 s ago: recorded again


def test_the_resolution_stays_well_inside_short_timeouts(settings):
    from openasc.core.middleware import activity_resolution

    settings.OPENASC_IDLE_TIMEOUT_SECONDS, settings.OPENASC_IDLE_WARNING_SECONDS = 8, 5
    assert activity_resolution() == 0.8
    settings.OPENASC_IDLE_TIMEOUT_SECONDS, settings.OPENASC_IDLE_WARNING_SECONDS = 3600, 60
    assert activity_resolution() == 15
