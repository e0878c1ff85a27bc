"""Account views: two-factor (enrol, verify at login, manage), shop members and invitations.

Thin views: the writes live in `zargar.accounts.otp` (2FA) and `zargar.accounts.actions`
(members, invitations); reads in `zargar.accounts.selectors`. Sign-up, login, logout, password
reset/change are allauth's own views.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zargar.panel.decorators import permission_required, tenant_required
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Membership, Tenant

from . import actions, otp, selectors
from .forms import CodeForm, InviteForm, RoleForm
from .models import Invitation

MANAGE_MEMBERS = actions.MANAGE_MEMBERS


def _next_url(request, fallback: str = "panel:dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


# --- Two-factor ------------------------------------------------------------------------------


@login_required
def two_factor_verify(request):
    """The second step of login: a TOTP code or a recovery code (GET form, POST check)."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not otp.has_confirmed_device(request.user):
        if request.user.is_operator:
            return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}")
        return redirect(next_url)
    form = CodeForm(request.POST or None, allow_recovery=True)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.verify_code(request.user, form.cleaned_data["code"])
        except otp.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            django_otp.login(request, device)
            if device.name == otp.RECOVERY_DEVICE_NAME:
                left = otp.remaining_recovery_codes(request.user)
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(count)d left. Generate new ones if you are running out.") % {"count": left},
                )
            return redirect(next_url)
    return render(request, "account/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: QR code and secret (GET), confirm with a code (POST), then the
    recovery codes, shown once."""
    user = request.user
    next_url = _next_url(request)
    if otp.has_confirmed_device(user):
        if not user.is_verified():
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}")
        if otp.confirmed_totp_device(user) is not None:
            return redirect("two_factor_manage")
    device = otp.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.confirm_enrolment(device, form.cleaned_data["code"])
        except otp.TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return render(request, "account/two_factor_recovery_codes.html", {"codes": codes, "next": next_url})
    context = {
        "form": form,
        "qr_svg": otp.qr_code_svg(device),
        "secret": otp.secret_base32(device),
        "next": next_url,
        "required": user.is_operator,
    }
    return render(request, "account/two_factor_setup.html", context)


@login_required
def two_factor_manage(request):
    """2FA status: remaining recovery codes, regenerate them, turn 2FA off (not for operators)."""
    user = request.user
    if not otp.has_confirmed_device(user):
        return redirect("two_factor_setup")
    context = {
        "totp_device": otp.confirmed_totp_device(user),
        "recovery_left": otp.remaining_recovery_codes(user),
        "can_disable": not user.is_operator,
    }
    return render(request, "account/two_factor_manage.html", context)


@login_required
@require_POST
@reauthentication_required
def two_factor_recovery_codes(request):
    """Replace the recovery codes and show the new ones once."""
    if not otp.has_confirmed_device(request.user):
        return redirect("two_factor_setup")
    codes = otp.regenerate_recovery_codes(request.user)
    return render(request, "account/two_factor_recovery_codes.html", {"codes": codes, "next": reverse("two_factor_manage")})


@login_required
@require_POST
@reauthentication_required
def two_factor_disable(request):
    """Turn two-factor off; refused (403) for platform operators."""
    try:
        otp.disable_two_factor(request.user)
    except otp.TwoFactorError as error:
        messages.error(request, str(error))
        context = {
            "totp_device": otp.confirmed_totp_device(request.user),
            "recovery_left": otp.remaining_recovery_codes(request.user),
            "can_disable": False,
        }
        return render(request, "account/two_factor_manage.html", context, status=403)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("two_factor_setup")


# --- Members (/app/members/) -------------------------------------------------------------------


def _members_page(request, *, invite_form=None, status=200):
    tenant = request.tenant
    actor = request.membership
    can_manage = actor.has_perm(MANAGE_MEMBERS)
    members = []
    for m in selectors.members_of(tenant):
        editable = can_manage and actor.role_enum.at_least(m.role_enum)
        role_form = RoleForm(initial={"role": m.role}, actor_role=actor.role, prefix=f"m{m.pk}") if editable else None
        members.append({"membership": m, "role_form": role_form, "editable": editable, "is_me": m.user_id == request.user.pk})
    context = {
        "members": members,
        "can_manage": can_manage,
        "invitations": selectors.pending_invitations(tenant) if can_manage else [],
        "invite_form": (invite_form or InviteForm(actor_role=actor.role)) if can_manage else None,
    }
    return render(request, "accounts/members.html", context, status=status)


@tenant_required
def member_list(request):
    """The shop's members with their roles, for every member; owners and admins also get the
    pending invitations, the invite form and the role/remove controls."""
    return _members_page(request)


@permission_required(MANAGE_MEMBERS)
@require_POST
def member_invite(request):
    form = InviteForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            sent = actions.invite_member(
                request.tenant,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except actions.MemberActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": sent.invitation.email})
            return redirect("members:list")
    return _members_page(request, invite_form=form, status=400)


@permission_required(MANAGE_MEMBERS)
@require_POST
def member_change_role(request, pk: int):
    form = RoleForm(request.POST, actor_role=request.membership.role, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("members:list")
    try:
        membership = actions.change_role(request.tenant, actor=request.user, membership_id=pk, role=form.cleaned_data["role"])
    except Membership.DoesNotExist:
        raise Http404("No such member in this shop.") from None
    except actions.MemberActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(user)s is now %(role)s.") % {"user": membership.user, "role": membership.role_enum.label})
    return redirect("members:list")


@permission_required(MANAGE_MEMBERS)
@require_POST
def member_remove(request, pk: int):
    try:
        actions.remove_member(request.tenant, actor=request.user, membership_id=pk)
    except Membership.DoesNotExist:
        raise Http404("No such member in this shop.") from None
    except actions.MemberActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Member removed."))
    return redirect("members:list")


@permission_required(MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request, pk: int):
    try:
        invitation = actions.revoke_invitation(request.tenant, actor=request.user, invitation_id=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation in this shop.") from None
    except actions.MemberActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("members:list")


# --- Accepting an invitation (/invitations/<shop>/<token>/) ------------------------------------

_ERROR_STATUS = {"not_found": 404, "inactive_shop": 403, "already_member": 409}


def _invalid_invitation(request, error: actions.InvitationError, tenant=None):
    return render(
        request,
        "accounts/invitation_invalid.html",
        {"error": error, "tenant": tenant},
        status=_ERROR_STATUS.get(error.code, 410),
    )


def invitation_accept(request, tenant_slug: str, token: str):
    """Show the shop and role of an invitation (GET) and accept it (POST, signed in).

    A visitor who is not signed in is offered login or signup, both returning here (`?next=`).
    Accepting creates the membership and makes that shop the session's current shop.
    Unknown, expired, revoked or used links get a page that says so; nothing is created.
    """
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    if tenant is None:
        return _invalid_invitation(request, actions.InvitationError("not_found", _("This invitation link is not valid. Ask the shop for a new one.")))
    try:
        invitation = actions.find_invitation(tenant, token)
        actions.check_usable(invitation, tenant)
    except actions.InvitationError as error:
        return _invalid_invitation(request, error, tenant)

    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            actions.accept_invitation(tenant, token=token, user=request.user)
        except actions.InvitationError as error:
            return _invalid_invitation(request, error, tenant)
        request.session[SESSION_KEY] = tenant.pk
        messages.success(request, _("Welcome to %(shop)s.") % {"shop": tenant.name})
        return redirect("panel:dashboard")

    already_member = request.user.is_authenticated and any(m.tenant_id == tenant.pk for m in request.memberships)
    context = {
        "tenant": tenant,
        "invitation": invitation,
        "already_member": already_member,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': request.path})}",
    }
    return render(request, "accounts/invitation_accept.html", context)

