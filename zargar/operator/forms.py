"""Operator panel forms."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import Role, Tenant


def _check_zone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise forms.ValidationError(_("Unknown time zone (use an IANA name such as Asia/Tehran)."))
    return value


class ShopSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    default_locale = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="UTC")
    currency = forms.RegexField(label=_("Currency"), regex=r"^[A-Za-z]{3}$", max_length=3, initial="USD", help_text=_("ISO 4217 code"),
                                error_messages={"invalid": _("Enter a three-letter ISO 4217 code.")})

    def clean_time_zone(self):
        return _check_zone(self.cleaned_data["time_zone"].strip())

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class ShopCreateForm(ShopSettingsForm):
    owner_email = forms.EmailField(label=_("Owner's email"), help_text=_("An existing user becomes the owner; for a new address an account is created and emailed a link to set its password."))


class TenantFilterForm(forms.Form):
    """Shop list filters: search, status, plan (a plan code, or `none` for shops without a
    subscription) and signup date range (inclusive)."""

    NO_PLAN = "none"

    q = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *Tenant.Status.choices])
    created_from = forms.DateField(required=False, label=_("Signed up from"))
    created_to = forms.DateField(required=False, label=_("Signed up until"))
    plan = forms.ChoiceField(required=False, label=_("Plan"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from zargar.billing.models import Plan

        self.fields["plan"].choices = [("", _("All plans")), *Plan.objects.order_by("name").values_list("code", "name"), (self.NO_PLAN, _("No plan"))]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class LifecycleForm(forms.Form):
    ACTIONS = ("suspend", "reactivate", "schedule_deletion", "restore")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    reason = forms.CharField(required=False, max_length=500)


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, label=_("User"))
    action = forms.CharField(required=False, label=_("Action"))
    shop = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Shop"))
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    ip = forms.GenericIPAddressField(required=False, label=_("IP address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("All shops")), *Tenant.objects.order_by("name").values_list("pk", "name")]
