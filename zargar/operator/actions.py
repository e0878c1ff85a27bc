"""Operator writes: a shop's life cycle, settings, members. Each is atomic and audited.

Life cycle (`Tenant.status`):

    active --suspend--> suspended --reactivate--> active
    active|suspended --schedule_deletion--> scheduled_for_deletion (deletion_scheduled_for = now + grace)
    scheduled_for_deletion --restore (before the deadline)--> active
    scheduled_for_deletion --purge (deadline passed; daily job)--> (gone)

A suspended or scheduled shop is blocked on its very next request: `TenancyMiddleware` renders
`panel/suspended.html` (403) and the API's `TenantScopedMixin` answers 403, both reading the
status from the database on every request; its data is kept untouched.

Refusals raise `LifecycleError` (a user-facing message) and write nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zargar.audit.actions import record
from zargar.tenancy.actions import create_tenant
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Role, Tenant

Status = Tenant.Status


class LifecycleError(Exception):
    """A refused operator action; `str(error)` is a user-facing message."""


def _locked(tenant: Tenant | int) -> Tenant:
    return Tenant.objects.select_for_update().get(pk=getattr(tenant, "pk", tenant))


def _transition(tenant, *, actor, allowed: set[str], to: str, action: str, deadline=None, reason: str = "") -> Tenant:
    shop = _locked(tenant)
    if shop.status not in allowed:
        raise LifecycleError(
            _("This action is not possible for a shop that is %(status)s.") % {"status": shop.get_status_display()}
        )
    before = {"status": shop.status, "deletion_scheduled_for": shop.deletion_scheduled_for}
    shop.status = to
    shop.deletion_scheduled_for = deadline
    shop.save(update_fields=["status", "deletion_scheduled_for"])
    changes = {
        key: [_json(before[key]), _json(getattr(shop, key))] for key in before if before[key] != getattr(shop, key)
    }
    if reason:
        changes["reason"] = reason
    record(action, tenant=shop, obj=shop, changes=changes, actor=actor)
    return shop


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def suspend_tenant(tenant: Tenant | int, *, actor, reason: str = "") -> Tenant:
    """Suspend an active shop: its panel and API refuse access from the next request; data kept.
    Raises `LifecycleError` unless the shop is active. Audited as `tenancy.shop.suspended`."""
    return _transition(tenant, actor=actor, allowed={Status.ACTIVE}, to=Status.SUSPENDED, action="tenancy.shop.suspended", reason=reason)


@transaction.atomic
def reactivate_tenant(tenant: Tenant | int, *, actor) -> Tenant:
    """Lift a suspension. Raises `LifecycleError` unless the shop is suspended.
    Audited as `tenancy.shop.reactivated`."""
    return _transition(tenant, actor=actor, allowed={Status.SUSPENDED}, to=Status.ACTIVE, action="tenancy.shop.reactivated")


@transaction.atomic
def schedule_tenant_deletion(tenant: Tenant | int, *, actor, grace_days: int | None = None, now=None, reason: str = "") -> Tenant:
    """Block the shop and schedule its purge `grace_days` (default
    `settings.ZARGAR_DELETION_GRACE_DAYS`, 30) days from now. Raises `LifecycleError` when it is
    already scheduled. Audited as `tenancy.shop.deletion_scheduled`."""
    days = settings.ZARGAR_DELETION_GRACE_DAYS if grace_days is None else grace_days
    if days < 0:
        raise LifecycleError(_("The grace period cannot be negative."))
    deadline = (now or timezone.now()) + timedelta(days=days)
    return _transition(
        tenant,
        actor=actor,
        allowed={Status.ACTIVE, Status.SUSPENDED},
        to=Status.SCHEDULED_FOR_DELETION,
        action="tenancy.shop.deletion_scheduled",
        deadline=deadline,
        reason=reason,
    )


@transaction.atomic
def restore_tenant(tenant: Tenant | int, *, actor, now=None) -> Tenant:
    """Cancel a scheduled deletion before its deadline: the shop is active again.
    Raises `LifecycleError` when the shop is not scheduled or the deadline has passed.
    Audited as `tenancy.shop.restored`."""
    shop = _locked(tenant)
    if shop.status == Status.SCHEDULED_FOR_DELETION and shop.deletion_scheduled_for and shop.deletion_scheduled_for <= (now or timezone.now()):
        raise LifecycleError(_("The grace period of this shop has ended; it can no longer be restored."))
    return _transition(shop, actor=actor, allowed={Status.SCHEDULED_FOR_DELETION}, to=Status.ACTIVE, action="tenancy.shop.restored")


def purge_tenant(tenant: Tenant | int, *, actor=None, now=None, force: bool = False) -> dict[str, int]:
    """Delete every row of a shop whose deletion deadline has passed, then the shop itself.

    Returns `{table: rows deleted}`. Raises `LifecycleError` when the shop is not scheduled for
    deletion or (unless `force`) its deadline is still ahead. One transaction on the owner
    connection (see `zargar.operator.purge`); afterwards a `tenancy.shop.purged` platform event
    records the shop's id, name, slug and the row counts (the shop's own events are gone with it).
    """
    from .purge import PurgeRefused, purge_rows

    shop = Tenant.objects.get(pk=getattr(tenant, "pk", tenant))
    if shop.status != Status.SCHEDULED_FOR_DELETION:
        raise LifecycleError(_("Only a shop scheduled for deletion can be purged."))
    if not force and (shop.deletion_scheduled_for is None or shop.deletion_scheduled_for > (now or timezone.now())):
        raise LifecycleError(_("The grace period of this shop has not ended yet."))
    try:
        deleted = purge_rows(shop.pk)
    except PurgeRefused as exc:
        raise LifecycleError(_("Only a shop scheduled for deletion can be purged.")) from exc
    record(
        "tenancy.shop.purged",
        actor=actor,
        actor_label=getattr(actor, "email", "") if actor else "system",
        changes={"tenant_id": shop.pk, "name": shop.name, "slug": shop.slug, "rows": deleted},
    )
    return deleted


def purge_due_tenants(*, now=None) -> list[int]:
    """Purge every shop whose deletion deadline has passed; returns the purged shop ids.
    One shop's failure does not stop the others (it is logged and retried the next day)."""
    import logging

    now = now or timezone.now()
    purged = []
    due = Tenant.objects.filter(status=Status.SCHEDULED_FOR_DELETION, deletion_scheduled_for__lte=now).values_list("pk", flat=True)
    for tenant_id in list(due):
        try:
            purge_tenant(tenant_id, now=now)
        except Exception:  # noqa: BLE001 - keep purging the other shops
            logging.getLogger(__name__).exception("purge of shop %s failed", tenant_id)
        else:
            purged.append(tenant_id)
    return purged


# --- Shop settings and members ----------------------------------------------------------------

EDITABLE_FIELDS = ("name", "default_locale", "time_zone", "currency")


@transaction.atomic
def update_tenant(tenant: Tenant | int, *, actor, **values) -> Tenant:
    """Change a shop's name, default language, time zone or currency (keyword arguments named
    after the fields). Audited as `tenancy.shop.updated` with `{field: [before, after]}`."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    shop = _locked(tenant)
    changes = {}
    for field, value in values.items():
        if getattr(shop, field) != value:
            changes[field] = [getattr(shop, field), value]
            setattr(shop, field, value)
    if changes:
        shop.full_clean()
        shop.save(update_fields=list(changes))
        record("tenancy.shop.updated", tenant=shop, obj=shop, changes=changes, actor=actor)
    return shop


@transaction.atomic
def create_shop(*, actor, name: str, owner_email: str, request, **settings_values) -> tuple[Tenant, str]:
    """Create a shop owned by `owner_email`.

    An existing (non-operator) user becomes its owner at once. For an unknown address an account
    is created for that email with no usable password and made the owner (the shop's creation
    hooks — e.g. its books — need an owner), and allauth's password-reset email is sent so the
    owner sets their own password; the operator never sees or sets one.
    Returns `(tenant, "member" | "invited")`. Raises `LifecycleError` for an operator's address
    or a failed email (nothing written). Audited as `tenancy.shop.created`.
    """
    from allauth.account.models import EmailAddress

    from zargar.accounts.models import User

    email = owner_email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_operator:
        raise LifecycleError(_("A platform operator cannot own a shop."))
    outcome = "member"
    if user is None:
        user = User.objects.create_user(email=email, password=None)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        outcome = "invited"
    tenant = create_tenant(name=name, owner=user, **settings_values)
    if outcome == "invited":
        _send_reset(user, request)
    record("tenancy.shop.created", tenant=tenant, obj=tenant, changes={"owner_email": email, "owner": outcome}, actor=actor)
    return tenant, outcome


def _send_reset(user, request) -> None:
    """allauth's password-reset email (its own token, link and templates)."""
    from allauth.account.forms import ResetPasswordForm

    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid():
        raise LifecycleError(_("No password link can be sent to this address."))
    try:
        form.save(request)
    except OSError as exc:  # SMTP errors are OSErrors
        raise LifecycleError(_("The email could not be sent. Try again later.")) from exc


@transaction.atomic
def change_member_role(tenant: Tenant | int, *, actor, membership_id: int, role: Role | str) -> Membership:
    """Give member `membership_id` of the shop the role `role` (operator override: no rank
    rules, but the shop keeps at least one owner). Raises `Membership.DoesNotExist` for another
    shop's member, `LifecycleError` for the last owner. Audited as `tenancy.member.role_changed`."""
    role = Role(role)
    shop = Tenant.objects.get(pk=getattr(tenant, "pk", tenant))
    with tenant_context(shop, user=actor):
        target = Membership.objects.select_for_update().select_related("user").get(pk=membership_id, tenant=shop)
        if target.role == role:
            return target
        if target.role == Role.OWNER:
            owners = list(Membership.objects.select_for_update().filter(tenant=shop, role=Role.OWNER).values_list("pk", flat=True))
            if len(owners) <= 1:
                raise LifecycleError(_("A shop needs at least one owner: make someone else an owner first."))
        before = target.role
        target.role = role
        target.save(update_fields=["role"])
    record(
        "tenancy.member.role_changed",
        tenant=shop,
        obj=target,
        changes={"role": [before, role.value], "user": target.user.email},
        actor=actor,
    )
    return target


def send_password_reset(tenant: Tenant | int, *, actor, membership_id: int, request) -> str:
    """Email a member allauth's password-reset link (the operator never sees or sets a password).
    Returns the address it was sent to. Raises `Membership.DoesNotExist` for another shop's member.
    Audited as `tenancy.member.password_reset_sent`."""
    shop = Tenant.objects.get(pk=getattr(tenant, "pk", tenant))
    with tenant_context(shop, user=actor):
        target = Membership.objects.select_related("user").get(pk=membership_id, tenant=shop)
    _send_reset(target.user, request)
    record("tenancy.member.password_reset_sent", tenant=shop, obj=target, changes={"user": target.user.email}, actor=actor)
    return target.user.email
