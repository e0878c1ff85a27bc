"""Forms of the module settings page."""

from __future__ import annotations

from django import forms


def settings_form_class(manifest):
    """A form with one field per key of `manifest.default_settings`, typed by its default:
    bool → checkbox, int → integer (≥ 0), float → number, anything else → text."""
    fields = {}
    for name, default in manifest.default_settings.items():
        label = name.replace("_", " ").capitalize()
        if isinstance(default, bool):
            fields[name] = forms.BooleanField(label=label, required=False)
        elif isinstance(default, int):
            fields[name] = forms.IntegerField(label=label, min_value=0)
        elif isinstance(default, float):
            fields[name] = forms.FloatField(label=label)
        else:
            fields[name] = forms.CharField(label=label, max_length=200, required=False)
    return type(f"{manifest.key.title()}SettingsForm", (forms.Form,), fields)
