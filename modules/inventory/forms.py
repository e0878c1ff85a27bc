from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Branch, Item, Location, LocationKind, Lot, MakingMode, Tracking

ITEM_FIELDS = [
    "sku", "name", "category", "karat", "tag", "huid", "gross_weight", "net_weight", "price",
    "making_mode", "making_value", "wastage_percent", "priced_from_rate",
]


class _PricingDefaults:
    """Making-charge fields may be left out: they fall back to the model defaults (percent, 0)."""

    OPTIONAL = {"making_mode": MakingMode.PERCENT, "making_value": Decimal("0"), "wastage_percent": Decimal("0")}

    def _relax(self):
        for name in self.OPTIONAL:
            if name in self.fields:
                self.fields[name].required = False

    def _fill_defaults(self, data):
        for name, default in self.OPTIONAL.items():
            if name in self.fields and data.get(name) in (None, ""):
                data[name] = default
        return data


class ItemForm(_PricingDefaults, forms.ModelForm):
    """New item, with its opening stock (`quantity` units at `location`)."""

    tracking = forms.ChoiceField(
        label=_("Tracking"), required=False,
        choices=[("", _("Automatic: one piece serialized, more as a lot")), *Tracking.choices],
    )
    quantity = forms.IntegerField(label=_("Opening quantity"), min_value=0, initial=1, help_text=_("Units received now. A serialized piece is 0 or 1."))
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("Default location"))

    class Meta:
        model = Item
        fields = ["sku", "name", "category", "karat", "tracking", "tag", "huid", "gross_weight", "net_weight", "quantity", "location", "price", "making_mode", "making_value", "wastage_percent", "priced_from_rate"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None:
            self.fields["location"].queryset = Location.objects.filter(tenant=tenant).select_related("branch")
        self._relax()

    def _get_validation_exclusions(self):
        # The tag is generated on save and the quantity is stock received by the action:
        # their rules are checked by `actions.create_item`.
        return {*super()._get_validation_exclusions(), "tag", "quantity", "tracking"}

    def clean(self):
        data = self._fill_defaults(super().clean())
        quantity = data.get("quantity") or 0
        if data.get("tracking") == Tracking.SERIALIZED and quantity > 1:
            self.add_error("quantity", _("A serialized piece is one piece: choose lot tracking for more units."))
        if data.get("tracking") == Tracking.LOT and data.get("tag"):
            self.add_error("tag", _("Only serialized pieces have a tag; a lot item is scanned by its SKU."))
        return data


class ItemEditForm(_PricingDefaults, forms.ModelForm):
    """Descriptive fields of an item. Stock changes through receive / adjust / transfer."""

    class Meta:
        model = Item
        fields = ITEM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._relax()
        if self.instance.pk and not self.instance.is_serialized:
            del self.fields["tag"]

    def clean(self):
        return self._fill_defaults(super().clean())


class StoneForm(forms.Form):
    stone_type = forms.CharField(label=_("Stone"), max_length=60)
    count = forms.IntegerField(label=_("Count"), min_value=1, initial=1)
    carat_weight = forms.DecimalField(label=_("Carats"), max_digits=8, decimal_places=3, min_value=Decimal("0"), initial=Decimal("0"))
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("0"))


StoneFormSet = forms.formset_factory(StoneForm, extra=1, can_delete=True, max_num=30)


def stones_of(formset) -> list[dict]:
    if not formset.is_bound:
        return []
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("stone_type")]


class _StockForm(forms.Form):
    def __init__(self, *args, tenant, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        locations = Location.objects.filter(tenant=tenant).select_related("branch")
        for name in ("location", "from_location", "to_location"):
            if name in self.fields:
                self.fields[name].queryset = locations
        if "lot" in self.fields:
            if item.is_serialized:
                del self.fields["lot"]
            else:
                self.fields["lot"].queryset = Lot.objects.filter(tenant=tenant, item=item).select_related("location")


class ReceiveForm(_StockForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("Default location"))
    lot = forms.ModelChoiceField(label=_("Into lot"), queryset=Lot.objects.none(), required=False, empty_label=_("A new lot"))
    lot_number = forms.CharField(label=_("New lot number"), max_length=40, required=False, help_text=_("Left empty, the next number is used."))
    gross_weight = forms.DecimalField(label=_("Total gross weight (g)"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"), required=False)
    net_weight = forms.DecimalField(label=_("Total net weight (g)"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"), required=False)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False, help_text=_("Posted to the books (gold stock / supplier payables) when accounting is on."))
    document = forms.CharField(label=_("Document"), max_length=120, required=False, help_text=_("e.g. the supplier's invoice number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.item.is_serialized:
            for name in ("lot_number",):
                del self.fields[name]
            self.fields["quantity"].widget = forms.HiddenInput()
            self.fields["gross_weight"].label = _("Gross weight (g)")
            self.fields["net_weight"].label = _("Net weight (g)")


class AdjustForm(_StockForm):
    quantity = forms.IntegerField(label=_("Change in quantity"), help_text=_("Negative to remove units, e.g. -1."))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), required=False, empty_label=_("A new lot (adding only)"))
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("Where it is / default location"))

    def clean_quantity(self):
        value = self.cleaned_data["quantity"]
        if value == 0:
            raise forms.ValidationError(_("The quantity cannot be zero."))
        return value


class TransferForm(_StockForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    lot = forms.ModelChoiceField(label=_("Lot"), queryset=Lot.objects.none(), required=False)
    from_location = forms.ModelChoiceField(label=_("From"), queryset=Location.objects.none())
    to_location = forms.ModelChoiceField(label=_("To"), queryset=Location.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.item.is_serialized:
            self.fields["quantity"].widget = forms.HiddenInput()
            if self.item.location_id:
                self.fields["from_location"].initial = self.item.location_id

    def clean(self):
        data = super().clean()
        if data.get("from_location") and data.get("from_location") == data.get("to_location"):
            self.add_error("to_location", _("Choose two different locations."))
        return data


class BranchForm(forms.ModelForm):
    class Meta:
        model = Branch
        fields = ["name", "code", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["branch", "name", "kind"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.filter(tenant=tenant)
        self.fields["kind"].choices = LocationKind.choices
