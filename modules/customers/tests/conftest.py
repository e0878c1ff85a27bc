from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import make_member, make_shop
from zargar.tenancy.context import tenant_context


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests create many users and never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


@pytest.fixture
def shop(db):
    """A shop (USD) with its owner, an admin, a member and a viewer."""
    tenant, owner = make_shop("Pearl Counter")
    people = {
        "owner": owner,
        "admin": make_member(tenant, "admin"),
        "member": make_member(tenant, "member"),
        "viewer": make_member(tenant, "viewer"),
    }
    return tenant, people


@pytest.fixture
def other_shop(db):
    tenant, owner = make_shop("Other Street Gold")
    return tenant, owner


@pytest.fixture
def in_shop(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        yield tenant
