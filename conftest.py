"""Test set-up shared by the core, module and plugin tests.

The test database is created and migrated by the owner account (pytest-django's default
connection settings with `ZARGAR_DB_AS_OWNER`), then every test connection logs in as the
runtime role — not a superuser, not the owner, no BYPASSRLS — exactly like production.
The runtime role is additionally granted TRUNCATE in the *test* database only, because
transactional tests clean up with `flush`.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections


def _switch_default_connection(user: str, password: str) -> None:
    conn = connections["default"]
    conn.close()
    connections.settings["default"]["USER"] = user
    connections.settings["default"]["PASSWORD"] = password
    conn.settings_dict["USER"] = user
    conn.settings_dict["PASSWORD"] = password


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """Create and migrate the test database as the owner account."""
    _switch_default_connection(settings.DATABASE_OWNER_USER, settings.DATABASE_OWNER_PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from zargar.tenancy.db_roles import ensure_runtime_role, grant_data_access

    role = settings.DATABASE_RUNTIME_USER
    with django_db_blocker.unblock():
        with connections["default"].cursor() as cursor:
            ensure_runtime_role(cursor, role, settings.DATABASE_RUNTIME_PASSWORD)
            grant_data_access(cursor, role)
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{role}"')
    _switch_default_connection(role, settings.DATABASE_RUNTIME_PASSWORD)
    yield
    _switch_default_connection(settings.DATABASE_OWNER_USER, settings.DATABASE_OWNER_PASSWORD)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits (login, signup) count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
