"""API: customers CRUD and search, credit entries, issue/redeem/adjust; roles and shop scoping."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from modules.customers import actions, selectors
from modules.customers.models import Customer, StoreCreditEntry
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def client_for(user, tenant):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_TENANT=tenant.slug)
    return client


@pytest.fixture
def sara(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        return actions.create_customer(tenant, full_name="Sara Ahmadi", phone="+989123456789", email="sara@example.com")


def test_crud_and_search(shop):
    tenant, people = shop
    api = client_for(people["member"], tenant)
    created = api.post("/api/v1/customers/customers/", {"full_name": "Mina Rahimi", "phone": "0098 935 000 1122", "email": "Mina@Example.com"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["phone"], body["email"], body["credit_balance"]) == ("+989350001122", "mina@example.com", "0.00")
    pk = body["id"]
    api.post("/api/v1/customers/customers/", {"full_name": "Reza Karimi"}, format="json")
    listed = api.get("/api/v1/customers/customers/?q=0935").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk
    assert api.get("/api/v1/customers/customers/").json()["count"] == 2
    found = api.get("/api/v1/customers/customers/search/?q=rez&limit=5").json()["results"]
    assert [c["full_name"] for c in found] == ["Reza Karimi"]
    patched = api.patch(f"/api/v1/customers/customers/{pk}/", {"address": "2 Gold St", "marketing_consent": True}, format="json")
    assert patched.status_code == 200 and patched.json()["address"] == "2 Gold St" and patched.json()["phone"] == "+989350001122"
    assert api.delete(f"/api/v1/customers/customers/{pk}/").status_code == 204
    with tenant_context(tenant):
        assert list(Customer.objects.values_list("full_name", flat=True)) == ["Reza Karimi"]


def test_duplicate_contact_is_a_400_with_field_errors(shop, sara, other_shop):
    tenant, people = shop
    api = client_for(people["member"], tenant)
    response = api.post("/api/v1/customers/customers/", {"full_name": "Copy", "phone": "+98 912 345 6789", "email": "SARA@example.com"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"phone", "email"}
    other, owner = other_shop
    elsewhere = client_for(owner, other).post("/api/v1/customers/customers/", {"full_name": "Sara", "phone": "+989123456789"}, format="json")
    assert elsewhere.status_code == 201


def test_credit_endpoints(shop, sara):
    tenant, people = shop
    member = client_for(people["member"], tenant)
    issued = member.post(f"/api/v1/customers/customers/{sara.pk}/issue-credit/", {"amount": "100.00", "reference_text": "G-9"}, format="json")
    assert issued.status_code == 201, issued.content
    assert (issued.json()["kind"], issued.json()["amount"], issued.json()["balance"]) == ("issue", "100.00", "100.00")
    redeemed = member.post(f"/api/v1/customers/customers/{sara.pk}/redeem-credit/", {"amount": "40"}, format="json")
    assert redeemed.status_code == 201 and redeemed.json()["amount"] == "-40.00" and redeemed.json()["balance"] == "60.00"
    too_much = member.post(f"/api/v1/customers/customers/{sara.pk}/redeem-credit/", {"amount": "60.01"}, format="json")
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_credit"
    denied = member.post(f"/api/v1/customers/customers/{sara.pk}/adjust-credit/", {"amount": "5", "reason": "x"}, format="json")
    assert denied.status_code == 403
    admin = client_for(people["admin"], tenant)
    assert admin.post(f"/api/v1/customers/customers/{sara.pk}/adjust-credit/", {"amount": "5"}, format="json").status_code == 400
    adjusted = admin.post(f"/api/v1/customers/customers/{sara.pk}/adjust-credit/", {"amount": "-10", "reason": "Typo"}, format="json")
    assert adjusted.status_code == 201 and adjusted.json()["balance"] == "50.00"
    viewer = client_for(people["viewer"], tenant)
    entries = viewer.get(f"/api/v1/customers/credit-entries/?customer={sara.pk}").json()
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in entries["results"]] == [
        ("adjustment", "-10.00", "50.00"),
        ("redeem", "-40.00", "60.00"),
        ("issue", "100.00", "100.00"),
    ]
    assert entries["results"][2]["actor"] == people["member"].email
    assert viewer.get(f"/api/v1/customers/customers/{sara.pk}/").json()["credit_balance"] == "50.00"
    # The ledger is read-only over the API too.
    entry_id = entries["results"][0]["id"]
    assert viewer.get(f"/api/v1/customers/credit-entries/{entry_id}/").status_code == 200
    assert admin.delete(f"/api/v1/customers/credit-entries/{entry_id}/").status_code == 405
    assert admin.patch(f"/api/v1/customers/credit-entries/{entry_id}/", {"amount": "1"}, format="json").status_code == 405
    assert admin.post("/api/v1/customers/credit-entries/", {"customer": sara.pk, "amount": "1"}, format="json").status_code == 405
    # A customer with a ledger is kept.
    kept = member.delete(f"/api/v1/customers/customers/{sara.pk}/")
    assert kept.status_code == 409 and kept.json()["error"]["code"] == "in_use"


def test_activity_endpoint(shop, sara):
    tenant, people = shop
    with tenant_context(tenant):
        actions.record_activity(tenant, sara, kind="sale", summary="Sale S-1", amount=D("500"), reference_text="S-1")
    body = client_for(people["viewer"], tenant).get(f"/api/v1/customers/customers/{sara.pk}/activity/").json()
    assert [(a["kind"], a["summary"], a["amount"]) for a in body["results"]] == [("sale", "Sale S-1", "500.00")]


def test_viewer_cannot_write(shop, sara):
    tenant, people = shop
    viewer = client_for(people["viewer"], tenant)
    assert viewer.get("/api/v1/customers/customers/").status_code == 200
    assert viewer.post("/api/v1/customers/customers/", {"full_name": "X"}, format="json").status_code == 403
    assert viewer.patch(f"/api/v1/customers/customers/{sara.pk}/", {"full_name": "X"}, format="json").status_code == 403
    assert viewer.delete(f"/api/v1/customers/customers/{sara.pk}/").status_code == 403
    assert viewer.post(f"/api/v1/customers/customers/{sara.pk}/issue-credit/", {"amount": "5"}, format="json").status_code == 403
    assert viewer.post(f"/api/v1/customers/customers/{sara.pk}/redeem-credit/", {"amount": "5"}, format="json").status_code == 403
    with tenant_context(tenant):
        assert Customer.objects.count() == 1 and StoreCreditEntry.objects.count() == 0


def test_another_shop_gets_404(shop, sara, other_shop):
    tenant, _ = shop
    with tenant_context(tenant):
        entry = actions.issue_store_credit(tenant, sara, D("10"))
    other, owner = other_shop
    api = client_for(owner, other)
    assert api.get(f"/api/v1/customers/customers/{sara.pk}/").status_code == 404
    assert api.patch(f"/api/v1/customers/customers/{sara.pk}/", {"full_name": "Hijacked"}, format="json").status_code == 404
    assert api.post(f"/api/v1/customers/customers/{sara.pk}/redeem-credit/", {"amount": "5"}, format="json").status_code == 404
    assert api.get(f"/api/v1/customers/credit-entries/{entry.pk}/").status_code == 404
    assert api.get(f"/api/v1/customers/credit-entries/?customer={sara.pk}").json()["count"] == 0
    assert api.get("/api/v1/customers/customers/search/?q=sara").json()["results"] == []
    with tenant_context(tenant):
        assert selectors.credit_balance(sara) == D("10.00")
        sara.refresh_from_db()
        assert sara.full_name == "Sara Ahmadi"
