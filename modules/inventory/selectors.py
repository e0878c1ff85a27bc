"""Reads of inventory data, always within one shop (explicit tenant filter; RLS underneath)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Branch, Item, Location, Lot, StockMovement, Tracking

ZERO_G = Decimal("0.000")


def items_of(tenant, *, search: str = "", karat: int | None = None, tracking: str | None = None, location: int | None = None, in_stock: bool | None = None) -> QuerySet[Item]:
    """The shop's items. `search` matches SKU, name, category, tag or HUID (case-insensitive);
    `location` keeps serialized pieces at that location and lot items with a lot there."""
    qs = Item.objects.filter(tenant=tenant).select_related("location", "location__branch")
    if search:
        qs = qs.filter(
            Q(sku__icontains=search) | Q(name__icontains=search) | Q(category__icontains=search) | Q(tag__icontains=search) | Q(huid__icontains=search)
        )
    if karat:
        qs = qs.filter(karat=karat)
    if tracking:
        qs = qs.filter(tracking=tracking)
    if location:
        qs = qs.filter(Q(tracking=Tracking.SERIALIZED, location_id=location) | Q(tracking=Tracking.LOT, lots__location_id=location, lots__quantity__gt=0)).distinct()
    if in_stock is not None:
        qs = qs.filter(quantity__gt=0) if in_stock else qs.filter(quantity=0)
    return qs


def get_item(tenant, pk: int) -> Item:
    """The shop's item `pk`; raises `Item.DoesNotExist` for another shop's or a missing item."""
    return Item.objects.select_related("location", "location__branch").get(tenant=tenant, pk=pk)


def find_by_barcode(tenant, code: str) -> Item:
    """The item a scanned `code` names, for the POS scan box: a piece's tag, else an item's SKU,
    else a hallmark HUID (exact match, surrounding spaces ignored; tags and HUIDs also match
    case-insensitively). Raises `Item.DoesNotExist` when nothing in this shop matches."""
    code = (code or "").strip()
    if not code:
        raise Item.DoesNotExist("empty code")
    qs = Item.objects.filter(tenant=tenant).select_related("location", "location__branch")
    for lookup in (Q(tag=code), Q(sku=code), Q(huid=code), Q(tag__iexact=code), Q(sku__iexact=code), Q(huid__iexact=code)):
        found = list(qs.filter(lookup)[:2])
        if len(found) == 1:
            return found[0]
    raise Item.DoesNotExist(f"no item with the code {code!r}")


def stock_summary(tenant) -> dict:
    """Item lines, units on hand and net weight (grams) on hand: serialized pieces in stock plus
    the net weight of every lot."""
    items = Item.objects.filter(tenant=tenant)
    units = items.aggregate(units=Sum("quantity"))["units"] or 0
    pieces = items.filter(tracking=Tracking.SERIALIZED, quantity__gt=0).aggregate(net=Sum("net_weight"))["net"] or ZERO_G
    lots = Lot.objects.filter(tenant=tenant).aggregate(net=Sum("net_weight"))["net"] or ZERO_G
    return {"items": items.count(), "units": units, "net_weight": (pieces + lots).quantize(Decimal("0.001"))}


def movements_of(tenant, *, item: int | None = None, kind: str | None = None, location: int | None = None) -> QuerySet[StockMovement]:
    """Stock movements of the shop, newest first."""
    qs = StockMovement.objects.filter(tenant=tenant).select_related("item", "lot", "location", "location__branch", "actor", "document_type")
    if item:
        qs = qs.filter(item_id=item)
    if kind:
        qs = qs.filter(kind=kind)
    if location:
        qs = qs.filter(location_id=location)
    return qs


def lots_of(tenant, *, item: int | None = None, location: int | None = None, in_stock: bool | None = None) -> QuerySet[Lot]:
    qs = Lot.objects.filter(tenant=tenant).select_related("item", "location", "location__branch")
    if item:
        qs = qs.filter(item_id=item)
    if location:
        qs = qs.filter(location_id=location)
    if in_stock:
        qs = qs.filter(quantity__gt=0)
    return qs


def get_lot(tenant, pk: int) -> Lot:
    return Lot.objects.select_related("item", "location").get(tenant=tenant, pk=pk)


def branches_of(tenant) -> QuerySet[Branch]:
    return Branch.objects.filter(tenant=tenant).prefetch_related("locations")


def locations_of(tenant) -> QuerySet[Location]:
    return Location.objects.filter(tenant=tenant).select_related("branch")


def stock_by_location(tenant, item: Item) -> list[dict]:
    """On hand of `item` per location, derived from its movements: `[{location, quantity,
    gross_weight, net_weight}]` for locations holding any."""
    rows = (
        StockMovement.objects.filter(tenant=tenant, item=item)
        .values("location")
        .annotate(q=Sum("quantity"), g=Sum("gross_weight"), n=Sum("net_weight"))
        .filter(q__gt=0)
        .order_by("location")
    )
    places = {loc.pk: loc for loc in Location.objects.filter(tenant=tenant, pk__in=[r["location"] for r in rows]).select_related("branch")}
    return [{"location": places[r["location"]], "quantity": r["q"], "gross_weight": r["g"], "net_weight": r["n"]} for r in rows]


@dataclass(frozen=True)
class StockMismatch:
    """A cached on-hand that differs from the sum of the movements."""

    what: str  # "item" or "lot"
    pk: int
    label: str
    field: str
    cached: object
    derived: object

    def __str__(self) -> str:
        return f"{self.what} {self.label} (id {self.pk}): {self.field} cached {self.cached}, movements say {self.derived}"


def audit_stock(tenant) -> list[StockMismatch]:
    """Compare the cached on-hand with the movements: `Item.quantity` against the sum of the
    item's movement quantities, and each lot's quantity, gross and net weight against the sums
    of its movements. Returns the mismatches (empty when the books of stock agree)."""
    mismatches: list[StockMismatch] = []
    by_item = {
        r["item"]: r["q"]
        for r in StockMovement.objects.filter(tenant=tenant).values("item").annotate(q=Sum("quantity")).order_by("item")
    }
    for item in Item.objects.filter(tenant=tenant).only("pk", "sku", "quantity").order_by("pk"):
        derived = by_item.get(item.pk, 0)
        if derived != item.quantity:
            mismatches.append(StockMismatch("item", item.pk, item.sku, "quantity", item.quantity, derived))
    by_lot = {
        r["lot"]: r
        for r in StockMovement.objects.filter(tenant=tenant, lot__isnull=False)
        .values("lot")
        .annotate(q=Coalesce(Sum("quantity"), 0), g=Sum("gross_weight"), n=Sum("net_weight"))
        .order_by("lot")
    }
    for lot in Lot.objects.filter(tenant=tenant).select_related("item").order_by("pk"):
        row = by_lot.get(lot.pk, {"q": 0, "g": ZERO_G, "n": ZERO_G})
        label = f"{lot.item.sku}/{lot.lot_number}"
        for field, cached, derived in (("quantity", lot.quantity, row["q"]), ("gross_weight", lot.gross_weight, row["g"]), ("net_weight", lot.net_weight, row["n"])):
            if cached != derived:
                mismatches.append(StockMismatch("lot", lot.pk, label, field, cached, derived))
    return mismatches
