"""The endpoint form of the panel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .events import event_types
from .services import validate_url


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("Endpoint URL"), max_length=500, assume_scheme="https",
                         help_text=_("Zargar sends a POST request with a JSON body to this address."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    all_events = forms.BooleanField(label=_("Send every event type, including ones added later"), required=False)
    events = forms.MultipleChoiceField(label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(key, f"{key} — {label}") for key, label in sorted(event_types().items())]

    def clean_url(self):
        url = self.cleaned_data["url"]
        validate_url(url)
        return url

    def clean(self):
        data = super().clean()
        if not data.get("all_events") and not data.get("events"):
            self.add_error("events", _("Choose at least one event, or send every event type."))
        return data

    def selected_events(self) -> list[str]:
        return ["*"] if self.cleaned_data.get("all_events") else list(self.cleaned_data["events"])

    @classmethod
    def initial_for(cls, endpoint) -> dict:
        return {
            "url": endpoint.url, "description": endpoint.description, "enabled": endpoint.enabled,
            "all_events": "*" in endpoint.events, "events": [e for e in endpoint.events if e != "*"],
        }
