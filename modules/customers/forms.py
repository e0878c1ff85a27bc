"""Panel forms of the customers module: they validate input; `actions` normalise and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MONEY_DIGITS, MONEY_PLACES, Customer

LTR = {"dir": "ltr", "class": "ltr-text"}


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["full_name", "phone", "email", "national_id", "birthday", "address", "notes", "marketing_consent"]
        widgets = {
            "phone": forms.TextInput(attrs={**LTR, "type": "tel", "autocomplete": "off", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={**LTR, "autocomplete": "off"}),
            "national_id": forms.TextInput(attrs=LTR),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "phone": _("With the country code (+98 912 …), or local if the shop's phone region is set. Unique in this shop."),
            "email": _("Unique in this shop."),
        }


class IssueCreditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, min_value=Decimal("0.01"),
        help_text=_("Added to the customer's store credit, in the shop's currency."),
        widget=forms.NumberInput(attrs={**LTR, "step": "0.01"}),
    )
    reference_text = forms.CharField(label=_("Reference"), max_length=120, required=False, help_text=_("Receipt or document number, if any."), widget=forms.TextInput(attrs=LTR))
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustCreditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Change"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES,
        help_text=_("Positive adds credit, negative takes it away (the balance cannot go below zero)."),
        widget=forms.NumberInput(attrs={**LTR, "step": "0.01"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Required: kept with the entry for the audit."))
    reference_text = forms.CharField(label=_("Reference"), max_length=120, required=False, widget=forms.TextInput(attrs=LTR))

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("The change cannot be zero."))
        return amount
