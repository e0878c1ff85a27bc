#!/usr/bin/env python3
"""Screenshots of the panel's screens in English and Persian, light and dark, for a person to look at.

    .venv/bin/python ops/screens.py --base http://127.0.0.1:8000 [--totp-key HEX] [--only owner,operator]

Signs in to a running Zargar (``./ops/run``, or ``manage.py runserver``) with the demo logins,
switches language and theme with the panel's own switches, and saves a full-page PNG of every
screen of ``SCREENS`` in each combination (en/fa × light/dark) under ``--out`` (default
``test-artifacts/screens/review/``), named ``<screen>-<language>-<theme>.png``. Not a test: it
asserts nothing. It prints, per screen, what a reader of the Persian pages should look at — the
HTTP status when it is not 200, console errors, runs of Latin letters (possibly untranslated
text) and Latin digits in visible text of Persian pages — and writes the same to ``report.txt``.

Accounts (password ``$ZARGAR_DEMO_PASSWORD`` or ``zargar-demo``, as ``manage.py demo`` makes them):
- ``owner``: owner@golden-rose.zargar.local (the shop's panel);
- ``operator``: operator@zargar.local. Operators sign in with an authenticator code: pass the hex key
  of the operator's confirmed TOTP device (``--totp-key`` or ``$ZARGAR_SCREENS_TOTP_KEY``), else
  the operator's screens are skipped;
- ``ended``: any owner of a shop whose subscription has ended (``--ended-email``), for the
  "subscription ended" page; skipped unless given.

Detail screens are found, not hard-coded: a screen may name a list page and a pattern of the
link to follow on it (the first match), so the tool works on any data set.

Needs the ``playwright`` package and Debian's Chromium (``/usr/bin/chromium``, or ``$ZARGAR_CHROMIUM``).
The account's language and theme are left as the last combination set them (English, light).
"""

from __future__ import annotations

import argparse
import binascii
import hmac
import os
import re
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ZARGAR_CHROMIUM", "/usr/bin/chromium")
COMBOS = [("en", "light"), ("en", "dark"), ("fa", "light"), ("fa", "dark")]


@dataclass(frozen=True)
class Screen:
    """`path`, or (`via`, `link`): open `via` and follow its first link whose href matches `link`."""

    name: str
    path: str = ""
    via: str = ""
    link: str = ""


SCREENS: dict[str, list[Screen]] = {
    "owner": [
        Screen("dashboard", "/app/"),
        Screen("inventory", "/app/inventory/"),
        Screen("inventory-item", via="/app/inventory/", link=r"^/app/inventory/\d+/$"),
        Screen("customers", "/app/customers/"),
        Screen("customer-detail", via="/app/customers/", link=r"^/app/customers/\d+/$"),
        Screen("pos", "/app/pos/"),
        Screen("pos-sales", "/app/pos/sales/"),
        Screen("pos-sale", via="/app/pos/sales/", link=r"^/app/pos/sales/\d+/$"),
        Screen("pos-receipt", via="/app/pos/sales/", link=r"^/app/pos/sales/\d+/$"),  # then /receipt/, below
        Screen("rates", "/app/rates/"),
        Screen("accounting", "/app/accounting/journal/"),
        Screen("members", "/app/members/"),
        Screen("modules", "/app/modules/"),
        Screen("billing", "/app/billing/"),
        Screen("notifications", "/app/notifications/"),
        Screen("notification-preferences", "/app/notifications/preferences/"),
        Screen("announcements", "/app/announcements/"),
        Screen("webhooks", "/app/webhooks/"),
        Screen("webhook-new", "/app/webhooks/new/"),
        Screen("webhook-detail", via="/app/webhooks/", link=r"^/app/webhooks/\d+/$"),
        Screen("webhook-deliveries", "/app/webhooks/deliveries/"),
        Screen("webhook-delivery", via="/app/webhooks/deliveries/", link=r"^/app/webhooks/deliveries/\d+/$"),
        Screen("api-keys", "/app/api-keys/"),
        Screen("api-key-new", "/app/api-keys/new/"),
        Screen("help", "/help/for/inventory/"),
        Screen("help-search", "/help/search/?q=gold"),
    ],
    "operator": [
        Screen("op-dashboard", "/operator/"),
        Screen("op-shops", "/operator/shops/"),
        Screen("op-shop", via="/operator/shops/", link=r"^/operator/shops/\d+/$"),
        Screen("op-shop-new", "/operator/shops/new/"),
        Screen("op-shop-billing", via="/operator/shops/", link=r"^/operator/shops/\d+/$"),  # then its billing link
        Screen("op-plans", "/operator/plans/"),
        Screen("op-plan", via="/operator/plans/", link=r"^/operator/plans/[\w-]+/$"),
        Screen("op-flags", "/operator/flags/"),
        Screen("op-flag-new", "/operator/flags/new/"),
        Screen("op-flag", via="/operator/flags/", link=r"^/operator/flags/(?!new/|history/)[\w-]+/$"),
        Screen("op-flag-history", "/operator/flags/history/"),
        Screen("op-audit", "/operator/audit/"),
    ],
    "ended": [
        Screen("ended", "/app/"),
        Screen("ended-billing", "/app/billing/"),
    ],
}

#: After reaching a screen through `via`/`link`, some screens go one link further.
THEN = {"pos-receipt": r"/receipt/$", "op-shop-billing": r"^/operator/shops/[\w-]+/billing/$"}

#: Latin runs that are fine on a Persian page: codes, emails, URLs, currency codes, brand names.
LATIN_OK = re.compile(
    r"^(?:[A-Z]{2,}-[\w-]+|[\w.+-]+@[\w.-]+|https?://\S+|/\S*|[A-Z]{3}|English|Zargar|Golden Rose Jewelry|Tehran Gold Gallery|"
    r"Silver Leaf Atelier|JE-[\w-]+|S-\d+|sk_\w+|[\w.]+\.(?:created|completed|updated|voided|deleted|test|\w+)|UTC|API|JSON|HMAC|SHA-256|TOTP|PDF|CSV|SKU|HUID)$"
)


def totp_now(hex_key: str, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of `hex_key` now (django-otp's TOTPDevice defaults: SHA-1, 30 s, 6 digits)."""
    counter = struct.pack(">Q", int(time.time()) // step)
    digest = hmac.new(binascii.unhexlify(hex_key), counter, "sha1").digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def sign_in(page, base: str, email: str, password: str, totp_key: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/verify/" in page.url:
        if not totp_key:
            raise SystemExit(f"{email} needs an authenticator code: pass --totp-key")
        page.fill("input[name=code]", totp_now(totp_key))
        page.locator("form:has(input[name=code]) button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url or "/accounts/2fa/" in page.url:
        raise SystemExit(f"could not sign in as {email} (still at {page.url})")


def set_preferences(page, language: str, theme: str) -> None:
    """Click the panel's language and theme switches until the page shows both."""
    html = page.locator("html")
    if html.get_attribute("lang") != language:
        page.get_by_test_id(f"lang-{language}").first.click()
        page.wait_for_load_state("networkidle")
    is_dark = "dark" in (html.get_attribute("class") or "").split()
    if is_dark != (theme == "dark"):
        page.get_by_test_id("theme-toggle").first.click()
        page.wait_for_load_state("networkidle")


def follow(page, base: str, pattern: str) -> bool:
    """Open the first link on the page whose href (path) matches `pattern`; False if none."""
    rx = re.compile(pattern)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        path = re.sub(r"^https?://[^/]+", "", href or "")
        if rx.search(path):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            return True
    return False


def findings(page, language: str) -> list[str]:
    """What a reviewer of a Persian page should look at (nothing for English pages)."""
    if language != "fa":
        return []
    text = page.evaluate(
        """() => { const out = []; const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) { const n = walk.currentNode; const el = n.parentElement;
          if (!el || el.closest('script,noscript,style,code,pre,[lang=en],.sr-only,[dir=ltr]')) continue;
          const s = getComputedStyle(el); if (s.display === 'none' || s.visibility === 'hidden') continue;
          const t = n.textContent.trim(); if (t) out.push(t); } return out; }"""
    )
    notes = []
    for chunk in text:
        for run in re.findall(r"[A-Za-z][A-Za-z0-9_.@:/+-]*(?: [A-Za-z][A-Za-z0-9_.@:/+-]*)*", chunk):
            if len(run) >= 3 and not LATIN_OK.match(run):
                notes.append(f"latin: {run!r} in {chunk[:80]!r}")
        if re.search(r"(?<![A-Za-z_\-/.@])[0-9]", chunk) and not re.fullmatch(r"[\w.+-]+@[\w.-]+|https?://\S+", chunk):
            notes.append(f"latin digits: {chunk[:80]!r}")
    return sorted(set(notes))


def shoot(browser, base: str, role: str, email: str, password: str, out: Path, totp_key: str | None, report: list[str]) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, base, email, password, totp_key)
    for language, theme in COMBOS:
        page.goto(f"{base}{SCREENS[role][0].path or '/app/'}")
        page.wait_for_load_state("networkidle")
        set_preferences(page, language, theme)
        for screen in SCREENS[role]:
            errors.clear()
            if screen.via:
                response = page.goto(base + screen.via)
                page.wait_for_load_state("networkidle")
                if not follow(page, base, screen.link) or (screen.name in THEN and not follow(page, base, THEN[screen.name])):
                    report.append(f"{screen.name}-{language}-{theme}: no link to follow on {screen.via}")
                    continue
                status = 200
            else:
                response = page.goto(base + screen.path)
                page.wait_for_load_state("networkidle")
                status = response.status if response else 0
            name = f"{screen.name}-{language}-{theme}"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            notes = ([f"HTTP {status}"] if status != 200 else []) + [f"console: {e}" for e in errors] + findings(page, language)
            report.append(f"{name}: {page.url.removeprefix(base)}" + "".join(f"\n    {n}" for n in notes))
            print(report[-1], flush=True)
    # Leave the account as most people start: English, light.
    set_preferences(page, "en", "light")
    context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=os.environ.get("ZARGAR_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens" / "review")
    parser.add_argument("--only", default="owner,operator,ended", help="comma-separated: owner, operator, ended")
    parser.add_argument("--screens", default="", help="comma-separated screen names to keep (default: all)")
    parser.add_argument("--owner-email", default="owner@golden-rose.zargar.local")
    parser.add_argument("--operator-email", default="operator@zargar.local")
    parser.add_argument("--ended-email", default="")
    parser.add_argument("--totp-key", default=os.environ.get("ZARGAR_SCREENS_TOTP_KEY", ""))
    parser.add_argument("--password", default=os.environ.get("ZARGAR_DEMO_PASSWORD") or "zargar-demo")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    if args.screens:
        keep = set(args.screens.split(","))
        for role in SCREENS:
            SCREENS[role] = [s for s in SCREENS[role] if s.name in keep]
    args.out.mkdir(parents=True, exist_ok=True)
    accounts = {"owner": args.owner_email, "operator": args.operator_email, "ended": args.ended_email}
    report: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        for role in args.only.split(","):
            if not SCREENS.get(role):
                continue
            if role == "operator" and not args.totp_key:
                print("operator: skipped (no --totp-key)", file=sys.stderr)
                continue
            if not accounts[role]:
                print(f"{role}: skipped (no --{role}-email)", file=sys.stderr)
                continue
            shoot(browser, args.base.rstrip("/"), role, accounts[role], args.password, args.out, args.totp_key if role == "operator" else None, report)
        browser.close()
    (args.out / "report.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"{len(list(args.out.glob('*.png')))} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
