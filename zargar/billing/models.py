"""Billing tables.

Platform-wide (no tenant_id, no RLS): `Plan`, `PlanVersion`, `LimitPolicy`, `InvoiceSequence`.
A shop's data (TenantModel, RLS): `Subscription`, `LimitOverride`, `UsageEvent`, `DailyUsage`,
`ThresholdNotice`, `Invoice`, `InvoiceLine`, `PaymentAttempt`, `SubscriptionStatusOverride`.
Stripe: `StripeCustomer` (Stripe customer → shop; RLS, outside any shop's context one row is
readable by naming its customer id in `app.stripe_customer_id`)
and `StripeEvent` (platform-wide: every webhook event id processed, once).

Money is stored as `Decimal` in the plan's currency on plans, and as integers in the currency's
minor unit (e.g. cents) on invoices, where proration rounding happens (see `proration`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from zargar.tenancy.models import TenantModel
from zargar.tenancy.rls import TENANT_SETTING, TenantIsolationPolicy, setting_sql


class Metric(models.TextChoices):
    USERS = "users", _("Users")
    ITEMS = "items", _("Items")
    BRANCHES = "branches", _("Branches")
    TERMINALS = "terminals", _("Terminals")
    API_CALLS_PER_MONTH = "api_calls_per_month", _("API calls per month")
    STORAGE_MB = "storage_mb", _("Storage (MB)")


#: Gauges are counted from their source tables at check time; the rest are metered events.
GAUGE_METRICS = frozenset({Metric.USERS, Metric.ITEMS, Metric.BRANCHES, Metric.TERMINALS})
DEFAULT_THRESHOLDS = [75, 90, 100]


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class Plan(models.Model):
    """A plan's stable identity (`code`); prices and limits live on its versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("plan")

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "PlanVersion | None":
        return self.versions.order_by("-number").first()


class PlanVersion(models.Model):
    """One immutable set of prices, trial, entitlements and limits of a plan.

    Once a subscription uses a version, saving changes to it raises `ValidationError`: editing a
    plan creates a new version (`actions.save_plan_version`). `modules` lists the module keys the
    version switches on (entitlements).
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    currency = models.CharField(_("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code"))
    monthly_price = models.DecimalField(_("monthly price"), max_digits=12, decimal_places=2)
    yearly_price = models.DecimalField(_("yearly price"), max_digits=12, decimal_places=2)
    trial_days = models.PositiveIntegerField(_("trial days"), default=0)
    modules = models.JSONField(_("modules"), default=list, blank=True)
    # Subscriptions are tenant rows (RLS), invisible platform-wide: this flag records use.
    used = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="billing_planversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"

    def price(self, cycle: str):
        return self.monthly_price if cycle == BillingCycle.MONTHLY else self.yearly_price


    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("allow_frozen", False):
            stored = PlanVersion.objects.filter(pk=self.pk).values("used").first()
            if stored and stored["used"]:
                raise ValidationError(_("This plan version is used by subscriptions and cannot change; edit the plan to create a new version."))
        super().save(*args, **kwargs)


class LimitPolicy(models.Model):
    """A limit of one metric on a plan version, with warning thresholds (percent of the limit)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="limits")
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    limit = models.PositiveBigIntegerField(_("limit"))
    thresholds = models.JSONField(_("warning thresholds (%)"), default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "metric"], name="billing_limitpolicy_unique_metric")]

    def __str__(self) -> str:
        return f"{self.metric} ≤ {self.limit}"

    def threshold_list(self) -> list[int]:
        return sorted({int(t) for t in (self.thresholds or DEFAULT_THRESHOLDS)})


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", _("Trialing")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    CANCELED = "canceled", _("Canceled")
    EXPIRED = "expired", _("Expired")


S = SubscriptionStatus


class Subscription(TenantModel):
    """A shop's subscription to one plan version. One per shop.

    Periods are dates: `[current_period_start, current_period_end)`. `credit_minor` is the shop's
    credit balance (minor units) from downgrade prorations, applied to the next invoice.
    A pending change (`scheduled_version` / `scheduled_cycle`) is applied at renewal.
    """

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    cycle = models.CharField(_("billing cycle"), max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY)
    status = FSMField(_("status"), default=S.TRIALING, choices=S.choices, protected=False)
    trial_end = models.DateField(null=True, blank=True)
    current_period_start = models.DateField()
    current_period_end = models.DateField()
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    scheduled_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scheduled_cycle = models.CharField(max_length=10, choices=BillingCycle.choices, blank=True)
    credit_minor = models.BigIntegerField(default=0)
    failed_attempts = models.PositiveIntegerField(default=0)
    next_payment_attempt_at = models.DateTimeField(null=True, blank=True)
    gateway_customer_id = models.CharField(max_length=64, blank=True)
    #: Set when Stripe runs this subscription (Checkout): its lifecycle then comes from webhooks.
    gateway_subscription_id = models.CharField(max_length=64, blank=True)
    #: `created` of the newest Stripe event applied to this row; older events do not overwrite it.
    gateway_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant"], name="billing_subscription_one_per_shop"),
        ]

    @property
    def managed_by_gateway(self) -> bool:
        """True when Stripe bills this subscription (renewals and dunning happen there)."""
        return bool(self.gateway_subscription_id)

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.version} ({self.status})"

    @property
    def price(self):
        return self.version.price(self.cycle)

    @property
    def active_override(self) -> "SubscriptionStatusOverride | None":
        from zargar.tenancy.context import tenant_context

        with tenant_context(self.tenant_id):  # a shop row: read inside its shop (RLS)
            return self.status_overrides.filter(lifted_at=None).order_by("-created_at").first()

    @property
    def effective_status(self) -> str:
        """The operator's override while one is in force, else the lifecycle status."""
        override = self.active_override
        return override.status if override else self.status

    # --- lifecycle (django-fsm) ---
    @transition(field=status, source=[S.TRIALING, S.PAST_DUE, S.ACTIVE], target=S.ACTIVE)
    def activate(self):
        self.failed_attempts = 0
        self.next_payment_attempt_at = None

    @transition(field=status, source=[S.TRIALING, S.ACTIVE, S.PAST_DUE], target=S.PAST_DUE)
    def mark_past_due(self):
        pass

    @transition(field=status, source=[S.TRIALING, S.ACTIVE, S.PAST_DUE], target=S.CANCELED)
    def cancel(self):
        from django.utils import timezone

        self.canceled_at = timezone.now()
        self.next_payment_attempt_at = None

    @transition(field=status, source=[S.TRIALING, S.ACTIVE, S.PAST_DUE, S.CANCELED], target=S.EXPIRED)
    def expire(self):
        self.next_payment_attempt_at = None


class SubscriptionStatusOverride(TenantModel):
    """An operator's manual status for a subscription; in force until `lifted_at` is set."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="status_overrides")
    status = models.CharField(max_length=16, choices=S.choices)
    reason = models.TextField()
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [*TenantModel.Meta.constraints]


class LimitOverride(TenantModel):
    """A per-shop limit for one metric that replaces the plan's, without changing the plan."""

    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    limit = models.PositiveBigIntegerField(_("limit"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "metric"], name="billing_limitoverride_unique_metric"),
        ]


class UsageEvent(TenantModel):
    """Append-only metered usage, rolled up into `DailyUsage` and then deleted (see `usage`)."""

    metric = models.CharField(max_length=32, choices=Metric.choices)
    quantity = models.BigIntegerField(default=1)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "metric", "occurred_at"], name="billing_usage_tmo")]
        constraints = [*TenantModel.Meta.constraints]


class DailyUsage(TenantModel):
    """Rolled-up usage history: one row per shop, metric and UTC date."""

    metric = models.CharField(max_length=32, choices=Metric.choices)
    date = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "metric", "date"], name="billing_dailyusage_unique_day"),
        ]
        ordering = ["-date"]


class ThresholdNotice(TenantModel):
    """One sent threshold warning per shop, metric, threshold and period (its uniqueness is what
    makes the notification go out once)."""

    metric = models.CharField(max_length=32, choices=Metric.choices)
    threshold = models.PositiveSmallIntegerField()
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "metric", "threshold", "period_start"], name="billing_notice_once"),
        ]


class InvoiceSequence(models.Model):
    """The platform-wide, gap-free invoice counter of one year (locked row per number)."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)


class Invoice(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")
        UNCOLLECTIBLE = "uncollectible", _("Uncollectible")

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=24, unique=True)
    currency = models.CharField(max_length=3)
    total_minor = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    gateway_charge_id = models.CharField(max_length=64, blank=True)
    #: The Stripe invoice (in_…) this row mirrors, for invoices Stripe issued.
    gateway_invoice_id = models.CharField(max_length=64, blank=True)
    gateway_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["gateway_invoice_id"], condition=~models.Q(gateway_invoice_id=""), name="billing_invoice_unique_gateway_invoice"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=255)
    amount_minor = models.BigIntegerField()
    proration = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [*TenantModel.Meta.constraints]


class PaymentAttempt(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attempts")
    succeeded = models.BooleanField()
    code = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=255, blank=True)
    gateway = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)


#: Transaction setting naming the one Stripe customer whose row may be read outside any shop.
STRIPE_CUSTOMER_SETTING = "app.stripe_customer_id"


class StripeCustomer(TenantModel):
    """Which shop a Stripe customer (cus_…) is.

    A shop's row (RLS: written only in the shop's context), with one narrow widening for reads:
    outside any shop's context (`app.tenant_id` unset, as in the Stripe webhook, which must find
    the shop from a customer id before it can enter that shop) the row whose `customer_id`
    equals the transaction setting `app.stripe_customer_id` can be read — a lookup by a known
    id (`stripe_events.shop_of_customer`), never a listing. Inside a shop's context only that
    shop's row is visible. It holds ids only.
    """

    customer_id = models.CharField(max_length=64, unique=True)
    livemode = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            TenantIsolationPolicy(
                name="billing_stripecustomer_tenant_isolation",
                extra_using=f"{setting_sql(TENANT_SETTING)} IS NULL AND customer_id = {setting_sql(STRIPE_CUSTOMER_SETTING, 'text')}",
            ),
            models.UniqueConstraint(fields=["tenant"], name="billing_stripecustomer_one_per_shop"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.tenant_id}"


class StripeEvent(models.Model):
    """One Stripe webhook event (evt_…) Zargar has handled: the unique `event_id` is what makes
    a repeated or concurrent delivery apply once. Platform-wide (Stripe's ids, type, time and
    outcome; nothing of the shop's): the shop is known only after reading the event."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        STALE = "stale", _("Older than the state already applied")
        IGNORED = "ignored", _("Ignored")

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text=_("Stripe's creation time of the event"))
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type}: {self.outcome})"
