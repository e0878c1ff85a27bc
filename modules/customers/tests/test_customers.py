"""Customers: normalisation, uniqueness per shop, find-or-create, search, activity."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from modules.customers import actions, selectors
from modules.customers.models import Customer, CustomerActivity
from modules.customers.phones import normalize_phone
from zargar.contract.actions import save_module_settings
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "region", "stored"),
    [
        ("+98 912 345 6789", None, "+989123456789"),
        ("0098-912-345-6789", None, "+989123456789"),
        ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "IR", "+989123456789"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("0912 345 6789", None, "09123456789"),  # no region: digits only
        ("", None, ""),
    ],
)
def test_phone_normalisation(raw, region, stored):
    assert normalize_phone(raw, region) == stored


@pytest.mark.parametrize("raw", ["call me", "12", "+98 12", "+1234567890123456"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw, "IR")


def test_create_normalises_phone_and_email_with_the_shop_region(in_shop):
    save_module_settings(in_shop, "customers", {"default_phone_region": "ir"})
    customer = actions.create_customer(in_shop, full_name="  Sara Ahmadi ", phone="0912 345 6789", email=" Sara@Example.COM ")
    customer.refresh_from_db()
    assert (customer.full_name, customer.phone, customer.email) == ("Sara Ahmadi", "+989123456789", "sara@example.com")


def test_find_or_create_is_idempotent(in_shop):
    save_module_settings(in_shop, "customers", {"default_phone_region": "IR"})
    first, created = actions.find_or_create_customer(in_shop, phone="09123456789", name="Sara Ahmadi")
    assert created and first.phone == "+989123456789"
    again, created_again = actions.find_or_create_customer(in_shop, phone="+98 912 345 6789", name="Someone Else")
    assert (again.pk, created_again) == (first.pk, False)
    assert again.full_name == "Sara Ahmadi"  # an existing customer is returned as is
    by_email, _ = actions.find_or_create_customer(in_shop, email="reza@example.com", name="Reza")
    same, created = actions.find_or_create_customer(in_shop, email="REZA@example.com", name="Reza")
    assert (same.pk, created) == (by_email.pk, False)
    # The phone wins when phone and e-mail point at different customers.
    chosen, created = actions.find_or_create_customer(in_shop, phone="09123456789", email="reza@example.com")
    assert (chosen.pk, created) == (first.pk, False)
    assert Customer.objects.count() == 2


def test_find_or_create_needs_a_contact_and_a_name(in_shop):
    with pytest.raises(ValidationError, match="phone number or an e-mail"):
        actions.find_or_create_customer(in_shop, name="Nobody")
    with pytest.raises(ValidationError) as exc:
        actions.find_or_create_customer(in_shop, phone="+12025550143")
    assert "full_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.find_or_create_customer(in_shop, phone="not a phone", name="X")
    assert "phone" in exc.value.message_dict
    assert Customer.objects.count() == 0


def test_duplicate_phone_or_email_in_the_same_shop_is_refused(in_shop):
    actions.create_customer(in_shop, full_name="Sara", phone="+98 912 345 6789", email="sara@example.com")
    with pytest.raises(ValidationError) as exc:
        actions.create_customer(in_shop, full_name="Copy", phone="+989123456789", email="SARA@example.com")
    assert set(exc.value.message_dict) == {"phone", "email"}
    assert "Sara" in exc.value.message_dict["phone"][0]
    other = actions.create_customer(in_shop, full_name="Reza", phone="+12025550143")
    with pytest.raises(ValidationError) as exc:
        actions.update_customer(other, email="sara@example.com")
    assert set(exc.value.message_dict) == {"email"}
    other.refresh_from_db()
    assert other.email == ""
    assert Customer.objects.count() == 2
    # Several customers without phone or e-mail are fine (the uniqueness is only for set values).
    actions.create_customer(in_shop, full_name="Walk-in 1")
    actions.create_customer(in_shop, full_name="Walk-in 2")


def test_same_phone_and_email_in_another_shop_is_allowed(shop, other_shop):
    tenant, _ = shop
    other, _ = other_shop
    with tenant_context(tenant):
        a = actions.create_customer(tenant, full_name="Sara", phone="+989123456789", email="sara@example.com")
    with tenant_context(other):
        b = actions.create_customer(other, full_name="Sara too", phone="+989123456789", email="sara@example.com")
        found, created = actions.find_or_create_customer(other, phone="+989123456789")
    assert a.pk != b.pk and found.pk == b.pk and not created


def test_search(in_shop):
    sara = actions.create_customer(in_shop, full_name="Sara Ahmadi", phone="+989123456789", email="sara@example.com")
    amir = actions.create_customer(in_shop, full_name="Amir Saberi", phone="+989350001122")
    mina = actions.create_customer(in_shop, full_name="Mina Rahimi", email="mina.sara@example.org")
    names = lambda qs: [c.full_name for c in qs]  # noqa: E731
    assert set(names(selectors.customers_of(in_shop, search="sara"))) == {"Sara Ahmadi", "Mina Rahimi"}
    assert names(selectors.customers_of(in_shop, search="0912 345")) == ["Sara Ahmadi"]  # local format finds E.164
    assert names(selectors.customers_of(in_shop, search="۰۹۳۵")) == ["Amir Saberi"]  # Persian digits
    assert names(selectors.customers_of(in_shop, search="example.org")) == ["Mina Rahimi"]
    # The picker: exact contact first, then names starting with the query.
    assert [c.pk for c in selectors.search_customers(in_shop, "mina.sara@example.org")] == [mina.pk]
    assert [c.pk for c in selectors.search_customers(in_shop, "sa")] == [sara.pk, amir.pk, mina.pk]
    assert [c.pk for c in selectors.search_customers(in_shop, "sa", limit=1)] == [sara.pk]
    assert selectors.search_customers(in_shop, "  ") == []


def test_record_activity_is_idempotent_per_document(in_shop, shop):
    _, people = shop
    customer = actions.create_customer(in_shop, full_name="Sara")
    when = timezone.now()
    sale, created = actions.record_activity(
        in_shop, customer, kind="sale", summary="Sale S-1: ring 18K", amount=D("1250.00"), occurred_at=when, reference=("accounts.user", people["owner"].pk)
    )
    again, created_again = actions.record_activity(in_shop, customer, kind="sale", summary="retry", amount=D("1250.00"), reference=("accounts.user", people["owner"].pk))
    assert created and not created_again and again.pk == sale.pk
    actions.record_activity(in_shop, customer, kind="return", summary="Return R-1", amount=D("-250"), reference_text="R-1")
    assert CustomerActivity.objects.count() == 2
    assert selectors.activity_totals(in_shop, customer) == {"sales": 1, "spent": D("1000.00")}
    assert [a.kind for a in selectors.activities(in_shop, customer)] == ["return", "sale"]
    with pytest.raises(ValidationError):
        actions.record_activity(in_shop, customer, kind="teleport", summary="x")
    with pytest.raises(ValidationError):
        actions.record_activity(in_shop, customer, kind="sale", summary="x", reference=("nope.model", 1))


def test_customer_with_history_cannot_be_deleted(in_shop):
    kept = actions.create_customer(in_shop, full_name="Kept")
    gone = actions.create_customer(in_shop, full_name="Gone")
    actions.record_activity(in_shop, kept, kind="repair", summary="Chain repair")
    with pytest.raises(ValidationError, match="cannot be deleted"):
        actions.delete_customer(kept)
    actions.delete_customer(gone)
    assert list(Customer.objects.values_list("full_name", flat=True)) == ["Kept"]


def test_another_shops_customer_is_refused_by_actions(shop, other_shop):
    tenant, _ = shop
    other, _ = other_shop
    with tenant_context(other):
        stranger = actions.create_customer(other, full_name="Stranger")
    with tenant_context(tenant):
        with pytest.raises(Customer.DoesNotExist):
            actions.issue_store_credit(tenant, stranger, D("10"))
        with pytest.raises(Customer.DoesNotExist):
            actions.record_activity(tenant, stranger, kind="sale", summary="x")
