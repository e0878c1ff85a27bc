"""Panel forms of the point of sale: they check types; `actions` validate the sale and write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PaymentMethod

LTR = {"dir": "ltr", "class": "ltr-text"}
MONEY = {"max_digits": 16, "decimal_places": 2}


def money(label, model: str = "", **kwargs):
    attrs = {**LTR, "step": "0.01", "inputmode": "decimal"}
    if model:
        attrs["x-model"] = model  # Alpine.js: the "left to pay" figure follows the inputs
    return forms.DecimalField(label=label, required=False, min_value=Decimal("0"), widget=forms.NumberInput(attrs=attrs), **MONEY, **kwargs)


class ScanForm(forms.Form):
    code = forms.CharField(label=_("Scan or search"), max_length=60, widget=forms.TextInput(attrs={**LTR, "autocomplete": "off", "autofocus": True}))


class LineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100000, required=False)
    discount = money(_("Discount"))


class CustomerForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, widget=forms.TextInput(attrs={**LTR, "type": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail"), required=False, widget=forms.EmailInput(attrs={**LTR, "autocomplete": "off"}))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Needed only for a new customer."))


class CompleteForm(forms.Form):
    """Split payment: cash, card, store credit and old gold; the rest (with a customer) is owed."""

    cash = money(_("Cash"), "cash")
    card = money(_("Card"), "card")
    card_reference = forms.CharField(label=_("Card slip reference"), max_length=80, required=False, widget=forms.TextInput(attrs=LTR))
    store_credit = money(_("Store credit"), "credit")
    discount = money(_("Sale discount"), help_text=_("Taken off the whole sale, within your role's cap."))
    gold_weight = forms.DecimalField(label=_("Old gold weight (g)"), required=False, max_digits=12, decimal_places=3, widget=forms.NumberInput(attrs={**LTR, "step": "0.001"}))
    gold_fineness = forms.IntegerField(label=_("Purity (‰)"), required=False, initial=750, widget=forms.NumberInput(attrs=LTR))
    gold_deduction = forms.DecimalField(label=_("Melting deduction %"), required=False, max_digits=5, decimal_places=2, initial=Decimal("0"), widget=forms.NumberInput(attrs={**LTR, "step": "0.01"}))

    def payments(self) -> list:
        data = self.cleaned_data
        found = []
        for method, field in ((PaymentMethod.CASH, "cash"), (PaymentMethod.CARD, "card"), (PaymentMethod.STORE_CREDIT, "store_credit")):
            if data.get(field):
                found.append({"method": method, "amount": data[field], "reference": data.get("card_reference", "") if field == "card" else ""})
        return found

    def old_gold(self) -> list:
        data = self.cleaned_data
        if data.get("gold_weight") in (None, ""):
            return []
        return [{"weight": data["gold_weight"], "fineness": data.get("gold_fineness") or 0, "deduction_percent": data.get("gold_deduction") or Decimal("0")}]


class ReceivePaymentForm(forms.Form):
    """Money received later against a sale's balance owed, split over cash, card and store
    credit. `key` is the idempotency key the page was rendered with (a double submit of the
    same page records one payment)."""

    cash = money(_("Cash"), "cash")
    card = money(_("Card"), "card")
    card_reference = forms.CharField(label=_("Card slip reference"), max_length=80, required=False, widget=forms.TextInput(attrs=LTR))
    store_credit = money(_("Store credit"), "credit")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f) for f in ("cash", "card", "store_credit")):
            raise forms.ValidationError(_("Enter the amount received in at least one of cash, card or store credit."))
        return data

    def payments(self) -> list:
        data = self.cleaned_data
        found = []
        for method, field in ((PaymentMethod.CASH, "cash"), (PaymentMethod.CARD, "card"), (PaymentMethod.STORE_CREDIT, "store_credit")):
            if data.get(field):
                found.append({"method": method, "amount": data[field], "reference": data.get("card_reference", "") if field == "card" else ""})
        return found


class ReturnForm(forms.Form):
    """One quantity field per returnable line (`qty_<line id>`), the refund method and a reason."""

    refund_method = forms.ChoiceField(label=_("Refund by"), choices=[(PaymentMethod.CASH, _("Cash")), (PaymentMethod.CARD, _("Card")), (PaymentMethod.STORE_CREDIT, _("Store credit"))])
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, sale, **kwargs):
        super().__init__(*args, **kwargs)
        self.sale_lines = [line for line in sale.lines.all() if line.returnable_quantity > 0]
        for line in self.sale_lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(label=f"{line.sku} — {line.description}", min_value=0, max_value=line.quantity, required=False, initial=0)

    def lines(self) -> list[dict]:
        return [{"line": line.pk, "quantity": self.cleaned_data[f"qty_{line.pk}"]} for line in self.sale_lines if self.cleaned_data.get(f"qty_{line.pk}")]
