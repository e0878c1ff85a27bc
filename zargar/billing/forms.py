from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BillingCycle, Metric, PlanVersion, SubscriptionStatus


class ChangePlanForm(forms.Form):
    version = forms.ModelChoiceField(queryset=PlanVersion.objects.filter(plan__archived=False), label=_("Plan"))
    cycle = forms.ChoiceField(choices=BillingCycle.choices, label=_("Billing cycle"))
    when = forms.ChoiceField(choices=[("now", _("Now (prorated)")), ("period_end", _("At the end of the period"))], label=_("When"))


class CheckoutForm(forms.Form):
    """A plan and cycle to subscribe to in the gateway's hosted checkout."""

    version = forms.ModelChoiceField(queryset=PlanVersion.objects.filter(plan__archived=False), label=_("Plan"))
    cycle = forms.ChoiceField(choices=BillingCycle.choices, label=_("Billing cycle"))


class CancelForm(forms.Form):
    when = forms.ChoiceField(choices=[("period_end", _("At the end of the period")), ("now", _("Now"))], label=_("When"))


class PlanForm(forms.Form):
    code = forms.SlugField(max_length=40, label=_("Code"))
    name = forms.CharField(max_length=120, label=_("Name"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    currency = forms.CharField(max_length=3, min_length=3, initial="USD", label=_("Currency"))
    monthly_price = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, label=_("Monthly price"))
    yearly_price = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, label=_("Yearly price"))
    trial_days = forms.IntegerField(min_value=0, initial=0, label=_("Trial days"))
    modules = forms.CharField(required=False, label=_("Modules (comma-separated keys)"))

    def clean_modules(self):
        return [m.strip() for m in self.cleaned_data["modules"].split(",") if m.strip()]

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class LimitsForm(forms.Form):
    """One optional limit field per metric (empty = unlimited)."""

    def __init__(self, *args, initial_limits=None, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in Metric:
            self.fields[metric.value] = forms.IntegerField(min_value=0, required=False, label=metric.label, initial=(initial_limits or {}).get(metric.value))

    def limits(self) -> dict:
        return {m: v for m, v in self.cleaned_data.items() if v is not None}


class OverrideForm(forms.Form):
    metric = forms.ChoiceField(choices=Metric.choices, label=_("Metric"))
    limit = forms.IntegerField(min_value=0, required=False, label=_("Limit (empty removes the override)"))
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class StatusOverrideForm(forms.Form):
    status = forms.ChoiceField(choices=SubscriptionStatus.choices, label=_("Status"))
    reason = forms.CharField(widget=forms.Textarea, label=_("Reason"))


class MoveVersionForm(forms.Form):
    version = forms.ModelChoiceField(queryset=PlanVersion.objects.select_related("plan"), label=_("Plan version"))
