"""What every API call pays besides its own work, pinned: the key in one round trip, the shop
activated once, the monthly call metered with one INSERT, the `api.request` audit event written
in the request's own transaction — and nothing cached that would let a revoked key through.

The overhead tests are transactional (`transaction=True`): the request then runs in its own
transaction exactly as in production (in an ordinary `django_db` test it is nested in the
test's transaction, and the middleware saves and restores the outer settings around it).
"""

from __future__ import annotations

import re

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import make_shop
from zargar.api import actions as key_actions
from zargar.api.views import MeView
from zargar.audit.models import AuditEvent
from zargar.billing.models import Metric, UsageEvent
from zargar.billing.usage import monthly_total
from zargar.tenancy.context import tenant_context

from .conftest import make_item

ITEMS = "/api/v1/inventory/items/"
#: Queries an authenticated API call may spend outside its view (BEGIN/COMMIT not counted).
MAX_OVERHEAD = 6


def _keyed_client(secret: str, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _view_queries(sql: str) -> bool:
    """The list view's own work: the items' count, their page and their stone lines."""
    return bool(re.search(r'FROM "inventory_', sql))


@pytest.mark.django_db(transaction=True)
def test_an_api_key_call_costs_at_most_six_queries_besides_its_view(django_assert_max_num_queries):
    tenant, owner = make_shop("Overhead Gold")
    make_item(tenant, "O-1")
    _key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    api = _keyed_client(secret)
    assert api.get(ITEMS).status_code == 200  # first use also stamps the key's last_used_at (once a minute)

    # Whole request: BEGIN + overhead + the view's 3 (count, page, stone lines) + COMMIT.
    with django_assert_max_num_queries(1 + MAX_OVERHEAD + 3 + 1):
        response = api.get(ITEMS)
    assert response.status_code == 200 and [row["sku"] for row in response.json()["results"]] == ["O-1"]

    with CaptureQueriesContext(connection) as ctx:
        assert api.get(ITEMS).status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    overhead = [sql for sql in statements if sql not in ("BEGIN", "COMMIT") and not _view_queries(sql)]
    assert len(overhead) <= MAX_OVERHEAD, "\n".join(overhead)
    # One transaction for the whole call (the audit event is written inside it), no savepoint.
    assert statements.count("BEGIN") <= 1 and statements.count("COMMIT") == 1, statements
    assert not any(sql.startswith(("SAVEPOINT", "RELEASE")) for sql in statements), statements

    # Still metered and audited, once per call.
    assert monthly_total(tenant, Metric.API_CALLS_PER_MONTH) == 3
    with tenant_context(tenant):
        events = list(AuditEvent.objects.filter(tenant=tenant, action="api.request").values_list("changes", flat=True))
    assert [e["status"] for e in events] == [200, 200, 200]


@pytest.mark.django_db(transaction=True)
def test_a_revoked_key_fails_on_the_very_next_request():
    tenant, owner = make_shop("Revoked Gold")
    key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    api = _keyed_client(secret)
    assert api.get(ITEMS).status_code == 200
    key_actions.revoke_api_key(tenant, key)
    response = api.get(ITEMS)
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"
    publishable = _keyed_client(key.publishable_key)
    assert publishable.get(ITEMS).status_code == 401


@pytest.mark.django_db
def test_a_rolled_key_stops_at_its_expiry(monkeypatch):
    import datetime as dt

    from django.utils import timezone

    tenant, owner = make_shop("Rolled Gold")
    key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    new_key, new_secret = key_actions.roll_api_key(tenant, key, created_by=owner, grace_seconds=3600)
    assert _keyed_client(secret).get(ITEMS).status_code == 200  # within the grace period
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _keyed_client(secret).get(ITEMS).status_code == 401
    assert _keyed_client(new_secret).get(ITEMS).status_code == 200


@pytest.mark.django_db
def test_a_failed_call_is_audited_in_its_own_transaction_and_its_writes_are_rolled_back(monkeypatch):
    tenant, owner = make_shop("Failing Gold")
    _key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)

    def boom(self, request):
        raise RuntimeError("the view broke")

    monkeypatch.setattr(MeView, "get", boom)
    response = _keyed_client(secret, raise_request_exception=False).get("/api/v1/me/")
    assert response.status_code == 500
    with tenant_context(tenant):
        events = list(AuditEvent.objects.filter(tenant=tenant, action="api.request"))
        assert UsageEvent.objects.filter(tenant=tenant).count() == 0  # the call's metering went with it
    assert len(events) == 1 and events[0].changes["status"] == 500 and events[0].changes["path"] == "/api/v1/me/"


@pytest.mark.django_db
def test_refused_calls_are_audited_in_the_shop_they_named():
    tenant, owner = make_shop("Refusing Gold")
    key, _secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    response = _keyed_client(key.publishable_key).post(ITEMS, {"sku": "X"}, format="json")
    assert response.status_code == 403
    with tenant_context(tenant):
        event = AuditEvent.objects.get(tenant=tenant, action="api.request")
    assert event.changes["status"] == 403 and event.changes["credential"] == "publishable_key"


@pytest.mark.django_db
def test_module_switch_seen_by_the_next_call():
    from zargar.tenancy import actions as tenancy_actions

    tenant, owner = make_shop("Switching Gold")
    _key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    api = _keyed_client(secret)
    assert api.get(ITEMS).status_code == 200
    tenancy_actions.set_module_enabled(tenant, "inventory", False, cascade=True)
    assert api.get(ITEMS).status_code == 404


@pytest.mark.django_db
def test_a_raised_monthly_limit_applies_to_the_next_call():
    from tests.billing.conftest import make_plan
    from zargar.billing import actions as billing_actions

    version = make_plan(limits={"api_calls_per_month": 2}, modules=["inventory"])
    tenant, owner = make_shop("Limited Gold")
    billing_actions.subscribe(tenant, version)
    _key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    api = _keyed_client(secret)
    assert [api.get(ITEMS).status_code for _ in range(3)] == [200, 200, 429]  # limit and total cached meanwhile
    billing_actions.set_limit_override(tenant, Metric.API_CALLS_PER_MONTH, 3, reason="goodwill")
    assert [api.get(ITEMS).status_code for _ in range(2)] == [200, 429]
    assert monthly_total(tenant, Metric.API_CALLS_PER_MONTH) == 3
