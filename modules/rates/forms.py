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


class SettingsForm(forms.Form):
    """The shop's rates settings and its rate feed (`http_feed`)."""

    display_unit = forms.ChoiceField(label=_("Show rates per"), choices=Unit.choices)
    quote_lock_minutes = forms.IntegerField(label=_("Quote holds the rate for (minutes)"), min_value=1, max_value=1440)
    trend_days = forms.IntegerField(label=_("Trend chart days"), min_value=1, max_value=366)
    profit_percent = forms.DecimalField(label=_("Default profit (%)"), max_digits=7, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("100"))
    tax_rule = forms.ChoiceField(
        label=_("Tax rule"),
        choices=[(TaxRule.NONE, _("No VAT")), (TaxRule.VAT_TOTAL, _("VAT on the whole price")), (TaxRule.IRAN, _("Iran: VAT on making charge and profit"))],
    )
    vat_percent = forms.DecimalField(label=_("VAT (%)"), max_digits=7, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("100"))
    feed_enabled = forms.BooleanField(label=_("Fetch rates from a feed every 15 minutes"), required=False)
    feed_url = forms.URLField(label=_("Feed URL"), required=False, assume_scheme="https")
    feed_format = forms.ChoiceField(label=_("Feed format"), choices=[("json", "JSON"), ("csv", "CSV")])
    feed_unit = forms.ChoiceField(label=_("Feed quotes per"), choices=Unit.choices)
    records_path = forms.CharField(label=_("JSON path to the list of rates"), required=False, max_length=120, help_text=_("E.g. data.rates; empty when the feed is a list."))
    field_purity = forms.CharField(label=_("Purity field"), max_length=60)
    field_buy = forms.CharField(label=_("Buy field"), max_length=60)
    field_sell = forms.CharField(label=_("Sell field"), max_length=60)
    field_effective_at = forms.CharField(label=_("Time field"), max_length=60, required=False, help_text=_("Optional; ISO 8601 times."))
    purity_map = forms.CharField(
        label=_("Purity names of the feed"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: the feed's name = a purity code, e.g. 18K = gold_750. Codes: %(codes)s.") % {"codes": ", ".join(Purity.values)},
    )
    skip_unknown_purities = forms.BooleanField(label=_("Ignore rates of purities not listed"), required=False)
    timeout_seconds = forms.DecimalField(label=_("Timeout (seconds)"), min_value=Decimal("0.1"), max_value=Decimal("60"), decimal_places=1, max_digits=4)

    GENERAL = ("display_unit", "quote_lock_minutes", "trend_days", "profit_percent", "tax_rule", "vat_percent")

    @classmethod
    def initial_from(cls, conf: dict, provider: dict) -> dict:
        fields = provider.get("fields") or {}
        return {
            **{k: conf.get(k) for k in cls.GENERAL},
            "feed_enabled": bool(provider.get("key")),
            "feed_url": provider.get("url", ""),
            "feed_format": provider.get("format", "json"),
            "feed_unit": provider.get("unit", Unit.GRAM),
            "records_path": provider.get("records_path", ""),
            "field_purity": fields.get("purity", "purity"),
            "field_buy": fields.get("buy", "buy"),
            "field_sell": fields.get("sell", "sell"),
            "field_effective_at": fields.get("effective_at", ""),
            "purity_map": "\n".join(f"{k} = {v}" for k, v in (provider.get("purity_map") or {}).items()),
            "skip_unknown_purities": bool(provider.get("skip_unknown_purities")),
            "timeout_seconds": provider.get("timeout_seconds", 10),
        }

    def clean_purity_map(self) -> dict:
        mapping = {}
        for n, line in enumerate(self.cleaned_data.get("purity_map", "").splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, code = line.partition("=")
            if not sep or not label.strip() or code.strip() not in Purity.values:
                raise forms.ValidationError(_("Line %(n)s: write “feed name = purity code” with a known code.") % {"n": n})
            mapping[label.strip()] = code.strip()
        return mapping

    def clean(self):
        data = super().clean()
        if data.get("feed_enabled") and not data.get("feed_url"):
            self.add_error("feed_url", _("A feed needs its URL."))
        return data

    def general(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.GENERAL}

    def provider(self) -> dict:
        d = self.cleaned_data
        return {
            "key": "http_feed" if d["feed_enabled"] else "",
            "url": d.get("feed_url") or "",
            "format": d["feed_format"],
            "unit": d["feed_unit"],
            "records_path": d.get("records_path") or "",
            "fields": {"purity": d["field_purity"], "buy": d["field_buy"], "sell": d["field_sell"], "effective_at": d.get("field_effective_at") or ""},
            "purity_map": d.get("purity_map") or {},
            "skip_unknown_purities": bool(d.get("skip_unknown_purities")),
            "timeout_seconds": d["timeout_seconds"],
        }
