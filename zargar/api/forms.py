from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiKey


class ApiKeyForm(forms.Form):
    """Name and mode of a new API key."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses this key, e.g. “Website” or “POS”."))
    mode = forms.ChoiceField(label=_("Mode"), choices=ApiKey.Mode.choices, initial=ApiKey.Mode.LIVE, widget=forms.RadioSelect)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name
