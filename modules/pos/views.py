"""Point-of-sale panel views: the sale screen (a server-side cart, a draft `Sale`, updated with
HTMX partials), sales list and detail with the return form, void, and the receipt (80 mm HTML
and PDF). Thin: forms check types, `actions` validate and write, `selectors` read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .forms import CompleteForm, CustomerForm, LineForm, ReceivePaymentForm, ReturnForm, ScanForm
from .models import Sale, SaleLine, SaleStatus
from .receipts import receipt_pdf


def _sale_or_404(request, pk: int) -> Sale:
    try:
        return selectors.get_sale(request.tenant, pk)
    except Sale.DoesNotExist as exc:
        raise Http404("No such sale in this shop.") from exc


def _open_or_redirect(request, pk: int):
    sale = _sale_or_404(request, pk)
    if not sale.is_open:
        return sale, redirect("pos:sale-detail", pk=sale.pk)
    return sale, None


def _messages_of(exc: ValidationError) -> list[str]:
    return exc.messages


def _apply_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _cart_context(request, sale: Sale, **extra) -> dict:
    from modules.customers.selectors import credit_balance

    sale = selectors.get_sale(request.tenant, sale.pk)
    context = {
        "sale": sale,
        "lines": list(sale.lines.all()),
        "totals": selectors.cart_totals(sale),
        "complete_form": extra.pop("complete_form", None) or CompleteForm(),
        "customer_form": extra.pop("customer_form", None) or CustomerForm(),
        "credit_balance": credit_balance(sale.customer) if sale.customer_id else None,
        "cap": actions.discount_cap(request.tenant, request.membership.role),
        "errors": [],
    }
    context.update(extra)
    return context


def _render_cart(request, sale: Sale, *, status: int = 200, **extra):
    context = _cart_context(request, sale, **extra)
    if request.htmx:
        # HTMX swaps only 2xx answers: errors are shown inside the partial.
        return render(request, "pos/_cart.html", context)
    context["held"] = selectors.held_sales(request.tenant)
    context["scan_form"] = ScanForm()
    return render(request, "pos/sale_screen.html", context, status=status)


@permission_required("pos.sell")
@require_GET
def sale_screen(request):
    """The cashier's current draft (started on first visit), or a new one with `?new=1`."""
    if request.GET.get("new") != "1":
        draft = selectors.sales_of(request.tenant, done=None, status=SaleStatus.DRAFT).filter(cashier=request.user).order_by("-updated_at").first()
        if draft is not None:
            return redirect("pos:cart", pk=draft.pk)
    sale = actions.start_sale(request.tenant, cashier=request.user)
    return redirect("pos:cart", pk=sale.pk)


@permission_required("pos.sell")
@require_GET
def cart(request, pk: int):
    sale, done = _open_or_redirect(request, pk)
    return done or _render_cart(request, sale)


@permission_required("pos.sell")
@require_POST
def cart_scan(request, pk: int):
    """Add a scanned barcode (tag, SKU, HUID); a text that is no code searches the stock and
    adds the single match or lists the matches to pick from (`item` posts the pick)."""
    from modules.inventory import selectors as inventory

    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    form = ScanForm(request.POST)
    picked = request.POST.get("item")
    errors, matches = [], []
    try:
        if picked:
            actions.add_line(request.tenant, sale, item=picked)
        elif form.is_valid():
            code = form.cleaned_data["code"].strip()
            try:
                actions.add_line(request.tenant, sale, barcode=code)
            except actions.SaleError as exc:
                if exc.code != "unknown_barcode":
                    raise
                matches = list(inventory.items_of(request.tenant, search=code, in_stock=True)[:10])
                if len(matches) == 1:
                    actions.add_line(request.tenant, sale, item=matches[0].pk)
                    matches = []
                elif not matches:
                    raise
        else:
            errors = [e for errs in form.errors.values() for e in errs]
    except ValidationError as exc:
        errors = _messages_of(exc)
    return _render_cart(request, sale, errors=errors, matches=matches, status=400 if errors else 200)


@permission_required("pos.sell")
@require_POST
def cart_line(request, pk: int, line_pk: int):
    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    if not SaleLine.objects.filter(tenant=request.tenant, sale=sale, pk=line_pk).exists():
        raise Http404("No such line.")
    errors = []
    try:
        if request.POST.get("remove"):
            actions.remove_line(request.tenant, line_pk)
        else:
            form = LineForm(request.POST)
            if form.is_valid():
                actions.update_line(request.tenant, line_pk, cashier=request.user, quantity=form.cleaned_data.get("quantity"), discount=form.cleaned_data.get("discount"))
            else:
                errors = [e for errs in form.errors.values() for e in errs]
    except ValidationError as exc:
        errors = _messages_of(exc)
    return _render_cart(request, sale, errors=errors, status=400 if errors else 200)


@permission_required("pos.sell")
@require_http_methods(["GET", "POST"])
def cart_customer(request, pk: int):
    """GET `?q=`: customers matching (picker). POST: `customer` (an id from the picker), or
    phone/e-mail/name to find or create one inline, or `clear`."""
    from modules.customers import selectors as customers
    from modules.customers.actions import find_or_create_customer

    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    if request.method == "GET":
        query = request.GET.get("q", "").strip()[:100]
        found = customers.search_customers(request.tenant, query, limit=8) if query else []
        return render(request, "pos/_customer_matches.html", {"sale": sale, "matches": found, "q": query})
    form = CustomerForm(request.POST)
    errors = []
    try:
        if request.POST.get("clear"):
            actions.set_customer(request.tenant, sale, None)
        elif request.POST.get("customer"):
            actions.set_customer(request.tenant, sale, customers.get_customer(request.tenant, int(request.POST["customer"])))
        elif form.is_valid():
            customer, _created = find_or_create_customer(request.tenant, phone=form.cleaned_data["phone"] or None, email=form.cleaned_data["email"] or None, name=form.cleaned_data["name"])
            actions.set_customer(request.tenant, sale, customer)
            form = CustomerForm()
    except ValidationError as exc:
        _apply_errors(form, exc)
    except (ValueError, LookupError):
        form.add_error(None, _("Unknown customer."))
    if form.errors:
        errors = [e for errs in form.errors.values() for e in errs]
    return _render_cart(request, sale, customer_form=form, errors=errors, status=400 if errors else 200)


@permission_required("pos.sell")
@require_POST
def cart_hold(request, pk: int):
    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    try:
        actions.hold_sale(request.tenant, sale)
    except ValidationError as exc:
        return _render_cart(request, sale, errors=_messages_of(exc), status=400)
    messages.success(request, _("The sale is on hold; resume it from the list of held sales."))
    return _redirect(request, reverse("pos:sale-screen") + "?new=1")


@permission_required("pos.sell")
@require_POST
def cart_resume(request, pk: int):
    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    try:
        actions.resume_sale(request.tenant, sale)
    except ValidationError as exc:
        messages.error(request, " ".join(_messages_of(exc)))
    return _redirect(request, reverse("pos:cart", args=[sale.pk]))


@permission_required("pos.sell")
@require_POST
def cart_discard(request, pk: int):
    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    actions.discard_draft(request.tenant, sale)
    return _redirect(request, reverse("pos:sale-screen") + "?new=1")


def _redirect(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@permission_required("pos.sell")
@require_POST
def cart_complete(request, pk: int):
    sale, done = _open_or_redirect(request, pk)
    if done:
        return done
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            completed = actions.complete_draft(
                request.tenant, sale, cashier=request.user, payments=form.payments(), old_gold=form.old_gold(), discount=form.cleaned_data.get("discount"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Sale %(number)s completed.") % {"number": completed.number})
            return _redirect(request, reverse("pos:receipt", args=[completed.pk]))
    errors = [e for errs in form.errors.values() for e in errs]
    return _render_cart(request, sale, complete_form=form, errors=errors, status=400)


@permission_required("pos.view_sales")
@require_GET
def sale_list(request):
    search = request.GET.get("q", "").strip()[:60]
    sales = selectors.sales_of(request.tenant, search=search)
    page = Paginator(sales, 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": search, "held": selectors.held_sales(request.tenant)}
    template = "pos/_sale_table.html" if request.htmx and request.htmx.target == "sale-table" else "pos/sale_list.html"
    return render(request, template, context)


def _detail(request, sale: Sale, *, form=None, payment_form=None, status=200):
    import uuid

    membership = request.membership
    can_receive = membership.has_perm("pos.sell") and sale.balance_due > 0 and sale.status != SaleStatus.VOIDED
    context = {
        "sale": sale,
        "return_form": form or (ReturnForm(sale=sale) if membership.has_perm("pos.refund") else None),
        "payment_form": payment_form or (ReceivePaymentForm(initial={"key": f"panel-{uuid.uuid4()}", "cash": sale.balance_due}) if can_receive else None),
        "history": selectors.payment_history(sale),
        "can_void": membership.has_perm("pos.void_sale") and sale.status == SaleStatus.COMPLETED and sale.sold_on == actions.shop_today(request.tenant),
        "journal_entry": selectors.journal_entry_of(request.tenant, sale),
    }
    return render(request, "pos/sale_detail.html", context, status=status)


@permission_required("pos.view_sales")
@require_GET
def sale_detail(request, pk: int):
    sale = _sale_or_404(request, pk)
    if sale.is_open:
        return redirect("pos:cart", pk=sale.pk)
    return _detail(request, sale)


@permission_required("pos.refund")
@require_POST
def sale_return(request, pk: int):
    sale = _sale_or_404(request, pk)
    form = ReturnForm(request.POST, sale=sale)
    if form.is_valid():
        try:
            returned = actions.return_sale_lines(
                request.tenant, sale, lines=form.lines(), refund_method=form.cleaned_data["refund_method"], actor=request.user, reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Return %(number)s recorded.") % {"number": returned.number})
            return redirect("pos:sale-detail", pk=sale.pk)
    return _detail(request, _sale_or_404(request, pk), form=form, status=400)


@permission_required("pos.sell")
@require_POST
def sale_receive_payment(request, pk: int):
    """Receive money against the sale's balance owed (`actions.receive_payment`)."""
    sale = _sale_or_404(request, pk)
    form = ReceivePaymentForm(request.POST)
    if form.is_valid():
        try:
            received = actions.receive_payment(
                request.tenant, sale, payments=form.payments(), idempotency_key=form.cleaned_data["key"], actor=request.user, note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            from zargar.panel.templatetags.zargar_format import localdigits, money

            messages.success(request, _("Payment %(number)s of %(amount)s received; still owed: %(owed)s.") % {
                "number": localdigits(received.number), "amount": money(received.amount, sale.currency), "owed": money(received.balance_after, sale.currency)})
            return redirect("pos:sale-detail", pk=sale.pk)
    return _detail(request, _sale_or_404(request, pk), payment_form=form, status=400)


@permission_required("pos.void_sale")
@require_POST
def sale_void(request, pk: int):
    sale = _sale_or_404(request, pk)
    try:
        voided = actions.void_sale(request.tenant, sale, actor=request.user, reason=request.POST.get("reason", "")[:200])
    except ValidationError as exc:
        messages.error(request, " ".join(_messages_of(exc)))
        return redirect("pos:sale-detail", pk=sale.pk)
    messages.success(request, _("Sale %(sale)s voided (%(number)s).") % {"sale": sale.number, "number": voided.number})
    return redirect("pos:sale-detail", pk=sale.pk)


def _done_sale_or_404(request, pk: int) -> Sale:
    sale = _sale_or_404(request, pk)
    if not sale.is_done:
        raise Http404("This sale is not completed yet.")
    return sale


@permission_required("pos.view_sales")
@require_GET
def receipt(request, pk: int):
    """The receipt, laid out for an 80 mm roll printer (`@page { size: 80mm auto }`)."""
    sale = _done_sale_or_404(request, pk)
    return render(request, "pos/receipt.html", {"sale": sale, "shop": request.tenant, "payments": sale.sale_payments})


@permission_required("pos.view_sales")
@require_GET
def receipt_pdf_view(request, pk: int):
    sale = _done_sale_or_404(request, pk)
    response = HttpResponse(receipt_pdf(sale, request.tenant), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{sale.number}.pdf"'
    return response
