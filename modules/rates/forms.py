"""Panel forms of the rates module: they validate input; `actions` write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Direction, Side
from .pricing import MakingMode, TaxRule
from .units import Purity, Unit

POSITIVE = Decimal("0.0001")


class RateEntryForm(forms.Form):
    purity = forms.ChoiceField(label=_("Purity"), choices=Purity.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.GRAM)
    buy = forms.DecimalField(label=_("Buy rate"), max_digits=20, decimal_places=4, min_value=POSITIVE, help_text=_("What the shop pays, per unit."))
    sell = forms.DecimalField(label=_("Sell rate"), max_digits=20, decimal_places=4, min_value=POSITIVE, help_text=_("What the shop charges, per unit."))
    effective_at = forms.DateTimeField(
        label=_("Effective at"), required=False, help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        buy, sell = data.get("buy"), data.get("sell")
        if buy is not None and sell is not None and buy > sell:
            self.add_error("buy", _("The buy rate cannot be above the sell rate (are the two swapped?)."))
        return data


class AlertForm(forms.Form):
    purity = forms.ChoiceField(label=_("Purity"), choices=Purity.choices)
    side = forms.ChoiceField(label=_("Rate"), choices=Side.choices, initial=Side.SELL)
    direction = forms.ChoiceField(label=_("When it is"), choices=Direction.choices)
    threshold = forms.DecimalField(label=_("Threshold"), max_digits=20, decimal_places=4, min_value=POSITIVE)
    unit = forms.ChoiceField(label=_("Per"), choices=Unit.choices, initial=Unit.GRAM)


class QuoteForm(forms.Form):
    purity = forms.ChoiceField(label=_("Purity"), choices=Purity.choices, initial=Purity.GOLD_750)
    net_weight = forms.DecimalField(label=_("Net weight (g)"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    making_mode = forms.ChoiceField(
        label=_("Making charge"),
        choices=[(MakingMode.PERCENT, _("Percent of metal value")), (MakingMode.PER_GRAM, _("Per gram")), (MakingMode.FIXED, _("Fixed amount"))],
    )
    making_value = forms.DecimalField(label=_("Making charge value"), max_digits=20, decimal_places=4, min_value=Decimal("0"), initial=Decimal("0"))
    wastage_percent = forms.DecimalField(label=_("Wastage (%)"), max_digits=7, decimal_places=3, min_value=Decimal("0"), initial=Decimal("0"))
    profit_percent = forms.DecimalField(label=_("Profit (%)"), max_digits=7, decimal_places=3, min_value=Decimal("0"), required=False, help_text=_("Empty: the shop's setting."))
    stones = forms.DecimalField(label=_("Stones and other lines"), max_digits=20, decimal_places=4, min_value=Decimal("0"), required=False, help_text=_("A fixed amount added to the price."))
    tax_rule = forms.ChoiceField(
        label=_("Tax rule"), required=False,
        choices=[("", _("Shop setting")), (TaxRule.NONE, _("No VAT")), (TaxRule.VAT_TOTAL, _("VAT on the whole price")), (TaxRule.IRAN, _("Iran: VAT on making charge and profit"))],
    )
    vat_percent = forms.DecimalField(label=_("VAT (%)"), max_digits=7, decimal_places=3, min_value=Decimal("0"), required=False, help_text=_("Empty: the shop's setting."))

    def quote_kwargs(self) -> dict:
        """Arguments of `actions.quote_price` from the cleaned data."""
        d = self.cleaned_data
        kwargs = {k: d[k] for k in ("purity", "net_weight", "making_mode", "making_value") if d.get(k) is not None}
        kwargs["wastage_percent"] = d.get("wastage_percent") or Decimal(0)
        for key in ("profit_percent", "vat_percent"):
            if d.get(key) is not None:
                kwargs[key] = d[key]
        if d.get("tax_rule"):
            kwargs["tax_rule"] = d["tax_rule"]
        if d.get("stones"):
            kwargs["lines"] = [(str(_("Stones and other lines")), d["stones"])]
        return kwargs
