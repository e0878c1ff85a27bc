"""Concurrent redemptions (real threads, real transactions) never overdraw a balance."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from modules.customers import actions, selectors
from modules.customers.actions import InsufficientCreditError
from modules.customers.models import StoreCreditEntry
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def test_concurrent_redemptions_never_overdraw():
    tenant, _ = make_shop("Busy Counter")
    with tenant_context(tenant):
        customer = actions.create_customer(tenant, full_name="Popular Customer", phone="+989121110000")
        actions.issue_store_credit(tenant, customer, D("100"), post_to_books=False)

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem():
        try:
            barrier.wait(timeout=30)
            with tenant_context(tenant):
                actions.redeem_store_credit(tenant, customer, D("30"))
            result = "ok"
        except InsufficientCreditError:
            result = "refused"
        except Exception as exc:  # reported below, so a failure names its cause
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=redeem) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * (THREADS - 3), outcomes
    with tenant_context(tenant):
        assert selectors.credit_balance(customer) == D("10.00")
        assert StoreCreditEntry.objects.filter(kind="redeem").count() == 3


def test_concurrent_find_or_create_returns_one_customer():
    tenant, _ = make_shop("Two Terminals")
    barrier = threading.Barrier(4)
    ids: list[int] = []
    lock = threading.Lock()

    def create():
        try:
            barrier.wait(timeout=30)
            customer, _ = actions.find_or_create_customer(tenant, phone="+12025550143", name="Same Person")
            with lock:
                ids.append(customer.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(ids) == 4 and len(set(ids)) == 1
