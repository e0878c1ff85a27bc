"""Operator-panel test helpers: a platform operator who passed 2FA in the client's session."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user


def verified_operator(client, email: str = "op@example.com"):
    operator = make_user(email, is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return operator


@pytest.fixture
def operator_client(client):
    client.operator = verified_operator(client)
    return client
