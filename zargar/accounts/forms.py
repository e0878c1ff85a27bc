"""Account forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ShopSignupForm(forms.Form):
    """allauth's signup form gets a shop name: signup creates the user's first shop, with the
    user as owner, in the same transaction as the user."""

    shop_name = forms.CharField(label=_("Shop name"), max_length=120, widget=forms.TextInput(attrs={"placeholder": _("e.g. Golden Rose Jewelry")}))

    def signup(self, request, user) -> None:
        from zargar.tenancy.actions import create_tenant
        from zargar.tenancy.middleware import SESSION_KEY

        tenant = create_tenant(name=self.cleaned_data["shop_name"], owner=user)
        request.session[SESSION_KEY] = tenant.pk
