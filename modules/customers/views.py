"""Customers panel views: list with live search, create, edit, detail (contact, balance, credit
ledger, activity), issue and adjust store credit. Thin: forms validate, `actions` write,
`selectors` read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zargar.contract import ExtensionPoint, hooks
from zargar.contract.registry import enabled_module_keys
from zargar.panel.decorators import permission_required

from . import actions, selectors
from .forms import AdjustCreditForm, CustomerForm, IssueCreditForm
from .models import Customer


def _customer_or_404(request, pk: int) -> Customer:
    try:
        return selectors.get_customer(request.tenant, pk)
    except Customer.DoesNotExist as exc:
        raise Http404("No such customer in this shop.") from exc


def _apply_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@permission_required("customers.view_customer")
def customer_list(request):
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.customers_of(request.tenant, search=search), 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": search}
    template = "customers/_customer_table.html" if request.htmx and request.htmx.target == "customer-table" else "customers/customer_list.html"
    return render(request, template, context)


@permission_required("customers.change_customer")
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = actions.create_customer(request.tenant, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s added.") % {"name": customer.full_name})
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "is_new": True}, status=400 if form.errors else 200)


@permission_required("customers.change_customer")
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk: int):
    customer = _customer_or_404(request, pk)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_customer(customer, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer.full_name})
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer, "is_new": False}, status=400 if form.errors else 200)


@permission_required("customers.view_customer")
def customer_detail(request, pk: int):
    customer = _customer_or_404(request, pk)
    entries = list(selectors.credit_entries(request.tenant, customer=customer)[:100])
    panels = []
    for hook in hooks.get_hooks(ExtensionPoint.CUSTOMER_DETAIL_PANELS, enabled_modules=enabled_module_keys(request.tenant)):
        panels.extend(hook(request, customer) or [])
    context = {
        "customer": customer,
        "panels": panels,
        "entries": entries,
        "posted_ids": selectors.posted_entry_ids(request.tenant, entries),
        "activities": selectors.activities(request.tenant, customer)[:100],
        "totals": selectors.activity_totals(request.tenant, customer),
    }
    return render(request, "customers/customer_detail.html", context)


def _credit_form_view(request, pk: int, *, form_class, write, title: str, success: str, mode: str):
    customer = _customer_or_404(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            write(customer, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, success % {"name": customer.full_name})
            return redirect("customers:customer-detail", pk=customer.pk)
    context = {"form": form, "customer": customer, "title": title, "mode": mode}
    return render(request, "customers/credit_form.html", context, status=400 if form.errors else 200)


@permission_required("customers.change_customer")
@require_http_methods(["GET", "POST"])
def credit_issue(request, pk: int):
    def write(customer, data):
        actions.issue_store_credit(request.tenant, customer, data["amount"], actor=request.user, note=data["note"], reference_text=data["reference_text"])

    return _credit_form_view(
        request, pk, form_class=IssueCreditForm, write=write, mode="issue",
        title=_("Issue store credit"), success=_("Store credit issued to %(name)s."),
    )


@permission_required("customers.adjust_credit")
@require_http_methods(["GET", "POST"])
def credit_adjust(request, pk: int):
    def write(customer, data):
        actions.adjust_store_credit(request.tenant, customer, data["amount"], reason=data["reason"], actor=request.user, reference_text=data["reference_text"])

    return _credit_form_view(
        request, pk, form_class=AdjustCreditForm, write=write, mode="adjust",
        title=_("Adjust store credit"), success=_("Store credit of %(name)s adjusted."),
    )
