"""Sign-in throttling per client, lockout per account, and one answer for every refusal (ADR 0006, finding 14)."""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory
from django.urls import reverse

from openasc.core import services
from openasc.core.models import AuditEvent, SignInAttempt, User

ATTACKER = "203.0.113.5"
ELSEWHERE = "198.51.100.7"


def sign_in(client, username, password="correct-horse-battery", address=ATTACKER, **extra):
    return client.post(
        reverse("core:sign-in"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(response) -> bool:
    return response.status_code == 302


def normalised(response, username: str) -> bytes:
    """The page without what differs on every request (CSRF token, CSP nonce) or echoes the input."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', body)
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    body = body.replace(f'value="{username}"', 'value="USERNAME"')
    return body.encode()


def test_forty_usernames_from_one_client_are_throttled(client, staff):
    for n in range(40):
        response = sign_in(client, f"guess{n}", "Password1!")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    # Now even a real account with its right password is refused from that client...
    response = sign_in(client, "social_worker")
    assert not signed_in(response)
    assert "Enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ...while the same account signs in from anywhere else.
    assert signed_in(sign_in(client, "social_worker", address=ELSEWHERE))
    # Every attempt was kept: the first 20 were checked, the rest refused without a password check.
    assert SignInAttempt.objects.filter(client_key=ATTACKER).count() == 41
    assert SignInAttempt.objects.filter(client_key=ATTACKER, throttled=True).count() == 21


def test_client_throttle_starts_after_exactly_the_setting(client, staff, settings):
    settings.OPENASC_SIGN_IN_CLIENT_ATTEMPTS = 20
    for n in range(19):
        sign_in(client, f"guess{n}", "wrong")
    assert signed_in(sign_in(client, "social_worker"))  # 19 failures: still allowed
    client.logout()
    sign_in(client, "guess19", "wrong")  # the 20th failure
    assert not signed_in(sign_in(client, "social_worker"))


def test_signing_in_does_not_reset_the_client_throttle(client, staff, settings):
    settings.OPENASC_SIGN_IN_CLIENT_ATTEMPTS = 3
    sign_in(client, "guess1", "wrong")
    sign_in(client, "guess2", "wrong")
    assert signed_in(sign_in(client, "administrator"))  # an attacker's own account
    client.logout()
    sign_in(client, "guess3", "wrong")
    assert not signed_in(sign_in(client, "social_worker"))


def test_lockout_after_exactly_n_failures_and_only_from_that_client(client, staff, settings):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 5
    for _ in range(4):
        sign_in(client, "social_worker", "wrong")
    assert signed_in(sign_in(client, "social_worker"))  # N-1 failures: the right password still works
    client.logout()
    for _ in range(5):
        sign_in(client, "social_worker", "wrong")
    assert not signed_in(sign_in(client, "social_worker"))  # N failures: locked, even with the right password
    # The worker at their own computer is not locked out by someone guessing from another address.
    assert signed_in(sign_in(client, "social_worker", address=ELSEWHERE))


def test_many_clients_guessing_one_account_lock_it_everywhere_until_an_administrator_unlocks_it(
    client, staff, settings
):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 5
    settings.OPENASC_LOCKOUT_ACCOUNT_ATTEMPTS = 8
    for n in range(8):
        sign_in(client, "social_worker", "wrong", address=f"192.0.2.{n // 4 + 1}")
    assert User.objects.get(username="social_worker").locked_until is not None
    assert not signed_in(sign_in(client, "social_worker", address=ELSEWHERE))
    services.sign_in_unlock(actor=staff.administrator, user=User.objects.get(username="social_worker"))
    assert AuditEvent.objects.filter(
        action="update",
        actor=staff.administrator,
        object_type="core.user",
        object_id=str(staff.social_worker.pk),
        details__unlocked=True,
    ).exists()
    assert signed_in(sign_in(client, "social_worker", address=ELSEWHERE))


def test_locked_unknown_and_wrong_password_answers_are_byte_identical(client, staff, settings):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 5
    for _ in range(5):
        sign_in(client, "social_worker", "wrong")
    locked = sign_in(client, "social_worker")  # the right password, but locked
    unknown = sign_in(client, "nobody-here", "correct-horse-battery")
    wrong = sign_in(client, "team_manager", "wrong")
    assert locked.status_code == unknown.status_code == wrong.status_code == 200
    assert (
        normalised(locked, "social_worker")
        == normalised(unknown, "nobody-here")
        == normalised(wrong, "team_manager")
    )
    assert "Enter a correct username and password" in locked.content.decode()
    assert "locked" not in locked.content.decode().lower()


@pytest.mark.parametrize("case", ["unknown", "wrong", "locked"])
def test_every_refusal_hashes_the_password_once(client, staff, settings, monkeypatch, case):
    settings.OPENASC_LOCKOUT_ATTEMPTS = 3
    if case == "locked":
        for _ in range(3):
            sign_in(client, "social_worker", "wrong")
    calls = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        calls.append(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    username, password = {
        "unknown": ("nobody-here", "correct-horse-battery"),
        "wrong": ("social_worker", "wrong"),
        "locked": ("social_worker", "correct-horse-battery"),
    }[case]
    assert not signed_in(sign_in(client, username, password))
    assert len(calls) == 1


def test_every_failure_is_recorded_without_the_username(client, staff):
    sign_in(client, "nobody-here", "wrong")
    sign_in(client, "social_worker", "wrong")
    rows = list(SignInAttempt.objects.values("client_key", "username_key"))
    assert len(rows) == 2
    assert {r["client_key"] for r in rows} == {ATTACKER}
    assert all(len(r["username_key"]) == 64 and "nobody" not in r["username_key"] for r in rows)
    # A known account's failure is also in its audit trail; an unknown one has only the attempt row.
    assert (
        AuditEvent.objects.filter(
            action="sign_in_failed", actor=staff.social_worker, details__client=ATTACKER
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 1


def test_old_attempts_are_pruned(client, staff, settings):
    from django.utils import timezone

    SignInAttempt.objects.create(
        client_key="192.0.2.9",
        username_key="x" * 64,
        attempted_at=timezone.now() - timezone.timedelta(days=settings.OPENASC_SIGN_IN_ATTEMPT_DAYS + 1),
    )
    sign_in(client, "nobody-here", "wrong")
    assert list(SignInAttempt.objects.values_list("client_key", flat=True)) == [ATTACKER]


def test_x_forwarded_for_is_ignored_unless_behind_a_trusted_proxy(client, staff, settings):
    settings.OPENASC_SIGN_IN_CLIENT_ATTEMPTS = 3
    for n in range(3):  # a different forged address each time: still one client
        sign_in(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert not signed_in(sign_in(client, "social_worker", HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_client_key_from_the_trusted_proxy(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.OPENASC_TRUSTED_PROXY_COUNT = 0
    assert services.sign_in_client_key(request) == "10.0.0.2"
    settings.OPENASC_TRUSTED_PROXY_COUNT = 1
    assert services.sign_in_client_key(request) == "203.0.113.9"  # the client's own "1.2.3.4" is not trusted
    settings.OPENASC_TRUSTED_PROXY_COUNT = 2
    assert services.sign_in_client_key(request) == "1.2.3.4"
    settings.OPENASC_TRUSTED_PROXY_COUNT = 1
    assert (
        services.sign_in_client_key(
            factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
        )
        == "unknown"
    )
    settings.OPENASC_TRUSTED_PROXY_COUNT = 0
    assert (
        services.sign_in_client_key(factory.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6"))
        == "2001:db8:1:2::/64"
    )
