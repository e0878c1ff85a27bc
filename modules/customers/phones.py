"""Phone numbers and e-mail addresses as customers are stored and matched.

Phones are stored in E.164 (`+989123456789`) when they can be parsed (Google's libphonenumber,
through the `phonenumbers` package): numbers written with `+` or `00` and a country code, or
local numbers when the shop has set its `default_phone_region` (module setting, an ISO 3166
two-letter code such as `IR`). A local number without a region is kept as its digits only
(`09123456789`) — "E.164-ish": still unique per shop and searchable, but not international.
Persian and Arabic-Indic digits are read as ASCII digits.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Persian (U+06F0…) and Arabic-Indic (U+0660…) digits → ASCII.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-().\u200c\u200f\u200e/]+")
_PLAIN = re.compile(r"^\+?[0-9]{4,15}$")
MAX_PHONE_LENGTH = 20


def ascii_digits(text: str) -> str:
    return (text or "").translate(_DIGITS)


def normalize_phone(raw: str | None, region: str | None = None) -> str:
    """`raw` as stored: E.164 (`+<country><number>`) when parsable, else its digits only.

    `region` is the shop's default region for local numbers (ISO 3166 alpha-2, e.g. `"IR"`).
    Returns `""` for an empty value. Raises `ValidationError` for text that is not a phone
    number (letters, fewer than 4 or more than 15 digits, or a number impossible in its country).
    """
    text = _SEPARATORS.sub("", ascii_digits((raw or "").strip()))
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    if not _PLAIN.match(text):
        raise ValidationError(_("Enter a valid phone number (digits, optionally starting with + and the country code)."), code="invalid_phone")
    region = (region or "").strip().upper() or None
    if not text.startswith("+") and region is None:
        return text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if not text.startswith("+"):
            return text  # an unknown region setting: keep the digits
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError(_("This phone number is not possible in its country; check the digits."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str:
    """`raw` trimmed and lower-cased (`""` when empty); e-mails are matched case-insensitively."""
    return (raw or "").strip().lower()


def phone_search_digits(query: str) -> str:
    """The digits of a search text without leading zeros (`"0912 345"` → `"912345"`), so a
    local-format search finds a number stored in E.164; `""` when fewer than 3 digits."""
    digits = re.sub(r"\D", "", ascii_digits(query)).lstrip("0")
    return digits if len(digits) >= 3 else ""
