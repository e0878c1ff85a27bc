"""Billing: plans, limits, metered usage, subscriptions, invoices and payment gateways.

See `zargar.billing.usage` for the metering design and `zargar.billing.proration` for the
proration formula.
"""
