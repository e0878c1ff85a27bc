"""Reads of outbound webhooks (in the shop's tenant context)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_of(tenant) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(tenant=tenant)


def get_endpoint(tenant, pk: int) -> WebhookEndpoint:
    """Raises `WebhookEndpoint.DoesNotExist` for another shop's or an unknown endpoint."""
    return WebhookEndpoint.objects.get(tenant=tenant, pk=pk)


def deliveries_of(tenant, *, endpoint=None, status: str = "") -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(tenant=tenant).select_related("event", "endpoint")
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    if status:
        qs = qs.filter(status=status)
    return qs


def get_delivery(tenant, pk: int) -> WebhookDelivery:
    return WebhookDelivery.objects.select_related("event", "endpoint").get(tenant=tenant, pk=pk)
