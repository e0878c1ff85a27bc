"""Every shop gets django-ledger books: an entity administered by its owner, the jewelry chart
of accounts, a posted general ledger. Created by the TENANT_CREATED hook; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_ledger.models import AccountModel, EntityModel, LedgerModel

from modules.accounting.actions import ensure_books
from modules.accounting.chart import ACCOUNT_SPECS, CHART, AccountKey
from modules.accounting.models import ShopBooks
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def _accounts(books):
    return {a.code: a for a in AccountModel.objects.filter(coa_model_id=books.entity.default_coa_id).not_coa_root()}


def test_new_shop_gets_entity_chart_and_ledger(shop):
    tenant, owner = shop
    with tenant_context(tenant):
        books = ShopBooks.objects.select_related("entity", "ledger").get(tenant=tenant)
        entity = books.entity
        assert entity.admin_id == owner.pk
        assert entity.name == tenant.name
        assert entity.default_coa_id is not None
        assert books.ledger.entity_id == entity.uuid and books.ledger.posted
        accounts = _accounts(books)
        assert set(accounts) == {spec.code for spec in CHART}
        cash = accounts[ACCOUNT_SPECS[AccountKey.CASH].code]
        assert (cash.role, cash.balance_type, cash.active, cash.name) == ("asset_ca_cash", "debit", True, "Cash on hand")
        vat = accounts[ACCOUNT_SPECS[AccountKey.VAT_PAYABLE].code]
        assert (vat.role, vat.balance_type) == ("lia_cl_taxes_payable", "credit")
        assert accounts[ACCOUNT_SPECS[AccountKey.CUSTOMER_STORE_CREDIT].code].role.startswith("lia_")
        assert accounts[ACCOUNT_SPECS[AccountKey.GOLD_STOCK].code].role == "asset_ca_inv"
        # one default account per role, as django-ledger expects
        defaults = [a.role for a in accounts.values() if a.role_default]
        assert len(defaults) == len(set(defaults)) == len({spec.role for spec in CHART})


def test_ensure_books_is_idempotent_and_completes_the_chart(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        first = ShopBooks.objects.get(tenant=tenant)
        AccountModel.objects.filter(coa_model_id=first.entity.default_coa_id, code=ACCOUNT_SPECS[AccountKey.ROUNDING].code).select_related(None).delete()
    again = ensure_books(tenant)
    again2 = ensure_books(tenant)
    assert again.pk == again2.pk == first.pk
    with tenant_context(tenant):
        assert ShopBooks.objects.count() == 1
        assert EntityModel.objects.count() == 1
        assert LedgerModel.objects.count() == 1
        assert set(_accounts(again)) == {spec.code for spec in CHART}


def test_two_shops_have_separate_entities_with_their_own_tree_paths():
    a, _ = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    with tenant_context(a):
        entity_a = ShopBooks.objects.get(tenant=a).entity
        assert list(EntityModel.objects.values_list("uuid", flat=True)) == [entity_a.uuid]
    with tenant_context(b):
        entity_b = ShopBooks.objects.get(tenant=b).entity
        assert list(EntityModel.objects.values_list("uuid", flat=True)) == [entity_b.uuid]
    # treebeard numbers each shop's first root the same: paths are unique per shop only
    assert entity_a.path == entity_b.path and entity_a.uuid != entity_b.uuid


def test_setup_books_command(shop, capsys):
    tenant, _ = shop
    call_command("setup_books", "--tenant", tenant.slug)
    assert tenant.slug in capsys.readouterr().out
    with tenant_context(tenant):
        assert ShopBooks.objects.count() == 1


def test_setup_books_command_unknown_slug_is_one_readable_error():
    with pytest.raises(CommandError, match="No shop with slug 'no-such-shop'"):
        call_command("setup_books", "--tenant", "no-such-shop")
