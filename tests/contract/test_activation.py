"""Per-shop module activation: the /app/modules/ page, the dependency rules of
`set_module_enabled`, and what a module that is off looks like (no menu entry, panel URLs
and API routes 404) — for one shop while another shop has it on."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from modules.inventory import actions as inventory_actions
from tests.factories import make_member, make_shop
from zargar.contract.registry import enabled_module_keys, module_settings
from zargar.tenancy.actions import ModuleDependencyError, set_module_enabled
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import ModuleActivation

pytestmark = pytest.mark.django_db


def item(tenant, sku="R-1"):
    with tenant_context(tenant):
        return inventory_actions.create_item(
            tenant, sku=sku, name=f"Ring {sku}", karat=18, gross_weight=Decimal("5"), net_weight=Decimal("4.5"), price=Decimal("300")
        )


OURS = {"inventory", "appraisals"}


def enabled(tenant) -> set[str]:
    """Which of inventory and appraisals are on for `tenant` (other installed modules are not
    under test here)."""
    with tenant_context(tenant):
        return set(enabled_module_keys(tenant)) & OURS


def menu_labels(response) -> list[str]:
    return [entry.label for entry in response.context["panel_menu"]]


def api_for(user, tenant) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_TENANT=tenant.slug)
    return client


@pytest.fixture
def shops():
    """Shop A with the appraisals plugin off (its default), shop B with it on."""
    a, owner_a = make_shop("Shop A")
    b, owner_b = make_shop("Shop B")
    for shop in (a, b):  # the point of sale also depends on inventory: keep it out of these cases
        set_module_enabled(shop, "pos", False)
    set_module_enabled(b, "appraisals", True)
    return a, owner_a, b, owner_b


def test_plugin_is_off_by_default_and_on_per_shop(shops):
    a, _, b, _ = shops
    assert enabled(a) == {"inventory"}
    assert enabled(b) == {"inventory", "appraisals"}


def test_off_module_has_no_menu_entry_and_its_pages_and_api_404_while_on_in_another_shop(shops, client):
    a, owner_a, b, owner_b = shops
    member_a, member_b = make_member(a, "member"), make_member(b, "member")

    client.force_login(member_a)
    dashboard = client.get("/app/")
    assert dashboard.status_code == 200
    assert "Appraisals" not in menu_labels(dashboard) and "Inventory" in menu_labels(dashboard)
    assert "Valid appraisal certificates" not in [card.title for card in dashboard.context["cards"]]
    assert client.get("/app/appraisals/").status_code == 404
    assert client.get("/app/appraisals/new/").status_code == 404
    assert client.post("/app/appraisals/new/", {}).status_code == 404
    response = api_for(member_a, a).get("/api/v1/appraisals/certificates/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"

    client.force_login(member_b)
    dashboard = client.get("/app/")
    assert "Appraisals" in menu_labels(dashboard)
    assert "Valid appraisal certificates" in [card.title for card in dashboard.context["cards"]]
    assert client.get("/app/appraisals/").status_code == 200
    assert api_for(member_b, b).get("/api/v1/appraisals/certificates/").status_code == 200

    # Shop A switches it on, shop B off: the two swap, with nothing else changed.
    set_module_enabled(a, "appraisals", True)
    set_module_enabled(b, "appraisals", False)
    client.force_login(member_a)
    assert "Appraisals" in menu_labels(client.get("/app/"))
    assert client.get("/app/appraisals/").status_code == 200
    assert api_for(member_a, a).get("/api/v1/appraisals/certificates/").status_code == 200
    client.force_login(member_b)
    assert "Appraisals" not in menu_labels(client.get("/app/"))
    assert client.get("/app/appraisals/").status_code == 404
    assert api_for(member_b, b).get("/api/v1/appraisals/certificates/").status_code == 404


def test_switching_off_a_dependency_is_refused_then_cascades(shops):
    _, _, b, _ = shops
    with pytest.raises(ModuleDependencyError) as info:
        set_module_enabled(b, "inventory", False)
    assert "appraisals" in info.value.modules
    assert enabled(b) == {"inventory", "appraisals"}, "a refused switch changes nothing"

    switched = set_module_enabled(b, "inventory", False, cascade=True)
    assert switched[0] == "inventory" and "appraisals" in switched
    assert enabled(b) == set()
    with tenant_context(b):
        rows = dict(ModuleActivation.objects.filter(tenant=b, module_key__in=OURS).values_list("module_key", "enabled"))
    assert rows == {"inventory": False, "appraisals": False}

    # Inventory back on: appraisals stays off, as it was switched off explicitly.
    assert set_module_enabled(b, "inventory", True) == ["inventory"]
    assert enabled(b) == {"inventory"}


def test_switching_on_a_module_whose_dependency_is_off_is_refused_then_cascades(shops):
    a, _, _, _ = shops
    set_module_enabled(a, "inventory", False)  # nothing on depends on it in shop A
    with pytest.raises(ModuleDependencyError) as info:
        set_module_enabled(a, "appraisals", True)
    assert info.value.modules == ["inventory"]
    assert enabled(a) == set()
    assert set_module_enabled(a, "appraisals", True, cascade=True) == ["inventory", "appraisals"]
    assert enabled(a) == {"inventory", "appraisals"}


def test_unknown_module_key_raises_key_error(shops):
    a, *_ = shops
    with pytest.raises(KeyError):
        set_module_enabled(a, "no_such_module", True)


def test_dependency_off_hides_the_dependent_module_everywhere(shops, client):
    _, _, b, owner_b = shops
    set_module_enabled(b, "inventory", False, cascade=True)
    client.force_login(owner_b)
    assert not {"Inventory", "Appraisals"} & set(menu_labels(client.get("/app/")))
    assert client.get("/app/inventory/").status_code == 404
    assert client.get("/app/appraisals/").status_code == 404
    assert api_for(owner_b, b).get("/api/v1/inventory/items/").status_code == 404
    assert api_for(owner_b, b).get("/api/v1/appraisals/certificates/").status_code == 404


# --- the /app/modules/ page --------------------------------------------------------------


def test_module_page_lists_installed_modules_for_admins_only(shops, client):
    a, owner_a, _, _ = shops
    admin, member = make_member(a, "admin"), make_member(a, "member")
    client.force_login(member)
    assert client.get("/app/modules/").status_code == 403
    assert client.post("/app/modules/appraisals/switch/", {"enabled": "1"}).status_code == 403
    assert enabled(a) == {"inventory"}

    client.force_login(admin)
    page = client.get("/app/modules/")
    assert page.status_code == 200
    body = page.content.decode()
    for text in ("Inventory", "Appraisals", "version 0.1.0", "Issue numbered appraisal certificates", "Needs:", "Needed by:"):
        assert text in body
    rows = {row["manifest"].key: row for row in page.context["rows"]}
    assert rows["inventory"]["enabled"] is True and rows["appraisals"]["enabled"] is False
    assert [m.key for m in rows["appraisals"]["depends"]] == ["inventory"]
    assert "appraisals" in [m.key for m in rows["inventory"]["required_by"]]


def test_module_page_switches_on_and_off_with_a_confirmation_for_dependents(shops, client):
    a, owner_a, _, _ = shops
    client.force_login(owner_a)
    response = client.post("/app/modules/appraisals/switch/", {"enabled": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/app/modules/"
    assert "Appraisals is on." in response.content.decode()
    assert enabled(a) == {"inventory", "appraisals"}
    assert "Appraisals" in menu_labels(client.get("/app/"))

    confirm = client.post("/app/modules/inventory/switch/", {"enabled": "0"})
    assert confirm.status_code == 409
    assert [m.key for m in confirm.context["others"]] == ["appraisals"]
    assert 'name="cascade" value="1"' in confirm.content.decode()
    assert enabled(a) == {"inventory", "appraisals"}

    done = client.post("/app/modules/inventory/switch/", {"enabled": "0", "cascade": "1"}, follow=True)
    assert "Inventory is off. Also switched off: Appraisals." in done.content.decode()
    assert enabled(a) == set()
    assert not {"Inventory", "Appraisals"} & set(menu_labels(client.get("/app/")))

    assert client.post("/app/modules/no_such_module/switch/", {"enabled": "1"}).status_code == 404
    assert client.get("/app/modules/appraisals/switch/").status_code == 405


def test_module_settings_page_saves_the_shop_configuration(shops, client):
    _, _, b, owner_b = shops
    client.force_login(owner_b)
    assert client.get("/app/modules/appraisals/settings/").status_code == 200
    assert client.post("/app/modules/appraisals/settings/", {"validity_days": "-5"}).status_code == 400
    response = client.post("/app/modules/appraisals/settings/", {"validity_days": "30"})
    assert response.status_code == 302
    with tenant_context(b):
        assert module_settings(b, "appraisals") == {"validity_days": 30}
    assert enabled(b) == {"inventory", "appraisals"}, "saving settings does not switch the module"

    from zargar_appraisals.actions import issue_certificate

    with tenant_context(b):
        certificate = issue_certificate(b, item=item(b), appraised_value=Decimal("100"), appraiser_name="N. Zar", karat_verified=18)
    assert certificate.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    assert client.get("/app/modules/inventory/settings/").status_code == 200  # low_stock_threshold
