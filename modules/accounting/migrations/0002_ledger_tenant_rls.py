"""Tenant column, forced RLS and per-shop tree paths on every django-ledger table.

See `modules/accounting/ledger_rls.py`. The table lists are frozen here (a migration is a
snapshot); `tests/test_rls.py` fails when the installed django-ledger has a table not listed.
"""

from django.db import migrations

from modules.accounting.ledger_rls import forward_sql, reverse_sql

#: Every table of django-ledger 0.8.5's models (`ledger_rls.installed_ledger_tables()`).
LEDGER_TABLES = [
    "django_ledger_accountmodel",
    "django_ledger_bankaccountmodel",
    "django_ledger_billmodel",
    "django_ledger_chartofaccountmodel",
    "django_ledger_closingentrymodel",
    "django_ledger_closingentrytransactionmodel",
    "django_ledger_customermodel",
    "django_ledger_entitymanagementmodel",
    "django_ledger_entitymodel",
    "django_ledger_entitystatemodel",
    "django_ledger_entityunitmodel",
    "django_ledger_estimatemodel",
    "django_ledger_importjobmodel",
    "django_ledger_invoicemodel",
    "django_ledger_itemmodel",
    "django_ledger_itemtransactionmodel",
    "django_ledger_journalentrymodel",
    "django_ledger_ledgermodel",
    "django_ledger_purchaseordermodel",
    "django_ledger_receiptmodel",
    "django_ledger_stagedtransactionmodel",
    "django_ledger_transactionmodel",
    "django_ledger_unitofmeasuremodel",
    "django_ledger_vendormodel",
]

#: Its django-treebeard materialized-path tables (`ledger_rls.installed_tree_tables()`).
TREE_TABLES = ["django_ledger_accountmodel", "django_ledger_entitymodel", "django_ledger_entityunitmodel"]


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0001_initial"),
        ("django_ledger", "0030_alter_accountmodel_role"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=forward_sql(LEDGER_TABLES, TREE_TABLES),
            reverse_sql=reverse_sql(LEDGER_TABLES, TREE_TABLES),
        ),
    ]
