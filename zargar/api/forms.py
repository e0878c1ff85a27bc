from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_registry
from .actions import MAX_RATE_LIMIT, ROLL_GRACE_CHOICES
from .models import ApiKey

NONE, READ, WRITE = "", scope_registry.READ, scope_registry.WRITE


class ApiKeyForm(forms.Form):
    """Name, mode, access and rate limit of a new API key.

    Access is either full (`"*"`: every module, also ones installed later) or restricted: one
    choice per module with API routes — no access, read, or read and write — giving the
    key's scopes (`"<module>:read"` / `"<module>:write"`). `scopes()` returns them.
    """

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What uses this key, e.g. “Website” or “POS”."))
    mode = forms.ChoiceField(label=_("Mode"), choices=ApiKey.Mode.choices, initial=ApiKey.Mode.LIVE, widget=forms.RadioSelect)
    full_access = forms.BooleanField(
        label=_("Full access"), required=False, initial=True,
        help_text=_("Every module, including ones switched on later. Clear it to choose per module."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Requests per minute"), required=False, min_value=1, max_value=MAX_RATE_LIMIT,
        help_text=_("Leave empty for the platform default."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.module_fields = []
        seen = set()
        for scope in scope_registry.available_scopes():
            if scope.module in seen:
                continue
            seen.add(scope.module)
            name = f"scope_{scope.module}"
            self.fields[name] = forms.ChoiceField(
                label=scope.module_name, required=False, initial=NONE,
                choices=[(NONE, _("No access")), (READ, _("Read")), (WRITE, _("Read and write"))],
            )
            self.module_fields.append(name)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name

    def scopes(self) -> list[str]:
        if self.cleaned_data.get("full_access"):
            return [scope_registry.FULL_ACCESS]
        chosen = []
        for name in self.module_fields:
            access = self.cleaned_data.get(name)
            if access:
                chosen.append(f"{name.removeprefix('scope_')}:{access}")
        return chosen

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.scopes():
            raise forms.ValidationError(_("Choose full access or at least one module."))
        return cleaned

    def module_bound_fields(self):
        return [self[name] for name in self.module_fields]


class RollForm(forms.Form):
    """How long the old secret keeps working after a roll."""

    grace_seconds = forms.TypedChoiceField(
        label=_("The old key stops working"), coerce=int, initial=0, required=False, empty_value=0, widget=forms.RadioSelect,
        choices=list(zip(ROLL_GRACE_CHOICES, [_("Now"), _("In 1 hour"), _("In 24 hours"), _("In 7 days")], strict=True)),
    )
