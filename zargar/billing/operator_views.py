"""Operator pages: plans, versions and limits at /operator/plans/, every shop's subscription,
and one shop's billing at /operator/shops/<slug>/billing/ (OperatorOnlyMiddleware guards
/operator/; `operator_required` checks again).

Cross-shop reads go shop by shop through `tenant_context(shop)` (`selectors.all_subscriptions`):
RLS is never disabled and no SECURITY DEFINER function is used.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.operator.views import operator_required
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

from . import actions, selectors
from .forms import LimitsForm, MoveVersionForm, OverrideForm, PlanForm, StatusOverrideForm
from .models import LimitOverride, Plan, Subscription, SubscriptionStatusOverride
from .proration import format_minor


@operator_required
def plans(request):
    form = PlanForm(request.POST or None)
    limits = LimitsForm(request.POST or None, prefix="limit")
    if request.method == "POST" and form.is_valid() and limits.is_valid():
        data = form.cleaned_data
        if Plan.objects.filter(code=data["code"]).exists():
            form.add_error("code", _("A plan with this code exists."))
        else:
            plan = actions.create_plan(**data, limits=limits.limits())
            messages.success(request, _("Plan created."))
            return redirect("billing_operator:plan", code=plan.code)
    context = {"plans": Plan.objects.prefetch_related("versions"), "form": form, "limits_form": limits, "subscriptions": selectors.all_subscriptions()}
    return render(request, "billing/operator/plans.html", context, status=400 if request.method == "POST" else 200)


@operator_required
def plan_detail(request, code: str):
    plan = get_object_or_404(Plan, code=code)
    current = plan.current_version
    initial = {"code": plan.code, "name": plan.name, "description": plan.description}
    if current:
        initial.update(currency=current.currency, monthly_price=current.monthly_price, yearly_price=current.yearly_price, trial_days=current.trial_days, modules=", ".join(current.modules))
    form = PlanForm(request.POST or None, initial=initial)
    limits = LimitsForm(request.POST or None, prefix="limit", initial_limits={p.metric: p.limit for p in current.limits.all()} if current else {})
    if request.method == "POST":
        if "archive" in request.POST:
            actions.set_plan_archived(plan, request.POST["archive"] == "1")
            return redirect("billing_operator:plan", code=plan.code)
        if form.is_valid() and limits.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
            version = actions.save_plan_version(plan, limits=limits.limits(), **data)
            messages.success(request, _("Saved as version %(n)s; existing subscriptions keep their version.") % {"n": version.number})
            return redirect("billing_operator:plan", code=plan.code)
    versions = plan.versions.prefetch_related("limits")
    return render(request, "billing/operator/plan.html", {"plan": plan, "versions": versions, "form": form, "limits_form": limits}, status=400 if request.method == "POST" else 200)


@operator_required
def shop_billing(request, slug: str):
    tenant = get_object_or_404(Tenant, slug=slug)
    with tenant_context(tenant, user=request.user):
        sub = Subscription.objects.select_related("version__plan").filter(tenant_id=tenant.pk).first()
        overrides = list(SubscriptionStatusOverride.objects.filter(tenant_id=tenant.pk).select_related("operator", "lifted_by"))
        limit_overrides = list(LimitOverride.objects.filter(tenant_id=tenant.pk))
        invoices = selectors.invoices(tenant)
    for inv in invoices:
        inv.total_display = format_minor(inv.total_minor, inv.currency)
    context = {
        "shop": tenant,
        "subscription": sub,
        "effective_status": sub.effective_status if sub else None,
        "overrides": overrides,
        "limit_overrides": limit_overrides,
        "invoices": invoices,
        "bars": selectors.usage_bars(tenant),
        "move_form": MoveVersionForm(),
        "status_form": StatusOverrideForm(),
        "override_form": OverrideForm(),
    }
    return render(request, "billing/operator/shop.html", context)


@require_POST
@operator_required
def shop_action(request, slug: str, action: str):
    tenant = get_object_or_404(Tenant, slug=slug)
    try:
        if action == "move":
            form = MoveVersionForm(request.POST)
            if form.is_valid():
                actions.move_subscription_to_version(tenant, form.cleaned_data["version"], operator=request.user)
                messages.success(request, _("Subscription moved."))
        elif action == "override":
            form = StatusOverrideForm(request.POST)
            if form.is_valid():
                actions.set_status_override(tenant, operator=request.user, **form.cleaned_data)
                messages.success(request, _("Status override set."))
        elif action == "lift":
            actions.lift_status_override(tenant, operator=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Status override lifted."))
        elif action == "limit":
            form = OverrideForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                actions.set_limit_override(tenant, d["metric"], d["limit"], reason=d["reason"])
                messages.success(request, _("Limit override saved."))
        else:
            messages.error(request, _("Unknown action."))
            return redirect("billing_operator:shop", slug=slug)
        if "form" in locals() and not form.is_valid():
            messages.error(request, _("Check the form: %(errors)s") % {"errors": "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items())})
    except (actions.BillingError, ValidationError, IntegrityError) as error:
        messages.error(request, str(error))
    return redirect("billing_operator:shop", slug=slug)
