"""Billing test helpers: plans created through the billing actions, shops through the product's."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user
from zargar.billing import actions
from zargar.billing.gateways import MockGateway

APRIL_1 = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _mock_gateway_reset():
    MockGateway.reset()
    yield
    MockGateway.reset()


def make_plan(code="basic", monthly="10.00", yearly="100.00", *, limits=None, trial_days=0, modules=(), currency="USD"):
    plan = actions.create_plan(code=code, name=code.title(), monthly_price=monthly, yearly_price=yearly, currency=currency, trial_days=trial_days, modules=modules, limits=limits)
    return plan.current_version


def verified_operator(client, email="op@example.com"):
    operator = make_user(email, is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return operator
