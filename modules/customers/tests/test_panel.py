"""Panel pages: list with live search, create/edit with form errors, detail, credit forms; roles
and shop scoping."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from modules.customers import actions, selectors
from modules.customers.models import Customer, StoreCreditEntry
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        return actions.create_customer(tenant, full_name="Sara Ahmadi", phone="+989123456789", email="sara@example.com")


def test_list_and_live_search(client, shop, sara):
    tenant, people = shop
    with tenant_context(tenant):
        actions.create_customer(tenant, full_name="Reza Karimi", email="reza@example.com")
    client.force_login(people["viewer"])
    page = client.get("/app/customers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="customer-table"' in html and "Sara Ahmadi" in html and "Reza Karimi" in html
    assert 'hx-get="/app/customers/"' in html
    assert 'data-testid="add-customer"' not in html  # a viewer cannot add
    partial = client.get("/app/customers/?q=0912", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-table")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert "Sara Ahmadi" in body and "Reza Karimi" not in body
    empty = client.get("/app/customers/?q=nobody", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-table").content.decode()
    assert "No customers match this search." in empty


def test_member_creates_and_edits_a_customer(client, shop):
    tenant, people = shop
    client.force_login(people["member"])
    assert client.get("/app/customers/new/").status_code == 200
    response = client.post("/app/customers/new/", {"full_name": "Mina Rahimi", "phone": "+1 (202) 555-0143", "email": "Mina@Example.com", "birthday": "1990-04-02", "marketing_consent": "on"})
    assert response.status_code == 302
    with tenant_context(tenant):
        mina = Customer.objects.get()
    assert response["Location"] == f"/app/customers/{mina.pk}/"
    assert (mina.phone, mina.email, mina.marketing_consent, str(mina.birthday)) == ("+12025550143", "mina@example.com", True, "1990-04-02")
    response = client.post(f"/app/customers/{mina.pk}/edit/", {"full_name": "Mina R.", "phone": "+12025550143", "email": "", "address": "1 Gold St"})
    assert response.status_code == 302
    with tenant_context(tenant):
        mina.refresh_from_db()
    assert (mina.full_name, mina.email, mina.address, mina.marketing_consent) == ("Mina R.", "", "1 Gold St", False)


def test_duplicate_phone_or_email_shows_form_errors(client, shop, sara):
    tenant, people = shop
    client.force_login(people["member"])
    response = client.post("/app/customers/new/", {"full_name": "Copy", "phone": "0098 912 345 6789", "email": "SARA@example.com"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "already has this phone number" in html and "already has this e-mail address" in html
    with tenant_context(tenant):
        other = actions.create_customer(tenant, full_name="Other")
    response = client.post(f"/app/customers/{other.pk}/edit/", {"full_name": "Other", "email": "sara@example.com"})
    assert response.status_code == 400 and "already has this e-mail address" in response.content.decode()
    response = client.post("/app/customers/new/", {"full_name": "Bad", "phone": "call me"})
    assert response.status_code == 400 and "valid phone number" in response.content.decode()
    with tenant_context(tenant):
        assert Customer.objects.count() == 2


def test_same_phone_in_another_shop_is_fine_in_the_panel(client, shop, sara, other_shop):
    other, owner = other_shop
    client.force_login(owner)
    response = client.post("/app/customers/new/", {"full_name": "Sara elsewhere", "phone": "+989123456789", "email": "sara@example.com"})
    assert response.status_code == 302
    with tenant_context(other):
        assert Customer.objects.get().full_name == "Sara elsewhere"


def test_detail_shows_contact_balance_ledger_and_activity(client, shop, sara):
    tenant, people = shop
    with tenant_context(tenant):
        actions.issue_store_credit(tenant, sara, D("120"), actor=people["member"], reference_text="G-1")
        actions.redeem_store_credit(tenant, sara, D("20"))
        actions.record_activity(tenant, sara, kind="sale", summary="Sale S-1042: bangle 22K", amount=D("2500"))
    client.force_login(people["viewer"])
    html = client.get(f"/app/customers/{sara.pk}/").content.decode()
    assert "+989123456789" in html and "sara@example.com" in html
    balance = html.split('data-testid="credit-balance"')[1].split("</section>")[0]
    assert "100.00" in balance
    ledger = html.split('data-testid="credit-ledger"')[1].split("</table>")[0]
    assert "120.00" in ledger and "-20.00" in ledger and "G-1" in ledger and people["member"].email in ledger
    assert ledger.count("Posted to the books") == 2  # the issue (title + screen-reader text); the redemption is not posted here
    assert "Sale S-1042: bangle 22K" in html.split('data-testid="customer-activity"')[1]
    assert 'data-testid="issue-credit"' not in html and 'data-testid="adjust-credit"' not in html


def test_detail_in_persian_uses_persian_digits(client, shop, sara):
    tenant, people = shop
    with tenant_context(tenant):
        actions.issue_store_credit(tenant, sara, D("1250"))
    client.force_login(people["owner"])
    client.post("/app/language/", {"language": "fa"})
    html = client.get(f"/app/customers/{sara.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "۱٬۲۵۰٫۰۰" in html


def test_viewer_cannot_change_anything(client, shop, sara):
    tenant, people = shop
    client.force_login(people["viewer"])
    assert client.get("/app/customers/new/").status_code == 403
    assert client.post("/app/customers/new/", {"full_name": "X"}).status_code == 403
    assert client.post(f"/app/customers/{sara.pk}/edit/", {"full_name": "Changed"}).status_code == 403
    assert client.post(f"/app/customers/{sara.pk}/credit/issue/", {"amount": "10"}).status_code == 403
    assert client.post(f"/app/customers/{sara.pk}/credit/adjust/", {"amount": "10", "reason": "x"}).status_code == 403
    with tenant_context(tenant):
        sara.refresh_from_db()
        assert sara.full_name == "Sara Ahmadi" and StoreCreditEntry.objects.count() == 0 and Customer.objects.count() == 1


def test_member_issues_credit_but_only_admin_adjusts(client, shop, sara):
    tenant, people = shop
    client.force_login(people["member"])
    assert client.get(f"/app/customers/{sara.pk}/credit/issue/").status_code == 200
    response = client.post(f"/app/customers/{sara.pk}/credit/issue/", {"amount": "50", "note": "Sorry for the wait"})
    assert response.status_code == 302 and response["Location"] == f"/app/customers/{sara.pk}/"
    assert client.get(f"/app/customers/{sara.pk}/credit/adjust/").status_code == 403
    client.force_login(people["admin"])
    bad = client.post(f"/app/customers/{sara.pk}/credit/adjust/", {"amount": "-80", "reason": "Wrong"})
    assert bad.status_code == 400 and "Not enough store credit" in bad.content.decode()
    no_reason = client.post(f"/app/customers/{sara.pk}/credit/adjust/", {"amount": "-8"})
    assert no_reason.status_code == 400
    assert client.post(f"/app/customers/{sara.pk}/credit/adjust/", {"amount": "-8", "reason": "Rounding"}).status_code == 302
    with tenant_context(tenant):
        assert selectors.credit_balance(sara) == D("42.00")
        assert [(e.kind, e.note) for e in selectors.credit_entries(tenant, customer=sara)] == [("adjustment", "Rounding"), ("issue", "Sorry for the wait")]


def test_another_shops_customer_is_404(client, shop, sara, other_shop):
    other, owner = other_shop
    client.force_login(owner)
    for url in (f"/app/customers/{sara.pk}/", f"/app/customers/{sara.pk}/edit/", f"/app/customers/{sara.pk}/credit/issue/", f"/app/customers/{sara.pk}/credit/adjust/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/app/customers/{sara.pk}/credit/issue/", {"amount": "10"}).status_code == 404
    assert "Sara Ahmadi" not in client.get("/app/customers/?q=sara").content.decode()


def test_module_switched_off_is_404(client, shop):
    from zargar.tenancy.actions import set_module_enabled

    tenant, people = shop
    set_module_enabled(tenant, "customers", False, cascade=True)
    client.force_login(people["owner"])
    assert client.get("/app/customers/").status_code == 404
