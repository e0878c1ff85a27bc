"""The event bus: `publish(tenant, event_type, payload)` from services, one line per call site.

Inside the caller's transaction it stores the event and one `WebhookDelivery` per enabled
endpoint of the shop that wants that type (nothing is stored when no endpoint wants it), and
runs in-process subscribers (e.g. notifications) in a savepoint each. The HTTP deliveries are
queued to Celery only after the transaction commits (`transaction.on_commit`): a rolled-back
sale sends nothing, and a committed one is never lost by the time the worker looks.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from functools import cache
from typing import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from zargar.core.orm import select_columns
from zargar.tenancy.context import tenant_context

logger = logging.getLogger(__name__)

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event_type: str, fn: Callable) -> Callable:
    """Call `fn(tenant, event_type, payload)` inside the publishing transaction for each event of
    `event_type`. An exception in `fn` is logged and rolled back to its savepoint, never
    breaking the action that published."""
    if fn not in _subscribers[event_type]:
        _subscribers[event_type].append(fn)
    return fn


def _jsonable(payload) -> dict:
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def publish(tenant, event_type: str, payload):
    """Publish `event_type` with `payload`: a dict, or a model instance turned into one by
    `zargar.webhooks.payloads.serialize` (Decimals, dates and UUIDs become strings).

    Returns the stored `WebhookEvent`, or None when no endpoint of the shop wants the type.
    Needs (or opens) the shop's tenant context.
    """
    from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
    from .payloads import serialize

    # No savepoint of its own: its errors propagate to the publishing action, which rolls back
    # (the subscribers below run in savepoints of their own).
    with tenant_context(tenant, savepoint=False) as tenant:
        subscribers = list(_subscribers.get(event_type, ()))
        # Only the event types are needed here: never decrypt the signing secrets on a sale's path.
        # A raw query (every sale publishes; the ORM spent 0.4 ms of CPU building this one).
        endpoints = [e for e in WebhookEndpoint.objects.raw(_enabled_endpoints_sql(), [tenant.pk]) if e.wants(event_type)]
        if not subscribers and not endpoints:
            return None  # nobody listens: skip building the payload (a sale's hot path)
        data = _jsonable(serialize(payload))
        for fn in subscribers:
            try:
                with transaction.atomic():
                    fn(tenant, event_type, data)
            except Exception:  # a subscriber must not break the sale that published
                logger.exception("event subscriber %r failed for %s", fn, event_type)
        if not endpoints:
            return None
        event = WebhookEvent.objects.create(tenant=tenant, event_type=event_type, payload=data)
        deliveries = [WebhookDelivery.objects.create(tenant=tenant, endpoint=e, event=event) for e in endpoints]
    enqueue(tenant.pk, [d.pk for d in deliveries])
    return event


@cache
def _enabled_endpoints_sql() -> str:
    """The shop's enabled endpoints, every column but the two secrets (left deferred)."""
    from .models import WebhookEndpoint

    return f"SELECT {select_columns(WebhookEndpoint, exclude=('secret', 'previous_secret'))} FROM {WebhookEndpoint._meta.db_table} WHERE tenant_id = %s AND enabled ORDER BY created_at, id"


def enqueue(tenant_id: int, delivery_ids: list[int]) -> None:
    """Queue the first attempt of these deliveries once the current transaction commits."""
    from .tasks import deliver

    transaction.on_commit(lambda: [deliver.delay(tenant_id, pk) for pk in delivery_ids], robust=True)
