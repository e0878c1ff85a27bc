"""TOTP two-factor with django-otp: enrolment, the code at login, recovery codes, operators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..factories import PASSWORD, make_shop, make_user
from .helpers import login

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's TOTP code, `steps_ahead` 30-second steps in the future (a code is accepted
    once: the next verification needs a later step, within the device's tolerance of 1)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def wait_out_throttle(device) -> None:
    """django-otp throttles after a wrong code (1 s, 2 s, ...): move the failure into the past."""
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=5))


def reauthenticate(client, password: str = PASSWORD) -> None:
    """allauth's reauthentication (password again), which regenerating and disabling ask for."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"code": code_for(device)})
    assert response.status_code == 200
    return device, response.context["codes"]


@pytest.fixture
def owner():
    _, owner = make_shop("Alpha Gold")
    return owner


def test_enrolment_shows_qr_and_secret_and_rejects_a_wrong_code(client, owner):
    assert login(client, owner.email).status_code == 302
    page = client.get("/accounts/2fa/setup/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<path" in body  # inline SVG QR code
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert page.context["secret"].replace(" ", "") in body.replace(" ", "")
    assert "issuer=Zargar" in device.config_url

    wrong = client.post("/accounts/2fa/setup/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not correct" in str(wrong.context["form"].errors["code"])
    device.refresh_from_db()
    assert device.confirmed is False
    assert not StaticDevice.objects.filter(user=owner).exists()

    # Throttled straight after a failure: a clear error too, even with the right code.
    throttled = client.post("/accounts/2fa/setup/", {"code": code_for(device)})
    assert "Too many wrong codes" in str(throttled.context["form"].errors["code"])

    wait_out_throttle(device)
    done = client.post("/accounts/2fa/setup/", {"code": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    assert StaticToken.objects.filter(device__user=owner).count() == 10
    # Setting up again now goes to the management page.
    assert client.get("/accounts/2fa/setup/")["Location"] == "/accounts/2fa/"


def test_login_then_requires_the_code(client, owner):
    login(client, owner.email)
    device, _ = enrol(client, owner)
    client.post("/accounts/logout/")

    response = login(client, owner.email)
    assert response.status_code == 302 and response["Location"] == "/app/"
    gate = client.get("/app/")
    assert gate.status_code == 302 and gate["Location"] == "/accounts/2fa/verify/?next=%2Fapp%2F"
    # Nothing else of the account is reachable before the code either.
    for path in ("/accounts/password/change/", "/accounts/email/", "/accounts/2fa/", "/app/members/"):
        assert client.get(path)["Location"].startswith("/accounts/2fa/verify/"), path
    assert client.post("/accounts/2fa/disable/")["Location"].startswith("/accounts/2fa/verify/")

    wrong = client.post("/accounts/2fa/verify/?next=/app/", {"code": "12345"})
    assert wrong.status_code == 200
    assert "That code is not correct" in str(wrong.context["form"].errors["code"])
    assert client.get("/app/").status_code == 302

    wait_out_throttle(device)
    right = client.post("/accounts/2fa/verify/", {"code": code_for(device, steps_ahead=1), "next": "/app/"})
    assert right.status_code == 302 and right["Location"] == "/app/"
    assert client.get("/app/").status_code == 200


def test_a_used_code_is_not_accepted_twice(client, owner):
    login(client, owner.email)
    device, _ = enrol(client, owner)
    client.post("/accounts/logout/")
    login(client, owner.email)
    code = code_for(device, steps_ahead=1)
    assert client.post("/accounts/2fa/verify/", {"code": code})["Location"] == "/app/"
    client.post("/accounts/logout/")
    login(client, owner.email)
    wait_out_throttle(device)
    again = client.post("/accounts/2fa/verify/", {"code": code})
    assert again.status_code == 200 and again.context["form"].errors


def test_recovery_code_works_once(client, owner):
    login(client, owner.email)
    _, codes = enrol(client, owner)
    client.post("/accounts/logout/")

    login(client, owner.email)
    response = client.post("/accounts/2fa/verify/", {"code": codes[0].upper(), "next": "/app/"}, follow=True)
    assert response.redirect_chain[-1] == ("/app/", 302)
    assert "9 left" in response.content.decode()
    assert StaticToken.objects.filter(device__user=owner).count() == 9
    client.post("/accounts/logout/")

    login(client, owner.email)
    reused = client.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert reused.status_code == 200
    assert "That code is not correct" in str(reused.context["form"].errors["code"])
    assert client.get("/app/").status_code == 302
    device = StaticDevice.objects.get(user=owner)
    wait_out_throttle(device)
    assert client.post("/accounts/2fa/verify/", {"code": codes[1]})["Location"] == "/app/"


def test_regenerate_recovery_codes_replaces_the_old_ones(client, owner):
    login(client, owner.email)
    _, old_codes = enrol(client, owner)
    manage = client.get("/accounts/2fa/")
    assert manage.status_code == 200 and manage.context["recovery_left"] == 10
    reauthenticate(client)
    response = client.post("/accounts/2fa/recovery-codes/")
    assert response.status_code == 200
    new_codes = response.context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)) == set(new_codes)


def test_user_can_turn_two_factor_off(client, owner):
    login(client, owner.email)
    enrol(client, owner)
    reauthenticate(client)
    response = client.post("/accounts/2fa/disable/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not StaticDevice.objects.filter(user=owner).exists()
    client.post("/accounts/logout/")
    login(client, owner.email)
    assert client.get("/app/").status_code == 200  # no code asked any more


def test_operator_without_device_is_sent_to_enrolment(client):
    operator = make_user("op@example.com", is_superuser=True, is_staff=True)
    login(client, operator.email)
    for path in ("/app/", "/operator/", "/accounts/password/change/", "/invitations/x/y/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/setup/?next="), path
    setup = client.get("/accounts/2fa/setup/")
    assert setup.status_code == 200 and setup.context["required"] is True
    assert client.post("/accounts/2fa/verify/", {"code": "123456"})["Location"].startswith("/accounts/2fa/setup/")


def test_operator_cannot_turn_two_factor_off(client):
    operator = make_user("op@example.com", is_superuser=True, is_staff=True)
    login(client, operator.email)
    device, _ = enrol(client, operator)
    assert client.get("/accounts/2fa/").context["can_disable"] is False
    reauthenticate(client)
    response = client.post("/accounts/2fa/disable/")
    assert response.status_code == 403
    assert "must keep two-factor" in response.content.decode()
    assert TOTPDevice.objects.filter(user=operator, confirmed=True).exists()
    assert StaticToken.objects.filter(device__user=operator).count() == 10


def test_disabling_asks_for_the_password_again(client, owner):
    """allauth's reauthentication guards disabling: a wrong password changes nothing, the right
    one resumes the suspended request."""
    login(client, owner.email)
    enrol(client, owner)
    response = client.post("/accounts/2fa/disable/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    wrong = client.post(response["Location"], {"password": "not-my-password"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()
    resumed = client.post(response["Location"], {"password": PASSWORD})
    assert resumed.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
