"""zargar.core.documents.document_key: the (content type, id) of a source document, and the
refusals every caller (store credit, journal postings, stock movements) shares."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from modules.customers import actions as customers
from modules.customers.models import Customer, StoreCreditEntry
from tests.factories import make_shop
from zargar.core.documents import DocumentError, document_key
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def test_instances_and_pairs_give_the_content_type_and_id():
    tenant, _ = make_shop("Docs Gold")
    customer_type = ContentType.objects.get_for_model(Customer)
    with tenant_context(tenant):
        customer = customers.create_customer(tenant, full_name="Sara Ahmadi", phone="+989123456789")
    assert document_key(customer) == (customer_type, str(customer.pk))
    for kind in ("customers.customer", "customers.Customer", Customer, customer_type):
        assert document_key((kind, f"  {customer.pk} ")) == (customer_type, str(customer.pk))
    assert document_key(["customers.customer", "ERP-77"]) == (customer_type, "ERP-77")  # another system's id


@pytest.mark.parametrize("document, message", [
    (Customer(full_name="Unsaved"), "has not been saved"),
    (("customers.nothing", 1), "Unknown source document type customers.nothing"),
    (("customers", 1), "Unknown source document type customers"),
    (("a.b.c", 1), "Unknown source document type a.b.c"),
    ((42, 1), "Unknown source document type 42"),
    (("customers.customer", "  "), "1 to 64 characters"),
    (("customers.customer", "x" * 65), "1 to 64 characters"),
    ("S-1042", "model instance or a (type, id) pair"),
    (("customers.customer", 1, 2), "model instance or a (type, id) pair"),
])
def test_what_it_refuses(document, message):
    with pytest.raises(DocumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        document_key(document)


def test_store_credit_refuses_a_bad_reference_on_its_field_and_writes_nothing():
    tenant, _ = make_shop("Docs Credit")
    with tenant_context(tenant):
        customer = customers.create_customer(tenant, full_name="Reza Karimi", phone="+989121111111")
        with pytest.raises(ValidationError) as refused:
            customers.issue_store_credit(tenant, customer, D("10.00"), reference=("pos.nothing", 1))
        assert refused.value.message_dict == {"reference": ["Unknown source document type pos.nothing."]}
        assert not StoreCreditEntry.objects.filter(customer=customer).exists()
