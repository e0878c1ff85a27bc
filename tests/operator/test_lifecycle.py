"""Shop life cycle from the operator panel: suspend, reactivate, schedule deletion, restore."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import make_shop
from zargar.api import actions as key_actions
from zargar.audit.models import AuditEvent
from zargar.operator import actions
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/inventory/items/"


def _shop_with_key():
    tenant, owner = make_shop("Suspend Me Gold")
    _, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    shop_client = Client()
    shop_client.force_login(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return tenant, owner, shop_client, api


def _lifecycle(operator_client, tenant, action, reason=""):
    response = operator_client.post(f"/operator/shops/{tenant.pk}/lifecycle/", {"action": action, "reason": reason})
    assert response.status_code == 302
    tenant.refresh_from_db()
    return tenant


def _events(tenant, action):
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(tenant=tenant, action=action))


def test_suspending_blocks_panel_and_api_on_the_very_next_request(operator_client):
    tenant, owner, shop_client, api = _shop_with_key()
    assert shop_client.get("/app/").status_code == 200
    assert api.get(ITEMS).status_code == 200

    _lifecycle(operator_client, tenant, "suspend", reason="unpaid")
    assert tenant.status == Tenant.Status.SUSPENDED

    blocked = shop_client.get("/app/")  # same session, next request
    assert blocked.status_code == 403
    assert "panel/suspended.html" in [t.name for t in blocked.templates]
    api_blocked = api.get(ITEMS)
    assert api_blocked.status_code == 403
    assert "error" in api_blocked.json()

    (event,) = _events(tenant, "tenancy.shop.suspended")
    assert event.actor == operator_client.operator
    assert event.changes["status"] == ["active", "suspended"]
    assert event.changes["reason"] == "unpaid"

    _lifecycle(operator_client, tenant, "reactivate")
    assert tenant.status == Tenant.Status.ACTIVE
    assert shop_client.get("/app/").status_code == 200
    assert api.get(ITEMS).status_code == 200
    assert len(_events(tenant, "tenancy.shop.reactivated")) == 1


def test_schedule_deletion_then_restore_before_the_deadline(operator_client, settings):
    settings.ZARGAR_DELETION_GRACE_DAYS = 30
    tenant, owner, shop_client, api = _shop_with_key()
    before = timezone.now()
    _lifecycle(operator_client, tenant, "schedule_deletion")
    assert tenant.status == Tenant.Status.SCHEDULED_FOR_DELETION
    assert before + timedelta(days=30) <= tenant.deletion_scheduled_for <= timezone.now() + timedelta(days=30)
    assert shop_client.get("/app/").status_code == 403
    assert api.get(ITEMS).status_code == 403
    page = operator_client.get(f"/operator/shops/{tenant.pk}/").content.decode()
    assert "Restore" in page

    _lifecycle(operator_client, tenant, "restore")
    assert tenant.status == Tenant.Status.ACTIVE and tenant.deletion_scheduled_for is None
    assert shop_client.get("/app/").status_code == 200
    assert api.get(ITEMS).status_code == 200
    assert len(_events(tenant, "tenancy.shop.deletion_scheduled")) == 1
    assert len(_events(tenant, "tenancy.shop.restored")) == 1


def test_restore_after_the_deadline_is_refused_and_changes_nothing(operator_client):
    tenant, _ = make_shop("Late Gold")
    actions.schedule_tenant_deletion(tenant, actor=operator_client.operator, grace_days=1)
    with pytest.raises(actions.LifecycleError):
        actions.restore_tenant(tenant, actor=operator_client.operator, now=timezone.now() + timedelta(days=2))
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.SCHEDULED_FOR_DELETION
    assert _events(tenant, "tenancy.shop.restored") == []


def test_invalid_transitions_are_refused_with_a_message(operator_client):
    tenant, _ = make_shop("Calm Gold")
    with pytest.raises(actions.LifecycleError):
        actions.reactivate_tenant(tenant, actor=operator_client.operator)
    with pytest.raises(actions.LifecycleError):
        actions.restore_tenant(tenant, actor=operator_client.operator)
    with pytest.raises(actions.LifecycleError):
        actions.purge_tenant(tenant, actor=operator_client.operator)
    response = operator_client.post(f"/operator/shops/{tenant.pk}/lifecycle/", {"action": "restore"}, follow=True)
    assert response.status_code == 200
    assert "not possible" in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE


def test_purge_refuses_before_the_deadline(operator_client):
    tenant, _ = make_shop("Early Gold")
    actions.schedule_tenant_deletion(tenant, actor=operator_client.operator, grace_days=30)
    with pytest.raises(actions.LifecycleError):
        actions.purge_tenant(tenant)
    assert actions.purge_due_tenants() == []
    assert Tenant.objects.filter(pk=tenant.pk).exists()


def test_shop_users_cannot_use_lifecycle_urls(client):
    tenant, owner = make_shop("Self Gold")
    client.force_login(owner)
    assert client.post(f"/operator/shops/{tenant.pk}/lifecycle/", {"action": "suspend"}).status_code == 403
    tenant.refresh_from_db()
    assert tenant.status == Tenant.Status.ACTIVE
