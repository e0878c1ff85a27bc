"""Writes of inventory data. Each takes the shop first, validates fully, and is atomic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Item

EDITABLE_FIELDS = ("sku", "name", "category", "karat", "gross_weight", "net_weight", "quantity", "price")


def _save(item: Item) -> Item:
    item.full_clean(exclude=["tenant"], validate_unique=False)
    if Item.objects.filter(tenant_id=item.tenant_id, sku=item.sku).exclude(pk=item.pk).exists():
        raise ValidationError({"sku": _("An item with this SKU already exists in this shop.")})
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # a concurrent insert of the same SKU
        raise ValidationError({"sku": _("An item with this SKU already exists in this shop.")}) from exc
    return item


def create_item(tenant, **fields) -> Item:
    """Create an item in `tenant`. Raises `ValidationError` (field → messages) for bad input."""
    return _save(Item(tenant=tenant, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}))


def update_item(item: Item, **fields) -> Item:
    """Change an item's fields; raises `ValidationError` and leaves the row as it was on error."""
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(item, name, value)
    return _save(item)


def delete_item(item: Item) -> None:
    item.delete()
