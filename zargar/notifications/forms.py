"""The preferences form: one checkbox per notification type and channel, plus the SMS number."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import CHANNELS, SMS


def field_name(type_key: str, channel: str) -> str:
    return f"{type_key.replace('.', '__')}--{channel}"


class PreferencesForm(forms.Form):
    """Built from `rows` (`selectors.preference_rows`): a `BooleanField` per offered channel."""

    sms_number = forms.CharField(
        label=_("Mobile number for SMS"), required=False, max_length=20,
        help_text=_("In international format, e.g. +989121234567. Leave empty to get no SMS."),
    )

    def __init__(self, *args, rows, sms_available: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.sms_available = rows, sms_available
        for row in rows:
            for channel in CHANNELS:
                if channel in row["offered"] and (channel != SMS or sms_available):
                    self.fields[field_name(row["type"].key, channel)] = forms.BooleanField(
                        required=False, initial=channel in row["channels"]
                    )

    def clean_sms_number(self) -> str:
        value = self.cleaned_data["sms_number"].strip()
        if not value:
            return ""
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(_("Enter the number in international format, starting with +.")) from None
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(_("This is not a valid phone number."))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        data = super().clean()
        wants_sms = any(data.get(field_name(r["type"].key, SMS)) for r in self.rows)
        if wants_sms and not data.get("sms_number") and "sms_number" not in self.errors:
            self.add_error("sms_number", _("Enter a mobile number to get SMS."))
        return data

    def choices(self) -> dict[str, set[str]]:
        """`{type_key: {channels}}` from the cleaned data (only fields on the form)."""
        result: dict[str, set[str]] = {}
        for row in self.rows:
            key = row["type"].key
            chosen = set()
            for channel in CHANNELS:
                name = field_name(key, channel)
                if name in self.fields:
                    if self.cleaned_data.get(name):
                        chosen.add(channel)
                elif channel in row["channels"]:
                    chosen.add(channel)  # not offered here (SMS off): keep the saved choice
            result[key] = chosen
        return result

    def grid(self):
        """Rows for the template: (type, [(channel, bound field or None)])."""
        return [
            (row["type"], [(c, self[field_name(row["type"].key, c)] if field_name(row["type"].key, c) in self.fields else None) for c in CHANNELS])
            for row in self.rows
        ]
