"""Forms of the accounting panel: the manual journal entry (header + lines) and statement periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actions import MAX_DESCRIPTION, MAX_LINE_DESCRIPTION, PostingLine
from .chart import CHART

LINE_ROWS = 6


def _account_choices():
    return [("", "—")] + [(spec.key.value, f"{spec.code} · {spec.label}") for spec in CHART]


class JournalEntryForm(forms.Form):
    """Header of a manual entry: accounting date and description."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Description"), max_length=MAX_DESCRIPTION)


class JournalLineForm(forms.Form):
    """One line: an account and either a debit or a credit amount (shop currency). A row with
    nothing filled in is ignored."""

    account = forms.ChoiceField(label=_("Account"), required=False, choices=_account_choices)
    debit = forms.DecimalField(label=_("Debit"), required=False, min_value=Decimal("0.01"), max_digits=18, decimal_places=2)
    credit = forms.DecimalField(label=_("Credit"), required=False, min_value=Decimal("0.01"), max_digits=18, decimal_places=2)
    memo = forms.CharField(label=_("Memo"), required=False, max_length=MAX_LINE_DESCRIPTION)

    def clean(self):
        data = super().clean()
        account, debit, credit = data.get("account"), data.get("debit"), data.get("credit")
        if not account and debit is None and credit is None and not data.get("memo"):
            data["empty"] = True
            return data
        if not account:
            self.add_error("account", _("Choose an account."))
        if (debit is None) == (credit is None):
            raise ValidationError(_("Enter either a debit or a credit on each line."))
        return data

    def posting_line(self) -> PostingLine | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data or data.get("empty"):  # an untouched extra row is not cleaned at all
            return None
        if data["debit"] is not None:
            return PostingLine.debit(data["account"], data["debit"], data.get("memo", ""))
        return PostingLine.credit(data["account"], data["credit"], data.get("memo", ""))


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        lines = [line for form in self.forms if (line := form.posting_line()) is not None]
        if len(lines) < 2:
            raise ValidationError(_("A journal entry needs at least two lines."))
        debits = sum((line.amount for line in lines if line.side == "debit"), Decimal(0))
        credits = sum((line.amount for line in lines if line.side == "credit"), Decimal(0))
        if debits != credits:
            raise ValidationError(
                _("The entry is not balanced: debits %(debits)s, credits %(credits)s.") % {"debits": debits, "credits": credits}
            )
        self.lines = lines


JournalLineFormSet = forms.formset_factory(JournalLineForm, formset=BaseLineFormSet, extra=LINE_ROWS, max_num=40, validate_max=True)


class BalanceSheetForm(forms.Form):
    to = forms.DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class IncomeStatementForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today
