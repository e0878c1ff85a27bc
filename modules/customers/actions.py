"""Writes of customer data: customers, store credit, activity. Each takes the shop first, runs in
the shop's tenant context, validates fully and is atomic (nothing is written when it raises).

For other modules (the POS, repairs, …):

    from modules.customers.actions import find_or_create_customer, record_activity, redeem_store_credit

    customer, created = find_or_create_customer(shop, phone="0912 345 6789", name="Sara Ahmadi")
    redeem_store_credit(shop, customer, Decimal("150.00"), actor=user, reference=sale)   # InsufficientCreditError
    record_activity(shop, customer, kind="sale", reference=sale, amount=sale.total, summary="Sale S-1042: ring 18K")

Accounting (when the `accounting` module is installed and on for the shop): customer store credit
is a liability (`AccountKey.CUSTOMER_STORE_CREDIT`, 2100). A *manual* issue here posts
Dr Discounts given (`SALES_DISCOUNTS`, 6010) / Cr Customer store credit, and an adjustment posts
the same (or the reverse for a negative adjustment), each entry with the credit entry as its
source document. Redemptions and credit given as a refund are *not* posted here: the document
that uses the credit (the POS sale or return) posts the store-credit line in its own journal
entry (Dr Customer store credit on a sale paid with credit). With accounting off or not
installed, the ledger works the same and nothing is posted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.contract.registry import enabled_module_keys, module_settings
from zargar.core.documents import DocumentError, document_key
from zargar.tenancy.context import tenant_context
from zargar.webhooks.bus import publish

from . import selectors
from .models import MONEY_DIGITS, MONEY_PLACES, ActivityKind, CreditKind, Customer, CustomerActivity, StoreCreditEntry
from .phones import normalize_email, normalize_phone

MODULE_KEY = "customers"
EDITABLE_FIELDS = ("full_name", "phone", "email", "national_id", "address", "birthday", "notes", "marketing_consent")
#: Largest absolute amount a money column holds.
_MAX_AMOUNT = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES)


class InsufficientCreditError(ValidationError):
    """A redemption (or negative adjustment) larger than the customer's balance. Nothing was
    written. `balance` is what the customer has, `requested` what was asked (both positive
    `Decimal`s in the shop currency). Also a `ValidationError` on `amount`, so forms show it."""

    def __init__(self, *, balance: Decimal, requested: Decimal):
        self.balance = balance
        self.requested = requested
        self.text = _("Not enough store credit: the balance is %(balance)s, %(requested)s was asked.") % {
            "balance": balance,
            "requested": requested,
        }
        super().__init__({"amount": [ValidationError(self.text, code="insufficient_credit")]})


# --- helpers ----------------------------------------------------------------------------------


def phone_region(tenant) -> str:
    """The shop's `default_phone_region` setting (ISO 3166 alpha-2, `""` when unset)."""
    try:
        return str(module_settings(tenant, MODULE_KEY).get("default_phone_region") or "").strip().upper()
    except KeyError:  # the module is not installed (unit use outside the project)
        return ""


def _quantum(tenant) -> Decimal:
    """Smallest amount step of the shop currency (0.01, or 1 for JPY/IRR-like currencies in the
    accounting chart's table), never finer than the 2 places stored."""
    try:
        from modules.accounting.chart import quantum
    except ImportError:
        return Decimal("0.01")
    return max(quantum(tenant.currency), Decimal(1).scaleb(-MONEY_PLACES))


def _money(tenant, amount, *, signed: bool = False, allow_zero: bool = False, field: str = "amount") -> Decimal:
    """`amount` as a Decimal in the shop currency: finite, not zero (unless `allow_zero`), positive unless `signed`,
    with no more decimals than the currency has. Raises `ValidationError` on `field`."""
    if isinstance(amount, bool) or amount is None:
        raise ValidationError({field: _("Enter an amount.")})
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if value == 0 and not allow_zero:
        raise ValidationError({field: _("The amount cannot be zero.")})
    if value < 0 and not signed:
        raise ValidationError({field: _("The amount must be more than zero.")})
    step = _quantum(tenant)
    try:
        exact = value.quantize(step) == value
    except InvalidOperation:
        exact = False
    if not exact:
        raise ValidationError(
            {field: _("%(currency)s amounts have at most %(places)s decimals.") % {"currency": tenant.currency, "places": max(-step.as_tuple().exponent, 0)}}
        )
    if abs(value) >= _MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return value.quantize(step)


def _reference(reference) -> tuple[ContentType | None, str]:
    """`document_key` of `reference` (see zargar.core.documents), or `(None, "")` for None; a
    reference it refuses is a ValidationError on `reference`."""
    if reference is None:
        return None, ""
    try:
        return document_key(reference)
    except DocumentError as exc:
        raise ValidationError({"reference": str(exc)}) from None


def _check_customer(tenant, customer: Customer) -> None:
    if customer.tenant_id != getattr(tenant, "pk", tenant):
        raise Customer.DoesNotExist("This customer belongs to another shop.")


def _lock(tenant, customer: Customer) -> Customer:
    """The customer's row, locked (`SELECT … FOR UPDATE`) until the transaction ends: every
    store-credit write takes this lock first, so balance checks cannot interleave."""
    _check_customer(tenant, customer)
    return Customer.objects.select_for_update().get(tenant=tenant, pk=customer.pk)


# --- customers --------------------------------------------------------------------------------


def _duplicate_errors(customer: Customer) -> dict:
    errors = {}
    others = Customer.objects.filter(tenant_id=customer.tenant_id).exclude(pk=customer.pk)
    if customer.phone:
        other = others.filter(phone=customer.phone).first()
        if other is not None:
            errors["phone"] = _("Another customer of this shop (%(name)s) already has this phone number.") % {"name": other.full_name}
    if customer.email:
        other = others.filter(email=customer.email).first()
        if other is not None:
            errors["email"] = _("Another customer of this shop (%(name)s) already has this e-mail address.") % {"name": other.full_name}
    return errors


def _save(tenant, customer: Customer) -> Customer:
    errors: dict = {}
    try:
        customer.phone = normalize_phone(customer.phone, phone_region(tenant))
    except ValidationError as exc:
        errors["phone"] = exc.messages
    customer.email = normalize_email(customer.email)
    customer.full_name = (customer.full_name or "").strip()
    try:
        customer.full_clean(exclude=["tenant", *errors], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    duplicates = _duplicate_errors(customer)
    if duplicates:
        raise ValidationError(duplicates)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent insert of the same phone or e-mail
        raise ValidationError(_duplicate_errors(customer) or {NON_FIELD_ERRORS: [_("This customer could not be saved; try again.")]}) from exc
    return customer


def create_customer(tenant, **fields) -> Customer:
    """Create a customer in `tenant` from `EDITABLE_FIELDS` (others are ignored).

    The phone is normalised (see `phones.normalize_phone`, with the shop's phone region) and
    the e-mail lower-cased. Raises `ValidationError` (field → messages) for a missing name, a bad
    phone or e-mail, or a phone / e-mail that another customer of this shop already has.
    """
    with tenant_context(tenant) as tenant:
        customer = _save(tenant, Customer(tenant=tenant, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}))
        publish(tenant, "customer.created", customer)  # webhooks (zargar.webhooks.bus), after commit
        return customer


def update_customer(customer: Customer, **fields) -> Customer:
    """Change a customer's `EDITABLE_FIELDS`; same rules and errors as `create_customer`. On
    error the database row is unchanged."""
    with tenant_context(customer.tenant_id) as tenant:
        for name, value in fields.items():
            if name in EDITABLE_FIELDS:
                setattr(customer, name, value)
        return _save(tenant, customer)


def delete_customer(customer: Customer) -> None:
    """Delete a customer who has no store-credit entries and no activity. Raises
    `ValidationError` otherwise (their ledger and history must stay)."""
    with tenant_context(customer.tenant_id):
        if customer.credit_entries.exists() or customer.activities.exists():
            raise ValidationError(_("This customer has store credit or purchase history and cannot be deleted."), code="in_use")
        try:
            with transaction.atomic():
                customer.delete()
        except RestrictedError as exc:
            raise ValidationError(_("This customer has store credit or purchase history and cannot be deleted."), code="in_use") from exc


def find_or_create_customer(tenant, *, phone: str | None = None, email: str | None = None, name: str = "", **details) -> tuple[Customer, bool]:
    """The shop's customer with this phone (first) or e-mail, or a new one: `(customer, created)`.

    For the POS: call it with what the cashier typed; calling it again with the same phone or
    e-mail returns the same customer (`created` False). An existing customer is returned as is
    (`name` and `details` are used only to create). Phone and e-mail are normalised before
    matching (so `0912…` and `+98912…` match when the shop's phone region is `IR`).
    `details` may hold other `EDITABLE_FIELDS` (address, birthday, …).

    Raises `ValidationError` when neither phone nor e-mail is given, when one of them is not
    valid, or when a new customer would have no name. Safe under concurrency: two POS terminals
    creating the same phone at once get the same customer.
    """
    with tenant_context(tenant) as tenant:
        try:
            phone_n = normalize_phone(phone, phone_region(tenant))
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
        email_n = normalize_email(email)
        if not phone_n and not email_n:
            raise ValidationError(_("Give a phone number or an e-mail address to find the customer by."), code="no_contact")

        def find() -> Customer | None:
            qs = Customer.objects.filter(tenant=tenant)
            return (phone_n and qs.filter(phone=phone_n).first()) or (email_n and qs.filter(email=email_n).first()) or None

        found = find()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                return create_customer(tenant, full_name=name, phone=phone_n, email=email_n, **details), True
        except ValidationError:
            found = find()  # created meanwhile by a concurrent call
            if found is not None:
                return found, False
            raise


# --- store credit -----------------------------------------------------------------------------


def _books_on(tenant) -> bool:
    """True when the accounting module is installed and on for the shop."""
    return django_apps.is_installed("modules.accounting") and "accounting" in enabled_module_keys(tenant)


def _post_to_books(tenant, entry: StoreCreditEntry, description: str) -> None:
    """Post `entry` (an issue or adjustment) against Discounts given; see the module docstring."""
    from modules.accounting.actions import PostingError, PostingLine, post_journal_entry, shop_today
    from modules.accounting.chart import AccountKey

    amount = abs(entry.amount)
    if entry.amount > 0:
        lines = [PostingLine.debit(AccountKey.SALES_DISCOUNTS, amount), PostingLine.credit(AccountKey.CUSTOMER_STORE_CREDIT, amount)]
    else:
        lines = [PostingLine.debit(AccountKey.CUSTOMER_STORE_CREDIT, amount), PostingLine.credit(AccountKey.SALES_DISCOUNTS, amount)]
    try:
        post_journal_entry(tenant, date=shop_today(tenant), description=description[:120], lines=lines, source=entry)
    except PostingError as exc:
        raise ValidationError({NON_FIELD_ERRORS: [_("The books refused the posting: %(reason)s") % {"reason": exc.message}]}) from exc


def _write(tenant, customer, *, kind, amount, actor, reference, reference_text, note) -> StoreCreditEntry:
    ref_type, ref_id = _reference(reference)
    reference_text = (reference_text or "").strip()
    if len(reference_text) > 120:
        raise ValidationError({"reference_text": _("The reference is longer than 120 characters.")})
    entry = StoreCreditEntry(
        tenant=tenant,
        customer=customer,
        kind=kind,
        amount=amount,
        currency=tenant.currency,
        reference_type=ref_type,
        reference_id=ref_id,
        reference_text=reference_text,
        note=(note or "").strip(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    entry.save()
    return entry


def issue_store_credit(
    tenant,
    customer: Customer,
    amount,
    *,
    actor=None,
    kind: str = CreditKind.ISSUE,
    note: str = "",
    reference=None,
    reference_text: str = "",
    post_to_books: bool | None = None,
) -> StoreCreditEntry:
    """Add `amount` (positive `Decimal`, shop currency) to the customer's store credit.

    `kind` is `"issue"` (goodwill, a gift, a manual credit) or `"refund"` (a return paid out in
    credit). `reference` names the document (model instance or `(type, id)`), `reference_text` a
    free-text reference (≤ 120 characters). `post_to_books` defaults to True for `issue`
    (Dr Discounts given / Cr Customer store credit, when accounting is on) and False for
    `refund` (the return document posts it). Returns the new entry.

    Raises `ValidationError` for a bad amount, kind or reference, or when the books refuse the
    posting; `Customer.DoesNotExist` for another shop's customer. Nothing is written then.
    """
    if kind not in (CreditKind.ISSUE, CreditKind.REFUND):
        raise ValidationError({"kind": _("Credit is issued as %(kinds)s.") % {"kinds": "issue, refund"}})
    with tenant_context(tenant) as tenant:
        amount = _money(tenant, amount)
        locked = _lock(tenant, customer)
        entry = _write(tenant, locked, kind=kind, amount=amount, actor=actor, reference=reference, reference_text=reference_text, note=note)
        if (kind == CreditKind.ISSUE if post_to_books is None else post_to_books) and _books_on(tenant):
            _post_to_books(tenant, entry, _("Store credit issued to %(name)s") % {"name": locked.full_name})
        return entry


def redeem_store_credit(
    tenant,
    customer: Customer,
    amount,
    *,
    actor=None,
    note: str = "",
    reference=None,
    reference_text: str = "",
) -> StoreCreditEntry:
    """Take `amount` (positive `Decimal`, shop currency) from the customer's store credit; the
    entry stores it negative. Locks the customer row first, so concurrent redemptions are
    serialised and can never take the balance below zero.

    Not posted to the books: the sale that the credit pays for posts Dr Customer store credit
    in its own journal entry. Returns the new entry.

    Raises `InsufficientCreditError` when `amount` is more than the balance, `ValidationError`
    for a bad amount or reference, `Customer.DoesNotExist` for another shop's customer. Nothing
    is written then.
    """
    with tenant_context(tenant) as tenant:
        amount = _money(tenant, amount)
        locked = _lock(tenant, customer)
        balance = selectors.credit_balance(locked)
        if amount > balance:
            raise InsufficientCreditError(balance=balance, requested=amount)
        return _write(tenant, locked, kind=CreditKind.REDEEM, amount=-amount, actor=actor, reference=reference, reference_text=reference_text, note=note)


def adjust_store_credit(
    tenant,
    customer: Customer,
    amount,
    *,
    reason: str,
    actor=None,
    reference=None,
    reference_text: str = "",
    post_to_books: bool = True,
) -> StoreCreditEntry:
    """Correct the customer's store credit by `amount` (signed `Decimal`, not zero; shop
    currency) for `reason` (required, stored as the entry's note). For admins: the panel and API
    require `customers.adjust_credit`.

    A positive adjustment posts Dr Discounts given / Cr Customer store credit, a negative one the
    reverse (when accounting is on and `post_to_books`). Raises `InsufficientCreditError` when a
    negative adjustment would take the balance below zero, `ValidationError` for a missing
    reason or bad amount. Nothing is written then.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this adjustment.")})
    with tenant_context(tenant) as tenant:
        amount = _money(tenant, amount, signed=True)
        locked = _lock(tenant, customer)
        if amount < 0:
            balance = selectors.credit_balance(locked)
            if -amount > balance:
                raise InsufficientCreditError(balance=balance, requested=-amount)
        entry = _write(tenant, locked, kind=CreditKind.ADJUSTMENT, amount=amount, actor=actor, reference=reference, reference_text=reference_text, note=reason)
        if post_to_books and _books_on(tenant):
            _post_to_books(tenant, entry, _("Store credit adjustment for %(name)s") % {"name": locked.full_name})
        return entry


# --- activity ---------------------------------------------------------------------------------


def record_activity(
    tenant,
    customer: Customer,
    *,
    kind: str,
    summary: str,
    amount=None,
    occurred_at: dt.datetime | None = None,
    reference=None,
    reference_text: str = "",
) -> tuple[CustomerActivity, bool]:
    """Add an event to the customer's history (shown on their page): `(activity, created)`.

    - `kind`: one of `ActivityKind` (`sale`, `return`, `repair`, `order`, `buyback`, `other`).
    - `summary`: one line (≤ 200 characters), e.g. `"Sale S-1042: ring 18K, 4.2 g"`.
    - `amount`: optional signed `Decimal` in the shop currency (a return as negative).
    - `occurred_at`: aware datetime, default now.
    - `reference`: the document (model instance or `(type, id)` pair, e.g. `("pos.sale", 42)`);
      recording the same document and kind again returns the existing row (`created` False),
      so a retried task does not duplicate history. `reference_text`: free text instead.

    Raises `ValidationError` for a bad kind, summary, amount or reference;
    `Customer.DoesNotExist` for another shop's customer.
    """
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown activity kind %(kind)s.") % {"kind": kind}})
    summary = (summary or "").strip()
    if not summary or len(summary) > 200:
        raise ValidationError({"summary": _("The summary must be 1 to 200 characters.")})
    if occurred_at is not None and (not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at)):
        raise ValidationError({"occurred_at": _("The date must be an aware datetime.")})
    with tenant_context(tenant) as tenant:
        _check_customer(tenant, customer)
        value = None if amount is None or amount == "" else _money(tenant, amount, signed=True, allow_zero=True)
        ref_type, ref_id = _reference(reference)
        if ref_type is not None:
            existing = CustomerActivity.objects.filter(tenant=tenant, reference_type=ref_type, reference_id=ref_id, kind=kind).first()
            if existing is not None:
                return existing, False
        activity = CustomerActivity(
            tenant=tenant,
            customer=customer,
            kind=kind,
            summary=summary,
            amount=value,
            currency=tenant.currency if value is not None else "",
            occurred_at=occurred_at or timezone.now(),
            reference_type=ref_type,
            reference_id=ref_id,
            reference_text=(reference_text or "").strip()[:120],
        )
        try:
            with transaction.atomic():
                activity.save()
        except IntegrityError:
            existing = CustomerActivity.objects.filter(tenant=tenant, reference_type=ref_type, reference_id=ref_id, kind=kind).first()
            if existing is None:
                raise
            return existing, False
        return activity, True
