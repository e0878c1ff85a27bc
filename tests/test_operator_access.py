"""The operator panel and the Wagtail admin are for platform operators only, with 2FA passed."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import make_shop, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wagtail_root():
    """Transactional tests elsewhere flush the data Wagtail's migrations created; put it back."""
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code="en")
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root"))


def _verified_operator(client):
    operator = make_user("op@example.com", is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return operator


@pytest.mark.parametrize("path", ["/operator/", "/cms/"])
def test_shop_user_never_reaches_operator_areas(client, path):
    _, owner = make_shop("Alpha Gold")
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/operator/", "/cms/"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_operator_without_2fa_must_enrol_first(client):
    operator = make_user("op@example.com", is_superuser=True, is_staff=True)
    client.force_login(operator)
    response = client.get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.parametrize("path", ["/operator/", "/cms/"])
def test_verified_operator_gets_in(client, path):
    make_shop("Alpha Gold")
    _verified_operator(client)
    response = client.get(path)
    assert response.status_code == 200


def test_operator_tenant_list_shows_every_shop(client):
    make_shop("Alpha Gold")
    make_shop("Beta Gold")
    _verified_operator(client)
    body = client.get("/operator/shops/").content.decode()
    assert "Alpha Gold" in body and "Beta Gold" in body
    filtered = client.get("/operator/shops/?q=beta").content.decode()
    assert "Beta Gold" in filtered and "Alpha Gold" not in filtered
