"""API keys' scopes (derived from the module registry, enforced on every module route), test
mode (writes are dry runs), rolling with a grace period, and the per-key rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from modules.customers.models import Customer
from modules.inventory.models import Item
from zargar.api import actions as key_actions
from zargar.api.models import ApiKey
from zargar.api.scopes import available_scopes
from zargar.tenancy.context import tenant_context

from .conftest import assert_error, with_key

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/inventory/items/"
CUSTOMERS = "/api/v1/customers/customers/"


@pytest.fixture(autouse=True)
def fresh_rate_windows():
    cache.clear()
    yield
    cache.clear()


def _key(shop, *, mode="live", scopes=("*",), rate=None):
    _key, secret = key_actions.create_api_key(shop.tenant, name="Scoped", mode=mode, created_by=shop.owner, scopes=scopes, rate_limit_per_minute=rate)
    return _key, secret


def test_scopes_come_from_the_module_registry_including_plugins():
    codes = {scope.code for scope in available_scopes()}
    for module in ("inventory", "rates", "customers", "pos", "accounting", "appraisals"):
        assert {f"{module}:read", f"{module}:write"} <= codes


def test_unknown_or_no_scope_is_refused(shop_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _key(shop_a, scopes=["inventory:delete"])
    with pytest.raises(ValidationError):
        _key(shop_a, scopes=[])


def test_read_scope_reads_but_cannot_write_or_reach_other_modules(api, shop_a):
    _k, secret = _key(shop_a, scopes=["inventory:read"])
    client = with_key(api, secret)
    assert client.get(ITEMS).status_code == 200
    error = assert_error(client.post(ITEMS, {"sku": "X-1", "name": "X"}, format="json"), 403, "missing_scope")
    assert "inventory:write" in error["message"]
    error = assert_error(client.get(CUSTOMERS), 403, "missing_scope")
    assert "customers:read" in error["message"]
    assert client.get("/api/v1/me/").status_code == 200  # core route: no scope needed
    with tenant_context(shop_a.tenant):
        assert not Item.objects.filter(sku="X-1").exists()


def test_write_scope_includes_read(api, shop_a):
    _k, secret = _key(shop_a, scopes=["customers:write"])
    client = with_key(api, secret)
    assert client.get(CUSTOMERS).status_code == 200
    assert client.post(CUSTOMERS, {"full_name": "Sara Ahmadi"}, format="json").status_code == 201
    assert_error(client.get(ITEMS), 403, "missing_scope")


def test_test_key_write_is_a_dry_run_and_flagged(api, shop_a):
    _k, secret = _key(shop_a, mode="test")
    client = with_key(api, secret)
    response = client.post(CUSTOMERS, {"full_name": "Dry Run"}, format="json")
    assert response.status_code == 201, response.content
    assert response["Zargar-Livemode"] == "false" and response["Zargar-Dry-Run"] == "true"
    assert response.json()["full_name"] == "Dry Run" and response.json()["id"]
    with tenant_context(shop_a.tenant):
        assert not Customer.objects.filter(full_name="Dry Run").exists()
    # The key itself still records that it was used (outside the dry run).
    with tenant_context(shop_a.tenant):
        assert ApiKey.objects.get(pk=_k.pk).last_used_at is not None
    # Reads are real and flagged; nothing of the dry run is there.
    listed = client.get(CUSTOMERS)
    assert listed["Zargar-Livemode"] == "false" and "Zargar-Dry-Run" not in listed
    assert listed.json()["count"] == 0


def test_live_key_write_is_stored(api, shop_a):
    response = with_key(api, shop_a.secret).post(CUSTOMERS, {"full_name": "Live One"}, format="json")
    assert response.status_code == 201 and response["Zargar-Livemode"] == "true" and "Zargar-Dry-Run" not in response
    with tenant_context(shop_a.tenant):
        assert Customer.objects.filter(full_name="Live One").exists()


def test_roll_with_grace_keeps_old_key_until_it_expires(api, shop_a):
    new_key, new_secret = key_actions.roll_api_key(shop_a.tenant, shop_a.key, created_by=shop_a.owner, grace_seconds=3600)
    assert new_key.scopes == ["*"] and new_key.rolled_from_id == shop_a.key.pk
    assert with_key(api, shop_a.secret).get(ITEMS).status_code == 200
    assert with_key(api, new_secret).get(ITEMS).status_code == 200
    with tenant_context(shop_a.tenant):
        ApiKey.objects.filter(pk=shop_a.key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(with_key(api, shop_a.secret).get(ITEMS), 401)
    assert with_key(api, new_secret).get(ITEMS).status_code == 200


def test_roll_without_grace_revokes_at_once_and_keeps_scopes(api, shop_a):
    old, old_secret = _key(shop_a, scopes=["inventory:read"], rate=30)
    new_key, new_secret = key_actions.roll_api_key(shop_a.tenant, old, created_by=shop_a.owner)
    assert new_key.scopes == ["inventory:read"] and new_key.rate_limit_per_minute == 30
    assert_error(with_key(api, old_secret).get(ITEMS), 401)
    assert with_key(api, new_secret).get(ITEMS).status_code == 200


def test_roll_through_the_api(api, shop_a):
    api.force_login(shop_a.owner)
    response = api.post(f"/api/v1/api-keys/{shop_a.key.pk}/roll/", {"grace_seconds": 86400}, format="json", HTTP_X_TENANT=shop_a.tenant.slug)
    assert response.status_code == 201, response.content
    assert response.json()["secret_key"].startswith("sk_live_")
    assert_error(api.post(f"/api/v1/api-keys/{shop_a.key.pk}/roll/", {"grace_seconds": 5}, format="json", HTTP_X_TENANT=shop_a.tenant.slug), 400)


def test_per_key_rate_limit_answers_429_with_retry_after(api, shop_a, shop_b):
    _k, secret = _key(shop_a, rate=3)
    client = with_key(api, secret)
    for remaining in (2, 1, 0):
        response = client.get(ITEMS)
        assert response.status_code == 200 and response["X-RateLimit-Limit"] == "3"
        assert response["X-RateLimit-Remaining"] == str(remaining)
    error = assert_error(client.get(ITEMS), 429, "rate_limited")
    assert "3" in error["message"]
    limited = client.get(ITEMS)
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another key (another window) is not affected.
    assert with_key(api.__class__(), shop_b.secret).get(ITEMS).status_code == 200


@override_settings(ZARGAR_API_KEY_RATE_LIMIT=2)
def test_default_rate_limit_from_settings(api, shop_a):
    client = with_key(api, shop_a.secret)
    assert client.get(ITEMS).status_code == 200
    assert client.get(ITEMS).status_code == 200
    assert_error(client.get(ITEMS), 429, "rate_limited")


def test_filters_reject_bad_values_with_400(api, shop_a):
    client = with_key(api, shop_a.secret)
    assert_error(client.get(ITEMS + "?karat=7"), 400, "invalid")
    assert_error(client.get(ITEMS + "?in_stock=maybe"), 400, "invalid")
    assert_error(client.get(ITEMS + "?location=0"), 400, "invalid")
    assert_error(client.get(ITEMS + "?karat="), 400, "invalid")
    assert_error(client.get(ITEMS + "?limit=abc"), 400, "invalid")
    assert client.get(ITEMS + "?q=").json()["count"] == 3  # empty search: no filter
    body = client.get(ITEMS + "?ordering=-sku&limit=2").json()
    assert [row["sku"] for row in body["results"]] == ["A-3", "A-2"] and body["count"] == 3 and body["next"]
