"""Evaluating feature flags, and changing them with a history.

Evaluation (`evaluate`), first rule that decides wins:

1. an unknown flag is off (waffle's `WAFFLE_FLAG_DEFAULT`, False);
2. the kill switch (`killed`) forces it off — over everything, including "on for everyone";
3. `everyone` True / False turns it on / off for everyone;
4. on for the listed users (`users`), and for superusers only if `superusers` is set;
5. on for members whose role in the current shop is one of `roles`;
6. on in the listed shops (`shops`);
7. on in `shop_percent` % of shops: shop bucket = sha256("<flag name>:<shop id>") mod 100, on when
   bucket < shop_percent — the same shop stays in as the percentage grows;
8. otherwise off.

Rules 4-7 are alternatives (any one turns the flag on), as in waffle. The current shop is the
request's (`request.tenant`, set by `TenancyMiddleware` from the session, checked against the
user's memberships) or the tenant passed in.

Every change goes through `create_flag` / `update_flag` / `set_everyone` / `set_killed`, which
lock the flag row, write one `FlagChange` (before/after snapshot) and one platform audit event,
and flush waffle's cache both at once and at commit, so a kill switch holds from the next check.
"""

from __future__ import annotations

import hashlib
import re

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.request import Request
from waffle.utils import get_setting

from zargar.accounts.models import User
from zargar.audit.actions import record
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Tenant

from .models import Flag, FlagChange, FlagShop


class FlagError(ValueError):
    """A refused flag change (the message is for the operator)."""


def shop_bucket(flag_name: str, tenant_id: int) -> int:
    """The shop's bucket for this flag, 0-99: sha256 of "<flag name>:<shop id>" modulo 100."""
    digest = hashlib.sha256(f"{flag_name}:{tenant_id}".encode()).hexdigest()
    return int(digest, 16) % 100


def evaluate(flag: Flag, *, tenant: Tenant | None = None, user=None, role: str | None = None) -> bool:
    """Whether `flag` is on for `user` (with `role` in `tenant`) in `tenant`. Any may be None."""
    if not flag.pk:
        return bool(get_setting("FLAG_DEFAULT"))
    if flag.killed:
        return False
    if flag.everyone is not None:
        return bool(flag.everyone)
    if user is not None and getattr(user, "is_authenticated", False):
        if user.pk in flag._get_user_ids():
            return True
        if flag.superusers and user.is_superuser:
            return True
    if role and role in (flag.roles or []):
        return True
    if tenant is not None:
        if tenant.pk in flag.shop_ids():
            return True
        if flag.shop_percent and shop_bucket(flag.name, tenant.pk) < flag.shop_percent:
            return True
    return False


def _role_in(tenant: Tenant, user) -> str | None:
    if tenant is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    with tenant_context(tenant, user=user):  # memberships are shop rows (RLS)
        return Membership.objects.filter(tenant_id=tenant.pk, user_id=user.pk).values_list("role", flat=True).first()


def is_active(flag_name: str, target: HttpRequest | Request | Tenant | None, user=None) -> bool:
    """Whether flag `flag_name` is on.

    `target` is a request — Django's or DRF's — (its shop, user and membership role are used;
    `user` overrides the request's user), a `Tenant` (with an optional `user`, whose role in that shop is looked up),
    or None (only the global and user rules apply). An unknown flag is off.
    """
    flag = Flag.get(flag_name)
    if isinstance(target, (HttpRequest, Request)):
        tenant = getattr(target, "tenant", None)
        request_user = getattr(target, "user", None)
        if user is None or user == request_user:
            membership = getattr(target, "membership", None)
            return evaluate(flag, tenant=tenant, user=request_user, role=getattr(membership, "role", None))
        return evaluate(flag, tenant=tenant, user=user, role=_role_in(tenant, user))
    if target is not None and not isinstance(target, Tenant):
        raise TypeError(f"target must be a request, a Tenant or None, not {type(target).__name__}")
    return evaluate(flag, tenant=target, user=user, role=_role_in(target, user))


# --- changes ------------------------------------------------------------------------------

def snapshot(flag: Flag) -> dict:
    """The flag's settings as JSON: shops by slug and users by email, sorted."""
    if not flag.pk:
        return {}
    shops = sorted(Tenant.objects.filter(pk__in=FlagShop.objects.filter(flag_id=flag.pk).values("shop_id")).values_list("slug", flat=True))
    users = sorted(flag.users.values_list("email", flat=True))
    return {
        "everyone": flag.everyone,
        "killed": flag.killed,
        "shop_percent": flag.shop_percent,
        "roles": sorted(flag.roles or []),
        "shops": shops,
        "users": users,
        "superusers": flag.superusers,
        "note": flag.note,
    }


def _flush(flag: Flag) -> None:
    flag.flush()
    transaction.on_commit(flag.flush)


def _log(flag: Flag, action: str, before: dict, actor, reason: str = "") -> FlagChange:
    after = snapshot(flag)
    change = FlagChange.objects.create(
        flag_name=flag.name, action=action, actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "", before=before, after=after, reason=reason[:500],
    )
    diff = {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}
    record(f"flags.flag.{FlagChange.Action(action).value}", obj=flag, changes=diff, actor=actor)
    _flush(flag)
    return change


def _set_targets(flag: Flag, *, shops=None, users=None) -> None:
    if shops is not None:
        FlagShop.objects.filter(flag=flag).delete()
        FlagShop.objects.bulk_create([FlagShop(flag=flag, shop=shop) for shop in shops])
    if users is not None:
        flag.users.set(users)


SETTINGS = ("everyone", "shop_percent", "roles", "note", "superusers")


def _check(values: dict) -> None:
    percent = values.get("shop_percent")
    if percent is not None and not 0 <= int(percent) <= 100:
        raise FlagError("shop_percent must be between 0 and 100")
    from zargar.tenancy.models import Role

    unknown = set(values.get("roles") or []) - set(Role.values)
    if unknown:
        raise FlagError(f"unknown roles: {', '.join(sorted(unknown))}")


#: A flag's name: 2-100 lower-case letters, digits, `-` or `_`, starting with a letter (it is a
#: path segment of /operator/flags/<name>/, so never one of `RESERVED_NAMES`).
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{1,99}$")
RESERVED_NAMES = frozenset({"new", "history"})


@transaction.atomic
def create_flag(name: str, *, actor, shops=(), users=(), **values) -> Flag:
    """Create flag `name` (see `NAME_RE`). `values`: any of `SETTINGS`.
    Raises `FlagError` if the name is malformed, reserved or taken (also when a concurrent
    request took it first) or a value is out of range."""
    _check(values)
    if not NAME_RE.fullmatch(name or "") or name in RESERVED_NAMES:
        raise FlagError(f"{name!r} is not a valid flag name: 2-100 lower-case letters, digits, - or _, starting with a letter (not new or history)")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(name=name, **{k: v for k, v in values.items() if k in SETTINGS})
    except IntegrityError:  # waffle's unique name
        raise FlagError(f"a flag named {name} exists") from None
    _set_targets(flag, shops=list(shops), users=list(users))
    _log(flag, FlagChange.Action.CREATED, {}, actor)
    return flag


@transaction.atomic
def update_flag(flag: Flag, *, actor, shops=None, users=None, reason: str = "", **values) -> Flag:
    """Change a flag's targeting (`values`: any of `SETTINGS`; `shops`/`users` replace the lists
    when given). The name never changes (code refers to it). Writes nothing when nothing changed."""
    _check(values)
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    before = snapshot(flag)
    for key, value in values.items():
        if key in SETTINGS:
            setattr(flag, key, value)
    flag.save()
    _set_targets(flag, shops=shops, users=users)
    if snapshot(flag) == before:
        _flush(flag)
        return flag
    _log(flag, FlagChange.Action.UPDATED, before, actor, reason)
    return flag


@transaction.atomic
def set_everyone(flag: Flag, everyone: bool | None, *, actor, reason: str = "") -> Flag:
    """Global switch: on (True) or off (False) for everyone, or back to the rules (None)."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.everyone is everyone:
        return flag
    before = snapshot(flag)
    flag.everyone = everyone
    flag.save()
    action = {True: FlagChange.Action.TURNED_ON, False: FlagChange.Action.TURNED_OFF, None: FlagChange.Action.RULES}[everyone]
    _log(flag, action, before, actor, reason)
    return flag


@transaction.atomic
def set_killed(flag: Flag, killed: bool, *, actor, reason: str = "") -> Flag:
    """Engage (True) or release (False) the kill switch. The flag's targeting is kept, so
    releasing it restores exactly what was on before."""
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.killed is killed:
        return flag
    before = snapshot(flag)
    flag.killed = killed
    flag.save()
    _log(flag, FlagChange.Action.KILLED if killed else FlagChange.Action.REVIVED, before, actor, reason)
    return flag


def history(flag_name: str | None = None, *, limit: int = 200) -> list[FlagChange]:
    """The newest changes first, of one flag or of all."""
    qs = FlagChange.objects.all()
    if flag_name:
        qs = qs.filter(flag_name=flag_name)
    return list(qs[:limit])


def resolve_users(emails: list[str]) -> tuple[list[User], list[str]]:
    """Users for these email addresses (case-insensitive) and the addresses with no account."""
    found, missing = [], []
    for email in emails:
        user = User.objects.filter(email__iexact=email).first()
        (found.append(user) if user else missing.append(email))
    return found, missing
