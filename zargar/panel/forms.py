"""Forms of the tenant panel."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class CreateShopForm(forms.Form):
    """A new shop: its name (required), currency (ISO 4217 code), default language, time zone."""

    name = forms.CharField(label=_("Shop name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("e.g. Golden Crown Jewellery")}))
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial="USD",
        help_text=_("Three-letter ISO 4217 code, e.g. USD, EUR or IRR."),
        validators=[RegexValidator(r"^[A-Za-z]{3}$", _("Enter a three-letter currency code."))],
    )
    default_locale = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES, initial="en")
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices, initial="UTC")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()
