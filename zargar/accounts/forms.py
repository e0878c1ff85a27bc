"""Account forms: signup's shop name, two-factor codes, member management."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.roles import Role

#: Signups whose `next` points here are joining a shop by invitation: no shop of their own.
INVITATION_PATH_PREFIX = "/invitations/"


def _current_request_next() -> str:
    """`next` of the GET request allauth is serving (its context var), for the unbound form."""
    from allauth.core import context

    request = context.request
    return request.GET.get("next", "") if request is not None else ""


class ShopSignupForm(forms.Form):
    """allauth's signup form gets a shop name (`ACCOUNT_SIGNUP_FORM_CLASS`): signup creates the
    user's first shop, with the user as owner, in the same transaction as the user (the request's
    transaction, opened by `TenancyMiddleware`; `create_tenant` is atomic itself).

    A signup that continues to an invitation (`next=/invitations/...`) may leave the shop name
    empty: that person joins an existing shop instead of opening one.
    """

    shop_name = forms.CharField(
        label=_("Shop name"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Golden Rose Jewelry"), "autocomplete": "organization"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        next_url = str(self.data.get("next") or _current_request_next())
        if next_url.startswith(INVITATION_PATH_PREFIX):
            self.fields["shop_name"].required = False
            self.fields["shop_name"].help_text = _("Optional: you are joining a shop by invitation.")

    def signup(self, request, user) -> None:
        """Called by allauth right after the user is saved (same transaction)."""
        from zargar.tenancy.actions import create_tenant
        from zargar.tenancy.middleware import SESSION_KEY

        name = self.cleaned_data.get("shop_name", "").strip()
        if not name:
            return
        tenant = create_tenant(name=name, owner=user)
        request.session[SESSION_KEY] = tenant.pk


class CodeForm(forms.Form):
    """One code: a 6-digit TOTP code, or (where `allow_recovery`) a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "dir": "ltr"}),
    )

    def __init__(self, *args, allow_recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if allow_recovery:
            self.fields["code"].help_text = _("The 6-digit code from your authenticator app, or one of your recovery codes.")
        else:
            self.fields["code"].label = _("6-digit code")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


def role_choices_for(actor_role: Role | str) -> list[tuple[str, str]]:
    """The roles someone with `actor_role` may give: their own rank and below."""
    actor = Role(actor_role)
    return [(role.value, role.label) for role in Role if actor.at_least(role)]


class InviteForm(forms.Form):
    """Invite a person by email with a role no higher than the inviter's own."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=(), initial=Role.MEMBER.value)

    def __init__(self, *args, actor_role: Role | str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(actor_role)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    """A member's new role, no higher than the actor's own."""

    role = forms.ChoiceField(label=_("Role"), choices=())

    def __init__(self, *args, actor_role: Role | str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(actor_role)
