"""System checks: every tenant model carries its RLS policy, and (against the database) every
table with a `tenant_id` column has RLS enabled, forced and a policy."""

from __future__ import annotations

from django.apps import apps
from django.core.checks import Error, Tags, register
from django.db import connections

from .rls import TenantIsolationPolicy


def _tenant_models():
    from .models import TenantModel

    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy]


@register(Tags.models)
def check_tenant_models_have_policy(app_configs=None, **kwargs):
    errors = []
    for model in _tenant_models():
        if not any(isinstance(c, TenantIsolationPolicy) for c in model._meta.constraints):
            errors.append(
                Error(
                    f"{model._meta.label} is a tenant model without a TenantIsolationPolicy.",
                    hint="Add *TenantModel.Meta.constraints to its Meta.constraints and run makemigrations.",
                    obj=model,
                    id="zargar.E001",
                )
            )
    return errors


def tables_without_forced_rls(connection) -> list[str]:
    """Tables in `public` that have a `tenant_id` column but lack ENABLE, FORCE or a policy."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p')
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity
                       AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
            ORDER BY c.relname
            """
        )
        return [row[0] for row in cursor.fetchall()]


@register(Tags.database)
def check_tables_have_forced_rls(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or []:
        for table in tables_without_forced_rls(connections[alias]):
            errors.append(
                Error(
                    f"Table {table} has a tenant_id column but no forced Row-Level Security policy.",
                    hint="Make its model a TenantModel (or add a TenantIsolationPolicy) and migrate.",
                    id="zargar.E002",
                )
            )
    return errors
