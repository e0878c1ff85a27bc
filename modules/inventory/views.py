"""Inventory panel views: list (with live search), create, edit, delete. Thin: forms
validate, `actions` write, `selectors` read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zargar.panel.decorators import permission_required

from . import actions, selectors
from .forms import ItemForm
from .models import Item, Karat


def _item_or_404(request, pk: int) -> Item:
    try:
        return selectors.get_item(request.tenant, pk)
    except Item.DoesNotExist as exc:
        raise Http404("No such item in this shop.") from exc


@permission_required("inventory.view_item")
def item_list(request):
    search = request.GET.get("q", "").strip()
    karat = request.GET.get("karat")
    qs = selectors.items_of(request.tenant, search=search, karat=int(karat) if karat and karat.isdigit() else None)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": search, "karat": karat or "", "karats": Karat.choices, "summary": selectors.stock_summary(request.tenant)}
    template = "inventory/_item_table.html" if request.htmx and request.htmx.target == "item-table" else "inventory/item_list.html"
    return render(request, template, context)


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@permission_required("inventory.change_item")
@require_http_methods(["GET", "POST"])
def item_create(request):
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_item(request.tenant, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Item %(sku)s added.") % {"sku": item.sku})
            return redirect("inventory:item-list")
    return render(request, "inventory/item_form.html", {"form": form, "is_new": True}, status=400 if form.errors else 200)


@permission_required("inventory.change_item")
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = _item_or_404(request, pk)
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_item(item, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Item %(sku)s saved.") % {"sku": item.sku})
            return redirect("inventory:item-list")
    return render(request, "inventory/item_form.html", {"form": form, "item": item, "is_new": False}, status=400 if form.errors else 200)


@permission_required("inventory.delete_item")
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int):
    item = _item_or_404(request, pk)
    if request.method == "POST":
        actions.delete_item(item)
        messages.success(request, _("Item %(sku)s deleted.") % {"sku": item.sku})
        return redirect("inventory:item-list")
    return render(request, "inventory/item_confirm_delete.html", {"item": item})
