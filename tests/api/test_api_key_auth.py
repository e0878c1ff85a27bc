"""API keys end to end, as the runtime role: lookup through the RLS lookup policy, shop
isolation, publishable keys read-only, revoked and bad keys 401."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from modules.inventory.models import Item
from zargar.api import actions as key_actions
from zargar.api.authentication import find_key
from zargar.api.models import LOOKUP_SETTING, ApiKey, digest
from zargar.tenancy.context import tenant_context

from .conftest import assert_error, with_key

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/inventory/items/"


def test_runtime_role_finds_key_only_through_lookup_setting(shop_a):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "zargar_app"
    with transaction.atomic():
        # No shop set: RLS hides every key ...
        assert ApiKey.objects.count() == 0
        # ... yet the presented key is found through the lookup policy, and the setting is cleared after.
        key = find_key(shop_a.secret)
        assert key is not None and key.pk == shop_a.key.pk and key.tenant_id == shop_a.tenant.pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [LOOKUP_SETTING])
            assert cursor.fetchone()[0] == ""
        assert ApiKey.objects.count() == 0
        assert find_key(shop_a.publishable).pk == shop_a.key.pk
        # Right prefix, wrong rest of the secret: no key.
        assert find_key(shop_a.secret[:-4] + "zzzz") is None


def test_only_the_digest_is_stored(shop_a):
    with tenant_context(shop_a.tenant):
        key = ApiKey.objects.get(pk=shop_a.key.pk)
    assert key.secret_digest == digest(shop_a.secret)
    assert shop_a.secret not in {key.secret_digest, key.secret_prefix, key.publishable_key}
    assert shop_a.secret.startswith("sk_live_") and key.publishable_key.startswith("pk_live_")


def test_secret_key_lists_own_shop_items_only(api, shop_a, shop_b):
    response = with_key(api, shop_a.secret).get(ITEMS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert sorted(row["sku"] for row in body["results"]) == ["A-1", "A-2", "A-3"]
    with tenant_context(shop_a.tenant):
        assert ApiKey.objects.get(pk=shop_a.key.pk).last_used_at is not None


def test_other_shops_item_is_404_for_read_update_delete_and_unchanged(api, shop_a, shop_b):
    foreign = shop_b.items[0]
    url = f"{ITEMS}{foreign.pk}/"
    client = with_key(api, shop_a.secret)
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.patch(url, {"name": "hijacked", "price": "1.00"}, format="json"), 404, "not_found")
    assert_error(client.put(url, {"sku": "X", "name": "hijacked", "karat": 18, "gross_weight": "1", "net_weight": "1", "quantity": 1, "price": "1"}, format="json"), 404)
    assert_error(client.delete(url), 404, "not_found")
    with tenant_context(shop_b.tenant):
        row = Item.objects.get(pk=foreign.pk)
        assert (row.sku, row.name, row.price) == (foreign.sku, foreign.name, foreign.price)


def test_x_tenant_header_cannot_move_an_api_key_to_another_shop(api, shop_a, shop_b):
    response = with_key(api, shop_a.secret).get(ITEMS, HTTP_X_TENANT=shop_b.tenant.slug)
    assert response.status_code == 200
    assert {row["sku"] for row in response.json()["results"]} == {"A-1", "A-2", "A-3"}


def test_x_api_key_header_works_too(api, shop_a):
    response = api.get(ITEMS, HTTP_X_API_KEY=shop_a.secret)
    assert response.status_code == 200 and response.json()["count"] == 3


def test_publishable_key_reads_but_cannot_write(api, shop_a):
    client = with_key(api, shop_a.publishable)
    assert client.get(ITEMS).status_code == 200
    item = shop_a.items[0]
    assert client.get(f"{ITEMS}{item.pk}/").json()["sku"] == item.sku
    new = {"sku": "PK-1", "name": "x", "karat": 18, "gross_weight": "2", "net_weight": "1", "quantity": 1, "price": "5"}
    assert_error(client.post(ITEMS, new, format="json"), 403, "permission_denied")
    assert_error(client.patch(f"{ITEMS}{item.pk}/", {"name": "changed"}, format="json"), 403)
    assert_error(client.delete(f"{ITEMS}{item.pk}/"), 403)
    # A method the route does not take is a 405 before any credential or shop check.
    assert_error(client.post("/api/v1/me/", {}, format="json"), 405, "method_not_allowed")
    with tenant_context(shop_a.tenant):
        assert not Item.objects.filter(sku="PK-1").exists()
        assert Item.objects.get(pk=item.pk).name == item.name


def test_unknown_and_malformed_keys_are_401_json(api, shop_a):
    assert_error(with_key(APIClientFactory(), "sk_live_" + "x" * 32).get(ITEMS), 401, "invalid_api_key")
    assert_error(with_key(APIClientFactory(), "pk_test_nothing").get(ITEMS), 401, "invalid_api_key")
    assert_error(APIClientFactory().get(ITEMS), 401, "not_authenticated")
    response = with_key(APIClientFactory(), "not-a-key-or-jwt").get(ITEMS)
    assert_error(response, 401)


def test_revoked_key_is_401(api, shop_a):
    key_actions.revoke_api_key(shop_a.tenant, shop_a.key)
    assert_error(with_key(api, shop_a.secret).get(ITEMS), 401, "invalid_api_key")
    assert_error(with_key(APIClientFactory(), shop_a.publishable).get(ITEMS), 401, "invalid_api_key")


def test_test_mode_key_authenticates(api, shop_a):
    key, secret = key_actions.create_api_key(shop_a.tenant, name="Staging", mode="test", created_by=shop_a.owner)
    assert secret.startswith("sk_test_") and key.publishable_key.startswith("pk_test_")
    assert with_key(api, secret).get(ITEMS).status_code == 200


def test_api_key_cannot_manage_api_keys(api, shop_a):
    client = with_key(api, shop_a.secret)
    assert_error(client.get("/api/v1/api-keys/"), 403)
    assert_error(client.post("/api/v1/api-keys/", {"name": "backdoor"}, format="json"), 403)
    with tenant_context(shop_a.tenant):
        assert list(ApiKey.objects.values_list("name", flat=True)) == ["Server"]


def test_me_reports_shop_and_role_of_the_key(api, shop_a):
    body = with_key(api, shop_a.secret).get("/api/v1/me/").json()
    assert body["shop"] == shop_a.tenant.slug and body["role"] == "admin"
    body = with_key(APIClientFactory(), shop_a.publishable).get("/api/v1/me/").json()
    assert body["role"] == "viewer"


def APIClientFactory():
    from rest_framework.test import APIClient

    return APIClient()


def test_lookup_setting_never_allows_deleting_or_changing_a_key(shop_a):
    """The lookup policy widens reads only: with the lookup set and no shop, DELETE and UPDATE
    of the looked-up key touch nothing."""
    lookup = shop_a.secret[:16]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [LOOKUP_SETTING, lookup])
            cursor.execute("SELECT count(*) FROM zargar_api_apikey")
            assert cursor.fetchone()[0] == 1  # readable ...
            cursor.execute("DELETE FROM zargar_api_apikey WHERE secret_prefix = %s", [lookup])
            assert cursor.rowcount == 0  # ... but not deletable
            cursor.execute("UPDATE zargar_api_apikey SET revoked_at = NULL, name = 'x' WHERE secret_prefix = %s", [lookup])
            assert cursor.rowcount == 0  # ... nor changeable: the read-only policy does not apply to UPDATE
            cursor.execute("SELECT set_config(%s, '', true)", [LOOKUP_SETTING])
    with tenant_context(shop_a.tenant):
        assert ApiKey.objects.get(pk=shop_a.key.pk).name == "Server"
