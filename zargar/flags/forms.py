"""Operator forms of feature flags."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import Role, Tenant

from . import services

RESERVED = services.RESERVED_NAMES  # path segments of /operator/flags/
NAME_RE = services.NAME_RE
EVERYONE_CHOICES = [("", _("Follow the targeting rules")), ("on", _("On for everyone")), ("off", _("Off for everyone"))]


class FlagForm(forms.Form):
    """Create (with `name`) or edit a flag. Users are given by email, one per line or
    comma-separated; an address without an account is a form error."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Lower-case letters, digits, - and _; code refers to it, so it cannot change later."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Where the flag is used and why."))
    everyone = forms.ChoiceField(label=_("Global"), choices=EVERYONE_CHOICES, required=False)
    shops = forms.ModelMultipleChoiceField(label=_("Shops"), queryset=Tenant.objects.order_by("name"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    shop_percent = forms.IntegerField(label=_("Percentage of shops"), min_value=0, max_value=100, initial=0,
                                      help_text=_("A stable choice: a shop that is in stays in as the percentage grows."))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Members with one of these roles, in any shop."))
    users = forms.CharField(label=_("Users (emails)"), required=False, widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["name"]
        else:
            del self.fields["reason"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not NAME_RE.match(name):
            raise forms.ValidationError(_("Use 2-100 lower-case letters, digits, - or _, starting with a letter."))
        if name in RESERVED:
            raise forms.ValidationError(_("This name is reserved."))
        if services.Flag.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A flag with this name exists."))
        return name

    def clean_everyone(self):
        return {"on": True, "off": False}.get(self.cleaned_data.get("everyone") or "")

    def clean_users(self):
        emails = [e.strip() for e in re.split(r"[\s,;]+", self.cleaned_data.get("users") or "") if e.strip()]
        users, missing = services.resolve_users(emails)
        if missing:
            raise forms.ValidationError(_("No account with these addresses: %(emails)s") % {"emails": ", ".join(missing)})
        return users

    @classmethod
    def initial_for(cls, flag) -> dict:
        return {
            "note": flag.note,
            "everyone": {True: "on", False: "off"}.get(flag.everyone, ""),
            "shops": list(flag.shop_ids()),
            "shop_percent": flag.shop_percent,
            "roles": flag.roles,
            "users": "\n".join(flag.users.order_by("email").values_list("email", flat=True)),
        }


class SwitchForm(forms.Form):
    """The quick switches of the flag list: global on/off/rules and the kill switch."""

    ACTIONS = ("on", "off", "rules", "kill", "revive")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    reason = forms.CharField(required=False, max_length=500)
