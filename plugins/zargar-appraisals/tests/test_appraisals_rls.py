"""Row-Level Security of the plugin's tables, through raw SQL as the runtime role: the policy
came from the plugin's own migration (TenantModel), with no core change."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from appraisal_helpers import issue
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def test_plugin_tables_have_forced_rls_and_a_policy():
    rows = raw(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.polname FROM pg_class c "
        "JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relname IN ('appraisals_appraisalcertificate') ORDER BY 1"
    )
    assert rows == [
        ("appraisals_appraisalcertificate", True, True, "appraisals_appraisalcertificate_tenant_isolation"),
    ]
    assert raw("SELECT current_user, rolbypassrls FROM pg_roles WHERE rolname = current_user") == [("zargar_app", False)]


def test_raw_sql_sees_only_the_current_shops_certificates(shop_a, shop_b):
    issue(shop_a)
    issue(shop_b)
    issue(shop_b)
    with tenant_context(shop_a.tenant):
        assert raw("SELECT number, tenant_id FROM appraisals_appraisalcertificate") == [("APR-000001", shop_a.tenant.pk)]
        assert raw("SELECT count(*) FROM appraisals_appraisalcertificate WHERE tenant_id = %s", [shop_b.tenant.pk]) == [(0,)]
        assert raw("SELECT last_value FROM zargar_core_documentsequence WHERE key = 'appraisals.certificate'") == [(1,)]
    with tenant_context(shop_b.tenant):
        assert sorted(n for (n,) in raw("SELECT number FROM appraisals_appraisalcertificate")) == ["APR-000001", "APR-000002"]
    with transaction.atomic():
        assert raw("SELECT count(*) FROM appraisals_appraisalcertificate") == [(0,)], "no shop set: no rows"


def test_raw_sql_cannot_write_into_another_shop(shop_a, shop_b):
    theirs = issue(shop_b)
    with tenant_context(shop_a.tenant):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                raw(
                    "INSERT INTO appraisals_appraisalcertificate (tenant_id, item_id, number, appraised_value, currency, appraiser_name, "
                    "karat_verified, notes, issued_at, valid_until, status) VALUES (%s, %s, 'APR-999999', 1, 'USD', 'x', 18, '', now(), now(), 'valid')",
                    [shop_b.tenant.pk, shop_b.item.pk],
                )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE appraisals_appraisalcertificate SET appraised_value = 0 WHERE id = %s", [theirs.pk])
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM appraisals_appraisalcertificate WHERE id = %s", [theirs.pk])
            assert cursor.rowcount == 0
    with tenant_context(shop_b.tenant):
        assert raw("SELECT appraised_value FROM appraisals_appraisalcertificate WHERE id = %s", [theirs.pk])[0][0] == theirs.appraised_value
