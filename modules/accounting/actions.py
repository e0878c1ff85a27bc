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
import json
import uuid
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ledger.models import AccountModel, EntityModel, JournalEntryModel, LedgerModel

from zargar.core.documents import DocumentError, document_key
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
    """`document_key` of `source` (see zargar.core.documents), or None for None; a source it
    refuses is a `PostingError` with code `bad_source`."""
    if source is None:
        return None
    try:
        return document_key(source)
    except DocumentError as exc:
        raise PostingError(str(exc), code="bad_source") from None


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

    One atomic block creates a django-ledger `JournalEntryModel` in the shop's general ledger,
    posted and locked, numbered as django-ledger numbers it (`JE-<fiscal year>-000-<10 digits>`,
    gap-free per shop and fiscal year), with one `TransactionModel` per line, plus the
    `SourceDocumentLink` — whose unique constraint makes the posting idempotent per source. Inside
    a caller's context of the same shop that is 5 statements (4 without a source) and no
    savepoint; see `_post`.

    Raises `PostingError` (with `.code`) and writes nothing when: fewer than two lines, a line is
    not a debit/credit, an amount is not a Decimal or is <= 0 or too precise, debits != credits,
    an account key is unknown or its account is missing, inactive or locked in the shop's chart,
    the date is in the future, not a date or in a closed period, the ledger is locked, the
    description is empty or too long, the source is invalid or already posted. A `PostingError`
    leaves the caller's transaction usable (it is raised after the block, which wrote nothing);
    any other error (a database error) leaves it for rollback, like any failed statement.
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

    # No savepoint when nested in the caller's context of this shop (2 round trips fewer): `_post`
    # makes every check before its first write, and its only refusal after that (a duplicate
    # source) happens on a write that wrote nothing. So a refusal leaves the block normally, with
    # nothing written, and is raised here; any other exception propagates and leaves the
    # enclosing transaction for rollback (Django's `atomic(savepoint=False)`).
    refusal: PostingError | BooksError | None = None
    with tenant_context(tenant, savepoint=False) as tenant:
        try:
            return _post(tenant, date, description, clean, ref)
        except (PostingError, BooksError) as exc:
            refusal = exc
    raise refusal


#: Books, entity, ledger and the entry's accounts in one statement (see `_books_with_accounts`).
_BOOKS_SQL = (
    "SELECT e.uuid, e.default_coa_id, e.fy_start_month, e.last_closing_date, l.uuid, l.locked, "
    "(SELECT coalesce(json_agg(json_build_object("
    "'uuid', a.uuid, 'code', a.code, 'role', a.role, 'active', a.active, 'locked', a.locked)), '[]')::text "
    " FROM {account} a WHERE a.coa_model_id = e.default_coa_id AND a.code = ANY(%s)) "
    "FROM {books} b JOIN {entity} e ON e.uuid = b.entity_id JOIN {ledger} l ON l.uuid = b.ledger_id "
    "WHERE b.tenant_id = %s"
)


def _books_with_accounts(tenant: Tenant, codes) -> tuple[EntityModel, LedgerModel, dict[str, dict]] | None:
    """The shop's entity, general ledger and the accounts of the entity's default chart whose
    code is in `codes`, read in one statement — fresh on every posting (no cache: a closed
    period, a locked ledger or a deactivated account is seen at once) and without the ORM's
    query compilation, which cost more than the query itself. None when the shop has no books.

    The entity and ledger are model instances holding only the fields a posting needs
    (entity: `uuid`, `default_coa_id`, `fy_start_month`, `last_closing_date`; ledger: `uuid`,
    `entity_id`, `locked`; others load on access, as with `.only()`), the ledger's `entity` set.
    Accounts are dicts by code: `uuid` (str), `code`, `role`, `active`, `locked`.
    """
    name = connection.ops.quote_name
    sql = _BOOKS_SQL.format(
        account=name(AccountModel._meta.db_table), books=name(ShopBooks._meta.db_table),
        entity=name(EntityModel._meta.db_table), ledger=name(LedgerModel._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(codes), tenant.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    entity_uuid, coa_uuid, fy_start_month, last_closing_date, ledger_uuid, ledger_locked, accounts = row
    entity = EntityModel.from_db(
        connection.alias, ["uuid", "default_coa_id", "fy_start_month", "last_closing_date"],
        [entity_uuid, coa_uuid, fy_start_month, last_closing_date],
    )
    ledger = LedgerModel.from_db(connection.alias, ["uuid", "entity_id", "locked"], [ledger_uuid, entity_uuid, ledger_locked])
    ledger.entity = entity
    return entity, ledger, {a["code"]: a for a in json.loads(accounts)}


#: The entity-state row django-ledger numbers journal entries from, as one upsert: the row of
#: (entity, no unit, fiscal year, "je") gets `sequence + 1`, or is created with 1 — what
#: `JournalEntryModel._get_next_state_model` does in 3 statements (SELECT … FOR UPDATE, UPDATE,
#: SELECT). The conflict target is the partial unique index of migration 0003 (django-ledger's
#: own unique constraint includes the nullable `entity_unit_id`, so it never conflicts on NULL).
#: The row stays locked until the transaction ends: postings of one shop take turns from here.
_NEXT_JE_SEQUENCE_SQL = (
    'INSERT INTO {table} AS s ("uuid", "entity_model_id", "entity_unit_id", "fiscal_year", "key", "sequence") '
    "VALUES (%s, %s, NULL, %s, %s, 1) "
    'ON CONFLICT ("entity_model_id", "fiscal_year", "key") WHERE "entity_unit_id" IS NULL '
    'DO UPDATE SET "sequence" = s."sequence" + 1 RETURNING "sequence"'
)

#: The source link, or nothing when the source already has one (then no row is written and no
#: error aborts the transaction, so no savepoint is needed to recover from it).
_LINK_SQL = (
    'INSERT INTO {table} ("tenant_id", "journal_entry_id", "content_type_id", "object_id", "created_at") '
    "VALUES (%s, %s, %s, %s, %s) "
    'ON CONFLICT ("tenant_id", "content_type_id", "object_id") DO NOTHING RETURNING "id"'
)


def next_je_number(entity: EntityModel, timestamp: dt.datetime) -> str:
    """Take the next journal-entry number of `entity` for the fiscal year of `timestamp`, exactly
    as django-ledger's `JournalEntryModel.generate_je_number` makes it for an entry without an
    entity unit: `f"{DJANGO_LEDGER_JE_NUMBER_PREFIX}-{fiscal year}-{DJANGO_LEDGER_JE_NUMBER_NO_UNIT_PREFIX}-{sequence}"`,
    the sequence zero-padded to `DJANGO_LEDGER_DOCUMENT_NUMBER_PADDING` digits (`JE-2026-000-0000000042`),
    from the same `EntityStateModel` row (key `"je"`, the entity's fiscal year of the timestamp).

    One statement; the state row stays locked until the transaction ends, so numbers are unique
    and gap-free (a rolled-back posting gives its number back). Call it in the shop's tenant
    context (RLS), inside the transaction that saves the entry, after every check.
    """
    from django_ledger.models import EntityStateModel
    from django_ledger.settings import (
        DJANGO_LEDGER_DOCUMENT_NUMBER_PADDING,
        DJANGO_LEDGER_JE_NUMBER_NO_UNIT_PREFIX,
        DJANGO_LEDGER_JE_NUMBER_PREFIX,
    )

    fiscal_year = entity.get_fy_for_date(dt=timestamp)
    table = connection.ops.quote_name(EntityStateModel._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _NEXT_JE_SEQUENCE_SQL.format(table=table),
            [uuid.uuid4(), entity.uuid, fiscal_year, EntityStateModel.KEY_JOURNAL_ENTRY],
        )
        (sequence,) = cursor.fetchone()
    seq = str(sequence).zfill(DJANGO_LEDGER_DOCUMENT_NUMBER_PADDING)
    return f"{DJANGO_LEDGER_JE_NUMBER_PREFIX}-{fiscal_year}-{DJANGO_LEDGER_JE_NUMBER_NO_UNIT_PREFIX}-{seq}"


def _duplicate(tenant, ref) -> DuplicateSourceError:
    existing = SourceDocumentLink.objects.filter(tenant=tenant, content_type=ref[0], object_id=ref[1]).select_related("journal_entry").first()
    return DuplicateSourceError(
        _("%(source)s already has journal entry %(number)s.") % {"source": existing, "number": existing.journal_entry.je_number},
        journal_entry=existing.journal_entry,
    )


def _post(tenant, date, description, clean, ref) -> JournalEntryModel:
    """Check, then write the entry with django-ledger's own models and numbering — in the shop's
    tenant context, as 5 statements (4 without a source), instead of `EntityModel.commit_txs`,
    whose `save(verify=True)` reads the transactions just written back three times:

    1. one read: entity + ledger + the entry's accounts (`_books_with_accounts`);
       then every check `commit_txs` + `verify` make, once, on the values to write — debits equal
       credits (`_validate_lines`), every account in the entity's default chart (the read filters
       on it), active and not locked, the ledger not locked, the date not in a closed period, and
       the activity (operating / investing / financing) from django-ledger's
       `get_activity_from_roles` over the accounts' roles, as `generate_activity` computes it.
       A refusal raises `PostingError` here, before any write;
    2. the source link (`INSERT … ON CONFLICT DO NOTHING`): no row means the source is already
       posted — `DuplicateSourceError`, nothing written;
    3. the transactions (one bulk insert; their foreign key to the entry is checked at commit,
       as Django declares every foreign key DEFERRABLE INITIALLY DEFERRED);
    4. the entry number (`next_je_number`: one upsert that locks the shop's numbering row until
       commit — taken last, so postings of one shop wait on each other as briefly as possible);
    5. the entry itself, posted and locked (`save(verify=False)`: verified above).
    """
    from django_ledger.io import roles as ledger_roles
    from django_ledger.io.io_core import validate_io_timestamp
    from django_ledger.models import TransactionModel

    codes = {ACCOUNT_SPECS[key].code: key for key, *_rest in clean}
    books = _books_with_accounts(tenant, codes)
    if books is None:
        ensure_books(tenant)
        books = _books_with_accounts(tenant, codes)
    entity, ledger, accounts = books
    for code, key in codes.items():
        account = accounts.get(code)
        if account is None or not account["active"] or account["locked"]:
            raise PostingError(_("The account %(key)s is missing or inactive in this shop's chart.") % {"key": key.value}, code="unknown_account")
    if ledger.is_locked():
        raise PostingError(_("The ledger is locked."), code="ledger")
    if entity.last_closing_date and entity.last_closing_date >= date:
        raise PostingError(_("The date %(date)s is in a closed period.") % {"date": date.isoformat()}, code="ledger")
    used = [accounts[ACCOUNT_SPECS[key].code] for key, *_rest in clean]
    roles = {account["role"] for account in used}
    origin = f"zargar:{ref[0].app_label}.{ref[0].model}"[:30] if ref else "zargar:manual"
    try:
        with timezone.override(shop_zone(tenant)):
            timestamp = validate_io_timestamp(dt=date)
        je = JournalEntryModel(
            ledger=ledger, description=description, timestamp=timestamp, origin=origin, posted=True, locked=True,
        )
        if ledger_roles.ASSET_CA_CASH in roles:
            je.activity = JournalEntryModel.get_activity_from_roles(role_set=roles - {ledger_roles.ASSET_CA_CASH}, raise_exception=True)
    except ValidationError as exc:
        raise PostingError(" ".join(exc.messages), code="ledger") from exc

    # Writes. From here on nothing raises a PostingError except the duplicate source, which wrote nothing.
    if ref is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                _LINK_SQL.format(table=connection.ops.quote_name(SourceDocumentLink._meta.db_table)),
                [tenant.pk, je.uuid, ref[0].pk, ref[1], timezone.now()],
            )
            if cursor.fetchone() is None:
                raise _duplicate(tenant, ref)
    # The base manager: django-ledger's default one annotates and joins four tables on every
    # queryset it makes, an insert's too (2 % of a sale's CPU for nothing).
    TransactionModel._base_manager.bulk_create([
        TransactionModel(journal_entry=je, account_id=uuid.UUID(account["uuid"]), amount=amount, tx_type=side, description=text or None)
        for account, (key, side, amount, text) in zip(used, clean)
    ])
    je.je_number = next_je_number(entity, timestamp)
    je.save(verify=False)
    return je
