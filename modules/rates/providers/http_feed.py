"""`http_feed`: rates read from an HTTP(S) endpoint that returns JSON or CSV.

Configuration (the shop's rates settings, key `provider`; defaults in the manifest):

    {
      "key": "http_feed",            # "" turns automatic fetching off
      "url": "https://example.com/rates.json",
      "format": "json",              # "json" or "csv"
      "unit": "gram",                # unit the feed quotes in: gram, mithqal, tola, troy_ounce
      "records_path": "data.rates",  # JSON only: dotted path to the list of records ("" = top level)
      "fields": {"purity": "purity", "buy": "buy", "sell": "sell", "effective_at": ""},
      "purity_map": {"18K": "gold_750"},   # feed's purity labels → purity codes (codes always accepted)
      "skip_unknown_purities": false,      # true: ignore records whose purity is not mapped
      "timeout_seconds": 10,
      "delimiter": ","               # CSV only
    }

A JSON feed is a list of objects (or an object holding one at `records_path`); numbers may be
JSON numbers or strings and are read as `Decimal` (never float). A CSV feed has a header row
naming the columns. Every record must give a known purity, a positive buy and sell with
buy ≤ sell, and each purity at most once — otherwise `ProviderError` and nothing is recorded.

Safety: only `http`/`https`; redirects are not followed; the body is capped at 1 MiB; and hosts
resolving to loopback, private, link-local or reserved addresses are refused unless the setting
`RATES_PROVIDER_ALLOW_PRIVATE_HOSTS` is true (a shop must not make the server probe its own
network).
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ..units import Purity, Unit
from . import ProviderError, ProviderRate

MAX_BYTES = 1024 * 1024
DEFAULT_FIELDS = {"purity": "purity", "buy": "buy", "sell": "sell", "effective_at": ""}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ProviderError(f"the feed answered HTTP {code} redirect to {newurl}; redirects are not followed")


def _check_host(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProviderError(f"the feed URL must be an http:// or https:// address, not {url!r}")
    if getattr(settings, "RATES_PROVIDER_ALLOW_PRIVATE_HOSTS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise ProviderError(f"cannot resolve the feed host {parts.hostname!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ProviderError(f"the feed host {parts.hostname!r} resolves to a non-public address ({address}); refused")


def _get(url: str, timeout: float) -> bytes:
    _check_host(url)
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Accept": "application/json, text/csv;q=0.9", "User-Agent": "Zargar rates"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ProviderError(f"the feed answered HTTP {exc.code} ({exc.reason}) for {url}") from exc
    except (TimeoutError, socket.timeout) as exc:
        raise ProviderError(f"the feed did not answer within {timeout:g} s ({url})") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise ProviderError(f"the feed did not answer within {timeout:g} s ({url})") from exc
        raise ProviderError(f"cannot reach the feed {url}: {exc.reason}") from exc
    if len(body) > MAX_BYTES:
        raise ProviderError(f"the feed at {url} sent more than {MAX_BYTES} bytes")
    return body


def _number(value, what: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ProviderError(f"{what} is missing or not a number ({value!r})")
    if isinstance(value, float):  # cannot happen with parse_float=Decimal; refuse rather than round
        raise ProviderError(f"{what} was read as a float ({value!r})")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ProviderError(f"{what} is not a number ({value!r})") from exc
    if not number.is_finite():
        raise ProviderError(f"{what} is not a finite number ({value!r})")
    if number <= 0:
        raise ProviderError(f"{what} must be more than 0 (got {number})")
    return number


def _records_json(body: bytes, path: str) -> list[dict]:
    try:
        data = json.loads(body.decode("utf-8-sig"), parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProviderError(f"the feed is not valid JSON: {exc}") from exc
    for part in [p for p in (path or "").split(".") if p]:
        if not isinstance(data, dict) or part not in data:
            raise ProviderError(f"the JSON feed has no {path!r} (missing {part!r})")
        data = data[part]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ProviderError("the JSON feed must be a list of objects (set records_path to the list)")
    return data


def _records_csv(body: bytes, delimiter: str) -> list[dict]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProviderError(f"the CSV feed is not UTF-8: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter or ",")
    try:
        rows = [row for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    except csv.Error as exc:
        raise ProviderError(f"the CSV feed cannot be read: {exc}") from exc
    return rows


def parse_records(records: list[dict], config: dict) -> list[ProviderRate]:
    """Turn raw records into validated `ProviderRate`s (see the module docstring).
    Raises `ProviderError` naming the record (1-based) and field at fault."""
    unit = config.get("unit") or Unit.GRAM
    if unit not in Unit.values:
        raise ProviderError(f"the feed unit {unit!r} is unknown; use one of {', '.join(Unit.values)}")
    fields = {**DEFAULT_FIELDS, **(config.get("fields") or {})}
    purity_map = {str(k).strip(): v for k, v in (config.get("purity_map") or {}).items()}
    skip_unknown = bool(config.get("skip_unknown_purities"))
    if not records:
        raise ProviderError("the feed has no rates")
    rates: list[ProviderRate] = []
    seen: set[str] = set()
    for n, record in enumerate(records, start=1):
        raw_purity = record.get(fields["purity"])
        if raw_purity is None or str(raw_purity).strip() == "":
            raise ProviderError(f"record {n}: the purity field {fields['purity']!r} is missing")
        label = str(raw_purity).strip()
        code = purity_map.get(label, label)
        if code not in Purity.values:
            if skip_unknown:
                continue
            raise ProviderError(f"record {n}: unknown purity {label!r} (map it in purity_map)")
        if code in seen:
            raise ProviderError(f"record {n}: purity {code} appears twice")
        seen.add(code)
        buy = _number(record.get(fields["buy"]), f"record {n} ({code}) buy")
        sell = _number(record.get(fields["sell"]), f"record {n} ({code}) sell")
        if buy > sell:
            raise ProviderError(f"record {n} ({code}): buy {buy} is above sell {sell}")
        effective_at = None
        if fields.get("effective_at"):
            raw_when = record.get(fields["effective_at"])
            if raw_when not in (None, ""):
                effective_at = parse_datetime(str(raw_when).strip())
                if effective_at is None:
                    raise ProviderError(f"record {n} ({code}): {raw_when!r} is not an ISO 8601 date-time")
                if effective_at.tzinfo is None:
                    effective_at = effective_at.replace(tzinfo=dt_timezone.utc)
        rates.append(ProviderRate(purity=code, buy=buy, sell=sell, unit=unit, effective_at=effective_at))
    if not rates:
        raise ProviderError("the feed has no rate of a known purity")
    return rates


class HttpFeedProvider:
    """Reads a JSON or CSV rate feed over HTTP(S) (configuration in the module docstring)."""

    key = "http_feed"
    label = _("HTTP feed (JSON or CSV)")

    def fetch(self, config: dict) -> list[ProviderRate]:
        url = (config.get("url") or "").strip()
        if not url:
            raise ProviderError("no feed URL is configured")
        fmt = (config.get("format") or "json").lower()
        if fmt not in ("json", "csv"):
            raise ProviderError(f"unknown feed format {fmt!r}; use json or csv")
        try:
            timeout = float(config.get("timeout_seconds") or 10)
        except (TypeError, ValueError) as exc:
            raise ProviderError(f"timeout_seconds {config.get('timeout_seconds')!r} is not a number") from exc
        body = _get(url, timeout=min(max(timeout, 0.1), 60))
        records = _records_json(body, config.get("records_path", "")) if fmt == "json" else _records_csv(body, config.get("delimiter", ","))
        return parse_records(records, config)


def http_feed_provider() -> HttpFeedProvider:
    """The `RATE_PROVIDERS` hook of the rates module."""
    return HttpFeedProvider()
