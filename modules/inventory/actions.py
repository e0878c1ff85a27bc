"""Writes of inventory data. Each takes the shop first, validates fully, and is atomic.

Stock changes only through the movement actions below; each inserts append-only
`StockMovement` rows and updates the cached on-hand (`Item.quantity`, `Lot.quantity` and lot
weights) in the same transaction, after locking exactly the rows it changes with
`SELECT … FOR UPDATE OF <table>`, items first then lots, each in primary-key order (one global
lock order, so two actions never deadlock on each other):

    receive_stock(tenant, *, item, quantity, location, unit_cost, actor, document, ...) -> StockMovement
    take_stock_for_sale(tenant, *, lines=[(item_id, lot_id | None, quantity)], actor, document) -> [StockMovement]
    return_stock(tenant, *, item, lot, quantity, actor, document, ...) -> StockMovement
    adjust_stock(tenant, *, item, quantity, reason, actor, lot=None, ...) -> StockMovement
    transfer_stock(tenant, *, item, lot, quantity, from_location, to_location, actor) -> (out, in)

Arguments: `item`, `lot`, `location` are model instances or primary keys of this shop (another
shop's id is "unknown"); quantities are whole units (`int`); weights are grams (`Decimal`, 3
places); money is the shop's currency (`Decimal`). `document` names the source document: a saved
model instance, a `(“app_label.model”, id)` pair, or free text (e.g. "Invoice 1042").

Errors: `StockError` (a Django `ValidationError`, with `.code`) for bad input, and its subclass
`OutOfStockError` when stock would go negative; nothing is written then.

Accounting: a receipt with a unit cost posts a journal entry through `modules.accounting`
when that module is installed and on for the shop: **Dr gold and jewelry stock / Cr supplier
payables** for quantity × unit cost (goods are received on the supplier's account; paying the
supplier is its own entry). The posting is part of the receipt's transaction: if the books
refuse it, the receipt is not recorded either.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zargar.billing.enforcement import LimitExceeded, Metric, check_limit
from zargar.core.documents import DocumentError, document_key
from zargar.core.orm import select_columns, set_prefetched
from zargar.core.sequences import formatted
from zargar.tenancy.context import tenant_context
from zargar.webhooks.bus import publish

from .models import (
    GRAM,
    Branch,
    Item,
    Location,
    LocationKind,
    Lot,
    MovementKind,
    StockMovement,
    StoneLine,
    Tracking,
)

EDITABLE_FIELDS = (
    "sku", "name", "category", "karat", "gross_weight", "net_weight", "price", "tag", "huid",
    "making_mode", "making_value", "wastage_percent", "priced_from_rate",
)
CREATE_FIELDS = (*EDITABLE_FIELDS, "tracking")
TAG_PREFIX = "ZG"


class StockError(ValidationError):
    """A stock action was refused; nothing was written. `code`: `unknown_item`, `unknown_lot`,
    `unknown_location`, `bad_quantity`, `bad_weight`, `bad_cost`, `bad_lot`, `in_stock`,
    `reason_required`, `same_location`, `wrong_location`, `out_of_stock`, `posting`."""

    def __init__(self, message, code: str, field: str | None = None):
        super().__init__({field: [message]} if field else message, code=code)
        self.code = code
        self.text = str(message)


class OutOfStockError(StockError):
    """Taking `requested` units of `sku` would leave less than zero on hand (`available`)."""

    def __init__(self, message, *, sku: str, requested: int, available: int):
        super().__init__(message, code="out_of_stock")
        self.sku = sku
        self.requested = requested
        self.available = available


# --- Numbers and small helpers -----------------------------------------------------------------


def _quantity(value, *, allow_negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, float) or str(value).strip() != str(int(str(value).strip())):
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise StockError(_("The quantity must be a whole number."), "bad_quantity", "quantity") from None
    if value == 0 or (value < 0 and not allow_negative):
        message = _("The quantity cannot be zero.") if allow_negative else _("The quantity must be more than zero.")
        raise StockError(message, "bad_quantity", "quantity")
    return value


def _decimal(value, field: str, code: str) -> Decimal:
    if isinstance(value, float):
        raise StockError(_("%(field)s must be a decimal number, not a float.") % {"field": field}, code, field)
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise StockError(_("%(field)s is not a number.") % {"field": field}, code, field) from None
    if not result.is_finite():
        raise StockError(_("%(field)s is not a number.") % {"field": field}, code, field)
    return result


def _weights(gross, net, *, default_gross: Decimal, default_net: Decimal) -> tuple[Decimal, Decimal]:
    """(gross, net) in grams, both given or both defaulted; > 0, 3 places, net ≤ gross."""
    if gross is None and net is None:
        return default_gross, default_net
    if gross is None or net is None:
        raise StockError(_("Give both the gross and the net weight, or neither."), "bad_weight", "gross_weight" if gross is None else "net_weight")
    gross = _decimal(gross, "gross_weight", "bad_weight")
    net = _decimal(net, "net_weight", "bad_weight")
    for field, value in (("gross_weight", gross), ("net_weight", net)):
        if value <= 0:
            raise StockError(_("The weight must be more than 0 grams."), "bad_weight", field)
        if value != value.quantize(GRAM):
            raise StockError(_("Weights have at most 3 decimals (milligrams)."), "bad_weight", field)
    if net > gross:
        raise StockError(_("Net weight cannot be more than the gross weight."), "bad_weight", "net_weight")
    return gross, net


def _share(total: Decimal, of_quantity: int, taken: int) -> Decimal:
    """The part of a lot's `total` weight that `taken` of its `of_quantity` units carry: all of
    it for the last units, else pro rata rounded half-up to the milligram."""
    if taken >= of_quantity:
        return total
    return min(total, (total * taken / of_quantity).quantize(GRAM, rounding=ROUND_HALF_UP))


def _document_fields(document) -> dict:
    """`StockMovement` fields for a source document: a saved model instance or a `(type, id)`
    pair (see zargar.core.documents.document_key), a string, or None."""
    if document is None or document == "":
        return {}
    if isinstance(document, str):
        return {"document": document.strip()[:120]}
    if not isinstance(document, (models.Model, tuple, list)):
        raise StockError(_("A source document is a model instance, a (type, id) pair or a text."), "bad_document", "document")
    try:
        document_type, document_id = document_key(document)
    except DocumentError as exc:
        raise StockError(str(exc), "bad_document", "document") from None
    fields = {"document_type": document_type, "document_id": document_id}
    if isinstance(document, models.Model):
        fields["document"] = str(document)[:120]
    return fields


def _pk(obj):
    return getattr(obj, "pk", obj)


def _lock_item(tenant, item) -> Item:
    try:
        return Item.objects.select_for_update(of=("self",)).get(tenant=tenant, pk=_pk(item))
    except (Item.DoesNotExist, ValueError, TypeError):
        raise StockError(_("Unknown item."), "unknown_item", "item") from None


def _lock_lots(tenant, item: Item, lot_ids) -> dict[int, Lot]:
    ids = sorted({int(_pk(x)) for x in lot_ids})
    lots = {lot.pk: lot for lot in Lot.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk__in=ids).order_by("pk")}
    for lot_id in ids:
        if lot_id not in lots or lots[lot_id].item_id != item.pk:
            raise StockError(_("Unknown lot for item %(sku)s.") % {"sku": item.sku}, "unknown_lot", "lot")
    return lots


def _location(tenant, location) -> Location:
    if location is None or location == "":
        return default_location(tenant)
    try:
        return Location.objects.select_related("branch").get(tenant=tenant, pk=_pk(location))
    except (Location.DoesNotExist, ValueError, TypeError):
        raise StockError(_("Unknown location."), "unknown_location", "location") from None


def _movement(tenant, *, kind, item, lot, location, quantity, gross, net, actor, batch, unit_cost=None, reason="", document_fields=None) -> StockMovement:
    movement = StockMovement(
        tenant=tenant, kind=kind, item=item, lot=lot, location=location, quantity=quantity,
        gross_weight=gross, net_weight=net, unit_cost=unit_cost, reason=reason, batch=batch,
        actor=actor if getattr(actor, "pk", None) else None, **(document_fields or {}),
    )
    movement.save(force_insert=True)
    return movement


def _save_item_quantity(item: Item, quantity: int, *, location=None) -> None:
    item.quantity = quantity
    fields = ["quantity", "updated_at"]
    if location is not None:
        item.location = location
        fields.append("location")
    item.save(update_fields=fields)


def _save_lot(lot: Lot, dq: int, dg: Decimal, dn: Decimal) -> None:
    lot.quantity += dq
    lot.gross_weight += dg
    lot.net_weight += dn
    lot.save(update_fields=["quantity", "gross_weight", "net_weight"])


# --- Sequences and the default location --------------------------------------------------------


def _next_free(tenant, key: str, prefix: str, taken) -> str:
    """The next number of the shop's document sequence `key` that `taken(number)` says is
    free (numbers typed in by hand are skipped)."""
    while True:
        number = formatted(tenant, key, prefix)
        if not taken(number):
            return number


def next_tag(tenant) -> str:
    """The next free tag of the shop: "ZG" + 6 digits (ZG000001, …), skipping tags typed in by
    hand. Runs in the shop's tenant context, inside the transaction that saves the piece."""
    tenant_id = _pk(tenant)
    return _next_free(tenant_id, "inventory.tag", TAG_PREFIX, lambda tag: Item.objects.filter(tenant_id=tenant_id, tag=tag).exists())


def next_lot_number(tenant) -> str:
    """The next lot number of the shop: "L" + 6 digits."""
    tenant_id = _pk(tenant)
    return _next_free(tenant_id, "inventory.lot", "L", lambda number: Lot.objects.filter(tenant_id=tenant_id, lot_number=number).exists())


def ensure_default_location(tenant) -> Location:
    """The shop's default location, creating the default branch "Main" (code MAIN) and its
    location "Main" (a showcase) when missing. Idempotent and safe to run concurrently."""
    with tenant_context(tenant) as tenant:
        found = Location.objects.select_related("branch").filter(tenant=tenant, is_default=True).first()
        if found is not None:
            return found
        with translation.override(getattr(tenant, "default_locale", None) or "en"):
            main = _("Main")
        try:
            with transaction.atomic():
                branch = Branch.objects.filter(tenant=tenant, is_default=True).first()
                if branch is None:
                    branch = Branch.objects.create(tenant=tenant, name=main, code=_free_branch_code(tenant, "MAIN"), is_default=True)
                name = main
                if Location.objects.filter(tenant=tenant, branch=branch, name=name).exists():
                    name = f"{main} ({LocationKind.SHOWCASE.label})"
                return Location.objects.create(tenant=tenant, branch=branch, name=name, kind=LocationKind.SHOWCASE, is_default=True)
        except IntegrityError:  # another transaction created it first
            return Location.objects.select_related("branch").get(tenant=tenant, is_default=True)


def _free_branch_code(tenant, code: str) -> str:
    candidate, n = code, 2
    while Branch.objects.filter(tenant=tenant, code=candidate).exists():
        candidate, n = f"{code}{n}", n + 1
    return candidate


def default_location(tenant) -> Location:
    """The shop's default stock location (created on first use for shops made before branches
    existed). Same as `ensure_default_location`."""
    return ensure_default_location(tenant)


# --- Items ---------------------------------------------------------------------------------------


def _check_unique(item: Item) -> None:
    others = Item.objects.filter(tenant_id=item.tenant_id).exclude(pk=item.pk)
    errors = {}
    if others.filter(sku=item.sku).exists():
        errors["sku"] = [_("An item with this SKU already exists in this shop.")]
    if item.tag and others.filter(tag=item.tag).exists():
        errors["tag"] = [_("Another piece of this shop already has this tag.")]
    if item.huid and others.filter(huid=item.huid).exists():
        errors["huid"] = [_("Another piece of this shop already has this hallmark ID.")]
    if errors:
        raise ValidationError(errors)


def _save(item: Item) -> Item:
    item.tag = (item.tag or "").strip() or None
    item.huid = (item.huid or "").strip() or None
    if item.tracking == Tracking.LOT and item.tag:
        raise ValidationError({"tag": _("Only serialized pieces have a tag; a lot item is scanned by its SKU.")})
    item.full_clean(exclude=["tenant", "location", "tag", "quantity"], validate_unique=False, validate_constraints=False)
    _check_unique(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # a concurrent insert of the same SKU / tag / HUID
        raise ValidationError({"sku": _("An item with this SKU, tag or hallmark ID already exists in this shop.")}) from exc
    return item


def _clean_stones(stones) -> list[StoneLine]:
    lines, errors = [], []
    for n, stone in enumerate(stones or [], start=1):
        line = StoneLine(
            stone_type=str(stone.get("stone_type", "")).strip(),
            count=stone.get("count", 1),
            carat_weight=stone.get("carat_weight", Decimal("0")),
            value=stone.get("value", Decimal("0")),
        )
        try:
            line.full_clean(exclude=["tenant", "item"])
        except ValidationError as exc:
            errors.append(_("Stone %(n)s: %(errors)s") % {"n": n, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())})
        lines.append(line)
    if errors:
        raise ValidationError({"stones": errors})
    return lines


def set_stones(item: Item, stones) -> list[StoneLine]:
    """Replace the stone lines of `item` with `stones` (dicts with `stone_type`, `count`,
    `carat_weight` in carats, `value` in the shop's currency). Raises `ValidationError`."""
    lines = _clean_stones(stones)
    with tenant_context(item.tenant_id), transaction.atomic():
        StoneLine.objects.filter(tenant_id=item.tenant_id, item=item).delete()
        for line in lines:
            line.tenant_id, line.item = item.tenant_id, item
            line.save()
    return lines


def create_item(tenant, *, quantity=0, location=None, stones=None, unit_cost=None, lot_number: str = "", actor=None, **fields) -> Item:
    """Create an item in `tenant`, with `quantity` units of opening stock at `location` (default:
    the shop's default location) received as one 'receipt' movement.

    `tracking` defaults to serialized for 0 or 1 unit and lot for more. Raises `ValidationError`
    (field → messages) for bad input; nothing is written then.
    """
    values = {k: v for k, v in fields.items() if k in CREATE_FIELDS}
    try:
        quantity = int(quantity or 0)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": [_("The quantity must be a whole number.")]}) from None
    if quantity < 0:
        raise ValidationError({"quantity": [_("The quantity cannot be negative.")]})
    if not values.get("tracking"):
        values["tracking"] = Tracking.LOT if quantity > 1 else Tracking.SERIALIZED
    if values["tracking"] == Tracking.SERIALIZED and quantity > 1:
        raise ValidationError({"quantity": [_("A serialized piece is one piece: use lot tracking for %(n)s units.") % {"n": quantity}]})
    with tenant_context(tenant) as tenant, transaction.atomic():
        try:
            check_limit(tenant, Metric.ITEMS)  # the plan's item limit (zargar.billing)
        except LimitExceeded as exc:
            raise ValidationError({"__all__": [str(exc)]}) from exc
        item = _save(Item(tenant=tenant, quantity=0, **values))
        if stones:
            set_stones(item, stones)
        if quantity:
            try:
                receive_stock(tenant, item=item, quantity=quantity, location=location, unit_cost=unit_cost, actor=actor, document=_("Opening stock"), lot_number=lot_number)
            except StockError as exc:
                raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"quantity": exc.messages}) from exc
            item.refresh_from_db()
        publish(tenant, "item.created", item)  # webhooks (zargar.webhooks.bus), after commit
    return item


def update_item(item: Item, **fields) -> Item:
    """Change an item's descriptive fields; raises `ValidationError` and leaves the row as it
    was on error. Stock (`quantity`) changes only through the stock actions, and the tracking
    mode only while the item has no movements."""
    if "quantity" in fields and fields["quantity"] is not None and int(fields["quantity"]) != item.quantity:
        raise ValidationError({"quantity": [_("Stock changes through a receipt, an adjustment or a sale, not by editing the item.")]})
    if "tracking" in fields and fields["tracking"] and fields["tracking"] != item.tracking:
        if item.movements.exists():
            raise ValidationError({"tracking": [_("The tracking mode cannot change once the item has stock movements.")]})
        item.tracking = fields["tracking"]
    original = {name: getattr(item, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(item, name, value)
    try:
        with tenant_context(item.tenant_id), transaction.atomic():
            _save(item)
            if "stones" in fields and fields["stones"] is not None:
                set_stones(item, fields["stones"])
    except ValidationError:
        for name, value in original.items():
            setattr(item, name, value)
        raise
    return item


def delete_item(item: Item) -> None:
    """Delete an item that has never had stock. Raises `ValidationError` (code `has_movements`)
    for an item with stock history: movements are kept forever (adjust its stock to zero
    instead)."""
    with tenant_context(item.tenant_id), transaction.atomic():
        if StockMovement.objects.filter(tenant_id=item.tenant_id, item=item).exists():
            raise ValidationError(_("%(sku)s has stock history and cannot be deleted; adjust its stock to zero instead.") % {"sku": item.sku}, code="has_movements")
        item.delete()


# --- Branches and locations ---------------------------------------------------------------------


def save_branch(tenant, branch: Branch | None = None, **fields) -> Branch:
    """Create (`branch` None) or change a branch: `name`, `code` (unique in the shop, stored in
    upper case), `address`. Raises `ValidationError`."""
    branch = branch or Branch(tenant=tenant)
    for name in ("name", "code", "address"):
        if name in fields:
            setattr(branch, name, fields[name])
    branch.code = (branch.code or "").strip().upper()
    with tenant_context(tenant), transaction.atomic():
        branch.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
        if Branch.objects.filter(tenant=tenant, code=branch.code).exclude(pk=branch.pk).exists():
            raise ValidationError({"code": [_("Another branch of this shop has this code.")]})
        branch.save()
    return branch


def save_location(tenant, location: Location | None = None, **fields) -> Location:
    """Create or change a location: `branch` (of this shop), `name` (unique in the branch),
    `kind`. Raises `ValidationError`."""
    location = location or Location(tenant=tenant)
    for name in ("branch", "name", "kind"):
        if name in fields:
            setattr(location, name, fields[name])
    if location.branch_id is None or location.branch.tenant_id != _pk(tenant):
        raise ValidationError({"branch": [_("Choose a branch of this shop.")]})
    with tenant_context(tenant), transaction.atomic():
        location.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
        if Location.objects.filter(tenant=tenant, branch=location.branch, name=location.name).exclude(pk=location.pk).exists():
            raise ValidationError({"name": [_("This branch already has a location with this name.")]})
        location.save()
    return location


# --- Stock movements ----------------------------------------------------------------------------


def _post_receipt(tenant, movement: StockMovement, quantity: int, unit_cost: Decimal) -> None:
    """Dr gold stock / Cr supplier payables for quantity × unit cost, when the accounting
    module is installed and on for the shop. A refusal of the books undoes the receipt."""
    if not apps.is_installed("modules.accounting"):
        return
    from zargar.contract.registry import enabled_module_keys

    if "accounting" not in enabled_module_keys(tenant):
        return
    from modules.accounting.actions import PostingError, PostingLine, post_journal_entry, shop_today
    from modules.accounting.chart import AccountKey, quantum

    amount = (unit_cost * quantity).quantize(quantum(tenant.currency), rounding=ROUND_HALF_UP)
    if amount <= 0:
        return
    item = movement.item
    try:
        post_journal_entry(
            tenant,
            date=shop_today(tenant),
            description=(_("Stock receipt: %(qty)s × %(sku)s") % {"qty": quantity, "sku": item.sku})[:120],
            lines=[PostingLine.debit(AccountKey.GOLD_STOCK, amount), PostingLine.credit(AccountKey.SUPPLIER_PAYABLES, amount)],
            source=movement,
        )
    except PostingError as exc:
        raise StockError(_("The books refused the stock receipt: %(reason)s") % {"reason": exc.message}, "posting") from exc


def receive_stock(tenant, *, item, quantity, location=None, unit_cost=None, actor=None, document=None, lot=None, lot_number: str = "", gross_weight=None, net_weight=None) -> StockMovement:
    """Receive `quantity` units of `item` at `location` (default: the shop's default location).

    Serialized piece: `quantity` must be 1 and the piece not already in stock; the piece's
    location becomes `location`. Lot item: the units go into `lot` (an existing lot of this
    item at `location`), or the lot numbered `lot_number` at `location` (created if new), or a
    new lot with the next number; `gross_weight` / `net_weight` are the received *totals* in
    grams (default: the item's unit weights × quantity). `unit_cost` (≥ 0, shop currency) is
    recorded and, when > 0, posted to the books (see the module docstring).
    Returns the 'receipt' movement. Raises `StockError`.
    """
    quantity = _quantity(quantity)
    cost = None
    if unit_cost not in (None, ""):
        cost = _decimal(unit_cost, "unit_cost", "bad_cost")
        if cost < 0 or cost != cost.quantize(Decimal("0.01")):
            raise StockError(_("The unit cost must be zero or more, with at most 2 decimals."), "bad_cost", "unit_cost")
    with tenant_context(tenant) as tenant:
        doc = _document_fields(document)
        given = location not in (None, "")
        where = _location(tenant, location) if given or lot in (None, "") else None
        item = _lock_item(tenant, item)
        batch = uuid.uuid4()
        if item.is_serialized:
            where = where or default_location(tenant)
            if quantity != 1:
                raise StockError(_("%(sku)s is a serialized piece: receive it one at a time.") % {"sku": item.sku}, "bad_quantity", "quantity")
            if item.quantity:
                raise StockError(_("%(sku)s is already in stock.") % {"sku": item.sku}, "in_stock", "item")
            gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight, default_net=item.net_weight)
            movement = _movement(tenant, kind=MovementKind.RECEIPT, item=item, lot=None, location=where, quantity=1, gross=gross, net=net, actor=actor, batch=batch, unit_cost=cost, document_fields=doc)
            _save_item_quantity(item, 1, location=where)
        else:
            gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight * quantity, default_net=item.net_weight * quantity)
            target = _receiving_lot(tenant, item, where, lot, lot_number)
            movement = _movement(tenant, kind=MovementKind.RECEIPT, item=item, lot=target, location=target.location, quantity=quantity, gross=gross, net=net, actor=actor, batch=batch, unit_cost=cost, document_fields=doc)
            _save_lot(target, quantity, gross, net)
            _save_item_quantity(item, item.quantity + quantity)
        if cost:
            _post_receipt(tenant, movement, quantity, cost)
        return movement


def _receiving_lot(tenant, item: Item, where: Location | None, lot, lot_number: str) -> Lot:
    """The locked lot that receives units: `lot` (must be at `where` when that is given), or
    the lot numbered `lot_number` at `where` (created if new), or a new lot at `where`."""
    if lot not in (None, ""):
        target = _lock_lots(tenant, item, [lot])[int(_pk(lot))]
        if where is not None and target.location_id != where.pk:
            raise StockError(_("Lot %(lot)s is kept at %(location)s.") % {"lot": target.lot_number, "location": target.location}, "wrong_location", "lot")
        return target
    where = where or default_location(tenant)
    number = (lot_number or "").strip()
    if len(number) > 40:
        raise StockError(_("A lot number has at most 40 characters."), "bad_lot", "lot_number")
    if number:
        existing = Lot.objects.select_for_update(of=("self",)).filter(tenant=tenant, item=item, lot_number=number, location=where).first()
        if existing is not None:
            return existing
    else:
        number = next_lot_number(tenant)
    return Lot.objects.create(tenant=tenant, item=item, lot_number=number, location=where)


def lock_items(tenant, item_ids, *, with_stones: bool = False) -> dict[int, Item]:
    """The shop's items `item_ids`, locked (`SELECT … FOR UPDATE`, in primary-key order, so two
    sales of the same pieces never deadlock), by pk; with `with_stones`, their stones too (one
    query more, set as if by `prefetch_related("stones")`). Ids of other shops or unknown ids
    are simply absent. Raises `ValueError` for an id that is not a number. Needs the caller's
    transaction.

    Raw queries (`Model.objects.raw`, every column named): every sale locks its pieces, and the
    ORM spent about 1 ms of CPU building these two queries — an eighth of a sale's CPU."""
    ids = sorted({int(pk) for pk in item_ids})
    items = {item.pk: item for item in Item.objects.raw(_lock_items_sql(), [tenant.pk, ids])} if ids else {}
    if with_stones:
        stones: dict[int, list[StoneLine]] = {pk: [] for pk in items}
        if items:
            for stone in StoneLine.objects.raw(_stones_sql(), [tenant.pk, list(items)]):
                stones[stone.item_id].append(stone)
        for pk, item in items.items():
            set_prefetched(item, "stones", stones[pk])
    return items


@cache
def _lock_items_sql() -> str:
    return f"SELECT {select_columns(Item)} FROM {Item._meta.db_table} WHERE tenant_id = %s AND id = ANY(%s) ORDER BY id FOR UPDATE"


@cache
def _stones_sql() -> str:
    return f"SELECT {select_columns(StoneLine)} FROM {StoneLine._meta.db_table} WHERE tenant_id = %s AND item_id = ANY(%s) ORDER BY id"


def take_stock_for_sale(tenant, *, lines, actor=None, document=None, locked_items: dict | None = None) -> list[StockMovement]:
    """Take sold stock out, all lines or none: one 'sale' movement per piece or lot taken from.

    `lines` are `(item_id, lot_id | None, quantity)`. A serialized piece is taken from its
    location (quantity 1). A lot item takes from `lot_id`, or with None from its lots
    first-in first-out. Weights leave pro rata (the last unit takes the rest). Safe under
    concurrency: the rows are locked before they are read, so of many buyers of the last unit
    exactly one succeeds. Raises `OutOfStockError` naming the SKU (nothing written) when any
    line asks for more than is on hand, `StockError` for unknown items/lots or bad quantities.

    `locked_items`: the caller's `lock_items(tenant, ids)` of this same transaction (the POS
    locks the pieces while pricing them), so they are not read twice. The items' quantity on
    hand is updated in place without an audit-log entry: the 'sale' movement is the record of
    that change (the quantity is always the sum of the item's movements).
    """
    clean = []
    for line in lines or []:
        try:
            item_id, lot_id, quantity = line
        except (TypeError, ValueError):
            raise StockError(_("A sale line is (item id, lot id or None, quantity)."), "bad_line") from None
        clean.append((int(_pk(item_id)), None if lot_id in (None, "") else int(_pk(lot_id)), _quantity(quantity)))
    if not clean:
        raise StockError(_("A sale takes at least one line."), "bad_line")
    # Called by the POS with its locked items, it needs no savepoint of its own (the sale's
    # rolls back with any error raised here); called directly, it keeps one, so a caller may
    # catch a StockError and go on in the same transaction.
    with tenant_context(tenant, savepoint=locked_items is None) as tenant:
        doc = _document_fields(document)
        item_ids = sorted({line[0] for line in clean})
        items = locked_items if locked_items is not None and all(pk in locked_items for pk in item_ids) else lock_items(tenant, item_ids)
        missing = [pk for pk in item_ids if pk not in items]
        if missing:
            raise StockError(_("Unknown item %(id)s.") % {"id": missing[0]}, "unknown_item", "item")
        explicit = {lot_id for _i, lot_id, _q in clean if lot_id is not None}
        fifo_items = [pk for pk, lot_id, _q in clean if lot_id is None and not items[pk].is_serialized]
        lots = {
            lot.pk: lot
            for lot in Lot.objects.select_for_update(of=("self",))
            .filter(tenant=tenant)
            .filter(models.Q(pk__in=explicit) | models.Q(item_id__in=fifo_items, quantity__gt=0))
            .order_by("pk")
        } if explicit or fifo_items else {}
        # Plan every line on the locked rows first; write only when all lines fit.
        plan: list[tuple[Item, Lot | None, int]] = []
        left_item = {pk: item.quantity for pk, item in items.items()}
        left_lot = {pk: lot.quantity for pk, lot in lots.items()}
        for item_id, lot_id, quantity in clean:
            item = items[item_id]
            if item.is_serialized:
                if lot_id is not None:
                    raise StockError(_("%(sku)s is a serialized piece and has no lots.") % {"sku": item.sku}, "unknown_lot", "lot")
                if quantity > left_item[item_id]:
                    raise _out_of_stock(item, quantity, left_item[item_id])
                left_item[item_id] -= quantity
                plan.append((item, None, quantity))
                continue
            if lot_id is not None:
                lot = lots.get(lot_id)
                if lot is None or lot.item_id != item_id:
                    raise StockError(_("Unknown lot for item %(sku)s.") % {"sku": item.sku}, "unknown_lot", "lot")
                if quantity > left_lot[lot_id]:
                    raise _out_of_stock(item, quantity, left_lot[lot_id], lot=lot)
                left_lot[lot_id] -= quantity
                plan.append((item, lot, quantity))
                continue
            candidates = sorted((lot for lot in lots.values() if lot.item_id == item_id), key=lambda lot: (lot.created_at, lot.pk))
            available = sum(left_lot[lot.pk] for lot in candidates)
            if quantity > available:
                raise _out_of_stock(item, quantity, available)
            need = quantity
            for lot in candidates:
                take = min(need, left_lot[lot.pk])
                if take:
                    left_lot[lot.pk] -= take
                    plan.append((item, lot, take))
                    need -= take
                if not need:
                    break
        batch = uuid.uuid4()
        actor = actor if getattr(actor, "pk", None) else None
        movements, taken = [], {}
        for item, lot, quantity in plan:
            if lot is None:
                where = item.location_id or default_location(tenant).pk
                gross, net = -item.gross_weight, -item.net_weight
            else:
                where = lot.location_id
                gross, net = _share(lot.gross_weight, lot.quantity, quantity), _share(lot.net_weight, lot.quantity, quantity)
                _save_lot(lot, -quantity, -gross, -net)
                gross, net = -gross, -net
            movements.append(StockMovement(
                tenant=tenant, kind=MovementKind.SALE, item=item, lot=lot, location_id=where, quantity=-quantity,
                gross_weight=gross, net_weight=net, batch=batch, actor=actor, **doc,
            ))
            taken[item.pk] = taken.get(item.pk, 0) + quantity
        StockMovement.objects.bulk_create(movements)  # append-only, not audit-logged (see zargar.audit.apps)
        now = timezone.now()
        for pk, quantity in taken.items():
            item = items[pk]
            item.quantity -= quantity
            item.updated_at = now
            Item.objects.filter(tenant=tenant, pk=pk).update(quantity=item.quantity, updated_at=now)
        return movements


def _out_of_stock(item: Item, requested: int, available: int, *, lot: Lot | None = None) -> OutOfStockError:
    if lot is not None:
        message = _("Not enough stock of %(sku)s in lot %(lot)s: %(requested)s asked, %(available)s on hand.") % {
            "sku": item.sku, "lot": lot.lot_number, "requested": requested, "available": available}
    else:
        message = _("Not enough stock of %(sku)s: %(requested)s asked, %(available)s on hand.") % {
            "sku": item.sku, "requested": requested, "available": available}
    return OutOfStockError(message, sku=item.sku, requested=requested, available=available)


def return_stock(tenant, *, item, lot=None, quantity=1, actor=None, document=None, location=None, gross_weight=None, net_weight=None) -> StockMovement:
    """Take back `quantity` sold units. A serialized piece (quantity 1, not in stock) returns to
    `location`, else to where it was. A lot item needs `lot` (of this item); its weights are
    `gross_weight` / `net_weight` totals in grams (default: unit weights × quantity).
    Returns the 'return' movement. Raises `StockError`."""
    quantity = _quantity(quantity)
    with tenant_context(tenant) as tenant:
        doc = _document_fields(document)
        item = _lock_item(tenant, item)
        batch = uuid.uuid4()
        if item.is_serialized:
            if quantity != 1:
                raise StockError(_("%(sku)s is a serialized piece: one piece comes back at a time.") % {"sku": item.sku}, "bad_quantity", "quantity")
            if item.quantity:
                raise StockError(_("%(sku)s is in stock, so it cannot be returned.") % {"sku": item.sku}, "in_stock", "item")
            where = _location(tenant, location) if location not in (None, "") else (item.location or default_location(tenant))
            gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight, default_net=item.net_weight)
            movement = _movement(tenant, kind=MovementKind.RETURN, item=item, lot=None, location=where, quantity=1, gross=gross, net=net, actor=actor, batch=batch, document_fields=doc)
            _save_item_quantity(item, 1, location=where)
            return movement
        if lot in (None, ""):
            raise StockError(_("Name the lot %(sku)s is returned to.") % {"sku": item.sku}, "unknown_lot", "lot")
        target = _lock_lots(tenant, item, [lot])[int(_pk(lot))]
        gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight * quantity, default_net=item.net_weight * quantity)
        movement = _movement(tenant, kind=MovementKind.RETURN, item=item, lot=target, location=target.location, quantity=quantity, gross=gross, net=net, actor=actor, batch=batch, document_fields=doc)
        _save_lot(target, quantity, gross, net)
        _save_item_quantity(item, item.quantity + quantity)
        return movement


def adjust_stock(tenant, *, item, quantity, reason, actor=None, lot=None, location=None, gross_weight=None, net_weight=None, document=None) -> StockMovement:
    """Correct stock by `quantity` units (negative removes, never 0), for a `reason` (required,
    e.g. "stock count", "damaged"). A serialized piece ends with 0 or 1 on hand. A lot item
    removes from `lot` (required; weights pro rata unless given) and adds to `lot`, or with
    none to a new lot at `location`. Weights given are the *size* of the change in grams
    (positive numbers). Returns the 'adjustment' movement. Raises `StockError`."""
    quantity = _quantity(quantity, allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Give the reason for the adjustment."), "reason_required", "reason")
    if len(reason) > 200:
        raise StockError(_("The reason has at most 200 characters."), "reason_required", "reason")
    with tenant_context(tenant) as tenant:
        doc = _document_fields(document)
        item = _lock_item(tenant, item)
        batch = uuid.uuid4()
        sign = 1 if quantity > 0 else -1
        if item.is_serialized:
            after = item.quantity + quantity
            if after < 0:
                raise _out_of_stock(item, -quantity, item.quantity)
            if after > 1:
                raise StockError(_("%(sku)s is a serialized piece: it is either in stock (1) or not (0).") % {"sku": item.sku}, "bad_quantity", "quantity")
            if sign > 0:
                where = _location(tenant, location) if location not in (None, "") else (item.location or default_location(tenant))
            else:
                where = item.location or default_location(tenant)
            gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight, default_net=item.net_weight)
            movement = _movement(tenant, kind=MovementKind.ADJUSTMENT, item=item, lot=None, location=where, quantity=quantity, gross=sign * gross, net=sign * net, actor=actor, batch=batch, reason=reason, document_fields=doc)
            _save_item_quantity(item, after, location=where)
            return movement
        if sign < 0:
            if lot in (None, ""):
                raise StockError(_("Name the lot of %(sku)s to take the units from.") % {"sku": item.sku}, "unknown_lot", "lot")
            target = _lock_lots(tenant, item, [lot])[int(_pk(lot))]
            if -quantity > target.quantity:
                raise _out_of_stock(item, -quantity, target.quantity, lot=target)
            if -quantity == target.quantity:  # emptying the lot takes all of its weight
                gross, net = target.gross_weight, target.net_weight
            else:
                gross, net = _weights(gross_weight, net_weight, default_gross=_share(target.gross_weight, target.quantity, -quantity), default_net=_share(target.net_weight, target.quantity, -quantity))
            if gross > target.gross_weight or net > target.net_weight or (target.net_weight - net) > (target.gross_weight - gross):
                raise StockError(_("More weight than the lot holds."), "bad_weight", "gross_weight")
        else:
            where = _location(tenant, location) if location not in (None, "") else None
            target = _receiving_lot(tenant, item, where, lot, "")
            gross, net = _weights(gross_weight, net_weight, default_gross=item.gross_weight * quantity, default_net=item.net_weight * quantity)
        movement = _movement(tenant, kind=MovementKind.ADJUSTMENT, item=item, lot=target, location=target.location, quantity=quantity, gross=sign * gross, net=sign * net, actor=actor, batch=batch, reason=reason, document_fields=doc)
        _save_lot(target, quantity, sign * gross, sign * net)
        _save_item_quantity(item, item.quantity + quantity)
        return movement


def transfer_stock(tenant, *, item, lot=None, quantity=1, from_location, to_location, actor=None, document=None) -> tuple[StockMovement, StockMovement]:
    """Move `quantity` units from one location to another: a 'transfer_out' and a 'transfer_in'
    movement in one transaction (same batch), so the shop's totals do not change. A serialized
    piece must be at `from_location`; a lot item moves out of `lot` (at `from_location`) into the
    lot with the same number at `to_location` (created if new), weights pro rata.
    Returns `(out, in)`. Raises `StockError` / `OutOfStockError`."""
    quantity = _quantity(quantity)
    with tenant_context(tenant) as tenant:
        doc = _document_fields(document)
        source = _location(tenant, from_location)
        dest = _location(tenant, to_location)
        if source.pk == dest.pk:
            raise StockError(_("Choose two different locations."), "same_location", "to_location")
        item = _lock_item(tenant, item)
        batch = uuid.uuid4()
        if item.is_serialized:
            if not item.quantity:
                raise _out_of_stock(item, quantity, 0)
            if quantity != 1:
                raise StockError(_("%(sku)s is a serialized piece: it moves as one piece.") % {"sku": item.sku}, "bad_quantity", "quantity")
            if (item.location_id or default_location(tenant).pk) != source.pk:
                raise StockError(_("%(sku)s is not at %(location)s.") % {"sku": item.sku, "location": source}, "wrong_location", "from_location")
            common = dict(item=item, lot=None, actor=actor, batch=batch, document_fields=doc)
            out = _movement(tenant, kind=MovementKind.TRANSFER_OUT, location=source, quantity=-1, gross=-item.gross_weight, net=-item.net_weight, **common)
            into = _movement(tenant, kind=MovementKind.TRANSFER_IN, location=dest, quantity=1, gross=item.gross_weight, net=item.net_weight, **common)
            _save_item_quantity(item, item.quantity, location=dest)
            return out, into
        if lot in (None, ""):
            raise StockError(_("Name the lot of %(sku)s to move.") % {"sku": item.sku}, "unknown_lot", "lot")
        from_lot = _lock_lots(tenant, item, [lot])[int(_pk(lot))]
        if from_lot.location_id != source.pk:
            raise StockError(_("Lot %(lot)s is not at %(location)s.") % {"lot": from_lot.lot_number, "location": source}, "wrong_location", "from_location")
        if quantity > from_lot.quantity:
            raise _out_of_stock(item, quantity, from_lot.quantity, lot=from_lot)
        to_lot = Lot.objects.select_for_update(of=("self",)).filter(tenant=tenant, item=item, lot_number=from_lot.lot_number, location=dest).first()
        if to_lot is None:
            to_lot = Lot.objects.create(tenant=tenant, item=item, lot_number=from_lot.lot_number, location=dest)
        gross, net = _share(from_lot.gross_weight, from_lot.quantity, quantity), _share(from_lot.net_weight, from_lot.quantity, quantity)
        out = _movement(tenant, kind=MovementKind.TRANSFER_OUT, item=item, lot=from_lot, location=source, quantity=-quantity, gross=-gross, net=-net, actor=actor, batch=batch, document_fields=doc)
        into = _movement(tenant, kind=MovementKind.TRANSFER_IN, item=item, lot=to_lot, location=dest, quantity=quantity, gross=gross, net=net, actor=actor, batch=batch, document_fields=doc)
        _save_lot(from_lot, -quantity, -gross, -net)
        _save_lot(to_lot, quantity, gross, net)
        return out, into
