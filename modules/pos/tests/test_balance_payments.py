"""Paying off a balance owed later (`actions.receive_payment`): split tenders, postings (Dr the
tenders / Cr customer receivables), idempotency, refusals that write nothing (overpayment, nothing
owed, store credit short), the sale's paid/owed history, void after a later payment, the panel
form, the customer page's outstanding balance, the API and RLS of `pos_balancepayment`.

One ring of `make_sellable_piece` sells for 550.00 (see test_sales.py).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from rest_framework.test import APIClient

from modules.customers.actions import find_or_create_customer, issue_store_credit
from modules.customers.models import CustomerActivity, StoreCreditEntry
from modules.customers.selectors import credit_balance
from modules.accounting.models import SourceDocumentLink
from modules.pos import actions, selectors
from modules.pos.models import BalancePayment, Payment, Sale
from tests.isolation import assert_table_isolated
from zargar.core.models import DocumentSequence
from zargar.tenancy.context import tenant_context

from .helpers import journal_lines, key, make_pos_shop, make_sellable_piece

pytestmark = pytest.mark.django_db


def balanced(lines: dict) -> bool:
    return sum(v for (_k, side), v in lines.items() if side == "debit") == sum(v for (_k, side), v in lines.items() if side == "credit")


def owing_sale(shop, *, paid=D("200.00"), sku="R-1", phone="+989351112233"):
    """A 550.00 sale paid `paid` in cash by a customer: the rest is owed."""
    t = shop.tenant
    ring = make_sellable_piece(shop, sku)
    with tenant_context(t):
        customer, _ = find_or_create_customer(t, phone=phone, name="Reza")
    sale = actions.complete_sale(t, cashier=shop.member, customer=customer, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("cash", paid)] if paid else [])
    return sale, customer


def written(tenant) -> dict:
    with tenant_context(tenant):
        return {
            "balance_payments": BalancePayment.objects.filter(tenant=tenant).count(),
            "payments": Payment.objects.filter(tenant=tenant).count(),
            "credit": StoreCreditEntry.objects.filter(tenant=tenant).count(),
            "activities": CustomerActivity.objects.filter(tenant=tenant).count(),
            "sequence": list(DocumentSequence.objects.filter(tenant=tenant, key="pos.payment").values_list("last_value", flat=True)),
            "sale": list(Sale.objects.filter(tenant=tenant).values_list("paid", "balance_due")),
            "journal_links": SourceDocumentLink.objects.filter(tenant=tenant).count(),
        }


def test_split_payment_later_settles_the_balance_and_posts_against_receivables():
    shop = make_pos_shop()
    t = shop.tenant
    sale, customer = owing_sale(shop)
    assert sale.balance_due == D("350.00")

    first = actions.receive_payment(t, sale, payments=[("cash", D("100.00")), {"method": "card", "amount": D("50.00"), "reference": "slip 77"}], idempotency_key="k1", actor=shop.member)
    assert (first.number, first.amount, first.balance_after, first.actor_id) == ("P-000001", D("150.00"), D("200.00"), shop.member.pk)
    with tenant_context(t):
        sale.refresh_from_db()
        assert sorted(first.payments.values_list("method", "amount", "reference")) == [("card", D("50.00"), "slip 77"), ("cash", D("100.00"), "")]
        activity = CustomerActivity.objects.get(tenant=t, customer=customer, kind="other", reference_id=first.pk)
        assert activity.amount == D("150.00") and "P-000001" in activity.summary
    assert (sale.paid, sale.balance_due) == (D("350.00"), D("200.00"))
    assert sale.paid + sale.old_gold_credit + sale.balance_due == sale.total
    lines = journal_lines(t, first)
    assert lines == {("cash", "debit"): D("100.00"), ("card_clearing", "debit"): D("50.00"), ("customer_receivables", "credit"): D("150.00")}

    second = actions.receive_payment(t, sale, payments=[("cash", D("200.00"))], idempotency_key="k2")
    assert (second.number, second.balance_after) == ("P-000002", D("0.00"))
    with tenant_context(t):
        sale = selectors.get_sale(t, sale.pk)
        history = selectors.payment_history(sale)
    assert sale.balance_due == D("0.00") and sale.paid == D("550.00")
    assert [(r["kind"], r["number"], r["paid"], r["owed"]) for r in history] == [
        ("sale", sale.number, D("200.00"), D("350.00")), ("payment", "P-000001", D("150.00"), D("200.00")), ("payment", "P-000002", D("200.00"), D("0.00")),
    ]
    # The sale's receivable is cleared in the books: Dr 350 at the sale, Cr 150 + 200 later.
    receivable = journal_lines(t, sale)[("customer_receivables", "debit")] - sum(journal_lines(t, p).get(("customer_receivables", "credit"), D(0)) for p in (first, second))
    assert receivable == D("0.00")

    with pytest.raises(actions.SaleError) as nothing:
        actions.receive_payment(t, sale, payments=[("cash", D("1.00"))], idempotency_key="k3")
    assert nothing.value.code == "nothing_owed"


def test_same_key_is_a_replay_and_writes_nothing():
    shop = make_pos_shop()
    t = shop.tenant
    sale, _ = owing_sale(shop)
    first = actions.receive_payment(t, sale, payments=[("cash", D("100.00"))], idempotency_key="till-9")
    before = written(t)
    again = actions.receive_payment(t, sale, payments=[("cash", D("100.00"))], idempotency_key="till-9")
    assert again.pk == first.pk and written(t) == before
    other, _ = owing_sale(shop, sku="R-2", phone="+989351112244")
    with pytest.raises(actions.SaleError) as reused:
        actions.receive_payment(t, other, payments=[("cash", D("10.00"))], idempotency_key="till-9")
    assert reused.value.code == "idempotency_key" and written(t)["balance_payments"] == 1


@pytest.mark.parametrize(
    ("payments", "code"),
    [
        ([("cash", D("300.00")), ("card", D("50.01"))], "overpayment"),
        ([("cash", D("350.01"))], "overpayment"),
        ([], "bad_payment"),
        ([("old_gold", D("10.00"))], "bad_payment"),
        ([("cheque", D("10.00"))], "bad_payment"),
        ([("cash", D("0"))], "bad_amount"),
        ([("cash", D("-5.00"))], "bad_amount"),
        ([("cash", D("1.001"))], "bad_amount"),
        ([("cash", D("100.00")), ("store_credit", D("50.00"))], "insufficient_credit"),
    ],
)
def test_refusals_write_nothing(payments, code):
    shop = make_pos_shop()
    t = shop.tenant
    sale, customer = owing_sale(shop)
    with tenant_context(t):
        issue_store_credit(t, customer, D("20.00"), actor=shop.owner)
    before = written(t)
    with pytest.raises(actions.SaleError) as refused:
        actions.receive_payment(t, sale, payments=payments, idempotency_key=key(), actor=shop.member)
    assert refused.value.code == code
    if code == "overpayment":
        assert "350.00" in refused.value.text
    assert written(t) == before


def test_store_credit_tender_is_redeemed_and_posted():
    shop = make_pos_shop()
    t = shop.tenant
    sale, customer = owing_sale(shop)
    with tenant_context(t):
        issue_store_credit(t, customer, D("80.00"), actor=shop.owner)
    received = actions.receive_payment(t, sale, payments=[("store_credit", D("80.00")), ("cash", D("20.00"))], idempotency_key=key())
    with tenant_context(t):
        assert credit_balance(customer) == D("0.00")
    assert journal_lines(t, received) == {("customer_store_credit", "debit"): D("80.00"), ("cash", "debit"): D("20.00"), ("customer_receivables", "credit"): D("100.00")}


def test_void_after_a_later_payment_gives_every_payment_back_and_cancels_the_rest():
    shop = make_pos_shop()
    t = shop.tenant
    sale, _ = owing_sale(shop)
    actions.receive_payment(t, sale, payments=[("card", D("100.00"))], idempotency_key=key())
    voided = actions.void_sale(t, sale, actor=shop.admin)
    with tenant_context(t):
        sale.refresh_from_db()
        refunds = sorted(voided.refunds.values_list("method", "amount"))
    assert sale.status == "voided" and sale.balance_due == D("0.00")
    assert refunds == [("card", D("100.00")), ("cash", D("200.00"))]
    lines = journal_lines(t, voided)
    assert lines[("customer_receivables", "credit")] == D("250.00") and balanced(lines)
    with pytest.raises(actions.SaleError) as refused:
        actions.receive_payment(t, sale, payments=[("cash", D("1.00"))], idempotency_key=key())
    assert refused.value.code in ("not_completed", "nothing_owed")


def test_panel_receive_payment_history_and_customer_balance():
    shop = make_pos_shop()
    t = shop.tenant
    sale, customer = owing_sale(shop)
    client = Client()
    client.force_login(shop.member)
    page = client.get(f"/app/pos/sales/{sale.pk}/")
    assert page.status_code == 200 and b'data-testid="receive-payment-form"' in page.content and b"350.00" in page.content
    form_key = page.context["payment_form"].initial["key"]
    customer_page = client.get(f"/app/customers/{customer.pk}/")
    assert customer_page.status_code == 200
    assert b'data-testid="customer-balance-owed"' in customer_page.content and b"350.00" in customer_page.content

    over = client.post(f"/app/pos/sales/{sale.pk}/payments/", {"cash": "400.00", "key": form_key})
    assert over.status_code == 400 and "still owed" in over.content.decode()
    empty = client.post(f"/app/pos/sales/{sale.pk}/payments/", {"key": form_key})
    assert empty.status_code == 400
    done = client.post(f"/app/pos/sales/{sale.pk}/payments/", {"cash": "300.00", "card": "50.00", "card_reference": "A1", "key": form_key})
    assert done.status_code == 302
    twice = client.post(f"/app/pos/sales/{sale.pk}/payments/", {"cash": "300.00", "card": "50.00", "card_reference": "A1", "key": form_key})
    assert twice.status_code == 302  # a double submit of the same page: one payment
    with tenant_context(t):
        assert BalancePayment.objects.filter(tenant=t).count() == 1
    detail = client.get(f"/app/pos/sales/{sale.pk}/")
    assert b'data-testid="payment-history"' in detail.content and b"P-000001" in detail.content
    assert detail.context["payment_form"] is None
    assert b'data-testid="customer-balance-owed"' not in client.get(f"/app/customers/{customer.pk}/").content

    viewer = Client()
    viewer.force_login(shop.viewer)
    assert viewer.post(f"/app/pos/sales/{sale.pk}/payments/", {"cash": "1.00", "key": "x"}).status_code == 403


def test_api_receive_payment_idempotent_and_errors():
    shop = make_pos_shop()
    sale, _ = owing_sale(shop)
    api = APIClient()
    api.force_authenticate(shop.member)
    api.credentials(HTTP_X_TENANT=shop.tenant.slug)
    url = f"/api/v1/pos/sales/{sale.pk}/payments/"
    body = {"payments": [{"method": "cash", "amount": "150.00"}, {"method": "card", "amount": "50.00", "reference": "T-9"}]}
    assert api.post(url, body, format="json").json()["error"]["code"] == "idempotency_key"
    created = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["number"], data["amount"], data["balance_after"], len(data["payments"])) == ("P-000001", "200.00", "150.00", 2)
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == data["id"]
    over = api.post(url, {"payments": [{"method": "cash", "amount": "150.01"}]}, format="json", HTTP_IDEMPOTENCY_KEY="pay-2")
    assert over.status_code == 400 and over.json()["error"]["code"] == "overpayment"
    bad = api.post(url, {"payments": []}, format="json", HTTP_IDEMPOTENCY_KEY="pay-3")
    assert bad.status_code == 400
    shown = api.get(f"/api/v1/pos/sales/{sale.pk}/").json()
    assert shown["balance_due"] == "150.00" and [p["number"] for p in shown["balance_payments"]] == ["P-000001"]
    other = make_pos_shop("Other shop")
    outsider = APIClient()
    outsider.force_authenticate(other.owner)
    outsider.credentials(HTTP_X_TENANT=other.tenant.slug)
    assert outsider.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-x").status_code == 404


def test_rls_isolates_balance_payments():
    a, b = make_pos_shop("Shop A"), make_pos_shop("Shop B")
    for shop in (a, b):
        sale, _ = owing_sale(shop)
        actions.receive_payment(shop.tenant, sale, payments=[("cash", D("10.00"))], idempotency_key="same-key-in-both")
    assert_table_isolated("pos_balancepayment", a.tenant, b.tenant)


def test_a_return_cancels_the_balance_owed_first_and_refunds_only_the_rest():
    shop = make_pos_shop()
    t = shop.tenant
    sale, _ = owing_sale(shop)  # 550.00: 200.00 paid, 350.00 owed
    with tenant_context(t):
        line = sale.lines.get()
    with pytest.raises(actions.SaleError) as refused:
        actions.return_sale_lines(t, sale, lines=[(line.pk, 1)], refunds=[("cash", D("550.00"))], actor=shop.admin)
    assert refused.value.code == "refund_mismatch" and "350.00" in refused.value.text
    ret = actions.return_sale_lines(t, sale, lines=[(line.pk, 1)], refund_method="card", actor=shop.admin)
    with tenant_context(t):
        sale.refresh_from_db()
        refunds = list(ret.refunds.values_list("method", "amount"))
    assert (ret.total, sale.balance_due, sale.status) == (D("550.00"), D("0.00"), "returned") and refunds == [("card", D("200.00"))]
    lines = journal_lines(t, ret)
    assert lines[("customer_receivables", "credit")] == D("350.00") and lines[("card_clearing", "credit")] == D("200.00") and balanced(lines)
