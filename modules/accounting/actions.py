"""Writes to a shop's books. Every function takes the shop explicitly, runs inside
`tenant_context(tenant)` (django-ledger's rows get their `tenant_id` from it) and is atomic.

Other modules record money movements with `post_journal_entry`:

    from decimal import Decimal
    from modules.accounting.actions import PostingLine, post_journal_entry
    from modules.accounting.chart import AccountKey

    entry = post_journal_entry(
        shop,
        date=sale.sold_on,                       # datetime.date, the shop's calendar day
        description=f"Sale {sale.number}",
        lines=[
            PostingLine.debit(AccountKey.CASH, Decimal("1090.00")),
            PostingLine.credit(AccountKey.SALES_REVENUE, Decimal("1000.00")),
            PostingLine.credit(AccountKey.VAT_PAYABLE, Decimal("90.00")),
        ],
        source=sale,                             # or ("pos.sale", sale.pk)
    )

Posting the same `source` twice raises `DuplicateSourceError` (a `PostingError`) carrying the
entry already posted, so a retried task can treat it as done.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ledger.models import AccountModel, EntityModel, JournalEntryModel

from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Role, Tenant

from .chart import ACCOUNT_SPECS, CHART, CREDIT, DEBIT, AccountKey, minor_unit, quantum
from .models import ShopBooks, SourceDocumentLink

GENERAL_LEDGER_XID = "zargar-general"
#: django-ledger's `JournalEntryModel.description` holds 120 characters, a line's 100.
MAX_DESCRIPTION = 120
MAX_LINE_DESCRIPTION = 100


class BooksError(RuntimeError):
    """A shop's books cannot be set up (e.g. the shop has no owner to administer them)."""


class PostingError(ValueError):
    """A journal entry was refused; nothing was written. `code` names the reason:
    `empty`, `bad_line`, `bad_amount`, `too_precise`, `unbalanced`, `unknown_account`,
    `bad_date`, `bad_description`, `bad_source`, `duplicate_source`, `ledger`."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code
        self.message = message


class DuplicateSourceError(PostingError):
    """The source document already has a journal entry (`journal_entry`)."""

    def __init__(self, message: str, *, journal_entry: JournalEntryModel | None = None):
        super().__init__(message, code="duplicate_source")
        self.journal_entry = journal_entry


@dataclass(frozen=True)
class PostingLine:
    """One line of a journal entry: `side` is `"debit"` or `"credit"`, `amount` a positive
    `Decimal` in the shop's currency with at most its minor-unit decimals (2 for most, 0 for JPY;
    never more than the 2 that django-ledger stores). Build with `PostingLine.debit(key, amount)`
    or `PostingLine.credit(key, amount)`."""

    account_key: AccountKey | str
    side: str
    amount: Decimal
    description: str = ""

    @classmethod
    def debit(cls, account_key: AccountKey | str, amount: Decimal, description: str = "") -> "PostingLine":
        return cls(account_key, DEBIT, amount, description)

    @classmethod
    def credit(cls, account_key: AccountKey | str, amount: Decimal, description: str = "") -> "PostingLine":
        return cls(account_key, CREDIT, amount, description)


# --- Books ------------------------------------------------------------------------------------


def _owner_of(tenant: Tenant):
    membership = Membership.objects.filter(tenant=tenant, role=Role.OWNER).select_related("user").order_by("created_at").first()
    return membership.user if membership else None


def _ensure_accounts(entity: EntityModel) -> None:
    """Create the accounts of `CHART` missing from the entity's default chart (by code), each
    through django-ledger's `ChartOfAccountModel.create_account` (treebeard insert under its
    role's root node). The first account of a role without a default becomes its default."""
    coa = entity.default_coa
    current = AccountModel.objects.filter(coa_model=coa).select_related(None)
    existing = set(current.values_list("code", flat=True))
    roles_with_default = set(current.filter(role_default=True).values_list("role", flat=True))
    missing = [spec for spec in CHART if spec.code not in existing]
    if not missing:
        return
    root_account_qs = coa.get_coa_root_accounts_qs()
    len(root_account_qs)  # evaluate once, reused for every insert
    new_defaults = []
    for spec in missing:
        coa.create_account(
            code=spec.code, role=spec.role, name=spec.name, balance_type=spec.balance_type, active=True,
            root_account_qs=root_account_qs,
        )
        if spec.role not in roles_with_default:
            roles_with_default.add(spec.role)
            new_defaults.append(spec.code)
    current.filter(code__in=new_defaults).update(role_default=True)


def ensure_books(tenant: Tenant, *, admin=None) -> ShopBooks:
    """The shop's books, created if missing: a django-ledger entity administered by `admin` (by
    default the shop's owner), its default chart of accounts with every account of `CHART`, and a
    posted general ledger. Idempotent: a second call adds only accounts missing from the chart.

    Raises `BooksError` when the books must be created and the shop has no owner.
    """
    with tenant_context(tenant) as tenant:
        # One setup at a time per shop: the shop row is the lock.
        Tenant.objects.select_for_update().filter(pk=tenant.pk).exists()
        books = ShopBooks.objects.select_related("entity", "entity__default_coa", "ledger").filter(tenant=tenant).first()
        if books is None:
            admin = admin or _owner_of(tenant)
            if admin is None:
                raise BooksError(f"shop {tenant.slug!r} has no owner to administer its books")
            entity = EntityModel.create_entity(name=tenant.name, use_accrual_method=True, admin=admin, fy_start_month=1)
            entity.create_chart_of_accounts(assign_as_default=True, commit=True, coa_name="Jewelry shop chart of accounts")
            ledger = entity.create_ledger(name="General ledger", ledger_xid=GENERAL_LEDGER_XID, posted=True)
            books = ShopBooks.objects.create(tenant=tenant, entity=entity, ledger=ledger)
        _ensure_accounts(books.entity)
        return books


# --- Posting ----------------------------------------------------------------------------------


def _source_ref(source) -> tuple[ContentType, str] | None:
    """(content type, object id) of a model instance or a `(type, id)` pair, where type is a
    ContentType, a model class or `"app_label.model"`."""
    if source is None:
        return None
    if isinstance(source, models.Model):
        if source.pk is None:
            raise PostingError(_("The source document has not been saved."), code="bad_source")
        return ContentType.objects.get_for_model(source), str(source.pk)
    if isinstance(source, (tuple, list)) and len(source) == 2:
        kind, object_id = source
        if isinstance(kind, ContentType):
            ct = kind
        elif isinstance(kind, type) and issubclass(kind, models.Model):
            ct = ContentType.objects.get_for_model(kind)
        elif isinstance(kind, str) and kind.count(".") == 1:
            try:
                ct = ContentType.objects.get_for_model(apps.get_model(kind))
            except LookupError:
                raise PostingError(_("Unknown source document type %(type)s.") % {"type": kind}, code="bad_source") from None
        else:
            raise PostingError(_("A source is a model instance or a (type, id) pair."), code="bad_source")
        object_id = str(object_id).strip()
        if not object_id or len(object_id) > 64:
            raise PostingError(_("The source document id must be 1 to 64 characters."), code="bad_source")
        return ct, object_id
    raise PostingError(_("A source is a model instance or a (type, id) pair."), code="bad_source")


def _validate_lines(tenant: Tenant, lines) -> list[tuple[AccountKey, str, Decimal, str]]:
    lines = list(lines or [])
    if len(lines) < 2:
        raise PostingError(_("A journal entry needs at least two lines."), code="empty")
    step = quantum(tenant.currency)
    clean = []
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, PostingLine):
            raise PostingError(_("Line %(n)s is not a PostingLine.") % {"n": n}, code="bad_line")
        try:
            key = AccountKey(line.account_key)
        except ValueError:
            raise PostingError(_("Line %(n)s: unknown account %(key)s.") % {"n": n, "key": line.account_key}, code="unknown_account") from None
        if line.side not in (DEBIT, CREDIT):
            raise PostingError(_("Line %(n)s must be a debit or a credit.") % {"n": n}, code="bad_line")
        amount = line.amount
        if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
            raise PostingError(_("Line %(n)s: the amount must be a Decimal.") % {"n": n}, code="bad_amount")
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0:
            raise PostingError(_("Line %(n)s: the amount must be more than zero.") % {"n": n}, code="bad_amount")
        try:
            exact = amount.quantize(step) == amount
        except InvalidOperation:
            exact = False
        if not exact:
            raise PostingError(
                _("Line %(n)s: %(amount)s has more decimals than %(currency)s allows (%(places)s).")
                % {"n": n, "amount": amount, "currency": tenant.currency, "places": minor_unit(tenant.currency)},
                code="too_precise",
            )
        description = (line.description or "").strip()
        if len(description) > MAX_LINE_DESCRIPTION:
            raise PostingError(_("Line %(n)s: the description is longer than %(max)s characters.") % {"n": n, "max": MAX_LINE_DESCRIPTION}, code="bad_description")
        clean.append((key, line.side, amount.quantize(step), description))
    debits = sum((a for _k, side, a, _d in clean if side == DEBIT), Decimal(0))
    credits = sum((a for _k, side, a, _d in clean if side == CREDIT), Decimal(0))
    if debits != credits:
        raise PostingError(
            _("Debits (%(debits)s) and credits (%(credits)s) are not equal.") % {"debits": debits, "credits": credits},
            code="unbalanced",
        )
    return clean


def shop_zone(tenant: Tenant):
    """The shop's time zone (UTC when its setting is not a known zone)."""
    try:
        return zoneinfo.ZoneInfo(tenant.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def shop_today(tenant: Tenant) -> dt.date:
    return timezone.now().astimezone(shop_zone(tenant)).date()


def post_journal_entry(tenant: Tenant, *, date: dt.date, description: str, lines, source=None) -> JournalEntryModel:
    """Post a balanced journal entry to the shop's books and return it (posted and locked).

    - `date`: the accounting day (`datetime.date`) in the shop's time zone; not in the future.
      The entry's timestamp is the start of that day in the shop's time zone.
    - `description`: 1 to 120 characters.
    - `lines`: two or more `PostingLine`s; total debits must equal total credits. Amounts are
      positive `Decimal`s in the shop's currency (`Tenant.currency`), at most its minor-unit
      decimals. Accounts are named by `AccountKey`, never by code.
    - `source`: the document this entry records — a saved model instance or a `(type, id)` pair
      (`("pos.sale", 42)`, a model class or a ContentType as type) — or None for a manual entry.
      One entry per source: a second posting raises `DuplicateSourceError`.

    One atomic transaction creates a django-ledger `JournalEntryModel` in the shop's general
    ledger, posted and locked, with one `TransactionModel` per line (bulk-inserted; see `_post`
    for the checks, made once), plus the `SourceDocumentLink` — whose unique constraint makes the
    posting idempotent per source (a duplicate rolls the entry back to a savepoint).

    Raises `PostingError` (with `.code`) and writes nothing when: fewer than two lines, a line is
    not a debit/credit, an amount is not a Decimal or is <= 0 or too precise, debits != credits,
    an account key is unknown or its account is missing or inactive in the shop's chart, the date
    is in the future or not a date, the description is empty or too long, the source is invalid
    or already posted, or django-ledger refuses the entry (e.g. a closed period).
    """
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise PostingError(_("The date must be a calendar date."), code="bad_date")
    if date > shop_today(tenant):
        raise PostingError(_("The date %(date)s is in the future.") % {"date": date.isoformat()}, code="bad_date")
    description = (description or "").strip()
    if not description or len(description) > MAX_DESCRIPTION:
        raise PostingError(_("The description must be 1 to %(max)s characters.") % {"max": MAX_DESCRIPTION}, code="bad_description")
    clean = _validate_lines(tenant, lines)
    ref = _source_ref(source)

    try:
        # tenant_context is atomic (a savepoint when nested): an error rolls all of it back.
        with tenant_context(tenant) as tenant:
            return _post(tenant, date, description, clean, ref, source if isinstance(source, models.Model) else None)
    except IntegrityError as exc:
        # The source's link is unique: a second posting of the same document ends here, with
        # the entry it tried to write rolled back (its entry number too).
        if ref is None:
            raise
        with tenant_context(tenant) as tenant:
            existing = SourceDocumentLink.objects.filter(tenant=tenant, content_type=ref[0], object_id=ref[1]).select_related("journal_entry").first()
        if existing is None:
            raise
        raise DuplicateSourceError(
            _("%(source)s already has journal entry %(number)s.") % {"source": existing, "number": existing.journal_entry.je_number},
            journal_entry=existing.journal_entry,
        ) from exc


def _post(tenant, date, description, clean, ref, instance=None) -> JournalEntryModel:
    """Write the entry with django-ledger's own models and numbering, in 6 statements plus the
    entry number (the entity state row, locked until commit) — instead of `EntityModel.commit_txs`,
    whose `save(verify=True)` reads the transactions just written back three times to check what
    `_validate_lines` checked already.

    The checks `commit_txs` + `verify` make are all kept, once, on the values written: debits equal
    credits (`_validate_lines`), every account is in the entity's default chart (one chart: the
    account query filters on it) and active, the ledger is not locked, the date is not in a closed
    period, and the activity (operating / investing / financing) comes from django-ledger's
    `get_activity_from_roles` over the accounts' roles, as `generate_activity` computes it.
    """
    from django_ledger.io import roles as ledger_roles
    from django_ledger.io.io_core import validate_io_timestamp
    from django_ledger.models import TransactionModel

    books = ShopBooks.objects.select_related("entity", "ledger").filter(tenant=tenant).first() or ensure_books(tenant)
    entity, ledger = books.entity, books.ledger
    ledger.entity = entity  # the entry's `entity_model` (numbering) without another query
    codes = {ACCOUNT_SPECS[key].code: key for key, *_rest in clean}
    accounts = {a.code: a for a in AccountModel.objects.filter(coa_model_id=entity.default_coa_id, code__in=codes)}
    for code, key in codes.items():
        account = accounts.get(code)
        if account is None or not account.active or account.locked:
            raise PostingError(_("The account %(key)s is missing or inactive in this shop's chart.") % {"key": key.value}, code="unknown_account")
    if ledger.is_locked():
        raise PostingError(_("The ledger is locked."), code="ledger")
    if entity.last_closing_date and entity.last_closing_date >= date:
        raise PostingError(_("The date %(date)s is in a closed period.") % {"date": date.isoformat()}, code="ledger")
    used = [accounts[ACCOUNT_SPECS[key].code] for key, *_rest in clean]
    roles = {account.role for account in used}
    origin = f"zargar:{ref[0].app_label}.{ref[0].model}"[:30] if ref else "zargar:manual"
    try:
        with timezone.override(shop_zone(tenant)):
            je = JournalEntryModel(
                ledger=ledger, description=description, timestamp=validate_io_timestamp(dt=date), origin=origin,
                posted=False, locked=False,
            )
            if ledger_roles.ASSET_CA_CASH in roles:
                je.activity = JournalEntryModel.get_activity_from_roles(role_set=roles - {ledger_roles.ASSET_CA_CASH}, raise_exception=True)
            je.generate_je_number(commit=False)
            je.posted, je.locked = True, True
            je.save(verify=False)
            TransactionModel.objects.bulk_create([
                TransactionModel(journal_entry=je, account=account, amount=amount, tx_type=side, description=text or None)
                for account, (key, side, amount, text) in zip(used, clean)
            ])
    except ValidationError as exc:
        raise PostingError(" ".join(exc.messages), code="ledger") from exc
    if ref is not None:
        link = SourceDocumentLink(tenant=tenant, journal_entry=je, content_type=ref[0], object_id=ref[1])
        if instance is not None:
            link.source = instance  # the audit log's diff reads `source`: no query to load it again
        link.save(force_insert=True)
    return je
