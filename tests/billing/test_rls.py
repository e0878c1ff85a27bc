"""Billing's shop tables are isolated by Row-Level Security, checked with raw SQL."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import make_shop
from zargar.billing import actions
from zargar.billing.models import Metric
from zargar.billing.usage import record_usage, rollup_tenant
from zargar.tenancy.context import tenant_context

from .conftest import APRIL_1, make_plan

pytestmark = pytest.mark.django_db

TABLES = ["billing_subscription", "billing_invoice", "billing_invoiceline", "billing_paymentattempt", "billing_usageevent", "billing_dailyusage", "billing_limitoverride"]


def _counts():
    with connection.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT count(*), count(DISTINCT tenant_id) FROM {table}")
            out[table] = cur.fetchone()
        return out


def test_raw_sql_sees_only_the_current_shop():
    v = make_plan()
    a, _ = make_shop()
    b, _ = make_shop()
    for shop in (a, b):
        actions.subscribe(shop, v, today=APRIL_1)
        record_usage(shop, Metric.API_CALLS_PER_MONTH, 2)
        rollup_tenant(shop)
        record_usage(shop, Metric.API_CALLS_PER_MONTH, 1)
        actions.set_limit_override(shop, Metric.USERS, 3)
    with tenant_context(a):
        counts = _counts()
        assert all(n >= 1 and distinct == 1 for n, distinct in counts.values()), counts
        with connection.cursor() as cur:
            cur.execute("SELECT DISTINCT tenant_id FROM billing_invoice")
            assert cur.fetchall() == [(a.pk,)]
            cur.execute("UPDATE billing_subscription SET credit_minor = 99 WHERE tenant_id = %s", [b.pk])
            assert cur.rowcount == 0
    with tenant_context(None):
        assert all(n == 0 for n, _ in _counts().values())
    with tenant_context(b):
        assert actions.get_subscription(b).credit_minor == 0


def test_stripe_customer_rows_are_isolated_and_looked_up_by_id_outside_any_shop():
    """`billing_stripecustomer`: each shop reads and writes only its own row; with no shop set
    (the Stripe webhook, before it knows the shop) only the row named by
    `app.stripe_customer_id` can be read — nothing can be listed — and none written."""
    from django.db import DatabaseError, transaction

    from tests.isolation import raw
    from zargar.billing.models import StripeCustomer

    a, _ = make_shop()
    b, _ = make_shop()
    for shop, cus in ((a, "cus_rlsA"), (b, "cus_rlsB")):
        with tenant_context(shop):
            StripeCustomer.objects.create(tenant=shop, customer_id=cus)
    with tenant_context(a):
        assert raw("SELECT tenant_id, customer_id FROM billing_stripecustomer") == [(a.pk, "cus_rlsA")]
        assert raw("UPDATE billing_stripecustomer SET customer_id = 'cus_x' WHERE tenant_id = %s", [b.pk]) == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            raw("INSERT INTO billing_stripecustomer (tenant_id, customer_id, livemode, created_at) VALUES (%s, 'cus_evil', false, now())", [b.pk])
    with tenant_context(b):
        assert raw("SELECT tenant_id FROM billing_stripecustomer") == [(b.pk,)]
    with tenant_context(None):
        assert raw("SELECT customer_id FROM billing_stripecustomer") == []
        raw("SELECT set_config('app.stripe_customer_id', 'cus_rlsB', true)")
        assert raw("SELECT tenant_id, customer_id FROM billing_stripecustomer") == [(b.pk, "cus_rlsB")]
        assert raw("DELETE FROM billing_stripecustomer") == 0
        assert raw("UPDATE billing_stripecustomer SET customer_id = 'cus_x'") == 0
        raw("SELECT set_config('app.stripe_customer_id', '', true)")
    with tenant_context(a):  # the lookup setting widens nothing inside a shop
        raw("SELECT set_config('app.stripe_customer_id', 'cus_rlsB', true)")
        assert raw("SELECT customer_id FROM billing_stripecustomer") == [("cus_rlsA",)]
        raw("SELECT set_config('app.stripe_customer_id', '', true)")
    from zargar.billing.stripe_events import shop_of_customer

    assert shop_of_customer("cus_rlsA") == a and shop_of_customer("cus_rlsB") == b and shop_of_customer("cus_none") is None
    with tenant_context(None):
        assert raw("SELECT customer_id FROM billing_stripecustomer") == []  # the lookup cleared its setting
