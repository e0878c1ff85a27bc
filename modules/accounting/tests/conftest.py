from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from modules.inventory.models import Item
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def ledger_counts(tenant) -> dict:
    """Rows of the shop's books that a posting writes, counted as that shop."""
    with tenant_context(tenant):
        return {
            table: raw(f"SELECT count(*) FROM {table}")[0][0]
            for table in ("django_ledger_journalentrymodel", "django_ledger_transactionmodel", "accounting_sourcedocumentlink", "django_ledger_entitystatemodel")
        }


@pytest.fixture
def shop():
    tenant, owner = make_shop("Golden Gate Jewelers")
    return tenant, owner


@pytest.fixture
def item(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        return Item.objects.create(tenant=tenant, sku="R-1", name="Ring", karat=18, gross_weight=Decimal("5"), net_weight=Decimal("4.5"), price=Decimal("1000"))


@pytest.fixture
def today():
    return dt.datetime.now(dt.timezone.utc).date()
