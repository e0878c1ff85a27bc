"""Writes of shop membership: invitations, role changes, removals.

Every action is atomic, takes the shop (`tenant`) and the acting user explicitly, and runs in
that shop's `tenant_context` (the rows are under Row-Level Security). Refusals raise
`MemberActionError` or `InvitationError` with a user-facing message and leave nothing written.

Rules: only a member whose role holds `tenancy.manage_members` (admin or owner) manages
members; nobody gives a role above their own or changes/removes someone who outranks them;
a shop always keeps at least one owner.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from zargar.billing.enforcement import LimitExceeded, Metric, check_limit
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Role, Tenant

from .models import Invitation

MANAGE_MEMBERS = "tenancy.manage_members"


class MemberActionError(Exception):
    """A refused member-management action; `str(error)` is a user-facing message."""


class InvitationError(Exception):
    """An invitation that cannot be used. `code` is one of `not_found`, `expired`, `revoked`,
    `accepted`, `already_member`, `inactive_shop`; `str(error)` is a user-facing message."""

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code


def token_digest(token: str) -> str:
    """SHA-256 hex digest of an invitation token (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor_membership(tenant: Tenant, actor) -> Membership:
    membership = Membership.objects.filter(tenant=tenant, user=actor).first()
    if membership is None or not membership.has_perm(MANAGE_MEMBERS):
        raise MemberActionError(_("You are not allowed to manage this shop's members."))
    return membership


def _check_may_assign(actor: Membership, role: Role) -> None:
    if not actor.role_enum.at_least(role):
        raise MemberActionError(_("You cannot give a role higher than your own."))


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    token: str  # the secret of the link; not stored
    url: str


@transaction.atomic
def invite_member(tenant: Tenant, *, actor, email: str, role: Role | str, base_url: str) -> SentInvitation:
    """Invite `email` to `tenant` as `role` and email them the accept link.

    `base_url` is the site's origin (e.g. "https://zargar.example"); the link is
    `<base_url>/invitations/<tenant slug>/<token>/`. A still-pending invitation to the same
    address is revoked and replaced (a "resend"). Raises `MemberActionError` when `actor` may not
    invite, may not give `role`, or `email` already belongs to a member; the email is sent
    inside the transaction, so a failed send leaves no invitation behind.
    """
    role = Role(role)
    email = email.strip().lower()
    with tenant_context(tenant, user=actor):
        membership = _actor_membership(tenant, actor)
        _check_may_assign(membership, role)
        if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
            raise MemberActionError(_("%(email)s is already a member of this shop.") % {"email": email})
        try:
            check_limit(tenant, Metric.USERS)  # the plan's user limit (zargar.billing)
        except LimitExceeded as exc:
            raise MemberActionError(str(exc)) from exc
        now = timezone.now()
        Invitation.objects.filter(tenant=tenant, email__iexact=email, accepted_at=None, revoked_at=None).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            tenant=tenant, email=email, role=role, token_digest=token_digest(token), invited_by=actor
        )
        url = base_url.rstrip("/") + reverse("invitations:accept", kwargs={"tenant_slug": tenant.slug, "token": token})
        context = {"invitation": invitation, "tenant": tenant, "inviter": actor, "url": url, "role_label": role.label}
        with translation.override(tenant.default_locale):
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_message.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
        except OSError as exc:  # SMTP errors are OSErrors
            raise MemberActionError(_("The invitation email could not be sent. Try again later.")) from exc
    return SentInvitation(invitation=invitation, token=token, url=url)


@transaction.atomic
def revoke_invitation(tenant: Tenant, *, actor, invitation_id: int) -> Invitation:
    """Revoke a pending invitation of `tenant`. Raises `Invitation.DoesNotExist` when the id is not
    one of this shop's invitations (another shop's is invisible), `MemberActionError` when `actor`
    may not manage members or the invitation was already used."""
    with tenant_context(tenant, user=actor):
        membership = _actor_membership(tenant, actor)
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id, tenant=tenant)
        _check_may_assign(membership, Role(invitation.role))
        if invitation.accepted_at is not None:
            raise MemberActionError(_("This invitation was already accepted."))
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
        return invitation


def find_invitation(tenant: Tenant, token: str) -> Invitation:
    """The invitation of `tenant` whose token is `token`, looked up by digest inside the shop's
    tenant context. Raises `InvitationError("not_found")`."""
    with tenant_context(tenant):
        invitation = Invitation.objects.filter(tenant=tenant, token_digest=token_digest(token)).first()
    if invitation is None:
        raise InvitationError("not_found", _("This invitation link is not valid. Ask the shop for a new one."))
    return invitation


def check_usable(invitation: Invitation, tenant: Tenant) -> None:
    """Raise `InvitationError` unless `invitation` can still be accepted."""
    if invitation.revoked_at is not None:
        raise InvitationError("revoked", _("This invitation was withdrawn by the shop."))
    if invitation.accepted_at is not None:
        raise InvitationError("accepted", _("This invitation has already been used."))
    if invitation.is_expired:
        raise InvitationError("expired", _("This invitation has expired. Ask the shop to send a new one."))
    if not tenant.is_active:
        raise InvitationError("inactive_shop", _("This shop is not active at the moment."))


@transaction.atomic
def accept_invitation(tenant: Tenant, *, token: str, user) -> Membership:
    """Make `user` a member of `tenant` with the invitation's role and mark it accepted.

    Raises `InvitationError` (nothing written) for an unknown token, or an expired, revoked or
    used invitation, or when `user` is already a member of the shop.
    """
    with tenant_context(tenant, user=user):
        invitation = (
            Invitation.objects.select_for_update().filter(tenant=tenant, token_digest=token_digest(token)).first()
        )
        if invitation is None:
            raise InvitationError("not_found", _("This invitation link is not valid. Ask the shop for a new one."))
        check_usable(invitation, tenant)
        if Membership.objects.filter(tenant=tenant, user=user).exists():
            raise InvitationError("already_member", _("You are already a member of this shop."))
        try:
            check_limit(tenant, Metric.USERS)  # the plan's user limit (zargar.billing)
        except LimitExceeded as exc:
            raise InvitationError("limit_exceeded", str(exc)) from exc
        membership = Membership.objects.create(tenant=tenant, user=user, role=Role(invitation.role))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        return membership


def _target_membership(tenant: Tenant, membership_id: int) -> Membership:
    return Membership.objects.select_for_update().select_related("user").get(pk=membership_id, tenant=tenant)


def _owner_count(tenant: Tenant) -> int:
    # Lock the owner rows so two concurrent demotions cannot both see "another owner is left".
    return len(list(Membership.objects.select_for_update().filter(tenant=tenant, role=Role.OWNER).values_list("pk", flat=True)))


@transaction.atomic
def change_role(tenant: Tenant, *, actor, membership_id: int, role: Role | str) -> Membership:
    """Give the member `membership_id` of `tenant` the role `role`.

    Raises `Membership.DoesNotExist` for an id outside this shop, `MemberActionError` when
    `actor` may not manage members, the target or the new role outranks `actor`, or this would
    demote the shop's last owner.
    """
    role = Role(role)
    with tenant_context(tenant, user=actor):
        actor_membership = _actor_membership(tenant, actor)
        target = _target_membership(tenant, membership_id)
        if not actor_membership.role_enum.at_least(target.role_enum):
            raise MemberActionError(_("You cannot change the role of someone whose role is higher than yours."))
        _check_may_assign(actor_membership, role)
        if target.role == Role.OWNER and role != Role.OWNER and _owner_count(tenant) <= 1:
            raise MemberActionError(_("A shop needs at least one owner: make someone else an owner first."))
        if target.role != role:
            target.role = role
            target.save(update_fields=["role"])
        return target


@transaction.atomic
def remove_member(tenant: Tenant, *, actor, membership_id: int) -> None:
    """Remove the member `membership_id` from `tenant`.

    Raises `Membership.DoesNotExist` for an id outside this shop, `MemberActionError` when
    `actor` may not manage members, the target outranks `actor`, or the target is the last owner.
    """
    with tenant_context(tenant, user=actor):
        actor_membership = _actor_membership(tenant, actor)
        target = _target_membership(tenant, membership_id)
        if not actor_membership.role_enum.at_least(target.role_enum):
            raise MemberActionError(_("You cannot remove someone whose role is higher than yours."))
        if target.role == Role.OWNER and _owner_count(tenant) <= 1:
            raise MemberActionError(_("A shop needs at least one owner: make someone else an owner first."))
        target.delete()
