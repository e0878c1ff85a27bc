"""Reads of a shop's books, always within one shop (explicit entity filter, RLS underneath).

Call them inside the shop's tenant context (panel and API requests already are); the statement
functions open it themselves because django-ledger runs several queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone
from django_ledger.io import roles as ledger_roles
from django_ledger.models import AccountModel, JournalEntryModel, TransactionModel

from zargar.tenancy.context import tenant_context

from .chart import DEBIT, SPECS_BY_CODE
from .models import ShopBooks


def books_of(tenant) -> ShopBooks | None:
    """The shop's books, or None if they were never set up (see `actions.ensure_books`)."""
    return ShopBooks.objects.select_related("entity", "ledger").filter(tenant=tenant).first()


@dataclass(frozen=True)
class AccountRow:
    """An account of the chart with its posted balance (shop currency, normal side positive)."""

    uuid: str
    code: str
    key: str | None
    label: str
    role: str
    role_label: str
    balance_type: str
    active: bool
    balance: Decimal


def chart_of_accounts(tenant) -> list[AccountRow]:
    """The accounts of the shop's default chart (root nodes left out), by code, with balances."""
    books = books_of(tenant)
    if books is None:
        return []
    accounts = AccountModel.objects.filter(coa_model_id=books.entity.default_coa_id).not_coa_root().order_by("code")
    sums: dict[tuple, Decimal] = {}
    totals = (
        TransactionModel.objects.filter(journal_entry__ledger__entity_id=books.entity_id, account__in=accounts)
        .posted()
        .values("account_id", "tx_type")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in totals:
        sums[(row["account_id"], row["tx_type"])] = row["total"] or Decimal(0)
    rows = []
    for acc in accounts:
        debit = sums.get((acc.uuid, "debit"), Decimal(0))
        credit = sums.get((acc.uuid, "credit"), Decimal(0))
        spec = SPECS_BY_CODE.get(acc.code)
        rows.append(
            AccountRow(
                uuid=str(acc.uuid),
                code=acc.code,
                key=spec.key.value if spec else None,
                label=spec.label if spec and spec.name == acc.name else acc.name,
                role=acc.role,
                role_label=str(ledger_roles.ACCOUNT_LIST_ROLE_VERBOSE.get(acc.role, acc.role)),
                balance_type=acc.balance_type,
                active=acc.active,
                balance=(debit - credit) if acc.balance_type == DEBIT else (credit - debit),
            )
        )
    return rows


def journal_entries(tenant) -> QuerySet[JournalEntryModel]:
    """The shop's journal entries, newest first, with their lines (accounts) and source links."""
    books = books_of(tenant)
    if books is None:
        return JournalEntryModel.objects.none()
    lines = TransactionModel.objects.select_related("account").order_by("-tx_type", "account__code")
    return (
        JournalEntryModel.objects.for_entity(books.entity)
        .select_related("zargar_source", "zargar_source__content_type")
        .prefetch_related(Prefetch("transactionmodel_set", queryset=lines, to_attr="lines"))
        .order_by("-timestamp", "-created")
    )


def get_journal_entry(tenant, uuid) -> JournalEntryModel:
    """The shop's journal entry `uuid`; raises `JournalEntryModel.DoesNotExist` for another
    shop's or a missing entry."""
    return journal_entries(tenant).get(uuid=uuid)


def _statement_context(tenant):
    from .actions import shop_zone

    return timezone.override(shop_zone(tenant))


def _io_date(day: dt.date) -> dt.datetime:
    """`day` in the form django-ledger's digest filters correctly for a shop in any time zone.

    django-ledger turns a plain date into midnight of the current time zone and then filters
    `timestamp__date__lte=<that datetime>`; Django reduces that value to a date in the *default*
    time zone (UTC), one day early for shops east of UTC, while the SQL side takes the entry's
    date in the current (shop) zone. Noon UTC of `day` reduces to `day` itself.
    """
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)


def balance_sheet(tenant, *, to_date: dt.date) -> dict | None:
    """django-ledger's balance sheet digest of the shop through `to_date` (inclusive):
    `{"assets"|"liabilities"|"equity": {"total_balance", "roles": {role: {"role_name",
    "total_balance", "accounts": [...]}}}, "equity_balance", "retained_earnings_balance",
    "liabilities_equity_balance"}`; amounts are Decimals in the shop's currency. None without books."""
    with tenant_context(tenant):
        books = books_of(tenant)
        if books is None:
            return None
        with _statement_context(tenant):
            digest = books.entity.digest_balance_sheet(to_date=_io_date(to_date), entity_slug=books.entity.slug)
            return digest.get_balance_sheet_data()


def income_statement(tenant, *, from_date: dt.date, to_date: dt.date) -> dict | None:
    """django-ledger's income statement digest of the shop from `from_date` to `to_date`
    (inclusive): `{"operating": {"revenues", "cogs", "expenses": [accounts], "gross_profit",
    "net_operating_income", ...}, "other": {...}, "net_income"}`. None without books."""
    with tenant_context(tenant):
        books = books_of(tenant)
        if books is None:
            return None
        with _statement_context(tenant):
            digest = books.entity.digest_income_statement(from_date=_io_date(from_date), to_date=_io_date(to_date), entity_slug=books.entity.slug)
            return digest.get_income_statement_data()
