"""Shop owners' billing pages at /app/billing/ (owners only: `billing.manage` is held by no
other role)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .access import has_ended
from .forms import CancelForm, ChangePlanForm, CheckoutForm
from .gateways import GatewayError, HostedBilling, get_gateway
from .models import Invoice, StripeCustomer, SubscriptionStatus
from .pdf import invoice_pdf as render_pdf
from .proration import format_minor, to_minor

MANAGE = "billing.manage"


@permission_required(MANAGE)
def overview(request):
    tenant = request.tenant
    sub = actions.get_subscription(tenant)
    invoices = selectors.invoices(tenant)
    for inv in invoices:
        inv.total_display = format_minor(inv.total_minor, inv.currency)
    plans = []
    for plan in selectors.offered_plans():
        v = plan.current_version
        plans.append({"plan": plan, "version": v, "monthly": format_minor(to_minor(v.monthly_price, v.currency), v.currency), "yearly": format_minor(to_minor(v.yearly_price, v.currency), v.currency)})
    hosted = isinstance(get_gateway(), HostedBilling)
    effective = sub.effective_status if sub else None
    ended = sub is not None and sub.status in ("canceled", "expired")
    if request.GET.get("checkout") == "success":
        messages.info(request, _("Thank you. Stripe confirmed the payment; your subscription shows here as soon as Stripe tells us (usually within seconds)."))
    context = {
        "hosted": hosted,
        "use_checkout": hosted and (sub is None or ended),
        "has_portal": hosted and StripeCustomer.objects.filter(tenant_id=tenant.pk).exists(),
        "access_ended": has_ended(sub, status=effective),
        "subscription_ended": ended,
        "effective_label": SubscriptionStatus(effective).label if effective else "",
        "subscription": sub,
        "effective_status": effective,
        "bars": selectors.usage_bars(tenant),
        "invoices": invoices,
        "plans": plans,
        "credit": format_minor(sub.credit_minor, sub.version.currency) if sub else "",
        "change_form": ChangePlanForm(initial={"cycle": sub.cycle if sub else "monthly"}),
        "cancel_form": CancelForm(),
    }
    return render(request, "billing/overview.html", context)


@require_POST
@permission_required(MANAGE)
def change(request):
    form = ChangePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a plan and a billing cycle."))
        return redirect("billing:overview")
    data = form.cleaned_data
    try:
        current = actions.get_subscription(request.tenant)
        if current is None or current.status in ("canceled", "expired"):
            actions.subscribe(request.tenant, data["version"], cycle=data["cycle"], email=request.user.email)
            messages.success(request, _("You are now subscribed."))
        else:
            _sub, invoice = actions.change_plan(request.tenant, data["version"], cycle=data["cycle"], when=data["when"])
            if data["when"] == "period_end":
                messages.success(request, _("Your plan will change at the end of the current period."))
            else:
                messages.success(request, _("Your plan was changed."))
    except actions.BillingError as error:
        messages.error(request, str(error))
    return redirect("billing:overview")


@require_POST
@permission_required(MANAGE)
def cancel(request):
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose when to cancel."))
        return redirect("billing:overview")
    try:
        actions.cancel_subscription(request.tenant, at_period_end=form.cleaned_data["when"] == "period_end")
        messages.success(request, _("Your subscription was canceled."))
    except actions.BillingError as error:
        messages.error(request, str(error))
    return redirect("billing:overview")


@permission_required(MANAGE)
def invoice_pdf(request, pk: int):
    try:
        invoice = selectors.invoice(request.tenant, pk)
    except Invoice.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(render_pdf(invoice, request.tenant), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


def _hosted_gateway():
    gateway = get_gateway()
    if not isinstance(gateway, HostedBilling):
        raise Http404("This payment gateway has no hosted pages.")
    return gateway


def _overview_url(request, **params) -> str:
    url = request.build_absolute_uri(reverse("billing:overview"))
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@require_POST
@permission_required(MANAGE)
def checkout(request):
    """Send the owner to the gateway's hosted checkout for the chosen plan and cycle (a new
    subscription, or again after one ended)."""
    gateway = _hosted_gateway()
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a plan and a billing cycle."))
        return redirect("billing:overview")
    sub = actions.get_subscription(request.tenant)
    if sub is not None and sub.status not in ("canceled", "expired"):
        messages.error(request, _("This shop already has a subscription; change its plan instead."))
        return redirect("billing:overview")
    data = form.cleaned_data
    try:
        url = gateway.checkout_url(
            request.tenant, data["version"], data["cycle"], email=request.user.email,
            success_url=_overview_url(request, checkout="success"), cancel_url=_overview_url(request, checkout="canceled"),
        )
    except GatewayError as error:
        messages.error(request, _("The payment page could not be opened: %(error)s") % {"error": error})
        return redirect("billing:overview")
    return redirect(url)


@require_POST
@permission_required(MANAGE)
def portal(request):
    """Send the owner to the gateway's customer portal (cards, invoices, cancellation)."""
    gateway = _hosted_gateway()
    try:
        url = gateway.portal_url(request.tenant, return_url=_overview_url(request))
    except GatewayError as error:
        messages.error(request, _("The billing portal could not be opened: %(error)s") % {"error": error})
        return redirect("billing:overview")
    return redirect(url)
