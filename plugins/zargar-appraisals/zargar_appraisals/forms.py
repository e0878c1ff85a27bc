from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from modules.inventory.models import Karat

from .selectors import appraisable_items


class IssueCertificateForm(forms.Form):
    """Input of `actions.issue_certificate`; the item choices are the shop's items only."""

    item = forms.ModelChoiceField(label=_("item"), queryset=None)
    appraised_value = forms.DecimalField(label=_("appraised value"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    appraiser_name = forms.CharField(label=_("appraiser"), max_length=120)
    karat_verified = forms.TypedChoiceField(label=_("karat verified"), choices=Karat.choices, coerce=int)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    valid_until = forms.DateField(
        label=_("valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the shop's default validity."),
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = appraisable_items(tenant)
