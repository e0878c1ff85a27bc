"""`manage.py demo` creates the demo shops, users, items and help pages, and running it again
changes nothing; `inventory_summary --tenant` reads one shop's data under RLS."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from zargar.core import demo_data

pytestmark = pytest.mark.django_db


def _counts():
    from modules.inventory.models import Item
    from wagtail.models import Page

    from zargar.accounts.models import User
    from zargar.tenancy.context import tenant_context
    from zargar.tenancy.models import Membership, Tenant

    per_shop = {}
    for tenant in Tenant.objects.filter(slug__in=[s["slug"] for s in demo_data.SHOPS]):
        with tenant_context(tenant):
            per_shop[tenant.slug] = (
                Item.objects.count(),
                sorted(Membership.objects.filter(tenant=tenant).values_list("user__email", "role")),
            )
    return User.objects.count(), EmailAddress.objects.filter(verified=True).count(), Page.objects.count(), per_shop


def test_demo_creates_shops_users_items_and_pages_once(monkeypatch):
    from knowledge_base.models import ArticlePage, KnowledgeBaseIndexPage
    from wagtail.models import Page, Site

    from zargar.accounts.models import User
    from zargar.tenancy.models import Tenant

    monkeypatch.setenv("ZARGAR_DEMO_PASSWORD", "demo-pass-for-tests")
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "operator@zargar.local" in out.getvalue() and "demo-pass-for-tests" in out.getvalue()

    first = _counts()
    users, verified, _pages, per_shop = first
    assert users == 5 and verified == 5
    assert per_shop["golden-rose"][0] == 10 and per_shop["tehran-gold"][0] == 10
    assert per_shop["golden-rose"][1] == [
        ("owner@golden-rose.zargar.local", "owner"),
        ("staff@golden-rose.zargar.local", "member"),
    ]
    tehran = Tenant.objects.get(slug="tehran-gold")
    assert (tehran.name, tehran.default_locale, tehran.currency) == ("Tehran Gold Gallery", "fa", "IRR")
    assert Tenant.objects.get(slug="golden-rose").name == "Golden Rose Jewelry"

    operator = User.objects.get(email="operator@zargar.local")
    assert operator.is_operator and operator.check_password("demo-pass-for-tests")
    assert not User.objects.get(email="staff@tehran-gold.zargar.local").is_operator

    index = KnowledgeBaseIndexPage.objects.child_of(Page.get_first_root_node()).get(locale__language_code="en")
    article = ArticlePage.objects.child_of(index).get(slug="inventory")
    assert article.live
    for slug in ("inventory", "rates", "pos", "customers", "accounting"):  # module help, also in Persian
        help_page = ArticlePage.objects.child_of(index).get(slug=slug)
        assert help_page.live and help_page.get_translations().filter(locale__language_code="fa").exists(), slug
    assert Site.objects.get(is_default_site=True).root_page_id == index.pk

    call_command("demo", stdout=io.StringIO())
    assert _counts() == first  # idempotent


def test_demo_users_can_sign_in_with_the_printed_password(client, monkeypatch):
    monkeypatch.delenv("ZARGAR_DEMO_PASSWORD", raising=False)
    call_command("demo", stdout=io.StringIO())
    response = client.post(
        "/accounts/login/", {"login": "owner@golden-rose.zargar.local", "password": demo_data.DEFAULT_DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    assert client.get("/app/").status_code in (200, 302)
    assert "_auth_user_id" in client.session


def test_inventory_summary_reports_one_shop():
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("inventory_summary", tenant="golden-rose", stdout=out)
    line = out.getvalue().strip()
    # 10 lines; units 2+6+1+3+4+1+2+5+8+10 = 42; net grams on hand = Σ unit net weight × quantity
    net = sum(Decimal(i[5]) * i[6] for i in demo_data.SHOPS[0]["items"])
    assert line == f"Golden Rose Jewelry (golden-rose): 10 item lines, 42 units, {net:.3f} g net"
    with pytest.raises(CommandError, match="No shop with the slug 'nope'"):
        call_command("inventory_summary", tenant="nope")


def test_inventory_summary_unknown_slug_exits_non_zero_with_one_line():
    """Run as a real command against the test database: status 1, one readable line."""
    db = connection.settings_dict
    host = quote(db["HOST"] or db.get("OPTIONS", {}).get("host", ""), safe="")
    url = f"postgres://{settings.DATABASE_OWNER_USER}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url)
    result = subprocess.run(
        [sys.executable, "manage.py", "inventory_summary", "--tenant", "no-such-shop"],
        cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["CommandError: No shop with the slug 'no-such-shop'."]
