"""Webhook test fixtures: two shops, a local HTTP receiver, a frozen clock (time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import make_member, make_shop
from tests.local_peers import HttpReceiver

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def shop(db):
    tenant, owner = make_shop("Webhook Gold")
    admin = make_member(tenant, "admin")
    member = make_member(tenant, "member")
    return tenant, {"owner": owner, "admin": admin, "member": member}


@pytest.fixture
def other_shop(db):
    return make_shop("Other Gold")


@pytest.fixture
def receiver():
    peer = HttpReceiver().start()
    yield peer
    peer.stop()


@pytest.fixture
def clock():
    """A clock frozen at T0; `clock.move_to(when)` moves it (no ticking)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english():
    """Start each test in English (a test client request in Persian leaves it active)."""
    from django.utils import translation

    with translation.override("en"):
        yield
