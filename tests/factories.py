"""Small builders for tests: users, shops and memberships, created the way the product does."""

from __future__ import annotations

import itertools

from zargar.accounts.models import User
from zargar.tenancy.actions import add_member, create_tenant

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_user(email: str | None = None, *, password: str = PASSWORD, **extra) -> User:
    from allauth.account.models import EmailAddress

    email = email or f"user{next(_seq)}@example.com"
    user = User.objects.create_user(email=email, password=password, **extra)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_shop(name: str | None = None, *, owner: User | None = None):
    owner = owner or make_user()
    tenant = create_tenant(name=name or f"Shop {next(_seq)}", owner=owner)
    return tenant, owner


def make_member(tenant, role: str = "member", **user_kwargs) -> User:
    user = make_user(**user_kwargs)
    add_member(tenant, user, role)
    return user
