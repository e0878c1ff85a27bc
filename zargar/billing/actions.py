"""Writes of billing: plans and versions, subscriptions, invoices, payments, overrides.

Every action is atomic and takes the shop (`tenant`) explicitly; shop rows are written inside
`tenant_context(tenant)` (RLS). Dates (`today`) default to the current UTC date and can be given
for tests and back-dated operations. Amounts on invoices are integers in the currency's minor
unit; see `proration` for the formula used on plan changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from .gateways import GatewayError, get_gateway
from .models import (
    BillingCycle,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    LimitOverride,
    LimitPolicy,
    Metric,
    PaymentAttempt,
    Plan,
    PlanVersion,
    Subscription,
    SubscriptionStatus,
    SubscriptionStatusOverride,
)
from .proration import add_cycle, prorate, to_minor

S = SubscriptionStatus


class BillingError(Exception):
    """A refused billing action; `str(error)` is a user-facing message."""


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.now().date()


def retry_schedule_days() -> list[int]:
    """Days after each failed charge when it is tried again; after the last, the subscription
    is canceled (`settings.BILLING_RETRY_SCHEDULE_DAYS`, default [1, 3, 5])."""
    return list(getattr(settings, "BILLING_RETRY_SCHEDULE_DAYS", [1, 3, 5]))


# --- Plans --------------------------------------------------------------------------------------
def _set_limits(version: PlanVersion, limits) -> None:
    """`limits`: {metric: limit} or {metric: (limit, [thresholds])}."""
    for metric, spec in (limits or {}).items():
        limit, thresholds = (spec, []) if isinstance(spec, int) else (spec[0], list(spec[1]))
        LimitPolicy.objects.create(version=version, metric=Metric(metric), limit=int(limit), thresholds=thresholds)


@transaction.atomic
def create_plan(*, code: str, name: str, monthly_price, yearly_price, currency: str = "USD", description: str = "", trial_days: int = 0, modules=(), limits=None) -> Plan:
    """Create a plan with its version 1. Prices are `Decimal` amounts in `currency`."""
    plan = Plan.objects.create(code=code, name=name, description=description)
    version = PlanVersion.objects.create(
        plan=plan, number=1, currency=currency.upper(), monthly_price=Decimal(monthly_price), yearly_price=Decimal(yearly_price), trial_days=trial_days, modules=list(modules)
    )
    _set_limits(version, limits)
    return plan


_VERSION_FIELDS = ("currency", "monthly_price", "yearly_price", "trial_days", "modules")


@transaction.atomic
def save_plan_version(plan: Plan, *, name: str | None = None, description: str | None = None, limits=None, **fields) -> PlanVersion:
    """Edit a plan: creates version n+1 from the current one with `fields` changed (and the
    limits replaced when `limits` is given). Existing subscriptions keep their version."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if name is not None:
        plan.name = name
    if description is not None:
        plan.description = description
    plan.save()
    current = plan.current_version
    values = {f: getattr(current, f) for f in _VERSION_FIELDS} if current else {}
    values.update({k: v for k, v in fields.items() if k in _VERSION_FIELDS and v is not None})
    for price in ("monthly_price", "yearly_price"):
        values[price] = Decimal(values[price])
    version = PlanVersion.objects.create(plan=plan, number=(current.number + 1 if current else 1), **values)
    if limits is None and current is not None:
        for policy in current.limits.all():
            LimitPolicy.objects.create(version=version, metric=policy.metric, limit=policy.limit, thresholds=policy.thresholds)
    else:
        _set_limits(version, limits)
    return version


def set_plan_archived(plan: Plan, archived: bool) -> Plan:
    Plan.objects.filter(pk=plan.pk).update(archived=archived)
    plan.refresh_from_db()
    return plan


def _mark_used(version: PlanVersion) -> None:
    PlanVersion.objects.filter(pk=version.pk, used=False).update(used=True)


# --- Entitlements ------------------------------------------------------------------------------
def apply_entitlements(tenant, new: PlanVersion, old: PlanVersion | None = None) -> None:
    """Switch on the modules of `new`; switch off those only `old` had. Unknown keys are skipped."""
    from zargar.tenancy.actions import set_module_enabled

    for key in new.modules or []:
        try:
            set_module_enabled(tenant, key, True, cascade=True)
        except KeyError:
            continue
    for key in set(old.modules or []) - set(new.modules or []) if old else ():
        try:
            set_module_enabled(tenant, key, False, cascade=True)
        except KeyError:
            continue


# --- Invoices ----------------------------------------------------------------------------------
def next_invoice_number(year: int) -> str:
    """The next platform-wide number of `year`, e.g. "INV-2026-000001".

    Gap-free: the year's counter row is locked (`SELECT … FOR UPDATE`) and incremented in the
    caller's transaction, so a rolled-back invoice also rolls back its number and concurrent
    invoices wait for each other. Must run inside `transaction.atomic()`.
    """
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year)], ignore_conflicts=True)
    seq = InvoiceSequence.objects.select_for_update().get(year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return f"INV-{year}-{seq.last_number:06d}"


def create_invoice(sub: Subscription, lines: list[tuple[str, int, bool]], *, period: tuple[dt.date, dt.date] | None = None) -> Invoice:
    """An invoice of `sub` with `lines` [(description, amount_minor, is_proration)].

    The shop's credit balance is applied to a positive total; a negative total (a downgrade)
    goes to the credit balance and the invoice is settled at once (status paid, nothing charged).
    """
    with tenant_context(sub.tenant_id), transaction.atomic():
        lines = list(lines)
        total = sum(amount for _, amount, _ in lines)
        if total > 0 and sub.credit_minor > 0:
            applied = min(sub.credit_minor, total)
            lines.append((_("Applied account balance"), -applied, False))
            sub.credit_minor -= applied
            total -= applied
        invoice = Invoice.objects.create(
            tenant_id=sub.tenant_id,
            subscription=sub,
            number=next_invoice_number(timezone.now().year),
            currency=sub.version.currency,
            total_minor=total,
            period_start=period[0] if period else sub.current_period_start,
            period_end=period[1] if period else sub.current_period_end,
        )
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(tenant_id=sub.tenant_id, invoice=invoice, description=str(d)[:255], amount_minor=a, proration=p) for d, a, p in lines]
        )
        if total <= 0:
            sub.credit_minor += -total
            invoice.status = Invoice.Status.PAID
            invoice.paid_at = timezone.now()
            invoice.save(update_fields=["status", "paid_at"])
        sub.save()
        return invoice


def pay_invoice(invoice: Invoice, *, now: dt.datetime | None = None) -> bool:
    """Charge an open invoice through the gateway; returns True when paid.

    Success: invoice paid, subscription active. Decline or gateway error: the attempt is
    recorded, the subscription goes past_due and its next attempt is scheduled
    (`retry_schedule_days`); after the last scheduled retry fails it is canceled and the
    invoice marked uncollectible.
    """
    now = now or timezone.now()
    gateway = get_gateway()
    with tenant_context(invoice.tenant_id), transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        sub = Subscription.objects.select_for_update().select_related("version").get(pk=invoice.subscription_id)
        if invoice.status != Invoice.Status.OPEN:
            return invoice.status == Invoice.Status.PAID
        try:
            result = gateway.charge(invoice)
            ok, code, message, charge_id = result.succeeded, result.code, result.message, result.charge_id
        except GatewayError as exc:
            ok, code, message, charge_id = False, "gateway_error", str(exc), ""
        PaymentAttempt.objects.create(tenant_id=invoice.tenant_id, invoice=invoice, succeeded=ok, code=code, message=message[:255], gateway=gateway.name)
        if ok:
            invoice.status, invoice.paid_at, invoice.gateway_charge_id = Invoice.Status.PAID, now, charge_id
            invoice.save(update_fields=["status", "paid_at", "gateway_charge_id"])
            if sub.status != S.ACTIVE:
                sub.activate()
            else:
                sub.failed_attempts, sub.next_payment_attempt_at = 0, None
            sub.save()
            return True
        schedule = retry_schedule_days()
        sub.failed_attempts += 1
        if sub.failed_attempts > len(schedule):
            invoice.status = Invoice.Status.UNCOLLECTIBLE
            invoice.save(update_fields=["status"])
            sub.cancel()
        else:
            if sub.status != S.PAST_DUE:
                sub.mark_past_due()
            sub.next_payment_attempt_at = now + dt.timedelta(days=schedule[sub.failed_attempts - 1])
        sub.save()
        return False


def retry_due_payment(tenant, *, now: dt.datetime | None = None) -> bool | None:
    """Retry the open invoice of a past_due subscription whose next attempt is due. Returns
    None when nothing was due. A subscription under an operator status override is skipped."""
    now = now or timezone.now()
    with tenant_context(tenant):
        sub = Subscription.objects.filter(tenant_id=tenant.pk, status=S.PAST_DUE, next_payment_attempt_at__lte=now).first()
        if sub is None or sub.managed_by_gateway or sub.active_override is not None:
            return None  # Stripe retries the payments of the subscriptions it bills
        invoice = sub.invoices.filter(status=Invoice.Status.OPEN).order_by("issued_at", "id").first()
    if invoice is None:
        return None
    return pay_invoice(invoice, now=now)


# --- Subscriptions -----------------------------------------------------------------------------
def _lines_for_period(version: PlanVersion, cycle: str, start: dt.date, end: dt.date) -> list[tuple[str, int, bool]]:
    label = _("%(plan)s (%(cycle)s), %(start)s – %(end)s") % {"plan": version.plan.name, "cycle": BillingCycle(cycle).label, "start": start, "end": end}
    return [(label, to_minor(version.price(cycle), version.currency), False)]


def subscribe(tenant, version: PlanVersion, *, cycle: str = BillingCycle.MONTHLY, today: dt.date | None = None, email: str = "") -> Subscription:
    """Start `tenant`'s subscription on `version`. With trial days it starts `trialing` (no
    invoice until the trial ends); otherwise the first period is invoiced and charged now.
    A shop whose subscription ended (canceled or expired) starts again on the same row.
    Raises `BillingError` when the shop has a subscription in force, the plan is archived or the
    gateway cannot register the shop (nothing is written then)."""
    today = _today(today)
    cycle = BillingCycle(cycle)
    if version.plan.archived:
        raise BillingError(_("This plan is no longer offered."))
    with tenant_context(tenant), transaction.atomic():
        ended = Subscription.objects.select_for_update().select_related("version").filter(tenant_id=tenant.pk).first()
        if ended is not None and ended.status not in (S.CANCELED, S.EXPIRED):
            raise BillingError(_("This shop already has a subscription; change its plan instead."))
        try:
            customer = get_gateway().create_customer(tenant, email=email)
        except GatewayError as exc:
            raise BillingError(_("The payment provider could not be reached; nothing was changed. Please try again. (%(error)s)") % {"error": exc}) from exc
        _mark_used(version)
        trial_end = today + dt.timedelta(days=version.trial_days) if version.trial_days else None
        end = trial_end or add_cycle(today, cycle)
        values = {
            "version": version, "cycle": cycle, "status": S.TRIALING if trial_end else S.ACTIVE, "trial_end": trial_end,
            "current_period_start": today, "current_period_end": end, "gateway_customer_id": customer,
        }
        if ended is None:
            sub = Subscription.objects.create(tenant_id=tenant.pk, **values)
        else:  # one subscription row per shop: an ended one starts again (its invoices stay)
            sub = ended
            restart = {
                "cancel_at_period_end": False, "canceled_at": None, "scheduled_version": None, "scheduled_cycle": "", "failed_attempts": 0,
                "next_payment_attempt_at": None, "gateway_subscription_id": "", "gateway_synced_at": None,
            }
            for field, value in {**values, **restart}.items():
                setattr(sub, field, value)
            sub.save()
        invoice = None if trial_end else create_invoice(sub, _lines_for_period(version, cycle, today, end))
        apply_entitlements(tenant, version, ended.version if ended is not None else None)
    if invoice is not None and invoice.status == Invoice.Status.OPEN:
        pay_invoice(invoice)
    return get_subscription(tenant)


def get_subscription(tenant) -> Subscription | None:
    with tenant_context(tenant):
        return Subscription.objects.select_related("version__plan").filter(tenant_id=tenant.pk).first()


def _locked(tenant) -> Subscription:
    sub = Subscription.objects.select_for_update().select_related("version__plan").filter(tenant_id=tenant.pk).first()
    if sub is None:
        raise BillingError(_("This shop has no subscription."))
    return sub


def change_plan(tenant, version: PlanVersion, *, cycle: str | None = None, when: str = "now", today: dt.date | None = None) -> tuple[Subscription, Invoice | None]:
    """Upgrade or downgrade to `version` (and/or `cycle`).

    `when="now"`: prorated at once (see `proration`); the net is invoiced and charged (positive)
    or added to the credit balance (negative). A cycle change restarts the period today.
    `when="period_end"`: recorded as the scheduled change, applied by renewal.
    Returns (subscription, invoice or None). Raises `BillingError`.
    """
    today = _today(today)
    if version.plan.archived:
        raise BillingError(_("This plan is no longer offered."))
    invoice = None
    with tenant_context(tenant), transaction.atomic():
        sub = _locked(tenant)
        new_cycle = BillingCycle(cycle or sub.cycle)
        if sub.status in (S.CANCELED, S.EXPIRED):
            raise BillingError(_("This subscription has ended; start a new one."))
        if sub.managed_by_gateway:
            raise BillingError(_("Stripe bills this subscription: change the plan in the billing portal."))
        if version.pk == sub.version_id and new_cycle == sub.cycle:
            raise BillingError(_("This is already your plan."))
        _mark_used(version)
        if when == "period_end":
            sub.scheduled_version, sub.scheduled_cycle = version, new_cycle
            sub.save()
            return sub, None
        old = sub.version
        if sub.status == S.TRIALING:
            sub.version, sub.cycle = version, new_cycle
            sub.save()
        else:
            p = prorate(
                old_price_minor=to_minor(old.price(sub.cycle), old.currency),
                new_price_minor=to_minor(version.price(new_cycle), version.currency),
                period_start=sub.current_period_start,
                period_end=sub.current_period_end,
                change_date=today,
                old_cycle=sub.cycle,
                new_cycle=new_cycle,
            )
            lines = [
                (_("Unused time on %(plan)s after %(date)s") % {"plan": old.plan.name, "date": today}, p.credit_minor, True),
                (
                    (_("Remaining time on %(plan)s from %(date)s") if new_cycle == sub.cycle else _("%(plan)s (%(cycle)s) from %(date)s"))
                    % {"plan": version.plan.name, "date": today, "cycle": BillingCycle(new_cycle).label},
                    p.charge_minor,
                    True,
                ),
            ]
            sub.version, sub.cycle = version, new_cycle
            sub.current_period_start, sub.current_period_end = p.new_period_start, p.new_period_end
            sub.scheduled_version, sub.scheduled_cycle = None, ""
            sub.save()
            invoice = create_invoice(sub, lines, period=(today, p.new_period_end))
        apply_entitlements(tenant, version, old)
    if invoice is not None and invoice.status == Invoice.Status.OPEN:
        pay_invoice(invoice)
        with tenant_context(tenant):
            invoice.refresh_from_db()
    return get_subscription(tenant), invoice


def cancel_subscription(tenant, *, at_period_end: bool = True) -> Subscription:
    """Cancel now (status canceled) or at the end of the period (expires at renewal). A
    Stripe-billed subscription is canceled at Stripe too (its webhook confirms the state)."""
    with tenant_context(tenant), transaction.atomic():
        sub = _locked(tenant)
        if sub.status in (S.CANCELED, S.EXPIRED):
            raise BillingError(_("This subscription has already ended."))
        if sub.managed_by_gateway:
            try:
                get_gateway().cancel_subscription(sub.gateway_subscription_id, at_period_end=at_period_end)
            except (GatewayError, AttributeError) as exc:
                raise BillingError(_("Stripe could not cancel the subscription: %(error)s") % {"error": exc}) from exc
        if at_period_end:
            sub.cancel_at_period_end = True
        else:
            sub.cancel()
        sub.save()
        return sub


def resume_subscription(tenant) -> Subscription:
    """Undo a cancellation scheduled for the period end."""
    with tenant_context(tenant), transaction.atomic():
        sub = _locked(tenant)
        sub.cancel_at_period_end = False
        sub.save()
        return sub


def renew(tenant, *, today: dt.date | None = None) -> Invoice | None:
    """At or after the period end: apply a scheduled change, expire a subscription canceled at
    period end, else start the next period and invoice (and charge) it. Returns the invoice."""
    today = _today(today)
    invoice = None
    with tenant_context(tenant), transaction.atomic():
        sub = Subscription.objects.select_for_update().select_related("version__plan").filter(tenant_id=tenant.pk).first()
        if sub is None or sub.managed_by_gateway or sub.current_period_end > today or sub.status in (S.CANCELED, S.EXPIRED, S.PAST_DUE):
            return None  # Stripe renews the subscriptions it bills (webhooks bring the new period)
        if sub.cancel_at_period_end:
            sub.expire()
            sub.save()
            return None
        old = sub.version
        if sub.scheduled_version_id:
            sub.version, sub.cycle = sub.scheduled_version, sub.scheduled_cycle or sub.cycle
            sub.scheduled_version, sub.scheduled_cycle = None, ""
        start = sub.current_period_end
        end = add_cycle(start, sub.cycle)
        sub.current_period_start, sub.current_period_end = start, end
        sub.save()
        if sub.version_id != old.pk:
            apply_entitlements(tenant, sub.version, old)
        invoice = create_invoice(sub, _lines_for_period(sub.version, sub.cycle, start, end))
    if invoice.status == Invoice.Status.OPEN:
        pay_invoice(invoice)
        with tenant_context(tenant):
            invoice.refresh_from_db()
    return invoice


# --- Operator actions ----------------------------------------------------------------------------
def move_subscription_to_version(tenant, version: PlanVersion, *, operator=None) -> Subscription:
    """Operator: move a subscription to another version (e.g. the plan's newest) without
    proration; the new price applies from the next renewal."""
    with tenant_context(tenant, user=operator), transaction.atomic():
        sub = _locked(tenant)
        old = sub.version
        _mark_used(version)
        sub.version = version
        sub.save()
        apply_entitlements(tenant, version, old)
        return sub


def set_status_override(tenant, *, operator, status: str, reason: str) -> SubscriptionStatusOverride:
    """Operator: force the subscription's visible status until lifted (audited)."""
    if not reason.strip():
        raise BillingError(_("Give a reason for the override."))
    status = SubscriptionStatus(status)
    with tenant_context(tenant, user=operator), transaction.atomic():
        sub = _locked(tenant)
        now = timezone.now()
        SubscriptionStatusOverride.objects.filter(subscription=sub, lifted_at=None).update(lifted_at=now, lifted_by=operator, lift_reason="replaced")
        return SubscriptionStatusOverride.objects.create(tenant_id=tenant.pk, subscription=sub, status=status, reason=reason.strip(), operator=operator)


def lift_status_override(tenant, *, operator, reason: str = "") -> int:
    """Operator: lift the override in force; returns how many were lifted (0 or 1)."""
    from .access import forget

    with tenant_context(tenant, user=operator), transaction.atomic():
        lifted = SubscriptionStatusOverride.objects.filter(tenant_id=tenant.pk, lifted_at=None).update(lifted_at=timezone.now(), lifted_by=operator, lift_reason=reason)
        forget(tenant.pk)  # a queryset update sends no post_save: drop the cached access answer
        return lifted


def set_limit_override(tenant, metric: str, limit: int | None, *, reason: str = "") -> LimitOverride | None:
    """Operator: set (or with `limit=None` remove) a shop's own limit for `metric`."""
    metric = Metric(metric)
    with tenant_context(tenant), transaction.atomic():
        if limit is None:
            LimitOverride.objects.filter(tenant_id=tenant.pk, metric=metric).delete()
            return None
        if int(limit) < 0:
            raise ValidationError({"limit": [_("The limit cannot be negative.")]})
        override, _created = LimitOverride.objects.update_or_create(tenant_id=tenant.pk, metric=metric, defaults={"limit": int(limit), "reason": reason})
        return override
