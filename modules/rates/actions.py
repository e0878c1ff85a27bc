"""Writes of rate data. Each takes the shop first, validates fully, and is atomic: on any error
nothing is written.

Validation decisions (documented for staff in the help page):

* A buy rate above the sell rate is **refused** (`ValidationError` on `buy`): the shop would
  pay more for metal than it sells it for, which on a board is always a swapped entry. Equal
  buy and sell is allowed. The database enforces the same with a check constraint.
* An `effective_at` more than `FUTURE_TOLERANCE` ahead of now is refused (a clock mistake);
  a past `effective_at` is allowed and goes into history without becoming current.
* Alerts are evaluated and repricing is queued only when the new rate is the purity's
  current rate once written.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zargar.tenancy.models import Membership, Role

from . import selectors
from .models import Direction, PriceQuote, Rate, RateAlert, RateAlertTrigger, RateSource, Side
from .pricing import ExtraLine, PricingError, price_piece
from .units import UNIT_NAMES, Purity, Unit, UnitError, purity_info, rate_per_gram

logger = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(minutes=5)


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({field: _("Use a decimal number, not a float.")})
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except Exception as exc:  # noqa: BLE001 — any unparsable input is a field error
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not result.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return result


def _check_choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(choices.values)}})
    return value


def build_rate(tenant, *, purity, unit, buy, sell, effective_at=None, source=RateSource.MANUAL, provider_key="", entered_by=None, now=None) -> Rate:
    """A validated, unsaved `Rate` (see `record_rate`). Raises `ValidationError` (field → messages)."""
    now = now or timezone.now()
    _check_choice(purity, Purity, "purity")
    _check_choice(unit, Unit, "unit")
    buy, sell = _decimal(buy, "buy"), _decimal(sell, "sell")
    errors = {}
    if buy <= 0:
        errors["buy"] = [_("The buy rate must be more than 0.")]
    if sell <= 0:
        errors["sell"] = [_("The sell rate must be more than 0.")]
    if not errors and buy > sell:
        errors["buy"] = [_("The buy rate cannot be above the sell rate (are the two swapped?).")]
    effective_at = effective_at or now
    if effective_at > now + FUTURE_TOLERANCE:
        errors["effective_at"] = [_("The time a rate takes effect cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    rate = Rate(
        tenant=tenant,
        purity=purity,
        unit=unit,
        buy=buy,
        sell=sell,
        buy_per_gram=rate_per_gram(buy, unit),
        sell_per_gram=rate_per_gram(sell, unit),
        currency=tenant.currency,
        effective_at=effective_at,
        source=source,
        provider_key=provider_key,
        entered_by=entered_by,
    )
    rate.full_clean(exclude=["tenant", "entered_by"])  # digits and decimal places
    return rate


def record_rate(tenant, *, purity, unit, buy, sell, effective_at=None, source=RateSource.MANUAL, provider_key="", entered_by=None, now=None) -> Rate:
    """Append a board rate for `purity` in `tenant`: `buy` and `sell` (Decimal, > 0, buy ≤ sell)
    per `unit`, in the shop's currency, effective at `effective_at` (default now).

    When it becomes the current rate, the purity's alerts are evaluated (triggers recorded,
    owners and admins emailed after commit) and repricing hooks are queued after commit.
    Raises `ValidationError` (field → messages); nothing is written then.
    """
    return record_rates(
        tenant,
        [dict(purity=purity, unit=unit, buy=buy, sell=sell, effective_at=effective_at)],
        source=source,
        provider_key=provider_key,
        entered_by=entered_by,
        now=now,
    )[0]


def record_rates(tenant, entries, *, source=RateSource.MANUAL, provider_key="", entered_by=None, now=None) -> list[Rate]:
    """Append several rates at once (a provider fetch): every entry is validated before any is
    written; all are written or none. `entries` are dicts with the keyword arguments of
    `record_rate`. Returns the rates written: with `source=provider`, a rate equal to the
    current one or already stored for its timestamp is skipped (feeds repeat themselves every
    fetch). Raises `ValidationError` naming the failing entry."""
    now = now or timezone.now()
    built = []
    for index, entry in enumerate(entries):
        try:
            built.append(build_rate(tenant, source=source, provider_key=provider_key, entered_by=entered_by, now=now, **entry))
        except ValidationError as exc:
            if len(entries) == 1:
                raise
            raise ValidationError(_("Rate %(n)s (%(purity)s): %(errors)s") % {"n": index + 1, "purity": entry.get("purity"), "errors": "; ".join(exc.messages)}) from exc
    saved = []
    with transaction.atomic():
        for rate in built:
            previous = selectors.current_rate(tenant, rate.purity, now=now)
            if source == RateSource.PROVIDER and _feed_repeats(tenant, rate, previous):
                continue
            rate.save()
            saved.append(rate)
            if selectors.current_rate(tenant, rate.purity, now=now) == rate:
                evaluate_alerts(tenant, rate, previous)
                _queue_reprice(tenant, rate.purity)
    return saved


def _feed_repeats(tenant, rate: Rate, current: Rate | None) -> bool:
    """A feed answers the same rates until the market moves: skip a fetched rate that is the
    current one again (same unit, buy and sell) or that is already stored for its timestamp."""
    if current is not None and (current.unit, current.buy, current.sell) == (rate.unit, rate.buy, rate.sell) and rate.effective_at >= current.effective_at:
        return True
    return Rate.objects.filter(tenant=tenant, purity=rate.purity, effective_at=rate.effective_at, source=RateSource.PROVIDER, provider_key=rate.provider_key).exists()


def _queue_reprice(tenant, purity: str) -> None:
    from .tasks import reprice_after_rate_change

    tenant_id = tenant.pk
    transaction.on_commit(lambda: reprice_after_rate_change.delay(tenant_id, purity))


def _crossed(alert: RateAlert, new: Decimal, old: Decimal | None) -> bool:
    threshold = alert.threshold_per_gram
    if alert.direction == Direction.ABOVE:
        return new >= threshold and (old is None or old < threshold)
    return new <= threshold and (old is None or old > threshold)


def evaluate_alerts(tenant, rate: Rate, previous: Rate | None) -> list[RateAlertTrigger]:
    """Fire the active alerts of `rate.purity` that `rate` crosses, compared with `previous`
    (the rate it replaces as current, or None). Records a `RateAlertTrigger` per alert and
    emails the shop's owners and admins once the transaction commits."""
    fired = []
    alerts = RateAlert.objects.filter(tenant=tenant, purity=rate.purity, active=True)
    for alert in alerts:
        new = rate.per_gram(alert.side)
        old = previous.per_gram(alert.side) if previous is not None else None
        if _crossed(alert, new, old):
            fired.append(alert)
    if not fired:
        return []
    recipients = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(tenant=tenant, role__in=[Role.OWNER, Role.ADMIN]).select_related("user")
            if m.user.email and m.user.is_active
        }
    )
    triggers = []
    for alert in fired:
        triggers.append(RateAlertTrigger.objects.create(tenant=tenant, alert=alert, rate=rate, value_per_gram=rate.per_gram(alert.side), recipients=recipients))
        RateAlert.objects.filter(pk=alert.pk).update(last_triggered_at=timezone.now())
    if recipients:
        messages = [_alert_email(tenant, alert, rate) for alert in fired]
        transaction.on_commit(lambda: _send_alert_emails(messages, recipients))
    return triggers


def _alert_email(tenant, alert: RateAlert, rate: Rate) -> tuple[str, str]:
    with translation.override(tenant.default_locale):
        value = selectors.display(rate, alert.side, alert.unit)
        params = {
            "shop": tenant.name,
            "purity": Purity(alert.purity).label,
            "side": Side(alert.side).label.lower(),
            "direction": Direction(alert.direction).label.lower(),
            "threshold": alert.threshold,
            "value": value,
            "currency": rate.currency,
            "unit": UNIT_NAMES[alert.unit],
        }
        subject = _("[%(shop)s] %(purity)s %(side)s rate is %(value)s %(currency)s") % params
        body = _(
            "The %(side)s rate of %(purity)s is now %(value)s %(currency)s per %(unit)s, "
            "%(direction)s your alert threshold of %(threshold)s.\n\n— Zargar"
        ) % params
    return subject, body


def _send_alert_emails(messages: list[tuple[str, str]], recipients: list[str]) -> None:
    for subject, body in messages:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # a mail server outage must not undo a recorded rate
            logger.exception("rates: could not send a rate alert email to %s", recipients)


def create_alert(tenant, *, purity, side, direction, threshold, unit=Unit.GRAM, created_by=None) -> RateAlert:
    """Create an active alert. Raises `ValidationError` (field → messages) for bad input."""
    _check_choice(purity, Purity, "purity")
    _check_choice(side, Side, "side")
    _check_choice(direction, Direction, "direction")
    _check_choice(unit, Unit, "unit")
    threshold = _decimal(threshold, "threshold")
    if threshold <= 0:
        raise ValidationError({"threshold": _("The threshold must be more than 0.")})
    alert = RateAlert(
        tenant=tenant, purity=purity, side=side, direction=direction, threshold=threshold, unit=unit,
        threshold_per_gram=rate_per_gram(threshold, unit), created_by=created_by,
    )
    alert.full_clean(exclude=["tenant", "created_by"])
    with transaction.atomic():
        alert.save()
    return alert


def set_alert_active(alert: RateAlert, active: bool) -> RateAlert:
    alert.active = active
    alert.save(update_fields=["active"])
    return alert


def delete_alert(alert: RateAlert) -> None:
    alert.delete()


def quote_price(
    tenant,
    *,
    purity: str,
    net_weight,
    making_mode: str = "percent",
    making_value=Decimal(0),
    wastage_percent=Decimal(0),
    profit_percent=None,
    lines=(),
    tax_rule: str | None = None,
    vat_percent=None,
    created_by=None,
    now=None,
) -> PriceQuote:
    """Price a piece at the purity's current *sell* rate and lock that rate for the shop's
    `quote_lock_minutes` (default 15) from `now`.

    `lines` are `(label, amount)` pairs or `ExtraLine`s. Unset `profit_percent`, `tax_rule`,
    `vat_percent` come from the shop's settings. Returns the saved `PriceQuote`.
    Raises `PricingError` (`no_rate` when the purity has no rate yet; see `pricing`) or
    `UnitError` for an unknown purity; nothing is written then.
    """
    now = now or timezone.now()
    info = purity_info(purity)
    conf = selectors.settings_of(tenant)
    profit_percent = conf.get("profit_percent", "0") if profit_percent is None else profit_percent
    tax_rule = conf.get("tax_rule", "none") if tax_rule is None else tax_rule
    vat_percent = conf.get("vat_percent", "0") if vat_percent is None else vat_percent
    lines = tuple(line if isinstance(line, ExtraLine) else ExtraLine(str(line[0]), line[1]) for line in lines)
    rate = selectors.current_rate(tenant, purity, now=now)
    if rate is None:
        raise PricingError("no_rate", _("There is no rate for %(purity)s yet: enter one on the rate board first.") % {"purity": Purity(purity).label})
    breakdown = price_piece(
        net_weight=net_weight,
        fineness=info.fineness,
        rate_per_gram=rate.sell_per_gram,
        currency=rate.currency,
        making_mode=making_mode,
        making_value=making_value,
        wastage_percent=wastage_percent,
        profit_percent=profit_percent,
        lines=lines,
        tax_rule=tax_rule,
        vat_percent=vat_percent,
    )
    minutes = int(conf.get("quote_lock_minutes") or 15)
    parameters = {
        "purity": purity,
        "net_weight": str(breakdown.net_weight),
        "making_mode": making_mode,
        "making_value": str(breakdown.making_input),
        "wastage_percent": str(breakdown.wastage_percent),
        "profit_percent": str(breakdown.profit_percent),
        "lines": [{"label": line.label, "amount": str(line.amount)} for line in breakdown.lines],
        "tax_rule": tax_rule,
        "vat_percent": str(breakdown.vat_percent),
    }
    quote = PriceQuote(
        tenant=tenant,
        rate=rate,
        purity=purity,
        net_weight=breakdown.net_weight,
        parameters=parameters,
        breakdown=breakdown.as_json(),
        total=breakdown.total,
        currency=breakdown.currency,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(minutes=max(minutes, 1)),
    )
    try:
        quote.full_clean(exclude=["tenant", "rate", "created_by"])
    except ValidationError as exc:
        raise PricingError("invalid_weight", "; ".join(exc.messages)) from exc
    with transaction.atomic():
        quote.save()
    return quote


__all__ = [
    "PricingError",
    "UnitError",
    "build_rate",
    "create_alert",
    "delete_alert",
    "evaluate_alerts",
    "queue_provider_fetch",
    "quote_price",
    "record_rate",
    "record_rates",
    "save_provider_settings",
    "save_settings",
    "set_alert_active",
]


PROVIDER_FORMATS = ("json", "csv")
GENERAL_KEYS = ("display_unit", "quote_lock_minutes", "trend_days", "profit_percent", "tax_rule", "vat_percent")


def _clean_general(general: dict, errors: dict) -> dict:
    from .pricing import TaxRule

    clean = {}
    for key in GENERAL_KEYS:
        if key not in general:
            continue
        value = general[key]
        if key == "display_unit":
            if value not in Unit.values:
                errors[key] = [_("Unknown unit.")]
            clean[key] = value
        elif key == "tax_rule":
            if value not in TaxRule.ALL:
                errors[key] = [_("Unknown tax rule.")]
            clean[key] = value
        elif key in ("quote_lock_minutes", "trend_days"):
            high = 1440 if key == "quote_lock_minutes" else 366
            try:
                number = int(value)
                if not 1 <= number <= high:
                    raise ValueError
            except (TypeError, ValueError):
                errors[key] = [_("Use a whole number from 1 to %(high)s.") % {"high": high}]
                continue
            clean[key] = number
        else:  # percentages, stored as strings so JSON never holds a float
            try:
                number = _decimal(value, key)
            except ValidationError:
                errors[key] = [_("Enter a number.")]
                continue
            if not Decimal(0) <= number <= Decimal(100):
                errors[key] = [_("Use a percentage from 0 to 100.")]
            clean[key] = str(number)
    return clean


def _clean_provider(provider: dict, errors: dict) -> dict:
    import urllib.parse

    from zargar.contract.registry import get_manifest

    allowed = set(get_manifest(selectors.MODULE_KEY).default_settings["provider"])
    clean = {k: v for k, v in (provider or {}).items() if k in allowed}
    if clean.get("unit", Unit.GRAM) not in Unit.values:
        errors["unit"] = [_("Unknown unit.")]
    if clean.get("format", "json") not in PROVIDER_FORMATS:
        errors["format"] = [_("Use json or csv.")]
    url = (clean.get("url") or "").strip()
    if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        errors["url"] = [_("Enter an http:// or https:// address.")]
    if clean.get("key") and not url:
        errors["url"] = [_("A feed needs its URL.")]
    for code in (clean.get("purity_map") or {}).values():
        if code not in Purity.values:
            errors["purity_map"] = [_("“%(code)s” is not a purity code.") % {"code": code}]
    try:
        timeout = Decimal(str(clean.get("timeout_seconds", 10)))
        if not (Decimal("0.1") <= timeout <= 60):
            raise ValueError
        clean["timeout_seconds"] = str(timeout)
    except Exception:  # noqa: BLE001 — anything unparsable is a field error
        errors["timeout_seconds"] = [_("Use a number of seconds from 0.1 to 60.")]
    clean["url"] = url
    return clean


def save_settings(tenant, *, general: dict | None = None, provider: dict | None = None) -> dict:
    """Validate and save the shop's rates settings into its `ModuleActivation.configuration`:
    `general` keys of `GENERAL_KEYS` and/or the whole `provider` dict (see
    `providers.http_feed`). Unknown keys are dropped. Returns the saved configuration.
    Raises `ValidationError` (key → messages); nothing is saved then."""
    from zargar.tenancy.models import ModuleActivation

    errors: dict = {}
    changes = _clean_general(general or {}, errors) if general is not None else {}
    if provider is not None:
        changes["provider"] = _clean_provider(provider, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activation, _created = ModuleActivation.objects.get_or_create(tenant=tenant, module_key=selectors.MODULE_KEY, defaults={"enabled": True})
        activation.configuration = {**(activation.configuration or {}), **changes}
        activation.save(update_fields=["configuration", "updated_at"])
    return activation.configuration


def save_provider_settings(tenant, provider: dict) -> dict:
    """Validate and save the shop's rate-feed settings (see `save_settings`); returns them."""
    return save_settings(tenant, provider=provider)["provider"]


def queue_provider_fetch(tenant) -> None:
    """Fetch the shop's feed once the current transaction commits (the "Fetch now" button)."""
    from .tasks import fetch_provider_rates

    tenant_id = tenant.pk
    transaction.on_commit(lambda: fetch_provider_rates.delay(tenant_id))
