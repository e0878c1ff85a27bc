"""JSON payloads of the models that events carry, so a call site passes the instance:
`publish(tenant, "sale.completed", sale)`.

A payload holds the model's own columns (ids for foreign keys, `tenant_id` left out) plus, for
a sale or a return, its lines and payments. Decimals become strings, datetimes ISO 8601.
Unknown models get their columns only.
"""

from __future__ import annotations

_EXCLUDE = {"tenant_id", "idempotency_key", "breakdown", "secret"}


def columns(obj, *, exclude=()) -> dict:
    skip = _EXCLUDE | set(exclude)
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def _sale(sale) -> dict:
    data = columns(sale)
    data["lines"] = [columns(line, exclude=("sale_id", "quote_id")) for line in sale.lines.all().order_by("pk")]
    data["payments"] = [
        columns(p, exclude=("sale_id",)) for p in sale.payments.all().order_by("pk")
    ]
    return data


def _sale_return(sale_return) -> dict:
    data = columns(sale_return)
    data["sale"] = _sale(sale_return.sale)
    data["lines"] = [columns(line, exclude=("sale_return_id",)) for line in sale_return.lines.all().order_by("pk")]
    return data


def _subscription(sub) -> dict:
    data = columns(sub, exclude=("gateway_customer_id",))
    version = getattr(sub, "version", None)
    if version is not None:
        data["plan"] = {"code": version.plan.code, "name": str(version.plan.name), "version_id": version.pk}
    return data


SERIALIZERS = {"pos.Sale": _sale, "pos.SaleReturn": _sale_return, "billing.Subscription": _subscription}


def serialize(obj) -> dict:
    """The payload of a model instance (a dict is returned unchanged)."""
    if isinstance(obj, dict):
        return obj
    return SERIALIZERS.get(obj._meta.label, columns)(obj)
