"""Shop owners' billing pages at /app/billing/ (owners only: `billing.manage` is held by no
other role)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .forms import CancelForm, ChangePlanForm
from .models import Invoice
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
    context = {
        "subscription": sub,
        "effective_status": sub.effective_status if sub else None,
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
        if actions.get_subscription(request.tenant) is None:
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
