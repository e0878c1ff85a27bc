"""Lockout after failed logins, idle session timeout, cookie flags and CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from ..factories import PASSWORD, make_shop, make_user
from .helpers import login

pytestmark = pytest.mark.django_db
LOCKED = "Too many failed sign-in attempts"


def _form_errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_account_is_locked_after_five_failures_even_for_the_right_password(client):
    make_user("gold@example.com")
    for _ in range(5):
        response = login(client, "gold@example.com", "wrong-password")
        assert response.status_code == 200
        assert "not correct" in _form_errors(response)
    locked = login(client, "gold@example.com", PASSWORD)
    assert locked.status_code == 200
    assert LOCKED in _form_errors(locked)
    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The key is the account: the same lock applies with different letter case, from another client.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert LOCKED in _form_errors(login(other, "GOLD@example.com", PASSWORD))
    # Another account is not locked by this one's failures.
    make_user("silver@example.com")
    assert login(other, "silver@example.com", PASSWORD).status_code == 302


def test_an_ip_is_locked_after_twenty_failures_across_accounts():
    client = Client(REMOTE_ADDR="10.0.0.7")
    for i in range(20):
        response = login(client, f"guess{i}@example.com", "wrong-password")
        assert LOCKED not in _form_errors(response)
    make_user("real@example.com")
    locked = login(client, "real@example.com", PASSWORD)
    assert LOCKED in _form_errors(locked)
    # The same account from another address signs in fine.
    assert login(Client(REMOTE_ADDR="10.0.0.8"), "real@example.com", PASSWORD).status_code == 302


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_session_expires_after_thirty_minutes(client):
    _, owner = make_shop("Alpha Gold")
    assert login(client, owner.email).status_code == 302
    assert client.get("/app/").status_code == 200
    assert settings.SESSION_COOKIE_AGE == 30 * 60

    # Every request pushes the expiry 30 minutes ahead (an idle timeout, not an absolute one).
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now() + timedelta(minutes=2))
    assert client.get("/app/").status_code == 200
    remaining = _session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)

    # 30 idle minutes later the session is gone: back to the login page.
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/app/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_session_cookie_is_httponly_and_samesite(client):
    make_user("cookie@example.com")
    response = login(client, "cookie@example.com")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # without "remember me" the cookie also ends with the browser session
    assert client.session.get_expiry_age() == 1800  # and the server forgets it after 30 idle minutes
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_forms_need_a_csrf_token():
    _, owner = make_shop("Alpha Gold")
    client = Client(enforce_csrf_checks=True)
    assert login(client, owner.email).status_code == 403
    page = client.get("/accounts/login/")
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    token = page.context["csrf_token"]
    assert client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD, "csrfmiddlewaretoken": str(token)}).status_code == 302
    assert client.post("/app/members/invite/", {"email": "x@example.com", "role": "member"}).status_code == 403
    members = client.get("/app/members/").content.decode()
    assert members.count('name="csrfmiddlewaretoken"') >= 3  # invite, role change and remove forms
