"""Inventory panel views: items (list, detail, create, edit, delete), stock (receive, adjust,
transfer), labels (PDF), lots, movements, and branches & locations. Thin: forms validate,
`actions` write, `selectors` read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zargar.contract import ExtensionPoint, hooks
from zargar.contract.registry import enabled_module_keys
from zargar.panel.decorators import permission_required

from . import actions, selectors
from .forms import AdjustForm, BranchForm, ItemEditForm, ItemForm, LocationForm, ReceiveForm, StoneFormSet, TransferForm, stones_of
from .labels import label_pdf
from .models import Branch, Item, Karat, Location, MovementKind, Tracking


def _item_or_404(request, pk: int) -> Item:
    try:
        return selectors.get_item(request.tenant, pk)
    except Item.DoesNotExist as exc:
        raise Http404("No such item in this shop.") from exc


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@permission_required("inventory.view_item")
def item_list(request):
    search = request.GET.get("q", "").strip()
    karat = request.GET.get("karat") or ""
    tracking = request.GET.get("tracking") or ""
    location = request.GET.get("location") or ""
    qs = selectors.items_of(
        request.tenant, search=search, karat=_int(karat),
        tracking=tracking if tracking in Tracking.values else None, location=_int(location),
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    context = {
        "page": page, "q": search, "karat": karat, "karats": Karat.choices, "tracking": tracking,
        "trackings": Tracking.choices, "location": location, "locations": selectors.locations_of(request.tenant),
        "summary": selectors.stock_summary(request.tenant),
    }
    template = "inventory/_item_table.html" if request.htmx and request.htmx.target == "item-table" else "inventory/item_list.html"
    return render(request, template, context)


@permission_required("inventory.view_item")
def item_detail(request, pk: int):
    item = _item_or_404(request, pk)
    panels = []
    for hook in hooks.get_hooks(ExtensionPoint.ITEM_DETAIL_PANELS, enabled_modules=enabled_module_keys(request.tenant)):
        panels.extend(hook(request, item) or [])
    context = {
        "item": item,
        "stones": item.stones.all(),
        "lots": selectors.lots_of(request.tenant, item=item.pk),
        "by_location": selectors.stock_by_location(request.tenant, item),
        "movements": selectors.movements_of(request.tenant, item=item.pk)[:100],
        "panels": panels,
    }
    return render(request, "inventory/item_detail.html", context)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _stone_formset(request, initial=None):
    """The stones formset, bound only when the form posted it (clients posting only the item
    fields leave the stones as they are)."""
    posted = request.method == "POST" and "stones-TOTAL_FORMS" in request.POST
    return StoneFormSet(request.POST if posted else None, prefix="stones", initial=initial)


def _stones_valid(formset) -> bool:
    return not formset.is_bound or formset.is_valid()


@permission_required("inventory.change_item")
@require_http_methods(["GET", "POST"])
def item_create(request):
    form = ItemForm(request.POST or None, tenant=request.tenant)
    stones = _stone_formset(request)
    if request.method == "POST" and form.is_valid() and _stones_valid(stones):
        data = dict(form.cleaned_data)
        try:
            item = actions.create_item(
                request.tenant, quantity=data.pop("quantity") or 0, location=data.pop("location"),
                stones=stones_of(stones), actor=request.user, **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Item %(sku)s added.") % {"sku": item.sku})
            return redirect("inventory:item-list")
    failed = request.method == "POST"
    return render(request, "inventory/item_form.html", {"form": form, "stones": stones, "is_new": True}, status=400 if failed else 200)


@permission_required("inventory.change_item")
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = _item_or_404(request, pk)
    form = ItemEditForm(request.POST or None, instance=item)
    initial = [{"stone_type": s.stone_type, "count": s.count, "carat_weight": s.carat_weight, "value": s.value} for s in item.stones.all()]
    stones = _stone_formset(request, initial=initial)
    if request.method == "POST" and form.is_valid() and _stones_valid(stones):
        try:
            actions.update_item(item, stones=stones_of(stones) if stones.is_bound else None, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Item %(sku)s saved.") % {"sku": item.sku})
            return redirect("inventory:item-detail", pk=item.pk)
    failed = request.method == "POST"
    return render(request, "inventory/item_form.html", {"form": form, "stones": stones, "item": item, "is_new": False}, status=400 if failed else 200)


@permission_required("inventory.delete_item")
@require_http_methods(["GET", "POST"])
def item_delete(request, pk: int):
    item = _item_or_404(request, pk)
    error = None
    if request.method == "POST":
        try:
            actions.delete_item(item)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("Item %(sku)s deleted.") % {"sku": item.sku})
            return redirect("inventory:item-list")
    return render(request, "inventory/item_confirm_delete.html", {"item": item, "error": error}, status=409 if error else 200)


def _stock_view(request, pk: int, form_class, run, *, title: str, done: str):
    item = _item_or_404(request, pk)
    form = form_class(request.POST or None, tenant=request.tenant, item=item)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            with transaction.atomic():
                run(item, values)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done % {"sku": item.sku})
            return redirect("inventory:item-detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "inventory/stock_form.html", {"form": form, "item": item, "title": title}, status=status)


@permission_required("inventory.move_stock")
@require_http_methods(["GET", "POST"])
def item_receive(request, pk: int):
    return _stock_view(
        request, pk, ReceiveForm,
        lambda item, v: actions.receive_stock(request.tenant, item=item, actor=request.user, **{"quantity": 1, **v}),
        title=_("Receive stock"), done=_("Stock of %(sku)s received."),
    )


@permission_required("inventory.move_stock")
@require_http_methods(["GET", "POST"])
def item_adjust(request, pk: int):
    return _stock_view(
        request, pk, AdjustForm,
        lambda item, v: actions.adjust_stock(request.tenant, item=item, actor=request.user, **v),
        title=_("Adjust stock"), done=_("Stock of %(sku)s adjusted."),
    )


@permission_required("inventory.move_stock")
@require_http_methods(["GET", "POST"])
def item_transfer(request, pk: int):
    return _stock_view(
        request, pk, TransferForm,
        lambda item, v: actions.transfer_stock(request.tenant, item=item, actor=request.user, **{"quantity": 1, **v}),
        title=_("Transfer stock"), done=_("Stock of %(sku)s moved."),
    )


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@permission_required("inventory.view_item")
@require_GET
def item_label(request, pk: int):
    item = _item_or_404(request, pk)
    return _pdf(label_pdf([item], currency=request.tenant.currency), f"label-{item.sku}.pdf")


@permission_required("inventory.view_item")
@require_GET
def labels(request):
    """A label sheet of `?ids=1,2,3` (or every listed item of the current filters, at most 500)."""
    ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.strip().isdigit()]
    if ids:
        found = {i.pk: i for i in selectors.items_of(request.tenant).filter(pk__in=ids)}
        if len(found) != len(set(ids)):
            raise Http404("No such item in this shop.")
        chosen = [found[pk] for pk in ids]
    else:
        chosen = list(selectors.items_of(request.tenant, search=request.GET.get("q", "").strip(), tracking=request.GET.get("tracking") or None, in_stock=True)[:500])
    return _pdf(label_pdf(chosen, currency=request.tenant.currency), "labels.pdf")


@permission_required("inventory.view_item")
def lot_list(request):
    location = request.GET.get("location") or ""
    qs = selectors.lots_of(request.tenant, location=_int(location), in_stock=request.GET.get("all") != "1")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inventory/lot_list.html", {"page": page, "locations": selectors.locations_of(request.tenant), "location": location})


@permission_required("inventory.view_item")
def movement_list(request):
    kind = request.GET.get("kind") or ""
    qs = selectors.movements_of(request.tenant, kind=kind if kind in MovementKind.values else None, item=_int(request.GET.get("item")))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inventory/movement_list.html", {"page": page, "kind": kind, "kinds": MovementKind.choices})


@permission_required("inventory.manage_locations")
@require_http_methods(["GET", "POST"])
def locations(request):
    """Branches and locations of the shop: list, add a branch, add a location."""
    actions.ensure_default_location(request.tenant)
    which = request.POST.get("form") if request.method == "POST" else None
    branch_form = BranchForm(request.POST if which == "branch" else None, prefix="branch")
    location_form = LocationForm(request.POST if which == "location" else None, prefix="location", tenant=request.tenant)
    if which == "branch" and branch_form.is_valid():
        try:
            branch = actions.save_branch(request.tenant, **branch_form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(branch_form, exc)
        else:
            messages.success(request, _("Branch %(name)s added.") % {"name": branch.name})
            return redirect("inventory:locations")
    if which == "location" and location_form.is_valid():
        try:
            location = actions.save_location(request.tenant, **location_form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(location_form, exc)
        else:
            messages.success(request, _("Location %(name)s added.") % {"name": location.name})
            return redirect("inventory:locations")
    context = {"branches": selectors.branches_of(request.tenant), "branch_form": branch_form, "location_form": location_form}
    return render(request, "inventory/locations.html", context, status=400 if which else 200)


@permission_required("inventory.manage_locations")
@require_http_methods(["GET", "POST"])
def branch_edit(request, pk: int):
    try:
        branch = Branch.objects.get(tenant=request.tenant, pk=pk)
    except Branch.DoesNotExist as exc:
        raise Http404("No such branch in this shop.") from exc
    form = BranchForm(request.POST or None, instance=branch)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_branch(request.tenant, branch, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Branch %(name)s saved.") % {"name": branch.name})
            return redirect("inventory:locations")
    return render(request, "inventory/simple_form.html", {"form": form, "title": _("Edit branch"), "back": "inventory:locations"}, status=400 if request.method == "POST" else 200)


@permission_required("inventory.manage_locations")
@require_http_methods(["GET", "POST"])
def location_edit(request, pk: int):
    try:
        location = Location.objects.get(tenant=request.tenant, pk=pk)
    except Location.DoesNotExist as exc:
        raise Http404("No such location in this shop.") from exc
    form = LocationForm(request.POST or None, instance=location, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_location(request.tenant, location, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Location %(name)s saved.") % {"name": location.name})
            return redirect("inventory:locations")
    return render(request, "inventory/simple_form.html", {"form": form, "title": _("Edit location"), "back": "inventory:locations"}, status=400 if request.method == "POST" else 200)
