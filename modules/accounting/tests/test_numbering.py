"""Journal-entry numbers: the same numbers django-ledger's own `generate_je_number` gives (same
state row, format and fiscal-year rule), gap-free, and distinct and consecutive when many
postings of one shop run at once (real threads, each with its own connection)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_ledger.io.io_core import validate_io_timestamp
from django_ledger.models import EntityModel, EntityStateModel, JournalEntryModel

from modules.accounting.actions import PostingError, PostingLine, post_journal_entry, shop_today, shop_zone
from modules.accounting.chart import AccountKey
from modules.accounting.models import ShopBooks
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

D = Decimal
LINES = [PostingLine.debit(AccountKey.CASH, D("10.00")), PostingLine.credit(AccountKey.SALES_REVENUE, D("10.00"))]


def ledger_number(tenant, books, day: dt.date) -> str:
    """The number django-ledger itself gives the next entry of `day` (its own code path:
    `generate_je_number` → `_get_next_state_model`, SELECT … FOR UPDATE + UPDATE + SELECT)."""
    from django.utils import timezone

    with timezone.override(shop_zone(tenant)):
        timestamp = validate_io_timestamp(dt=day)
    je = JournalEntryModel(ledger=books.ledger, timestamp=timestamp, description="django-ledger")
    return je.generate_je_number(commit=False)


@pytest.mark.django_db
def test_numbers_follow_django_ledgers_own_numbering_and_fiscal_years():
    tenant, _ = make_shop("Numbering Gold")
    today = shop_today(tenant)
    last_year = today.year - 1
    with tenant_context(tenant):
        books = ShopBooks.objects.select_related("entity", "ledger").get()
        # Fiscal years starting in April: 31 March belongs to the year before.
        EntityModel.objects.filter(uuid=books.entity_id).update(fy_start_month=4)
        books = ShopBooks.objects.select_related("entity", "ledger").get()
        books.ledger.entity = books.entity
        march, april = dt.date(last_year, 3, 31), dt.date(last_year, 4, 1)

        numbers = [
            post_journal_entry(tenant, date=march, description="a", lines=LINES).je_number,
            ledger_number(tenant, books, march),
            post_journal_entry(tenant, date=march, description="b", lines=LINES).je_number,
            post_journal_entry(tenant, date=april, description="c", lines=LINES).je_number,
            ledger_number(tenant, books, april),
            post_journal_entry(tenant, date=april, description="d", lines=LINES, source=("inventory.item", "7")).je_number,
        ]
        states = dict(EntityStateModel.objects.filter(entity_model_id=books.entity_id, key="je").values_list("fiscal_year", "sequence"))

    fy_march, fy_april = last_year - 1, last_year
    assert numbers == [
        f"JE-{fy_march}-000-0000000001",
        f"JE-{fy_march}-000-0000000002",
        f"JE-{fy_march}-000-0000000003",
        f"JE-{fy_april}-000-0000000001",
        f"JE-{fy_april}-000-0000000002",
        f"JE-{fy_april}-000-0000000003",
    ]
    assert states == {fy_march: 3, fy_april: 3}  # one state row per fiscal year, as django-ledger keeps it


@pytest.mark.django_db
def test_a_refused_posting_takes_no_number():
    tenant, _ = make_shop("Gapless Gold")
    today = shop_today(tenant)
    with tenant_context(tenant):
        first = post_journal_entry(tenant, date=today, description="a", lines=LINES, source=("inventory.item", "1"))
        with pytest.raises(PostingError):
            post_journal_entry(tenant, date=today, description="again", lines=LINES, source=("inventory.item", "1"))
        with pytest.raises(PostingError):
            post_journal_entry(tenant, date=today, description="bad", lines=[LINES[0], PostingLine.credit(AccountKey.SALES_REVENUE, D("9.99"))])
        second = post_journal_entry(tenant, date=today, description="b", lines=LINES)
    assert [first.je_number[-3:], second.je_number[-3:]] == ["001", "002"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_in_one_shop_get_distinct_consecutive_numbers():
    """8 threads post 5 entries each in one shop, all starting at once on a fiscal year that has
    no numbering row yet (so they also race to create it); every entry commits with its own
    number and together they are exactly 1..40."""
    tenant, _ = make_shop("Busy Gold")
    today = shop_today(tenant)
    threads_n, per_thread = 8, 5
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def post(n):
        try:
            barrier.wait(timeout=30)
            for i in range(per_thread):
                with tenant_context(tenant.pk) as shop:
                    post_journal_entry(shop, date=today, description=f"Sale {n}-{i}", lines=LINES, source=("inventory.item", f"{n}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    fy = today.year
    with tenant_context(tenant):
        numbers = sorted(JournalEntryModel.objects.values_list("je_number", flat=True))
        states = list(EntityStateModel.objects.filter(key="je").values_list("fiscal_year", "sequence"))
    assert numbers == [f"JE-{fy}-000-{n:010d}" for n in range(1, threads_n * per_thread + 1)]
    assert states == [(fy, threads_n * per_thread)]
