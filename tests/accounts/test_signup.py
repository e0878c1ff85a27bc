"""Email signup through allauth's real views: user + first shop + owner membership, mandatory
verification, and bad input that leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from zargar.accounts.models import User
from zargar.contract import ExtensionPoint
from zargar.contract.hooks import register_temporarily
from zargar.tenancy.context import tenant_context
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Membership, Tenant

from ..factories import make_user
from .helpers import confirm_email, links_in_last_mail, login, signup

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_signup_creates_user_shop_and_owner_membership_and_requires_verification(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert 'name="shop_name"' in page.content.decode()

    response = signup(client, "Rose@Example.com", shop_name="Golden Rose")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"

    user = User.objects.get(email="rose@example.com")
    tenant = Tenant.objects.get(name="Golden Rose")
    assert tenant.slug == "golden-rose"
    with tenant_context(tenant):
        membership = Membership.objects.get(tenant=tenant)
    assert (membership.user, membership.role) == (user, "owner")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("[Zargar] ")

    # Not verified yet: signing in stops at "verify your email", the panel stays closed.
    client.logout()
    blocked = login(client, "rose@example.com", "Amber-Lantern-Karat-42")
    assert blocked.status_code == 302 and blocked["Location"] == "/accounts/confirm-email/"
    assert client.get("/app/").status_code == 302

    confirm_email(client, "rose@example.com")
    assert EmailAddress.objects.get(user=user).verified is True
    response = login(client, "rose@example.com", "Amber-Lantern-Karat-42")
    assert response.status_code == 302 and response["Location"] == "/app/"
    dashboard = client.get("/app/")
    assert dashboard.status_code == 200
    assert client.session[SESSION_KEY] == tenant.pk
    assert "Golden Rose" in dashboard.content.decode()


def _assert_nothing_created(email: str, shop: str | None = None) -> None:
    assert not User.objects.filter(email=email).exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    if shop:
        assert not Tenant.objects.filter(name=shop).exists()


def test_signup_with_taken_email_is_a_form_error(client):
    make_user("taken@example.com")
    before = (User.objects.count(), Tenant.objects.count())
    response = signup(client, "TAKEN@example.com", shop_name="Second Shop")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors and "already registered" in errors["email"][0]
    assert (User.objects.count(), Tenant.objects.count()) == before
    assert not Tenant.objects.filter(name="Second Shop").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password1234", "too common"), ("12345678901234", "entirely numeric")],
)
def test_signup_with_weak_password_is_a_form_error(client, password, message):
    response = signup(client, "weak@example.com", shop_name="Weak Shop", password=password)
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get("password1", []))
    assert message in errors
    _assert_nothing_created("weak@example.com", "Weak Shop")
    assert mail.outbox == []


def test_signup_with_mismatched_passwords_is_a_form_error(client):
    response = signup(client, "typo@example.com", password2="Amber-Lantern-Karat-43")
    assert response.status_code == 200
    assert response.context["form"].errors
    _assert_nothing_created("typo@example.com", "Golden Rose")


@pytest.mark.parametrize("shop_name", [None, "", "   "])
def test_signup_without_shop_name_is_a_form_error(client, shop_name):
    response = signup(client, "noshop@example.com", shop_name=shop_name)
    assert response.status_code == 200
    assert response.context["form"].errors["shop_name"] == ["This field is required."]
    _assert_nothing_created("noshop@example.com")
    assert Tenant.objects.count() == 0


def test_a_failure_while_creating_the_shop_leaves_neither_user_nor_shop(client):
    def broken_setup(tenant):
        raise RuntimeError("a module's shop set-up failed")

    with register_temporarily(ExtensionPoint.TENANT_CREATED, broken_setup):
        with pytest.raises(RuntimeError, match="set-up failed"):
            signup(client, "half@example.com", shop_name="Half Made")
    _assert_nothing_created("half@example.com", "Half Made")
    assert mail.outbox == []


def test_signup_to_accept_an_invitation_needs_no_shop_name(client):
    next_url = "/invitations/some-shop/some-token/"
    page = client.get(f"/accounts/signup/?next={next_url}")
    assert page.context["form"].fields["shop_name"].required is False
    response = signup(client, "invitee@example.com", shop_name="", next_url=next_url)
    assert response.status_code == 302
    assert User.objects.filter(email="invitee@example.com").exists()
    assert Tenant.objects.count() == 0


def test_login_page_lists_only_configured_social_providers(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" not in body and "/accounts/facebook/login/" not in body

    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"APPS": [{"client_id": "gid", "secret": "gsecret", "key": ""}]}}
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" in body
    assert "/accounts/facebook/login/" not in body
    # Configured from settings alone: no SocialApp rows exist.
    from allauth.socialaccount.models import SocialApp

    assert SocialApp.objects.count() == 0


def test_password_hashers_argon2_first():
    hashers = settings.PASSWORD_HASHERS
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" in hashers
    # Under tests MD5 is swapped in first for speed; argon2 comes right after it.
    assert hashers[:2] == ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_production_settings_use_argon2_and_secure_cookies():
    """Import the settings module in a fresh interpreter (no pytest, DJANGO_ENV=production)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zargar"),
        "PYTHONPATH": str(ROOT),
    }
    code = (
        "import sys; import zargar.settings as s; assert 'pytest' not in sys.modules; "
        "print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, s.DEBUG)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["django.contrib.auth.hashers.Argon2PasswordHasher", "True", "True", "True", "Lax", "1800", "True", "False"]


def test_password_reset_and_change_use_allauths_views(client):
    user = make_user("reset@example.com")
    response = client.post("/accounts/password/reset/", {"email": "reset@example.com"})
    assert response.status_code == 302
    (link,) = [p for p in links_in_last_mail("reset@example.com") if "/password/reset/key/" in p]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    weak = client.post(action, {"password1": "short", "password2": "short"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = client.post(action, {"password1": "Fresh-Garnet-Bracelet-7", "password2": "Fresh-Garnet-Bracelet-7"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Fresh-Garnet-Bracelet-7")

    assert login(client, "reset@example.com", "Fresh-Garnet-Bracelet-7").status_code == 302
    change = client.post(
        "/accounts/password/change/",
        {"oldpassword": "Fresh-Garnet-Bracelet-7", "password1": "Second-Garnet-Bracelet-8", "password2": "Second-Garnet-Bracelet-8"},
    )
    assert change.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Second-Garnet-Bracelet-8")
