"""The runtime database role: a login role that is not a superuser, owns nothing, and cannot
bypass Row-Level Security. Migrations run as the owner account of `DATABASE_URL`
(`ZARGAR_DB_AS_OWNER=1`, which `manage.py migrate` sets), and after every migrate the owner
(re)creates the runtime role if needed and grants it data access — never DDL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import sql


def ensure_runtime_role(cursor, role: str, password: str) -> None:
    """Create `role` if missing; make sure it is NOSUPERUSER NOBYPASSRLS. Needs CREATEROLE."""
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    ident = sql.Identifier(role)
    if row is None:
        stmt = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(ident)
        cursor.execute(stmt.as_string(cursor.connection))
    elif row[0] or row[1]:
        cursor.execute(sql.SQL("ALTER ROLE {} NOSUPERUSER NOBYPASSRLS").format(ident).as_string(cursor.connection))
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)).as_string(cursor.connection))


def grant_data_access(cursor, role: str) -> None:
    """SELECT/INSERT/UPDATE/DELETE on every table and use of every sequence in `public`."""
    ident = sql.Identifier(role)
    for stmt in (
        "GRANT USAGE ON SCHEMA public TO {}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}",
    ):
        cursor.execute(sql.SQL(stmt).format(ident).as_string(cursor.connection))


def grant_runtime_role(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate handler: give the runtime role access to the tables migrate just made."""
    conn = connections[using]
    role = settings.DATABASE_RUNTIME_USER
    if conn.settings_dict["USER"] == role:
        return  # running as the runtime role: nothing to grant (and no right to)
    with conn.cursor() as cursor:
        ensure_runtime_role(cursor, role, settings.DATABASE_RUNTIME_PASSWORD)
        grant_data_access(cursor, role)
