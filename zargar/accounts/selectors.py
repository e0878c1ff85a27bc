"""Reads of shop membership data. Call inside the shop's tenant context (a panel request is)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from zargar.tenancy.models import Membership, Role, Tenant

from .models import Invitation

_ROLE_ORDER = Case(
    *(When(role=role.value, then=Value(-role.rank)) for role in Role),
    default=Value(0),
    output_field=IntegerField(),
)


def members_of(tenant: Tenant) -> list[Membership]:
    """The shop's memberships with their users, highest role first, then by email."""
    return list(
        Membership.objects.filter(tenant=tenant)
        .select_related("user")
        .annotate(role_order=_ROLE_ORDER)
        .order_by("role_order", "user__email")
    )


def pending_invitations(tenant: Tenant) -> list[Invitation]:
    """The shop's invitations that can still be accepted (not used, revoked or expired), newest first."""
    return list(
        Invitation.objects.filter(tenant=tenant, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at")
    )
