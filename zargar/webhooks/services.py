"""Writes of outbound webhooks: endpoints, sending one attempt, retries, auto-disabling.

Every function needs the shop's tenant context (a panel request, `tenant_context` or a
`tenant_task`) and opens it itself where it is called from elsewhere.

Delivery: `attempt(tenant, delivery)` POSTs the event's JSON to the endpoint with the
`Zargar-Signature` header, records a `WebhookAttempt` (request headers and body, response
status, a body excerpt, duration) and moves the delivery on: a 2xx response succeeds; anything
else (other status, timeout, refused connection) schedules the next attempt by
`schedule.next_attempt_at` or, after `WEBHOOKS_MAX_ATTEMPTS`, fails it. After
`WEBHOOKS_DISABLE_AFTER_FAILURES` failed attempts in a row the endpoint is disabled, its
waiting deliveries cancelled, and the shop's owners are notified.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from . import schedule, signing
from .bus import enqueue
from .events import TEST_EVENT, event_types
from .models import DeliveryStatus, RetryDue, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent, new_secret

RESPONSE_EXCERPT_BYTES = 4096
USER_AGENT = "Zargar-Webhooks/1.0 (+https://zargar.local/docs/webhooks)"
ROTATION_GRACE = dt.timedelta(hours=24)


# --- Endpoints ---------------------------------------------------------------------------------


def validate_url(url: str) -> None:
    """Refuse URLs Zargar must not call: not http(s); plain http when `WEBHOOKS_REQUIRE_HTTPS`;
    a port outside 1-65535; a host that does not resolve, or resolves to a loopback, private,
    link-local or reserved address unless `WEBHOOKS_ALLOW_PRIVATE_HOSTS` (so a shop cannot make
    Zargar probe its own network). Raises `ValidationError` with a readable message."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http:// or https:// URL."), code="scheme")
    if settings.WEBHOOKS_REQUIRE_HTTPS and parts.scheme != "https":
        raise ValidationError(_("Webhook endpoints must use https://."), code="https")
    try:
        port = parts.port  # ValueError above 65535 (Django's URLValidator accepts any 5 digits)
    except ValueError:
        port = 0
    if port == 0:
        raise ValidationError(_("Enter a port between 1 and 65535."), code="port")
    if settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(_("The host %(host)s cannot be resolved.") % {"host": parts.hostname}, code="dns") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise ValidationError(_("The host %(host)s is a private or local address.") % {"host": parts.hostname}, code="private")


def _clean_events(events) -> list[str]:
    known = event_types()
    chosen = sorted(set(events))
    if "*" in chosen:
        return ["*"]
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise ValidationError(_("Unknown event types: %(types)s") % {"types": ", ".join(unknown)}, code="events")
    if not chosen:
        raise ValidationError(_("Choose at least one event."), code="events")
    return chosen


def create_endpoint(tenant, *, url: str, events, description: str = "", enabled: bool = True) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (read it from `.secret` once, to show the user).
    Raises `ValidationError` for a refused URL or unknown event types."""
    validate_url(url)
    with tenant_context(tenant):
        return WebhookEndpoint.objects.create(tenant=tenant, url=url, events=_clean_events(events), description=description, enabled=enabled)


def update_endpoint(tenant, endpoint: WebhookEndpoint, *, url: str, events, description: str = "", enabled: bool = True) -> WebhookEndpoint:
    """Change an endpoint. Enabling a disabled one clears its failure count."""
    validate_url(url)
    with tenant_context(tenant):
        endpoint.url, endpoint.events, endpoint.description = url, _clean_events(events), description
        if enabled and not endpoint.enabled:
            endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason = 0, None, ""
        endpoint.enabled = enabled
        endpoint.save()
        if not enabled:
            _cancel_waiting(tenant, endpoint)
        return endpoint


def rotate_secret(tenant, endpoint: WebhookEndpoint, *, grace: dt.timedelta = ROTATION_GRACE) -> str:
    """Give the endpoint a new secret and return it. For `grace` the old secret still signs
    too (a second `v1=`), so the receiver can switch without missing events."""
    with tenant_context(tenant):
        locked = WebhookEndpoint.objects.select_for_update().get(tenant=tenant, pk=endpoint.pk)
        locked.previous_secret = locked.secret if grace > dt.timedelta(0) else ""
        locked.previous_secret_expires_at = timezone.now() + grace if grace > dt.timedelta(0) else None
        locked.secret = new_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        endpoint.secret, endpoint.previous_secret = locked.secret, locked.previous_secret
        endpoint.previous_secret_expires_at = locked.previous_secret_expires_at
        return locked.secret


def delete_endpoint(tenant, endpoint: WebhookEndpoint) -> None:
    with tenant_context(tenant):
        WebhookEndpoint.objects.filter(tenant=tenant, pk=endpoint.pk).delete()


def _cancel_waiting(tenant, endpoint) -> int:
    return WebhookDelivery.objects.filter(
        tenant=tenant, endpoint=endpoint, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    ).update(status=DeliveryStatus.CANCELLED, next_attempt_at=None, completed_at=timezone.now())


def send_test(tenant, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event to this endpoint (whatever events it selected, enabled or
    not). Returns the delivery; its attempt runs after the transaction commits."""
    with tenant_context(tenant):
        event = WebhookEvent.objects.create(
            tenant=tenant, event_type=TEST_EVENT,
            payload={"message": "Test event sent from the Zargar panel.", "endpoint": endpoint.url},
        )
        delivery = WebhookDelivery.objects.create(tenant=tenant, endpoint=endpoint, event=event)
    enqueue(tenant.pk, [delivery.pk])
    return delivery


def redeliver(tenant, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (by hand, from the log), whatever its status. The attempt is
    marked manual; a failure schedules retries as usual if attempts remain."""
    with tenant_context(tenant):
        WebhookDelivery.objects.filter(tenant=tenant, pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_attempt_at=None, completed_at=None)
    delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.PENDING, None, None
    from .tasks import deliver

    tenant_id, pk = tenant.pk, delivery.pk
    transaction.on_commit(lambda: deliver.delay(tenant_id, pk, manual=True))
    return delivery


# --- Sending -----------------------------------------------------------------------------------


def event_body(event: WebhookEvent, tenant) -> bytes:
    """The JSON body of an event: `{"id", "type", "created", "shop": {"id", "slug"}, "data"}`."""
    document = {
        "id": event.event_id,
        "type": event.event_type,
        "created": int(event.created_at.timestamp()),
        "shop": {"id": tenant.pk, "slug": tenant.slug},
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


UNREADABLE_SECRET = "The signing secret cannot be decrypted (was SECRET_KEY changed without SECRET_KEY_FALLBACKS?): rotate the endpoint's secret."


def _signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its grace.
    Empty when the current secret cannot be decrypted (`crypto.EncryptedSecretField`)."""
    if not endpoint.secret:
        return []
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        keys.append(endpoint.previous_secret)
    return keys


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, dict, str, str]:
    """POST; returns (status, response headers, body excerpt, error). Never raises."""
    try:
        validate_url(url)  # again at send time: DNS may now point somewhere else
    except ValidationError as exc:
        return None, {}, "", "; ".join(exc.messages)
    try:
        with requests.post(
            url, data=body, headers=headers, timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
            allow_redirects=False, stream=True,
        ) as response:
            raw = response.raw.read(RESPONSE_EXCERPT_BYTES, decode_content=True) or b""
            return response.status_code, dict(response.headers), raw.decode("utf-8", errors="replace"), ""
    except requests.RequestException as exc:
        return None, {}, "", f"{exc.__class__.__name__}: {exc}"[:500]


def attempt(tenant, delivery: WebhookDelivery, *, manual: bool = False, now: dt.datetime | None = None) -> WebhookAttempt | None:
    """Make one attempt of `delivery` (locked; skipped when it finished or was cancelled,
    unless `manual`). Returns the recorded attempt, or None when nothing was sent."""
    with tenant_context(tenant):
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint", "event")
            .filter(tenant=tenant, pk=delivery.pk).first()
        )
        if delivery is None:
            return None
        if not manual and delivery.status not in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
            return None
        now = now or timezone.now()
        if not manual and delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # a duplicate task of an attempt already made; the retry is not due yet
        endpoint, event = delivery.endpoint, delivery.event
        if not manual and not endpoint.enabled and event.event_type != TEST_EVENT:
            # Queued just before the endpoint was disabled: cancelled like `_cancel_waiting` does.
            delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.CANCELLED, None, now
            delivery.save(update_fields=["status", "next_attempt_at", "completed_at"])
            return None
        body = event_body(event, tenant)
        keys = _signing_secrets(endpoint, now)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Zargar-Event-Id": event.event_id,
            "Zargar-Event-Type": event.event_type,
            "Zargar-Delivery-Id": str(delivery.pk),
            signing.SIGNATURE_HEADER: signing.header(keys, int(now.timestamp()), body),
        }
        started = time.monotonic()
        if keys:
            status, response_headers, excerpt, error = _post(endpoint.url, body, headers)
        else:  # never send an unsigned request: record the failure, retry as usual
            status, response_headers, excerpt, error = None, {}, "", UNREADABLE_SECRET
        duration_ms = int((time.monotonic() - started) * 1000)
        ok = status is not None and 200 <= status < 300
        delivery.attempt_count += 1
        record = WebhookAttempt.objects.create(
            tenant=tenant, delivery=delivery, number=delivery.attempt_count, url=endpoint.url, request_headers=headers,
            request_body=body.decode(), response_status=status, response_headers=response_headers, response_body=excerpt,
            error=error, duration_ms=duration_ms, succeeded=ok, manual=manual,
        )
        delivery.last_status_code = status
        if ok:
            delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.SUCCEEDED, None, now
            if endpoint.consecutive_failures:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            due = schedule.next_attempt_at(delivery.attempt_count, now, max_attempts=settings.WEBHOOKS_MAX_ATTEMPTS)
            if due is None:
                delivery.status, delivery.next_attempt_at, delivery.completed_at = DeliveryStatus.FAILED, None, now
            else:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.RETRYING, due
                note_retry_due(tenant.pk, due)
        delivery.save(update_fields=["attempt_count", "status", "next_attempt_at", "completed_at", "last_status_code"])
        if not ok and event.event_type != TEST_EVENT:
            _count_failure(tenant, endpoint, now)
        return record


def _count_failure(tenant, endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.consecutive_failures += 1
    endpoint.save(update_fields=["consecutive_failures"])
    limit = settings.WEBHOOKS_DISABLE_AFTER_FAILURES
    if endpoint.enabled and endpoint.consecutive_failures >= limit:
        disable_endpoint(tenant, endpoint, reason=f"{endpoint.consecutive_failures} consecutive failed deliveries", now=now)


def disable_endpoint(tenant, endpoint: WebhookEndpoint, *, reason: str, now: dt.datetime | None = None) -> None:
    """Turn the endpoint off, cancel its waiting deliveries and notify the shop's owners."""
    from zargar.notifications.services import notify
    from zargar.notifications.types import WEBHOOK_DISABLED

    endpoint.enabled, endpoint.disabled_at, endpoint.disabled_reason = False, now or timezone.now(), reason[:200]
    endpoint.save(update_fields=["enabled", "disabled_at", "disabled_reason", "updated_at"])
    _cancel_waiting(tenant, endpoint)
    notify(
        tenant, WEBHOOK_DISABLED, {"url": endpoint.url, "failures": endpoint.consecutive_failures},
        url=reverse("webhooks:detail", args=[endpoint.pk]),
    )


def purge_old(tenant, *, days: int, now: dt.datetime | None = None) -> int:
    """Delete the shop's events older than `days` whose deliveries are all finished (succeeded,
    failed or cancelled), with their deliveries and attempts. Returns how many events."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with tenant_context(tenant):
        old = WebhookEvent.objects.filter(tenant=tenant, created_at__lt=cutoff).exclude(
            deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
        )
        ids = list(old.values_list("pk", flat=True))
        WebhookEvent.objects.filter(tenant=tenant, pk__in=ids).delete()
        return len(ids)


def note_retry_due(shop_id: int, due_at: dt.datetime) -> None:
    """Record that `shop_id` has a retry due at `due_at` (keeps the earliest)."""
    table = RetryDue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (shop_id, due_at) VALUES (%s, %s) "
            f"ON CONFLICT (shop_id) DO UPDATE SET due_at = LEAST({table}.due_at, EXCLUDED.due_at)",
            [shop_id, due_at],
        )


def take_due_shops(now: dt.datetime | None = None) -> list[int]:
    """Remove and return the shops whose earliest retry is due at `now`."""
    table = RetryDue._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE due_at <= %s RETURNING shop_id", [now or timezone.now()])
        return sorted(row[0] for row in cursor.fetchall())


def due_deliveries(tenant, now: dt.datetime | None = None) -> list[int]:
    """Ids of the shop's deliveries whose next retry is due at `now`."""
    now = now or timezone.now()
    with tenant_context(tenant):
        waiting = WebhookDelivery.objects.filter(tenant=tenant, status=DeliveryStatus.RETRYING)
        ids = list(waiting.filter(next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True)[:500])
        # The sweep removed this shop's index row: put back the next retry not taken now.
        later = waiting.exclude(pk__in=ids).order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
        if later is not None:
            note_retry_due(tenant.pk, later)
        return ids
