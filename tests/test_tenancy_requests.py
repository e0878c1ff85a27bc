"""Tenant resolution per request: the panel and the API never mix shops, even when many
requests of two shops interleave on one persistent database connection."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from modules.inventory.models import Item
from zargar.api.models import ApiKey
from zargar.tenancy.context import read_settings, tenant_context
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Tenant

from .factories import make_member, make_shop


def _items(tenant, *skus):
    with tenant_context(tenant):
        return [
            Item.objects.create(tenant=tenant, sku=s, name=f"Ring {s}", karat=18, gross_weight=Decimal("3.2"), net_weight=Decimal("3.0"), price=Decimal("250"))
            for s in skus
        ]


@pytest.mark.django_db(transaction=True)
def test_two_tenants_interleaved_on_one_persistent_connection(client, django_user_model):
    a, owner_a = make_shop("Alpha Gold")
    b, owner_b = make_shop("Beta Gold")
    _items(a, "ALPHA-1", "ALPHA-2")
    _items(b, "BETA-1")
    with tenant_context(b):
        _, secret_b = ApiKey.generate(tenant=b, name="pos", mode="live", created_by=owner_b)

    panel_a = client
    panel_a.force_login(owner_a)
    api_b = APIClient()
    api_b.credentials(HTTP_AUTHORIZATION=f"Bearer {secret_b}")

    connection.ensure_connection()
    raw_connection = connection.connection
    for _ in range(40):
        page = panel_a.get("/app/inventory/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "ALPHA-1" in body and "ALPHA-2" in body and "BETA-1" not in body
        assert connection.connection is raw_connection, "the connection must persist across requests"
        assert read_settings() == ("", ""), "no tenant may linger on the connection after a request"

        listed = api_b.get("/api/v1/inventory/items/")
        assert listed.status_code == 200
        assert [row["sku"] for row in listed.json()["results"]] == ["BETA-1"]
        assert connection.connection is raw_connection
        assert read_settings() == ("", "")


@pytest.mark.django_db
def test_member_of_a_gets_404_for_b_objects_in_panel(client):
    a, owner_a = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    (item_b,) = _items(b, "BETA-1")
    client.force_login(owner_a)
    assert client.get(f"/app/inventory/{item_b.pk}/edit/").status_code == 404
    response = client.post(f"/app/inventory/{item_b.pk}/edit/", {"sku": "X", "name": "stolen", "karat": 18, "gross_weight": "1", "net_weight": "1", "quantity": 1, "price": "1"})
    assert response.status_code == 404
    assert client.post(f"/app/inventory/{item_b.pk}/delete/").status_code == 404
    with tenant_context(b):
        item = Item.objects.get(pk=item_b.pk)
        assert item.name == "Ring BETA-1"


@pytest.mark.django_db
def test_session_cannot_select_a_shop_without_membership(client):
    a, owner_a = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    _items(b, "BETA-1")
    client.force_login(owner_a)
    session = client.session
    session[SESSION_KEY] = b.pk  # a forged or stale session value
    session.save()
    body = client.get("/app/inventory/").content.decode()
    assert "BETA-1" not in body
    assert client.session[SESSION_KEY] == a.pk


@pytest.mark.django_db
def test_tenant_switcher_switches_only_between_own_shops(client):
    a, owner = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold", owner=owner)
    c, _ = make_shop("Gamma Gold")
    _items(a, "ALPHA-1")
    _items(b, "BETA-1")
    client.force_login(owner)
    assert client.post(f"/app/switch/{b.slug}/").status_code == 302
    body = client.get("/app/inventory/").content.decode()
    assert "BETA-1" in body and "ALPHA-1" not in body
    assert client.post(f"/app/switch/{c.slug}/").status_code == 404
    assert client.session[SESSION_KEY] == b.pk


@pytest.mark.django_db
def test_viewer_cannot_change_items(client):
    a, _ = make_shop("Alpha Gold")
    viewer = make_member(a, "viewer")
    client.force_login(viewer)
    assert client.get("/app/inventory/").status_code == 200
    assert client.get("/app/inventory/new/").status_code == 403


@pytest.mark.django_db
def test_suspended_shop_is_blocked_on_the_next_request(client):
    a, owner = make_shop("Alpha Gold")
    client.force_login(owner)
    assert client.get("/app/inventory/").status_code == 200
    Tenant.objects.filter(pk=a.pk).update(status=Tenant.Status.SUSPENDED)
    response = client.get("/app/inventory/")
    assert response.status_code == 403
    assert "suspended" in response.content.decode().lower()


@pytest.mark.django_db
def test_a_failing_view_keeps_none_of_its_writes(client, monkeypatch):
    from modules.inventory import views

    a, owner = make_shop("Alpha Gold")
    client.force_login(owner)
    client.raise_request_exception = False

    def create_then_fail(tenant, **fields):
        Item.objects.create(tenant=tenant, sku="HALF", name="half", karat=18, gross_weight=1, net_weight=1, price=1)
        raise RuntimeError("boom after a write")

    monkeypatch.setattr(views.actions, "create_item", create_then_fail)
    response = client.post("/app/inventory/new/", {"sku": "HALF", "name": "half", "karat": 18, "gross_weight": "1", "net_weight": "1", "quantity": 1, "price": "1"})
    assert response.status_code == 500
    with tenant_context(a):
        assert not Item.objects.filter(sku="HALF").exists()
