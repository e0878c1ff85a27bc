"""Accounting panel and API: pages render the shop's books; another shop's entry is a 404;
manual entries need a balanced form; roles below admin cannot see the books."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from modules.accounting.actions import PostingLine, post_journal_entry
from modules.accounting.chart import AccountKey
from tests.factories import make_member, make_shop
from zargar.api.models import ApiKey
from zargar.tenancy.context import tenant_context

from .conftest import ledger_counts

pytestmark = pytest.mark.django_db

SALE = [
    PostingLine.debit(AccountKey.CASH, Decimal("1090.00")),
    PostingLine.credit(AccountKey.SALES_REVENUE, Decimal("1000.00")),
    PostingLine.credit(AccountKey.VAT_PAYABLE, Decimal("90.00")),
]


@pytest.fixture
def books(today):
    a, owner_a = make_shop("Alpha Gold")
    b, owner_b = make_shop("Beta Gold")
    je_a = post_journal_entry(a, date=today, description="Alpha sale", lines=SALE, source=("inventory.item", "7"))
    je_b = post_journal_entry(b, date=today, description="Beta sale", lines=SALE, source=("inventory.item", "7"))
    return a, owner_a, je_a, b, owner_b, je_b


def test_pages_show_the_shops_books(client, books):
    a, owner_a, je_a, *_ = books
    client.force_login(owner_a)
    journal = client.get("/app/accounting/")
    assert journal.status_code == 200
    body = journal.content.decode()
    assert "Alpha sale" in body and "Beta sale" not in body
    assert je_a.je_number in body and "Item #7" in body and "inventory.item" not in body  # the document kind in words, not the model label
    assert "1090.00" in body
    detail = client.get(f"/app/accounting/journal/{je_a.uuid}/")
    assert detail.status_code == 200 and "Alpha sale" in detail.content.decode()
    chart = client.get("/app/accounting/chart/").content.decode()
    assert "Cash on hand" in chart and "Customer store credit" in chart
    bs = client.get("/app/accounting/balance-sheet/")
    assert bs.status_code == 200
    assert 'data-testid="bs-liabilities-equity">1090.00' in bs.content.decode()
    inc = client.get("/app/accounting/income-statement/")
    assert inc.status_code == 200
    assert 'data-testid="is-net-income">1000.00' in inc.content.decode()
    assert client.get("/app/accounting/income-statement/?start=2026-05-01&end=2026-01-01").status_code == 400


def test_member_of_a_gets_404_for_b_entry_in_panel_and_api(client, books):
    a, owner_a, je_a, b, owner_b, je_b = books
    client.force_login(owner_a)
    assert client.get(f"/app/accounting/journal/{je_b.uuid}/").status_code == 404
    api = APIClient()
    api.force_authenticate(owner_a)
    assert api.get(f"/api/v1/accounting/journal-entries/{je_b.uuid}/", HTTP_X_TENANT=a.slug).status_code == 404
    own = api.get(f"/api/v1/accounting/journal-entries/{je_a.uuid}/", HTTP_X_TENANT=a.slug)
    assert own.status_code == 200
    data = own.json()
    assert data["number"] == je_a.je_number and data["source"] == {"type": "inventory.item", "id": "7"}
    assert {(line["account_key"], line["side"], line["amount"]) for line in data["lines"]} == {
        ("cash", "debit", "1090.00"), ("sales_revenue", "credit", "1000.00"), ("vat_payable", "credit", "90.00")
    }
    listed = api.get("/api/v1/accounting/journal-entries/", HTTP_X_TENANT=a.slug).json()
    assert [row["id"] for row in listed["results"]] == [str(je_a.uuid)]
    # naming shop B as a member of A only: not found
    assert api.get("/api/v1/accounting/journal-entries/", HTTP_X_TENANT=b.slug).status_code == 404


def test_api_key_of_b_lists_only_b(books):
    *_, b, owner_b, je_b = books
    with tenant_context(b):
        _, secret = ApiKey.generate(tenant=b, name="books", mode="live", created_by=owner_b)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listed = api.get("/api/v1/accounting/journal-entries/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(je_b.uuid)]
    assert api.post("/api/v1/accounting/journal-entries/", {}).status_code == 405


def test_members_and_viewers_cannot_see_the_books(client, books):
    a, *_ = books
    for role in ("member", "viewer"):
        user = make_member(a, role)
        client.force_login(user)
        assert client.get("/app/accounting/").status_code == 403
        assert client.get("/app/accounting/balance-sheet/").status_code == 403
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/accounting/journal-entries/", HTTP_X_TENANT=a.slug).status_code == 403


def _entry_form(date, rows):
    data = {"date": date.isoformat(), "description": "Owner puts in capital", "lines-TOTAL_FORMS": "6", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "40"}
    for i, (account, debit, credit) in enumerate(rows):
        data[f"lines-{i}-account"] = account
        data[f"lines-{i}-debit"] = debit
        data[f"lines-{i}-credit"] = credit
    return data


def test_manual_entry_balanced_is_posted(client, books, today):
    a, owner_a, *_ = books
    client.force_login(owner_a)
    assert client.get("/app/accounting/journal/new/").status_code == 200
    before = ledger_counts(a)
    response = client.post("/app/accounting/journal/new/", _entry_form(today, [("bank", "5000.00", ""), ("owner_equity", "", "5000.00")]))
    assert response.status_code == 302
    after = ledger_counts(a)
    assert after["django_ledger_journalentrymodel"] == before["django_ledger_journalentrymodel"] + 1
    assert after["django_ledger_transactionmodel"] == before["django_ledger_transactionmodel"] + 2
    assert after["accounting_sourcedocumentlink"] == before["accounting_sourcedocumentlink"]  # manual: no source
    page = client.get(response["Location"]).content.decode()
    assert "Owner puts in capital" in page and "Manual entry" in page


def test_manual_entry_unbalanced_is_a_form_error(client, books, today):
    a, owner_a, *_ = books
    client.force_login(owner_a)
    before = ledger_counts(a)
    response = client.post("/app/accounting/journal/new/", _entry_form(today, [("bank", "5000.00", ""), ("owner_equity", "", "4000.00")]))
    assert response.status_code == 400
    assert "not balanced" in response.content.decode()
    both = client.post("/app/accounting/journal/new/", _entry_form(today, [("bank", "5.00", "5.00"), ("owner_equity", "", "5.00")]))
    assert both.status_code == 400 and "either a debit or a credit" in both.content.decode()
    assert ledger_counts(a) == before


def test_manual_entry_needs_admin(client, books):
    a, *_ = books
    client.force_login(make_member(a, "member"))
    assert client.get("/app/accounting/journal/new/").status_code == 403
