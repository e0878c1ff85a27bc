"""The demo data that `manage.py demo` creates and `./ops/run` prints the logins of.

Plain data with no Django imports, so the launcher can print the logins without setting
Django up. Weights are grams, prices are in the shop's currency (USD or IRR, 2 decimals).
"""

from __future__ import annotations

import os

#: Used when ZARGAR_DEMO_PASSWORD is not set. Demo accounts only: never on a public server.
DEFAULT_DEMO_PASSWORD = "zargar-demo"

OPERATOR_EMAIL = "operator@zargar.local"


def demo_password() -> str:
    """The password of every demo account: `$ZARGAR_DEMO_PASSWORD`, else the default."""
    return os.environ.get("ZARGAR_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


SHOPS = [
    {
        "name": "Golden Rose Jewelry",
        "slug": "golden-rose",
        "currency": "USD",
        "default_locale": "en",
        "time_zone": "America/New_York",
        "users": [
            ("owner@golden-rose.zargar.local", "Rose Whitfield", "owner"),
            ("staff@golden-rose.zargar.local", "Daniel Moreno", "member"),
        ],
        # sku, name, category, karat, gross g, net g, quantity, price
        "items": [
            ("GR-RG-001", "Rose gold solitaire engagement ring", "Rings", 18, "3.850", "3.420", 2, "1450.00"),
            ("GR-RG-002", "Plain wedding band, 4 mm", "Rings", 14, "4.200", "4.200", 6, "520.00"),
            ("GR-RG-003", "Sapphire halo ring", "Rings", 18, "4.600", "3.900", 1, "2150.00"),
            ("GR-NK-001", "Cuban link chain, 50 cm", "Necklaces", 14, "18.500", "18.500", 3, "1890.00"),
            ("GR-NK-002", "Heart pendant with diamond accent", "Necklaces", 18, "2.300", "2.150", 4, "690.00"),
            ("GR-BR-001", "Tennis bracelet", "Bracelets", 18, "9.800", "8.100", 1, "3400.00"),
            ("GR-BR-002", "Twisted bangle", "Bracelets", 22, "15.200", "15.200", 2, "1980.00"),
            ("GR-ER-001", "Pearl drop earrings", "Earrings", 14, "3.100", "2.200", 5, "380.00"),
            ("GR-ER-002", "Small hoop earrings", "Earrings", 10, "1.900", "1.900", 8, "145.00"),
            ("GR-BL-001", "Investment bar, 10 g", "Bullion", 24, "10.000", "10.000", 10, "870.00"),
        ],
    },
    {
        "name": "Tehran Gold Gallery",
        "slug": "tehran-gold",
        "currency": "IRR",
        "default_locale": "fa",
        "time_zone": "Asia/Tehran",
        "users": [
            ("owner@tehran-gold.zargar.local", "Parisa Ahmadi", "owner"),
            ("staff@tehran-gold.zargar.local", "Reza Karimi", "member"),
        ],
        "items": [
            ("TG-AN-001", "انگشتر طلای زنانه نگین‌دار", "انگشتر", 18, "3.450", "3.100", 4, "235000000.00"),
            ("TG-AN-002", "حلقه ازدواج ساده", "انگشتر", 18, "2.800", "2.800", 10, "180000000.00"),
            ("TG-GA-001", "گردنبند طلا طرح ونیزی", "گردنبند", 18, "7.600", "7.600", 3, "495000000.00"),
            ("TG-GA-002", "آویز «ان‌یکاد» با زنجیر", "گردنبند", 18, "4.150", "4.150", 5, "270000000.00"),
            ("TG-DS-001", "دستبند النگویی", "دستبند", 18, "12.300", "12.300", 2, "790000000.00"),
            ("TG-DS-002", "النگوی دست‌ساز", "دستبند", 21, "16.000", "16.000", 2, "1150000000.00"),
            ("TG-GO-001", "گوشواره حلقه‌ای", "گوشواره", 18, "2.100", "2.100", 6, "138000000.00"),
            ("TG-GO-002", "گوشواره آویز با مروارید", "گوشواره", 18, "3.300", "2.700", 3, "210000000.00"),
            ("TG-SK-001", "سکه تمام بهار آزادی", "سکه", 22, "8.133", "8.133", 12, "780000000.00"),
            ("TG-SK-002", "نیم‌سکه بهار آزادی", "سکه", 22, "4.066", "4.066", 8, "410000000.00"),
        ],
    },
]


def logins_text(password: str | None = None) -> str:
    """The demo logins as printed by `manage.py demo` and `./ops/run` (several lines)."""
    password = password or demo_password()
    lines = [f"Demo logins (password for all: {password}):"]
    for shop in SHOPS:
        for email, _name, role in shop["users"]:
            lines.append(f"  {email:<34} {role:<7} {shop['name']}")
    lines.append(f"  {OPERATOR_EMAIL:<34} platform operator: enrols an authenticator app (TOTP) at first login")
    return "\n".join(lines)
