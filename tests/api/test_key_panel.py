"""API-key management pages at /app/api-keys/."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_member
from zargar.api.models import ApiKey, digest
from zargar.tenancy.context import tenant_context

from .conftest import with_key

pytestmark = pytest.mark.django_db

LIST = "/app/api-keys/"
NEW = "/app/api-keys/new/"
SECRET_RE = re.compile(r"sk_(?:live|test)_[A-Za-z0-9]{32}")


def _keys(tenant, **filters):
    with tenant_context(tenant):
        return list(ApiKey.objects.filter(**filters).order_by("created_at"))


@pytest.fixture
def owner_client(client, shop_a):
    client.force_login(shop_a.owner)
    return client


def test_list_shows_the_shops_active_keys(owner_client, shop_a, shop_b):
    response = owner_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert shop_a.publishable in html and "Server" in html
    assert shop_b.publishable not in html
    assert not SECRET_RE.search(html)


def test_create_shows_secret_once_and_stores_only_digest(owner_client, shop_a, api):
    response = owner_client.post(NEW, {"name": "Website", "mode": "test", "full_access": "on"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secrets = SECRET_RE.findall(html)
    assert len(set(secrets)) == 1 and secrets[0].startswith("sk_test_")
    secret = secrets[0]
    assert "only once" in html and "data-copy-target" in html

    (key,) = _keys(shop_a.tenant, name="Website")
    assert key.mode == "test" and key.secret_digest == digest(secret) and key.secret_prefix == secret[:16]
    stored = {str(getattr(key, f.attname)) for f in ApiKey._meta.concrete_fields}
    assert secret not in {str(value) for value in stored}

    # The list afterwards shows the key but never its secret.
    html = owner_client.get(LIST).content.decode()
    assert key.publishable_key in html and secret not in html
    # And the secret works against the API.
    assert with_key(api, secret).get("/api/v1/inventory/items/").status_code == 200


def test_create_with_invalid_input_is_400_and_creates_nothing(owner_client, shop_a):
    response = owner_client.post(NEW, {"name": "  ", "mode": "sandbox"})
    assert response.status_code == 400
    assert len(_keys(shop_a.tenant)) == 1


def test_revoke_asks_then_revokes(owner_client, shop_a, api):
    url = f"/app/api-keys/{shop_a.key.pk}/revoke/"
    confirm = owner_client.get(url)
    assert confirm.status_code == 200 and b"<form method=\"post\"" in confirm.content
    assert _keys(shop_a.tenant, revoked_at__isnull=True)  # a GET changes nothing
    response = owner_client.post(url)
    assert response.status_code == 302 and response["Location"] == "/app/api-keys/"
    assert _keys(shop_a.tenant, revoked_at__isnull=True) == []
    assert with_key(api, shop_a.secret).get("/api/v1/inventory/items/").status_code == 401
    assert shop_a.publishable not in owner_client.get(LIST).content.decode()
    assert owner_client.post(url).status_code == 404  # already revoked


def test_roll_revokes_and_creates_same_name(owner_client, shop_a, api):
    response = owner_client.post(f"/app/api-keys/{shop_a.key.pk}/roll/")
    assert response.status_code == 200
    (secret,) = set(SECRET_RE.findall(response.content.decode()))
    old, new = _keys(shop_a.tenant)
    assert old.pk == shop_a.key.pk and old.revoked_at is not None
    assert new.name == old.name == "Server" and new.mode == old.mode and new.revoked_at is None
    assert new.secret_digest == digest(secret)
    assert "no longer works" in response.content.decode()
    assert with_key(api, shop_a.secret).get("/api/v1/inventory/items/").status_code == 401
    from rest_framework.test import APIClient

    assert with_key(APIClient(), secret).get("/api/v1/inventory/items/").status_code == 200


def test_roll_with_grace_says_until_when_the_old_key_works(owner_client, shop_a, api):
    response = owner_client.post(f"/app/api-keys/{shop_a.key.pk}/roll/", {"grace_seconds": "3600"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "keeps working until" in html and "no longer works" not in html
    assert with_key(api, shop_a.secret).get("/api/v1/inventory/items/").status_code == 200


def test_cannot_touch_another_shops_key(owner_client, shop_a, shop_b):
    assert owner_client.post(f"/app/api-keys/{shop_b.key.pk}/revoke/").status_code == 404
    assert owner_client.post(f"/app/api-keys/{shop_b.key.pk}/roll/").status_code == 404
    assert _keys(shop_b.tenant, revoked_at__isnull=True)


@pytest.mark.parametrize("role, status", [("member", 403), ("viewer", 403), ("admin", 200)])
def test_only_admins_and_owners_manage_keys(client, shop_a, role, status):
    user = make_member(shop_a.tenant, role)
    client.force_login(user)
    assert client.get(LIST).status_code == status
    response = client.post(NEW, {"name": "Sneaky", "mode": "live", "full_access": "on"})
    assert response.status_code == status
    if status == 403:
        assert client.post(f"/app/api-keys/{shop_a.key.pk}/revoke/").status_code == 403
        assert not _keys(shop_a.tenant, name="Sneaky")
        assert _keys(shop_a.tenant, revoked_at__isnull=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rest_endpoint_for_keys_shows_secret_once(shop_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(shop_a.owner)
    created = client.post("/api/v1/api-keys/", {"name": "CI", "mode": "test"}, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret_key"]
    assert SECRET_RE.fullmatch(secret)
    listed = client.get("/api/v1/api-keys/").json()
    assert {row["name"] for row in listed["results"]} == {"Server", "CI"}
    assert all(row["secret_key"] is None for row in listed["results"])
    assert client.delete(f"/api/v1/api-keys/{created.json()['id']}/").status_code == 204
    assert _keys(shop_a.tenant, name="CI")[0].revoked_at is not None
