"""The panel's layout and preferences: direction and digits per language, theme and language
remembered on the user, the shop switcher, shop creation, error pages, inventory pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from modules.inventory.models import Item
from zargar.tenancy.context import tenant_context
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Membership, Tenant

from ..factories import make_member, make_shop, make_user

pytestmark = pytest.mark.django_db


def _items(tenant, *specs):
    with tenant_context(tenant):
        return [
            Item.objects.create(
                tenant=tenant, sku=sku, name=name, karat=18, gross_weight=Decimal("3.500"), net_weight=Decimal("3.250"), quantity=qty, price=price,
                tracking="lot" if qty > 1 else "serialized",  # a serialized piece is one piece
            )
            for sku, name, qty, price in specs
        ]


def test_panel_in_english_is_ltr_with_ascii_digits(client):
    tenant, owner = make_shop("Golden Rose")
    _items(tenant, ("R-1", "Ring", 12, Decimal("1250")))
    client.force_login(owner)
    body = client.get("/app/inventory/").content.decode()
    assert '<html lang="en" dir="ltr"' in body
    assert "1,250.00\u00a0USD" in body
    assert ">12<" in body


def test_panel_in_persian_is_rtl_with_persian_digits(client):
    tenant, owner = make_shop("Tehran Gold")
    owner.language = "fa"
    owner.save()
    _items(tenant, ("R-1", "Ring", 12, Decimal("1250")))
    client.force_login(owner)
    body = client.get("/app/inventory/").content.decode()
    assert '<html lang="fa" dir="rtl"' in body
    assert "۱٬۲۵۰٫۰۰\u00a0USD" in body  # the item's price
    assert "۳٫۲۵۰" in body  # its net weight, 3 decimals
    assert ">۱۲<" in body  # its quantity
    assert "انبار" in body  # the translated menu label "Inventory"


def test_theme_post_persists_on_the_user_and_renders_dark(client):
    _, owner = make_shop()
    client.force_login(owner)
    page = client.get("/app/").content.decode()
    assert 'class="h-full"' in page and "dark" not in page.split("<html", 1)[1].split(">", 1)[0]

    response = client.post("/app/theme/", {"theme": "dark", "next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    owner.refresh_from_db()
    assert owner.theme == "dark"
    assert 'class="h-full dark"' in client.get("/app/").content.decode()

    assert client.post("/app/theme/", {"theme": "purple"}).status_code == 400
    owner.refresh_from_db()
    assert owner.theme == "dark"


def test_language_post_persists_on_the_user_and_sets_the_cookie(client):
    _, owner = make_shop()
    client.force_login(owner)
    response = client.post("/app/language/", {"language": "fa", "next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    owner.refresh_from_db()
    assert owner.language == "fa"
    assert 'dir="rtl"' in client.get("/app/").content.decode()

    response = client.post("/app/language/", {"language": "xx", "next": "/app/"})
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.language == "fa"


def test_language_post_when_signed_out_only_sets_the_cookie(client):
    response = client.post("/app/language/", {"language": "fa", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fa"
    page = client.get("/accounts/login/").content.decode()
    assert 'dir="rtl"' in page and "ورود" in page


def test_switcher_lists_only_the_users_shops(client):
    alpha, user = make_shop("Alpha Gold")
    beta, _ = make_shop("Beta Gold", owner=user)
    gamma, _ = make_shop("Gamma Gold")  # someone else's shop
    client.force_login(user)
    body = client.get("/app/").content.decode()
    assert f'action="/app/switch/{alpha.slug}/"' in body
    assert f'action="/app/switch/{beta.slug}/"' in body
    assert gamma.slug not in body and "Gamma Gold" not in body

    response = client.post(f"/app/switch/{beta.slug}/")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == beta.pk
    assert client.post(f"/app/switch/{gamma.slug}/").status_code == 404


def test_create_shop_with_an_empty_name_shows_an_error_and_creates_nothing(client):
    user = make_user()
    client.force_login(user)
    before = Tenant.objects.count()
    response = client.post("/app/shops/new/", {"name": "   ", "currency": "USD", "default_locale": "en", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Tenant.objects.count() == before

    response = client.post("/app/shops/new/", {"name": "Nice Shop", "currency": "dollars", "default_locale": "en", "time_zone": "UTC"})
    assert response.status_code == 400
    assert "Enter a three-letter currency code." in response.content.decode()
    assert Tenant.objects.count() == before


def test_create_shop_makes_the_user_owner_and_switches_to_it(client):
    user = make_user()
    client.force_login(user)
    assert "Create a shop" in client.get("/app/").content.decode()  # the no-shop page links to it
    response = client.post("/app/shops/new/", {"name": "Noor Jewellery", "currency": "irr", "default_locale": "fa", "time_zone": "Asia/Tehran"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    tenant = Tenant.objects.get(name="Noor Jewellery")
    assert (tenant.currency, tenant.default_locale, tenant.time_zone) == ("IRR", "fa", "Asia/Tehran")
    assert client.session[SESSION_KEY] == tenant.pk
    with tenant_context(tenant, user=user):
        assert Membership.objects.get(tenant=tenant, user=user).role == "owner"
    assert "Welcome to Noor Jewellery" in client.get("/app/").content.decode()


def test_item_search_through_htmx_returns_only_the_table(client):
    tenant, owner = make_shop()
    _items(tenant, ("R-1", "Rose ring", 1, Decimal("100")), ("B-1", "Bangle", 2, Decimal("900")))
    client.force_login(owner)
    response = client.get("/app/inventory/?q=rose", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-table")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'data-testid="item-table"' in body
    assert "Rose ring" in body and "Bangle" not in body

    full = client.get("/app/inventory/").content.decode()
    assert 'hx-target="#item-table"' in full and "<html" in full


def test_item_form_shows_errors_inline(client):
    _, owner = make_shop()
    client.force_login(owner)
    response = client.post("/app/inventory/new/", {"sku": "", "name": "Ring", "karat": "18", "gross_weight": "2", "net_weight": "3", "quantity": "1", "price": "10"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in body and "This field is required." in body


def test_viewer_gets_the_403_page_and_no_edit_actions(client):
    tenant, _ = make_shop()
    (item,) = _items(tenant, ("R-1", "Ring", 1, Decimal("100")))
    viewer = make_member(tenant, "viewer")
    client.force_login(viewer)
    listing = client.get("/app/inventory/").content.decode()
    assert "R-1" in listing and f"/app/inventory/{item.pk}/edit/" not in listing and "Add item" not in listing
    response = client.get(f"/app/inventory/{item.pk}/delete/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_signed_out_login_page_uses_the_styled_layout(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr"' in body
    assert "zargar/app.css" in body and "btn-primary" in body
    assert 'action="/i18n/setlang/"' in body  # language switch for signed-out visitors


def test_operator_shops_page_filters_and_counts(client):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    make_shop("Alpha Gold")
    beta, _ = make_shop("Beta Gold")
    beta.status = Tenant.Status.SUSPENDED
    beta.save()
    operator = make_user("op-ui@example.com", is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    page = client.get("/operator/shops/", {"q": "gold", "status": "suspended"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Beta Gold" in body and "Alpha Gold" not in body
    assert page.context["counts"][0][0] == "active" and page.context["counts"][0][2] >= 1
    assert dict((value, n) for value, _, n in page.context["counts"])["suspended"] >= 1
    assert 'data-testid="operator-link"' in body  # the sidebar's platform section


def test_error_handlers_render_html_and_json(rf):
    from django.core.exceptions import PermissionDenied

    from zargar.core import errors

    page = errors.server_error(rf.get("/app/"))
    assert page.status_code == 500 and "Something went wrong" in page.content.decode()
    api = errors.permission_denied(rf.get("/api/v1/inventory/items/"), PermissionDenied())
    assert api.status_code == 403 and api["Content-Type"] == "application/json"
