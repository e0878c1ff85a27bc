"""Reads of inventory data, always within one shop."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from .models import Item


def items_of(tenant, *, search: str = "", karat: int | None = None) -> QuerySet[Item]:
    qs = Item.objects.filter(tenant=tenant)
    if search:
        qs = qs.filter(Q(sku__icontains=search) | Q(name__icontains=search) | Q(category__icontains=search))
    if karat:
        qs = qs.filter(karat=karat)
    return qs


def get_item(tenant, pk: int) -> Item:
    """The shop's item `pk`; raises `Item.DoesNotExist` for another shop's or a missing item."""
    return Item.objects.get(tenant=tenant, pk=pk)


def stock_summary(tenant) -> dict:
    """Item lines, units and net weight (grams) in stock."""
    agg = Item.objects.filter(tenant=tenant).aggregate(units=Sum("quantity"), net=Sum("net_weight"))
    return {
        "items": Item.objects.filter(tenant=tenant).count(),
        "units": agg["units"] or 0,
        "net_weight": (agg["net"] or Decimal("0")).quantize(Decimal("0.001")),
    }
