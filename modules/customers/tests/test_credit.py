"""Store credit: balances, overdraw refusal, validation, accounting postings, append-only ledger."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django_ledger.models import TransactionModel

from modules.accounting.chart import ACCOUNT_SPECS, AccountKey
from modules.accounting.models import SourceDocumentLink
from modules.customers import actions, selectors
from modules.customers.actions import InsufficientCreditError
from modules.customers.models import StoreCreditEntry
from tests.factories import make_shop
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

from .conftest import raw

pytestmark = pytest.mark.django_db

STORE_CREDIT = ACCOUNT_SPECS[AccountKey.CUSTOMER_STORE_CREDIT].code
DISCOUNTS = ACCOUNT_SPECS[AccountKey.SALES_DISCOUNTS].code


@pytest.fixture
def sara(in_shop):
    return actions.create_customer(in_shop, full_name="Sara Ahmadi", phone="+989123456789")


def postings(entry) -> dict:
    """{(account code, debit/credit): amount} of the journal entry whose source is `entry`."""
    link = SourceDocumentLink.objects.filter(content_type=ContentType.objects.get_for_model(StoreCreditEntry), object_id=str(entry.pk)).first()
    if link is None:
        return {}
    return {(tx.account.code, tx.tx_type): tx.amount for tx in TransactionModel.objects.filter(journal_entry=link.journal_entry).select_related("account")}


def test_balance_after_issue_redeem_and_adjust(in_shop, sara, shop):
    _, people = shop
    assert selectors.credit_balance(sara) == D("0")
    issued = actions.issue_store_credit(in_shop, sara, D("100.00"), actor=people["member"], note="Birthday gift", reference_text="G-7")
    assert (issued.kind, issued.amount, issued.currency, issued.actor) == ("issue", D("100.00"), "USD", people["member"])
    redeemed = actions.redeem_store_credit(in_shop, sara, D("30.50"), reference=("customers.customer", sara.pk))
    assert (redeemed.kind, redeemed.amount) == ("redeem", D("-30.50"))
    assert (redeemed.reference_type.model, redeemed.reference_id) == ("customer", str(sara.pk))
    actions.adjust_store_credit(in_shop, sara, D("-9.50"), reason="Counted twice", actor=people["admin"])
    actions.issue_store_credit(in_shop, sara, "15", kind="refund")
    assert selectors.credit_balance(sara) == D("75.00")
    ledger = list(selectors.credit_entries(in_shop, customer=sara))
    assert [(e.kind, e.amount, e.balance_after) for e in ledger] == [
        ("refund", D("15.00"), D("75.00")),
        ("adjustment", D("-9.50"), D("60.00")),
        ("redeem", D("-30.50"), D("69.50")),
        ("issue", D("100.00"), D("100.00")),
    ]
    assert selectors.get_customer(in_shop, sara.pk).credit_balance == D("75.00")
    # Redeeming the whole balance is allowed.
    actions.redeem_store_credit(in_shop, sara, D("75"))
    assert selectors.credit_balance(sara) == D("0.00")


def test_overdraw_is_refused_and_nothing_is_written(in_shop, sara):
    actions.issue_store_credit(in_shop, sara, D("50"))
    with pytest.raises(InsufficientCreditError) as exc:
        actions.redeem_store_credit(in_shop, sara, D("50.01"))
    assert (exc.value.balance, exc.value.requested) == (D("50.00"), D("50.01"))
    assert "Not enough store credit" in exc.value.message_dict["amount"][0]
    with pytest.raises(InsufficientCreditError):
        actions.adjust_store_credit(in_shop, sara, D("-60"), reason="Too much")
    assert StoreCreditEntry.objects.count() == 1
    assert selectors.credit_balance(sara) == D("50.00")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda t, c: actions.issue_store_credit(t, c, D("0")), "amount"),
        (lambda t, c: actions.issue_store_credit(t, c, D("-5")), "amount"),
        (lambda t, c: actions.issue_store_credit(t, c, D("1.005")), "amount"),
        (lambda t, c: actions.issue_store_credit(t, c, "ten"), "amount"),
        (lambda t, c: actions.issue_store_credit(t, c, D("5"), kind="redeem"), "kind"),
        (lambda t, c: actions.redeem_store_credit(t, c, D("-5")), "amount"),
        (lambda t, c: actions.adjust_store_credit(t, c, D("5"), reason="  "), "reason"),
        (lambda t, c: actions.adjust_store_credit(t, c, D("0"), reason="typo"), "amount"),
        (lambda t, c: actions.issue_store_credit(t, c, D("5"), reference=("no.such", 1)), "reference"),
        (lambda t, c: actions.issue_store_credit(t, c, D("5"), reference_text="x" * 121), "reference_text"),
    ],
)
def test_bad_credit_input_is_refused(in_shop, sara, call, field):
    with pytest.raises(ValidationError) as exc:
        call(in_shop, sara)
    assert field in exc.value.message_dict
    assert StoreCreditEntry.objects.count() == 0


def test_zero_decimal_currency_refuses_fractions(db):
    tenant, _ = make_shop("Yen Gold")
    with tenant_context(tenant):
        Tenant.objects.filter(pk=tenant.pk).update(currency="JPY")
        tenant.refresh_from_db()
        customer = actions.create_customer(tenant, full_name="Kenji")
        with pytest.raises(ValidationError, match="JPY amounts have at most 0 decimals"):
            actions.issue_store_credit(tenant, customer, D("10.50"))
        entry = actions.issue_store_credit(tenant, customer, D("1000"))
        assert (entry.amount, entry.currency) == (D("1000"), "JPY")


def test_issue_and_adjust_post_to_the_books_redeem_and_refund_do_not(in_shop, sara):
    issued = actions.issue_store_credit(in_shop, sara, D("100"))
    assert postings(issued) == {(DISCOUNTS, "debit"): D("100.00"), (STORE_CREDIT, "credit"): D("100.00")}
    up = actions.adjust_store_credit(in_shop, sara, D("20"), reason="Promised more")
    assert postings(up) == {(DISCOUNTS, "debit"): D("20.00"), (STORE_CREDIT, "credit"): D("20.00")}
    down = actions.adjust_store_credit(in_shop, sara, D("-5"), reason="Typo")
    assert postings(down) == {(STORE_CREDIT, "debit"): D("5.00"), (DISCOUNTS, "credit"): D("5.00")}
    assert postings(actions.redeem_store_credit(in_shop, sara, D("10"))) == {}
    assert postings(actions.issue_store_credit(in_shop, sara, D("7"), kind="refund")) == {}
    assert postings(actions.issue_store_credit(in_shop, sara, D("3"), post_to_books=False)) == {}
    assert selectors.posted_entry_ids(in_shop, selectors.credit_entries(in_shop, customer=sara)) == {issued.pk, up.pk, down.pk}


def test_store_credit_works_with_accounting_switched_off(shop):
    tenant, _ = shop
    set_module_enabled(tenant, "accounting", False, cascade=True)
    with tenant_context(tenant):
        customer = actions.create_customer(tenant, full_name="No Books")
        entry = actions.issue_store_credit(tenant, customer, D("40"))
        actions.adjust_store_credit(tenant, customer, D("-10"), reason="Fix")
        assert postings(entry) == {}
        assert SourceDocumentLink.objects.count() == 0
        assert selectors.credit_balance(customer) == D("30.00")


def test_entries_are_append_only_in_the_orm(in_shop, sara):
    entry = actions.issue_store_credit(in_shop, sara, D("10"))
    entry.amount = D("1000")
    with pytest.raises(ValidationError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(ValidationError):
        StoreCreditEntry.objects.filter(pk=entry.pk).update(amount=D("1000"))
    with pytest.raises(ValidationError):
        StoreCreditEntry.objects.all().delete()
    assert list(StoreCreditEntry.objects.values_list("amount", flat=True)) == [D("10.00")]


def test_entries_are_append_only_in_the_database(in_shop, sara, shop):
    _, people = shop
    entry = actions.issue_store_credit(in_shop, sara, D("10"), actor=people["member"], post_to_books=False)
    assert raw("SELECT current_user") == [("zargar_app",)]
    for sql, params in (
        ("UPDATE customers_storecreditentry SET amount = 1000 WHERE id = %s", [entry.pk]),
        ("UPDATE customers_storecreditentry SET kind = 'refund' WHERE id = %s", [entry.pk]),
        ("UPDATE customers_storecreditentry SET actor_id = %s WHERE id = %s", [people["admin"].pk, entry.pk]),
        ("DELETE FROM customers_storecreditentry WHERE id = %s", [entry.pk]),
    ):
        with pytest.raises(DatabaseError, match="cannot be"):
            with transaction.atomic():
                raw(sql, params)
    assert raw("SELECT amount, kind, actor_id FROM customers_storecreditentry") == [(D("10.00"), "issue", people["member"].pk)]
    # Only the actor may go, when that user is deleted (SET NULL).
    people["member"].delete()
    assert raw("SELECT amount, actor_id FROM customers_storecreditentry") == [(D("10.00"), None)]


def test_a_shop_scheduled_for_deletion_still_cannot_delete_its_ledger(in_shop, sara):
    # Only the purge (the table owner naming the shop, zargar.tenancy.append_only) deletes it.
    actions.issue_store_credit(in_shop, sara, D("10"), post_to_books=False)
    Tenant.objects.filter(pk=in_shop.pk).update(status=Tenant.Status.SCHEDULED_FOR_DELETION)
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        with transaction.atomic():
            raw("DELETE FROM customers_storecreditentry")
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        with transaction.atomic():
            raw("SELECT set_config('app.purge_tenant_id', %s, true)", [str(in_shop.pk)])
            raw("DELETE FROM customers_storecreditentry")  # the setting alone opens nothing
    assert raw("SELECT count(*) FROM customers_storecreditentry") == [(1,)]
