"""The jewelry-shop chart of accounts, keyed by stable Zargar account keys.

Other modules post by key (`AccountKey.CASH`), never by code, so a shop's codes may change without
breaking them. Each key maps to one django-ledger `AccountModel` in the shop's default chart
(`ACCOUNT_SPECS[key].code`), with a django-ledger role (`django_ledger.io.roles`) that decides where
the account appears on the balance sheet and income statement. Names are English msgids stored in
the ledger; pages show `spec.label`, which is translated (gettext) in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext, gettext_noop
from django_ledger.io import roles


class AccountKey(StrEnum):
    """Stable identifiers of the accounts every shop has."""

    CASH = "cash"
    CARD_CLEARING = "card_clearing"
    BANK = "bank"
    CUSTOMER_RECEIVABLES = "customer_receivables"
    GOLD_STOCK = "gold_stock"
    OLD_GOLD_STOCK = "old_gold_stock"
    SUPPLIER_PAYABLES = "supplier_payables"
    CUSTOMER_STORE_CREDIT = "customer_store_credit"
    CUSTOMER_DEPOSITS = "customer_deposits"
    VAT_PAYABLE = "vat_payable"
    OWNER_EQUITY = "owner_equity"
    OWNER_DRAWINGS = "owner_drawings"
    OPENING_BALANCE = "opening_balance"
    SALES_REVENUE = "sales_revenue"
    MAKING_CHARGE_REVENUE = "making_charge_revenue"
    COST_OF_GOODS_SOLD = "cost_of_goods_sold"
    MELTING_LOSS = "melting_loss"
    SALES_DISCOUNTS = "sales_discounts"
    CARD_FEES = "card_fees"
    OPERATING_EXPENSES = "operating_expenses"
    ROUNDING = "rounding"


DEBIT = roles.DEBIT
CREDIT = roles.CREDIT


@dataclass(frozen=True)
class AccountSpec:
    """One account of the chart: `code` (django-ledger requires the role's first digit: 1 assets,
    2 liabilities, 3 equity, 4 income, 5 cost of goods sold, 6 expenses), django-ledger `role`,
    normal `balance_type` (debit/credit), and `name`, the English msgid stored in the ledger
    (marked for translation; `label` is it in the active language)."""

    key: AccountKey
    code: str
    role: str
    balance_type: str
    name: str

    @property
    def label(self) -> str:
        return gettext(self.name)


CHART: tuple[AccountSpec, ...] = (
    # Assets
    AccountSpec(AccountKey.CASH, "1010", roles.ASSET_CA_CASH, DEBIT, gettext_noop("Cash on hand")),
    AccountSpec(AccountKey.CARD_CLEARING, "1020", roles.ASSET_CA_OTHER, DEBIT, gettext_noop("Card payments clearing")),
    AccountSpec(AccountKey.BANK, "1030", roles.ASSET_CA_CASH, DEBIT, gettext_noop("Bank account")),
    AccountSpec(AccountKey.CUSTOMER_RECEIVABLES, "1200", roles.ASSET_CA_RECEIVABLES, DEBIT, gettext_noop("Customer receivables")),
    AccountSpec(AccountKey.GOLD_STOCK, "1300", roles.ASSET_CA_INVENTORY, DEBIT, gettext_noop("Gold and jewelry stock")),
    AccountSpec(AccountKey.OLD_GOLD_STOCK, "1310", roles.ASSET_CA_INVENTORY, DEBIT, gettext_noop("Old gold stock")),
    # Liabilities
    AccountSpec(AccountKey.SUPPLIER_PAYABLES, "2010", roles.LIABILITY_CL_ACC_PAYABLE, CREDIT, gettext_noop("Supplier payables")),
    AccountSpec(AccountKey.CUSTOMER_STORE_CREDIT, "2100", roles.LIABILITY_CL_OTHER, CREDIT, gettext_noop("Customer store credit")),
    AccountSpec(AccountKey.CUSTOMER_DEPOSITS, "2110", roles.LIABILITY_CL_DEFERRED_REVENUE, CREDIT, gettext_noop("Customer deposits")),
    AccountSpec(AccountKey.VAT_PAYABLE, "2200", roles.LIABILITY_CL_TAXES_PAYABLE, CREDIT, gettext_noop("VAT payable")),
    # Equity
    AccountSpec(AccountKey.OWNER_EQUITY, "3010", roles.EQUITY_CAPITAL, CREDIT, gettext_noop("Owner's equity")),
    AccountSpec(AccountKey.OWNER_DRAWINGS, "3020", roles.EQUITY_DIVIDENDS, DEBIT, gettext_noop("Owner's drawings")),
    AccountSpec(AccountKey.OPENING_BALANCE, "3900", roles.EQUITY_ADJUSTMENT, CREDIT, gettext_noop("Opening balance equity")),
    # Income
    AccountSpec(AccountKey.SALES_REVENUE, "4010", roles.INCOME_OPERATIONAL, CREDIT, gettext_noop("Sales revenue")),
    AccountSpec(AccountKey.MAKING_CHARGE_REVENUE, "4020", roles.INCOME_OPERATIONAL, CREDIT, gettext_noop("Making-charge revenue")),
    # Cost of goods sold
    AccountSpec(AccountKey.COST_OF_GOODS_SOLD, "5010", roles.COGS_REGULAR, DEBIT, gettext_noop("Cost of goods sold")),
    AccountSpec(AccountKey.MELTING_LOSS, "5020", roles.COGS_OTHER, DEBIT, gettext_noop("Melting loss")),
    # Expenses
    AccountSpec(AccountKey.SALES_DISCOUNTS, "6010", roles.EXPENSE_OPERATIONAL, DEBIT, gettext_noop("Discounts given")),
    AccountSpec(AccountKey.CARD_FEES, "6020", roles.EXPENSE_OPERATIONAL, DEBIT, gettext_noop("Card processing fees")),
    AccountSpec(AccountKey.OPERATING_EXPENSES, "6030", roles.EXPENSE_OPERATIONAL, DEBIT, gettext_noop("General operating expenses")),
    AccountSpec(AccountKey.ROUNDING, "6090", roles.EXPENSE_OTHER, DEBIT, gettext_noop("Rounding differences")),
)

ACCOUNT_SPECS: dict[AccountKey, AccountSpec] = {spec.key: spec for spec in CHART}
SPECS_BY_CODE: dict[str, AccountSpec] = {spec.code: spec for spec in CHART}
# ISO 4217 minor units (decimals) that differ from the usual 2.
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}
#: django-ledger stores amounts with 2 decimal places (`TransactionModel.amount`).
LEDGER_DECIMALS = 2


def minor_unit(currency: str) -> int:
    """Decimals of `currency` (ISO 4217 code) that a posting may use: the currency's minor unit,
    capped at the 2 decimals django-ledger stores."""
    return min(_MINOR_UNITS.get((currency or "").upper(), 2), LEDGER_DECIMALS)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))
