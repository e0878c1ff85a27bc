"""`post_journal_entry`: balanced entries are posted and locked with the right lines and show in
django-ledger's statements; every invalid posting raises PostingError and writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_ledger.models import JournalEntryModel, TransactionModel

from modules.accounting import selectors
from modules.accounting.actions import DuplicateSourceError, PostingError, PostingLine, post_journal_entry
from modules.accounting.chart import ACCOUNT_SPECS, AccountKey
from modules.accounting.models import ShopBooks, SourceDocumentLink
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

from .conftest import ledger_counts

pytestmark = pytest.mark.django_db

D = Decimal
CASH_SALE = [
    PostingLine.debit(AccountKey.CASH, D("1090.00")),
    PostingLine.credit(AccountKey.SALES_REVENUE, D("1000.00")),
    PostingLine.credit(AccountKey.VAT_PAYABLE, D("90.00")),
]


def code(key):
    return ACCOUNT_SPECS[key].code


def test_cash_sale_posts_one_balanced_locked_entry(shop, item, today):
    tenant, _ = shop
    je = post_journal_entry(tenant, date=today, description="Sale R-1", lines=CASH_SALE, source=item)
    with tenant_context(tenant):
        assert JournalEntryModel.objects.count() == 1
        je = JournalEntryModel.objects.get(uuid=je.uuid)
        assert je.posted and je.locked
        assert je.description == "Sale R-1"
        assert je.je_number
        assert je.origin == "zargar:inventory.item"
        lines = {(tx.account.code, tx.tx_type): tx.amount for tx in TransactionModel.objects.filter(journal_entry=je).select_related("account")}
        assert lines == {
            (code(AccountKey.CASH), "debit"): D("1090.00"),
            (code(AccountKey.SALES_REVENUE), "credit"): D("1000.00"),
            (code(AccountKey.VAT_PAYABLE), "credit"): D("90.00"),
        }
        link = SourceDocumentLink.objects.get(journal_entry=je)
        assert link.source == item and link.tenant_id == tenant.pk


def test_statements_reflect_the_sale(shop, today):
    tenant, _ = shop
    post_journal_entry(tenant, date=today, description="Sale 1", lines=CASH_SALE, source=("inventory.item", "900"))
    post_journal_entry(
        tenant,
        date=today,
        description="Cost of sale 1",
        lines=[PostingLine.debit(AccountKey.COST_OF_GOODS_SOLD, D("600.00")), PostingLine.credit(AccountKey.GOLD_STOCK, D("600.00"))],
        source=("inventory.item", "901"),
    )
    bs = selectors.balance_sheet(tenant, to_date=today)
    accounts = {a["code"]: a["balance"] for block in ("assets", "liabilities") for role in bs[block]["roles"].values() for a in role["accounts"]}
    assert accounts[code(AccountKey.CASH)] == D("1090.00")
    assert accounts[code(AccountKey.VAT_PAYABLE)] == D("90.00")
    assert accounts[code(AccountKey.GOLD_STOCK)] == D("-600.00")
    assert bs["assets"]["total_balance"] == D("490.00")
    assert bs["retained_earnings_balance"] == D("400.00")
    assert bs["liabilities_equity_balance"] == D("490.00")  # the books balance
    inc = selectors.income_statement(tenant, from_date=today.replace(month=1, day=1), to_date=today)
    assert [(a["code"], a["balance"]) for a in inc["operating"]["revenues"]] == [(code(AccountKey.SALES_REVENUE), D("1000.00"))]
    assert inc["operating"]["net_operating_revenue"] == D("1000.00")
    assert inc["operating"]["net_cogs"] == D("-600.00")
    assert inc["net_income"] == D("400.00")
    # a day before the sale, nothing
    earlier = selectors.balance_sheet(tenant, to_date=today - dt.timedelta(days=1))
    assert earlier["liabilities_equity_balance"] == 0


@pytest.mark.parametrize(
    "lines, code_",
    [
        ([PostingLine.debit(AccountKey.CASH, D("100.00")), PostingLine.credit(AccountKey.SALES_REVENUE, D("99.99"))], "unbalanced"),
        ([PostingLine.debit(AccountKey.CASH, D("0")), PostingLine.credit(AccountKey.SALES_REVENUE, D("0"))], "bad_amount"),
        ([PostingLine.debit(AccountKey.CASH, D("-5.00")), PostingLine.credit(AccountKey.SALES_REVENUE, D("-5.00"))], "bad_amount"),
        ([PostingLine.debit(AccountKey.CASH, D("10.005")), PostingLine.credit(AccountKey.SALES_REVENUE, D("10.005"))], "too_precise"),
        ([PostingLine.debit(AccountKey.CASH, 10.5), PostingLine.credit(AccountKey.SALES_REVENUE, 10.5)], "bad_amount"),
        ([PostingLine.debit("petty_cash", D("10.00")), PostingLine.credit(AccountKey.SALES_REVENUE, D("10.00"))], "unknown_account"),
        ([PostingLine.debit(AccountKey.CASH, D("10.00"))], "empty"),
        ([PostingLine(AccountKey.CASH, "both", D("10.00")), PostingLine.credit(AccountKey.SALES_REVENUE, D("10.00"))], "bad_line"),
    ],
)
def test_invalid_postings_raise_and_write_nothing(shop, today, lines, code_):
    tenant, _ = shop
    before = ledger_counts(tenant)
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="Bad", lines=lines, source=("inventory.item", "1"))
    assert exc.value.code == code_
    assert ledger_counts(tenant) == before == {k: 0 for k in before}


def test_zero_decimal_currency_refuses_cents(today):
    from tests.factories import make_shop

    tenant, _ = make_shop("Tokyo Gold")
    Tenant.objects.filter(pk=tenant.pk).update(currency="JPY")
    tenant.refresh_from_db()
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="Sale", lines=[PostingLine.debit(AccountKey.CASH, D("100.50")), PostingLine.credit(AccountKey.SALES_REVENUE, D("100.50"))])
    assert exc.value.code == "too_precise"
    je = post_journal_entry(tenant, date=today, description="Sale", lines=[PostingLine.debit(AccountKey.CASH, D("100")), PostingLine.credit(AccountKey.SALES_REVENUE, D("100.00"))])
    assert je.posted


def test_future_date_and_bad_description_are_refused(shop, today):
    tenant, _ = shop
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today + dt.timedelta(days=2), description="Later", lines=CASH_SALE)
    assert exc.value.code == "bad_date"
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="x" * 121, lines=CASH_SALE)
    assert exc.value.code == "bad_description"
    assert ledger_counts(tenant)["django_ledger_journalentrymodel"] == 0


def test_second_posting_of_the_same_source_is_refused(shop, item, today):
    tenant, _ = shop
    first = post_journal_entry(tenant, date=today, description="Sale R-1", lines=CASH_SALE, source=item)
    before = ledger_counts(tenant)
    with pytest.raises(DuplicateSourceError) as exc:
        post_journal_entry(tenant, date=today, description="Sale R-1 again", lines=CASH_SALE, source=("inventory.item", item.pk))
    assert exc.value.code == "duplicate_source"
    assert exc.value.journal_entry.uuid == first.uuid
    assert ledger_counts(tenant) == before
    assert before["django_ledger_journalentrymodel"] == 1 and before["django_ledger_transactionmodel"] == 3


def test_bad_source_is_refused(shop, today):
    tenant, _ = shop
    for source in (("nope.model", 1), ("inventory.item", ""), "inventory.item:1"):
        with pytest.raises(PostingError) as exc:
            post_journal_entry(tenant, date=today, description="Sale", lines=CASH_SALE, source=source)
        assert exc.value.code == "bad_source"
    assert ledger_counts(tenant)["django_ledger_journalentrymodel"] == 0


def test_posted_entries_cannot_be_edited(shop, today):
    from django_ledger.models.transactions import TransactionModelValidationError

    tenant, _ = shop
    je = post_journal_entry(tenant, date=today, description="Sale", lines=CASH_SALE)
    with tenant_context(tenant):
        tx = TransactionModel.objects.filter(journal_entry_id=je.uuid).first()
        tx.amount = D("1.00")
        with pytest.raises(TransactionModelValidationError):
            tx.save()


@pytest.mark.parametrize("zone", ["Asia/Tehran", "America/Los_Angeles"])
def test_dates_are_the_shops_calendar_days(zone):
    from tests.factories import make_shop
    from modules.accounting.actions import shop_today

    tenant, _ = make_shop(f"Shop in {zone}")
    Tenant.objects.filter(pk=tenant.pk).update(time_zone=zone)
    tenant.refresh_from_db()
    day = shop_today(tenant)
    post_journal_entry(tenant, date=day, description="Sale", lines=CASH_SALE)
    assert selectors.balance_sheet(tenant, to_date=day)["liabilities_equity_balance"] == D("1090.00")
    assert selectors.balance_sheet(tenant, to_date=day - dt.timedelta(days=1))["liabilities_equity_balance"] == 0
    inc = selectors.income_statement(tenant, from_date=day, to_date=day)
    assert inc["net_income"] == D("1000.00")


def test_posting_inside_the_shops_context_is_five_statements_without_savepoint(shop, item, today, django_assert_max_num_queries):
    """Inside a caller's context of the same shop (a sale): one read (books, entity, ledger and
    accounts), the source link, the transactions, the entry number, the entry — no savepoint and
    no audit-log row (the link is append-only and not tracked)."""
    tenant, _ = shop
    with tenant_context(tenant):
        post_journal_entry(tenant, date=today, description="Warm-up", lines=CASH_SALE, source=("inventory.item", "0"))
        with django_assert_max_num_queries(5) as captured:
            je = post_journal_entry(tenant, date=today, description="Sale R-1", lines=CASH_SALE, source=item)
        sql = [q["sql"] for q in captured.captured_queries]
        assert not [s for s in sql if "SAVEPOINT" in s or "auditlog" in s]
        with django_assert_max_num_queries(4):
            post_journal_entry(tenant, date=today, description="Manual", lines=CASH_SALE)
        assert SourceDocumentLink.objects.get(journal_entry_id=je.uuid).source == item
        assert JournalEntryModel.objects.get(uuid=je.uuid).je_number == je.je_number


def test_refusals_inside_a_callers_transaction_write_nothing_and_leave_it_usable(shop, item, today):
    tenant, _ = shop
    with tenant_context(tenant):
        first = post_journal_entry(tenant, date=today, description="Sale R-1", lines=CASH_SALE, source=item)
        before = ledger_counts(tenant)
        with pytest.raises(DuplicateSourceError) as exc:
            post_journal_entry(tenant, date=today, description="Sale R-1 again", lines=CASH_SALE, source=item)
        assert exc.value.journal_entry.uuid == first.uuid
        with pytest.raises(PostingError):
            post_journal_entry(tenant, date=today, description="Bad", lines=CASH_SALE[:2], source=("inventory.item", "2"))
        # The caller's transaction goes on (a Django atomic block marked for rollback would refuse this query).
        assert ledger_counts(tenant) == before
        second = post_journal_entry(tenant, date=today, description="Sale 2", lines=CASH_SALE, source=("inventory.item", "2"))
    assert second.je_number.endswith("0000000002")


def test_closed_period_locked_ledger_and_inactive_account_are_refused_at_once(shop, today):
    """Read fresh on every posting: a change to the books takes effect on the next posting."""
    from django_ledger.models import AccountModel, EntityModel, LedgerModel

    tenant, _ = shop
    yesterday = today - dt.timedelta(days=1)
    post_journal_entry(tenant, date=yesterday, description="Before the closing", lines=CASH_SALE)
    with tenant_context(tenant):
        books = ShopBooks.objects.get()
        EntityModel.objects.filter(uuid=books.entity_id).update(last_closing_date=yesterday)
    before = ledger_counts(tenant)
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=yesterday, description="Into the closed period", lines=CASH_SALE)
    assert exc.value.code == "ledger"
    assert ledger_counts(tenant) == before
    assert post_journal_entry(tenant, date=today, description="After the closing", lines=CASH_SALE).posted
    before = ledger_counts(tenant)

    with tenant_context(tenant):
        entity = EntityModel.objects.get(uuid=books.entity_id)
        AccountModel.objects.filter(coa_model_id=entity.default_coa_id, code=code(AccountKey.VAT_PAYABLE)).update(active=False)
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="Inactive account", lines=CASH_SALE)
    assert exc.value.code == "unknown_account"
    with tenant_context(tenant):
        AccountModel.objects.filter(coa_model_id=entity.default_coa_id, code=code(AccountKey.VAT_PAYABLE)).update(active=True, locked=True)
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="Locked account", lines=CASH_SALE)
    assert exc.value.code == "unknown_account"

    with tenant_context(tenant):
        LedgerModel.objects.filter(uuid=books.ledger_id).update(locked=True)
    with pytest.raises(PostingError) as exc:
        post_journal_entry(tenant, date=today, description="Locked ledger", lines=CASH_SALE[:1] + [PostingLine.credit(AccountKey.SALES_REVENUE, D("1090.00"))])
    assert exc.value.code == "ledger"
    assert ledger_counts(tenant) == before


def test_source_links_are_append_only(shop, item, today):
    from django.db import IntegrityError, transaction

    tenant, _ = shop
    post_journal_entry(tenant, date=today, description="Sale R-1", lines=CASH_SALE, source=item)
    with tenant_context(tenant):
        link = SourceDocumentLink.objects.get()
        for change in (lambda: SourceDocumentLink.objects.filter(pk=link.pk).update(object_id="999"), lambda: SourceDocumentLink.objects.filter(pk=link.pk).delete()):
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                change()
        assert SourceDocumentLink.objects.get().object_id == str(item.pk)


def test_a_shop_without_books_gets_them_at_its_first_posting(today):
    from tests.factories import make_shop

    tenant, _ = make_shop("No Books Yet")
    with tenant_context(tenant):
        ShopBooks.objects.all().delete()  # e.g. a shop made before the module was installed
    je = post_journal_entry(tenant, date=today, description="First sale", lines=CASH_SALE, source=("inventory.item", "1"))
    with tenant_context(tenant):
        books = ShopBooks.objects.get()
        assert JournalEntryModel.objects.get(uuid=je.uuid).ledger_id == books.ledger_id
    assert je.je_number.endswith("-0000000001")
