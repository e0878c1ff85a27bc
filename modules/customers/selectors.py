"""Reads of customer data, always within one shop (explicit filter; RLS underneath). They need the
shop's tenant context (a panel or API request, or `tenant_context`)."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce

from .models import MONEY_DIGITS, MONEY_PLACES, Customer, CustomerActivity, StoreCreditEntry
from .phones import ascii_digits, normalize_email, phone_search_digits

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES))


def _search_filter(query: str) -> Q:
    query = ascii_digits(query.strip())
    condition = Q(full_name__icontains=query) | Q(email__icontains=normalize_email(query))
    digits = phone_search_digits(query)
    if digits:
        condition |= Q(phone__contains=digits)
    return condition


def with_balance(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """`qs` annotated with `credit_balance` (Decimal, shop currency, 0 without entries)."""
    total = (
        StoreCreditEntry.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.annotate(credit_balance=Coalesce(Subquery(total), _ZERO))


def customers_of(tenant, *, search: str = "") -> QuerySet[Customer]:
    """The shop's customers by name, with `credit_balance`; `search` matches name, e-mail
    (case-insensitive, part of it) and phone digits (`"0912 345"` finds `+98912345…`)."""
    qs = Customer.objects.filter(tenant=tenant)
    if search.strip():
        qs = qs.filter(_search_filter(search))
    return with_balance(qs).order_by("full_name", "id")


def search_customers(tenant, query: str, limit: int = 10) -> list[Customer]:
    """Up to `limit` (1–50) customers matching `query` for a picker (the POS): exact phone or
    e-mail first, then names starting with the query, then other matches, each by name.
    An empty query returns `[]`. Each customer carries `credit_balance`."""
    query = (query or "").strip()
    if not query:
        return []
    limit = max(1, min(int(limit), 50))
    digits = phone_search_digits(query)
    rank = Case(
        When(Q(email=normalize_email(query)) | (Q(phone__endswith=digits) if digits else Q(pk__in=[])), then=Value(0)),
        When(full_name__istartswith=query, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    qs = Customer.objects.filter(tenant=tenant).filter(_search_filter(query)).annotate(rank=rank)
    return list(with_balance(qs).order_by("rank", "full_name", "id")[:limit])


def get_customer(tenant, pk: int) -> Customer:
    """The shop's customer `pk` with `credit_balance`; raises `Customer.DoesNotExist` for another
    shop's or a missing customer."""
    return with_balance(Customer.objects.filter(tenant=tenant)).get(pk=pk)


def credit_balance(customer: Customer) -> Decimal:
    """The customer's store-credit balance: the sum of their entries (Decimal, shop currency)."""
    total = StoreCreditEntry.objects.filter(tenant_id=customer.tenant_id, customer=customer).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def credit_entries(tenant, *, customer: Customer | None = None) -> QuerySet[StoreCreditEntry]:
    """The shop's store-credit entries, newest first, with `balance_after` (the customer's
    running balance after each entry, in entry order) and the actor."""
    qs = StoreCreditEntry.objects.filter(tenant=tenant)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return (
        qs.select_related("actor", "customer", "reference_type")
        .annotate(balance_after=Window(Sum("amount"), partition_by=[F("customer_id")], order_by=[F("id").asc()]))
        .order_by("-id")
    )


def activities(tenant, customer: Customer) -> QuerySet[CustomerActivity]:
    """The customer's activity (sales, returns, repairs, …), newest first."""
    return CustomerActivity.objects.filter(tenant=tenant, customer=customer).select_related("reference_type").order_by("-occurred_at", "-id")


def activity_totals(tenant, customer: Customer) -> dict:
    """`{"sales": n, "spent": Decimal}`: the number of sale activities and the sum of the
    amounts of sales and returns (returns are negative), for the customer page."""
    qs = CustomerActivity.objects.filter(tenant=tenant, customer=customer, kind__in=["sale", "return"])
    agg = qs.aggregate(spent=Sum("amount"))
    return {"sales": qs.filter(kind="sale").count(), "spent": agg["spent"] or Decimal("0")}


def posted_entry_ids(tenant, entries) -> set[int]:
    """Ids of `entries` that have a journal entry in the shop's books (empty when the accounting
    module is not installed)."""
    ids = [str(e.pk) for e in entries]
    if not ids or not django_apps.is_installed("modules.accounting"):
        return set()
    from modules.accounting.models import SourceDocumentLink

    ct = ContentType.objects.get_for_model(StoreCreditEntry)
    return {int(v) for v in SourceDocumentLink.objects.filter(tenant=tenant, content_type=ct, object_id__in=ids).values_list("object_id", flat=True)}
