"""Edge cases of webhook delivery found in review."""

from __future__ import annotations

import pytest

from zargar.tenancy.context import tenant_context
from zargar.webhooks import services
from zargar.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .conftest import T0
from .test_delivery import endpoint_for, make_item

pytestmark = pytest.mark.django_db


def test_a_delivery_queued_before_its_endpoint_was_disabled_is_cancelled_and_completed(shop, receiver, django_capture_on_commit_callbacks, clock):
    """The race: `publish` saw the endpoint enabled, the endpoint was disabled (its waiting
    deliveries cancelled) before the new delivery committed; the worker then finds it."""
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    make_item(tenant)  # the delivery is queued; its task has not run (no on_commit callbacks run)
    with tenant_context(tenant):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
        delivery = WebhookDelivery.objects.get()
    assert services.attempt(tenant, delivery) is None
    with tenant_context(tenant):
        delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.CANCELLED and delivery.completed_at == T0 and delivery.next_attempt_at is None
