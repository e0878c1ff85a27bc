"""Stripe webhook events → the shop's `Subscription` and `Invoice` rows, exactly once.

Path of a delivery: Stripe POSTs to `/billing/stripe/webhook/` (`stripe_views.StripeWebhookView`,
a thin subclass of dj-stripe's `ProcessWebhookView`); dj-stripe stores a `WebhookEventTrigger`,
verifies `Stripe-Signature` (HMAC-SHA256 of `"{t}.{body}"` with `DJSTRIPE_WEBHOOK_SECRET`,
timestamp tolerance `DJSTRIPE_WEBHOOK_TOLERANCE` = 300 s; a bad or old signature answers 400)
and sends its `webhook_pre_process` signal, received by `_on_verified_delivery` below.

Exactly once: `apply_event` first inserts the event id into `StripeEvent` (unique). A repeated
delivery, also a concurrent one (it waits on the unique index until the first commits), hits
the constraint and changes nothing.

Out of order: events of one shop are applied one at a time (a transaction-scoped advisory lock
per shop, plus `select_for_update` of the rows), and each `Subscription` / `Invoice` remembers
the `created` time of the newest event applied to it (`gateway_synced_at`). An older event is
recorded as `stale` and does not overwrite newer state. Within one second (Stripe's resolution)
an event carrying the whole subscription wins over an invoice event, which wins over
`checkout.session.completed` (see `_PRECEDENCE`). Subscription-only fields
(`cancel_at_period_end`, `trial_end`, `canceled_at`) come from `customer.subscription.*` events.

An operator's status override is separate (`SubscriptionStatusOverride`) and still wins in
`Subscription.effective_status` and in access checks: webhooks only move the lifecycle status.

Stripe's statuses map to Zargar's: trialing, active; past_due / unpaid / incomplete → past_due;
canceled → canceled; incomplete_expired / paused → expired.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.dispatch import receiver
from djstripe.signals import webhook_pre_process

from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

from .models import (
    STRIPE_CUSTOMER_SETTING,
    Invoice,
    InvoiceLine,
    PaymentAttempt,
    PlanVersion,
    StripeCustomer,
    StripeEvent,
    Subscription,
    SubscriptionStatus,
)
from .proration import add_cycle

log = logging.getLogger(__name__)
S = SubscriptionStatus
Outcome = StripeEvent.Outcome

STATUS_MAP = {
    "trialing": S.TRIALING,
    "active": S.ACTIVE,
    "past_due": S.PAST_DUE,
    "unpaid": S.PAST_DUE,
    "incomplete": S.PAST_DUE,
    "canceled": S.CANCELED,
    "incomplete_expired": S.EXPIRED,
    "paused": S.EXPIRED,
}
INVOICE_STATUS = {
    "draft": Invoice.Status.OPEN,
    "open": Invoice.Status.OPEN,
    "paid": Invoice.Status.PAID,
    "void": Invoice.Status.VOID,
    "uncollectible": Invoice.Status.UNCOLLECTIBLE,
}
SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
}
INVOICE_EVENTS = {
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.finalized",
    "invoice.updated",
    "invoice.voided",
    "invoice.marked_uncollectible",
}
CHECKOUT_EVENTS = {"checkout.session.completed"}
HANDLED = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | CHECKOUT_EVENTS
#: Tie-break inside one second, added as microseconds to the event's `created`.
_PRECEDENCE = {"checkout": 0, "invoice": 1, "subscription": 2}


class EventNotReady(Exception):
    """The event needs a row an earlier event creates (e.g. an invoice before its subscription):
    the webhook answers 409 and Stripe delivers it again later."""


# --- small readers of Stripe payloads --------------------------------------------------------
def _ts(value) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def _date(value) -> dt.date | None:
    moment = _ts(value)
    return moment.date() if moment else None


def _id(value) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _subscription_details(invoice: dict) -> dict:
    return invoice.get("subscription_details") or ((invoice.get("parent") or {}).get("subscription_details")) or {}


def _invoice_subscription_id(invoice: dict) -> str:
    return _id(invoice.get("subscription")) or _id(_subscription_details(invoice).get("subscription"))


def _lines(obj: dict) -> list[dict]:
    return list((obj.get("lines") or {}).get("data") or [])


def _pk(value) -> int | None:
    """A positive integer id from a payload value ("12", 12), else None (never raises)."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def shop_of_customer(customer_id: str) -> Tenant | None:
    """The shop whose Stripe customer is `customer_id`, looked up outside any shop's context:
    `StripeCustomer`'s RLS lets exactly the row named by `app.stripe_customer_id` be read, so
    no code path can list the mapping. The setting is SET LOCAL in a savepoint and cleared
    after the read (an error rolls the savepoint back, which undoes it too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [STRIPE_CUSTOMER_SETTING, customer_id])
        tenant_id = StripeCustomer.objects.filter(customer_id=customer_id).values_list("tenant_id", flat=True).first()
        cursor.execute("SELECT set_config(%s, '', true)", [STRIPE_CUSTOMER_SETTING])
    return Tenant.objects.filter(pk=tenant_id).first() if tenant_id is not None else None


def tenant_for(obj: dict) -> Tenant | None:
    """The shop of a Stripe object: through its customer (`shop_of_customer`), else the
    `client_reference_id` / `metadata.zargar_tenant_id` Zargar put on what it created (trusted:
    the payload's signature was verified). A customer seen this way for the first time is
    recorded."""
    customer = _id(obj.get("customer"))
    if customer:
        tenant = shop_of_customer(customer)
        if tenant is not None:
            return tenant
    metadata = obj.get("metadata") or {}
    if obj.get("object") == "invoice":
        metadata = _subscription_details(obj).get("metadata") or metadata
    ref = _pk(obj.get("client_reference_id") or metadata.get("zargar_tenant_id"))
    tenant = Tenant.objects.filter(pk=ref).first() if ref is not None else None
    if tenant is not None and customer:
        with tenant_context(tenant):  # a shop row: written in the shop's context (RLS)
            StripeCustomer.objects.get_or_create(tenant=tenant, defaults={"customer_id": customer, "livemode": bool(obj.get("livemode"))})
    return tenant


# --- entry points ------------------------------------------------------------------------------
@receiver(webhook_pre_process)
def _on_verified_delivery(sender, instance, **kwargs) -> None:
    """dj-stripe's `webhook_pre_process` signal: a delivery passed signature verification.

    Zargar applies the event here, inside dj-stripe's transaction. With `BILLING_STRIPE_SYNC_DJSTRIPE`
    off (the default) the event is then stored as received in dj-stripe's `Event` table, which
    dj-stripe's own processing treats as already handled: nothing is fetched from Stripe, and
    Zargar's state depends on the signed payload alone. Opted in, dj-stripe processes it its own
    way (`Event.process`: re-fetch the objects from Stripe into its tables); a failure there fails
    the whole delivery (Zargar's changes included) and Stripe retries it.
    """
    event = instance.json_body
    apply_event(event)
    if not getattr(settings, "BILLING_STRIPE_SYNC_DJSTRIPE", True):
        record_djstripe_event(event)


def record_djstripe_event(event: dict) -> None:
    """Store `event` in dj-stripe's `Event` table as received (no API call)."""
    from djstripe.models import Event

    request = event.get("request") if isinstance(event.get("request"), dict) else {}
    try:
        with transaction.atomic():
            Event.objects.get_or_create(
                id=event["id"],
                defaults={
                    "type": event.get("type", ""),
                    "data": event.get("data") or {},
                    "livemode": bool(event.get("livemode")),
                    "api_version": event.get("api_version") or "",
                    "created": _ts(event.get("created")),
                    "request_id": (request or {}).get("id") or "",
                    "idempotency_key": (request or {}).get("idempotency_key") or "",
                },
            )
    except IntegrityError:
        pass  # a concurrent delivery of the same event stored it first


def apply_event(event: dict) -> str:
    """Apply one Stripe event (the parsed JSON of a delivery) once.

    Returns "duplicate" for an event id already handled, else the recorded `StripeEvent.outcome`
    ("applied", "stale" or "ignored"). Raises `EventNotReady` (nothing recorded) when the event
    must wait for another one.
    """
    event_id, event_type = event["id"], event.get("type", "")
    created = _ts(event.get("created")) or dt.datetime.now(tz=dt.UTC)
    obj = (event.get("data") or {}).get("object") or {}
    with transaction.atomic():
        tenant = tenant_for(obj) if event_type in HANDLED else None
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event_id, type=event_type, created=created, outcome=Outcome.IGNORED)
        except IntegrityError:
            return "duplicate"
        if tenant is None:
            return Outcome.IGNORED
        with tenant_context(tenant):
            with connection.cursor() as cursor:  # one shop's events, one at a time
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('zargar.billing.stripe'), %s)", [tenant.pk])
            if event_type in SUBSCRIPTION_EVENTS:
                outcome = _on_subscription(tenant, obj, created)
            elif event_type in INVOICE_EVENTS:
                outcome = _on_invoice(tenant, event_type, obj, created)
            else:
                outcome = _on_checkout(tenant, obj, created)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return outcome


# --- subscription state ----------------------------------------------------------------------
def _version_from(metadata: dict) -> PlanVersion | None:
    ref = _pk((metadata or {}).get("zargar_plan_version"))
    return PlanVersion.objects.select_related("plan").filter(pk=ref).first() if ref is not None else None


def _sync_subscription(tenant, *, stripe_id: str, customer_id: str, at: dt.datetime, state: dict, metadata: dict) -> tuple[Subscription | None, str]:
    """Bring the shop's subscription to `state` (fields of `Subscription`) as of `at`.

    Creates it from `metadata` (plan version, cycle) when the shop has none; moves it to a new
    Stripe subscription when its current one has ended (a resubscription). Returns the row (or
    None when there is nothing to attach to) and the outcome.
    """
    from .actions import _mark_used, apply_entitlements

    sub = Subscription.objects.select_for_update().select_related("version").filter(tenant_id=tenant.pk).first()
    version = _version_from(metadata)
    cycle = (metadata or {}).get("zargar_cycle") or state.get("cycle")
    if sub is None:
        if version is None:
            return None, Outcome.IGNORED
        start = state.get("current_period_start") or at.date()
        cycle = cycle if cycle in ("monthly", "yearly") else "monthly"
        sub = Subscription(
            tenant_id=tenant.pk, version=version, cycle=cycle, status=S.ACTIVE, current_period_start=start, current_period_end=add_cycle(start, cycle)
        )
        old_version = None
    else:
        old_version = sub.version
        ended = sub.status in (S.CANCELED, S.EXPIRED)
        if sub.gateway_subscription_id and sub.gateway_subscription_id != stripe_id and not ended:
            return sub, Outcome.IGNORED  # an event of an older Stripe subscription of this shop
        if sub.gateway_subscription_id != stripe_id:
            sub.gateway_synced_at = None  # a new Stripe subscription (re)starts this row
            sub.cancel_at_period_end, sub.canceled_at, sub.scheduled_version, sub.scheduled_cycle = False, None, None, ""
            sub.failed_attempts, sub.next_payment_attempt_at = 0, None
        elif sub.gateway_synced_at is not None and at < sub.gateway_synced_at:
            return sub, Outcome.STALE
        if version is not None and version.pk != sub.version_id:
            sub.version = version
        if cycle in ("monthly", "yearly"):
            sub.cycle = cycle
    for field, value in state.items():
        if field != "cycle":
            setattr(sub, field, value)
    sub.gateway_subscription_id = stripe_id
    sub.gateway_customer_id = customer_id or sub.gateway_customer_id
    sub.gateway_synced_at = at
    sub.save()
    if old_version is None or old_version.pk != sub.version_id:
        _mark_used(sub.version)
        apply_entitlements(tenant, sub.version, old_version)
    return sub, Outcome.APPLIED


def _on_subscription(tenant, obj: dict, created: dt.datetime) -> str:
    status = STATUS_MAP.get(obj.get("status", ""))
    if status is None:
        return Outcome.IGNORED
    items = (obj.get("items") or {}).get("data") or [{}]
    item = items[0] or {}
    price = item.get("price") or item.get("plan") or {}
    interval = (price.get("recurring") or {}).get("interval") or price.get("interval")
    state = {
        "status": status,
        "cancel_at_period_end": bool(obj.get("cancel_at_period_end")),
        "canceled_at": _ts(obj.get("canceled_at")),
        "trial_end": _date(obj.get("trial_end")),
    }
    start = _date(obj.get("current_period_start") or item.get("current_period_start"))
    end = _date(obj.get("current_period_end") or item.get("current_period_end"))
    if start and end:
        state["current_period_start"], state["current_period_end"] = start, end
    if interval in ("month", "year"):
        state["cycle"] = "monthly" if interval == "month" else "yearly"
    at = created + dt.timedelta(microseconds=_PRECEDENCE["subscription"])
    _sub, outcome = _sync_subscription(tenant, stripe_id=obj["id"], customer_id=_id(obj.get("customer")), at=at, state=state, metadata=obj.get("metadata") or {})
    return outcome


def _on_checkout(tenant, obj: dict, created: dt.datetime) -> str:
    stripe_id = _id(obj.get("subscription"))
    if obj.get("mode") != "subscription" or not stripe_id:
        return Outcome.IGNORED
    metadata = obj.get("metadata") or {}
    existing = Subscription.objects.filter(tenant_id=tenant.pk).values_list("gateway_subscription_id", flat=True).first()
    if existing == stripe_id:
        return Outcome.APPLIED  # the subscription's own events already brought its state
    version = _version_from(metadata)
    trialing = bool(version and version.trial_days) and obj.get("payment_status") == "no_payment_required"
    state = {"status": S.TRIALING if trialing else S.ACTIVE}
    if trialing:
        state["current_period_start"] = created.date()
        state["current_period_end"] = state["trial_end"] = created.date() + dt.timedelta(days=version.trial_days)
    else:
        cycle = metadata.get("zargar_cycle") if metadata.get("zargar_cycle") in ("monthly", "yearly") else "monthly"
        state["current_period_start"], state["current_period_end"] = created.date(), add_cycle(created.date(), cycle)
    at = created + dt.timedelta(microseconds=_PRECEDENCE["checkout"])
    _sub, outcome = _sync_subscription(tenant, stripe_id=stripe_id, customer_id=_id(obj.get("customer")), at=at, state=state, metadata=metadata)
    return outcome


# --- invoices ----------------------------------------------------------------------------------
def _on_invoice(tenant, event_type: str, obj: dict, created: dt.datetime) -> str:
    stripe_sub = _invoice_subscription_id(obj)
    if not stripe_sub:
        return Outcome.IGNORED  # a one-off invoice outside subscriptions
    at = created + dt.timedelta(microseconds=_PRECEDENCE["invoice"])
    metadata = _subscription_details(obj).get("metadata") or {}
    lines = _lines(obj)
    period = (lines[0].get("period") or {}) if lines else {}
    state: dict = {}
    if event_type == "invoice.paid":
        state = {"status": S.ACTIVE}
    elif event_type == "invoice.payment_failed":
        state = {"status": S.PAST_DUE}
    if state and obj.get("billing_reason") in ("subscription_create", "subscription_cycle") and period.get("start") and period.get("end"):
        state["current_period_start"], state["current_period_end"] = _date(period["start"]), _date(period["end"])
    if state:
        sub, outcome = _sync_subscription(tenant, stripe_id=stripe_sub, customer_id=_id(obj.get("customer")), at=at, state=state, metadata=metadata)
    else:
        sub = Subscription.objects.select_for_update().filter(tenant_id=tenant.pk, gateway_subscription_id=stripe_sub).first()
        outcome = Outcome.APPLIED
    if sub is None:
        raise EventNotReady(f"No subscription {stripe_sub} for this shop yet.")
    if sub.gateway_subscription_id != stripe_sub:
        return Outcome.IGNORED
    invoice_outcome = _sync_invoice(tenant, sub, obj, at)
    if event_type in ("invoice.paid", "invoice.payment_failed"):
        PaymentAttempt.objects.create(
            tenant_id=tenant.pk,
            invoice=Invoice.objects.get(gateway_invoice_id=obj["id"]),
            succeeded=event_type == "invoice.paid",
            code="" if event_type == "invoice.paid" else "payment_failed",
            message="" if event_type == "invoice.paid" else f"Stripe attempt {obj.get('attempt_count') or 1} failed",
            gateway="stripe",
        )
    _count_failed_attempts(sub)
    return Outcome.APPLIED if Outcome.APPLIED in (outcome, invoice_outcome) else Outcome.STALE


def _count_failed_attempts(sub: Subscription) -> None:
    """`failed_attempts` = the failed payments of the shop's latest Stripe invoice while it is
    unpaid (open or uncollectible), else 0. Derived from the recorded attempts, so it is the
    same whatever order the events came in. (Stripe schedules the retries itself: Zargar keeps
    no `next_payment_attempt_at` for the subscriptions Stripe bills.)"""
    latest = Invoice.objects.filter(subscription=sub).exclude(gateway_invoice_id="").order_by("-period_start", "-id").first()
    failed = 0
    if latest is not None and latest.status in (Invoice.Status.OPEN, Invoice.Status.UNCOLLECTIBLE):
        failed = latest.attempts.filter(succeeded=False).count()
    if (sub.failed_attempts, sub.next_payment_attempt_at) != (failed, None):
        sub.failed_attempts, sub.next_payment_attempt_at = failed, None
        sub.save(update_fields=["failed_attempts", "next_payment_attempt_at", "updated_at"])


def _sync_invoice(tenant, sub: Subscription, obj: dict, at: dt.datetime) -> str:
    """Mirror Stripe's invoice `obj` into a Zargar invoice (numbered in Zargar's sequence)."""
    from .actions import next_invoice_number

    status = INVOICE_STATUS.get(obj.get("status", ""), Invoice.Status.OPEN)
    lines = _lines(obj)
    period = (lines[0].get("period") or {}) if lines else {}
    transitions = obj.get("status_transitions") or {}
    payment = _id(obj.get("payment_intent")) or _id(obj.get("charge"))
    invoice = Invoice.objects.select_for_update().filter(gateway_invoice_id=obj["id"]).first()
    if invoice is not None and invoice.gateway_synced_at is not None and at < invoice.gateway_synced_at:
        return Outcome.STALE
    values = {
        "status": status,
        "total_minor": int(obj.get("total") or 0),
        "currency": (obj.get("currency") or sub.version.currency).upper(),
        "paid_at": _ts(transitions.get("paid_at")) if status == Invoice.Status.PAID else None,
        "gateway_synced_at": at,
    }
    if payment:
        values["gateway_charge_id"] = payment
    if invoice is None:
        invoice = Invoice.objects.create(
            tenant_id=tenant.pk,
            subscription=sub,
            number=next_invoice_number(at.year),
            gateway_invoice_id=obj["id"],
            period_start=_date(period.get("start") or obj.get("period_start")),
            period_end=_date(period.get("end") or obj.get("period_end")),
            **values,
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    tenant_id=tenant.pk,
                    invoice=invoice,
                    description=(line.get("description") or "")[:255],
                    amount_minor=int(line.get("amount") or 0),
                    proration=bool(line.get("proration") or ((line.get("parent") or {}).get("subscription_item_details") or {}).get("proration")),
                )
                for line in lines
            ]
        )
        return Outcome.APPLIED
    for field, value in values.items():
        setattr(invoice, field, value)
    invoice.save(update_fields=list(values))
    return Outcome.APPLIED
