"""System checks of the module contract, against the installed modules and against fakes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from zargar.contract import ApiRoute, MenuEntry, ModuleManifest
from zargar.contract import checks
from zargar.tenancy.models import Tenant

ALL_CHECKS = [
    checks.check_module_menus_resolve,
    checks.check_module_help_pages,
    checks.check_module_api_routes,
    checks.check_module_tenant_models,
    checks.check_module_tasks_import,
]


def fake(key: str, models_=(), **manifest):
    manifest = ModuleManifest(key=key, name=key, version="1.0", core_requires=">=0.1", **manifest)
    return SimpleNamespace(manifest=manifest, get_models=lambda: list(models_))


def ids(errors) -> list[str]:
    return [e.id for e in errors]


@pytest.mark.django_db  # some installed apps' checks read the database (dj-stripe's webhook endpoints)
def test_installed_modules_pass_every_contract_check():
    for check in ALL_CHECKS:
        assert check() == [], check.__name__
    call_command("check", "--fail-level", "ERROR")  # raises SystemCheckError on any error


def test_help_pages_must_be_slugs():
    errors = checks.check_module_help_pages(module_configs=[fake("helpful", help_pages=("gold-rates", "Not a slug!", "a/b"))])
    assert ids(errors) == ["zargar.E011", "zargar.E011"]
    assert "'Not a slug!'" in errors[0].msg and "'a/b'" in errors[1].msg


def test_menu_url_name_must_resolve_in_the_module_namespace():
    errors = checks.check_module_menus_resolve(module_configs=[fake("inventory", menu=(MenuEntry("X", "no-such-page"),))])
    assert ids(errors) == ["zargar.E010"]
    assert checks.check_module_menus_resolve(module_configs=[fake("inventory", menu=(MenuEntry("X", "item-list"),))]) == []


def test_api_viewsets_must_be_shop_scoped_and_importable():
    cfg = fake(
        "rogue",
        api_routes=(
            ApiRoute("rogue/open", "rest_framework.viewsets.ModelViewSet", "open"),
            ApiRoute("rogue/ghost", "rogue.api.NoSuchViewSet", "ghost"),
            ApiRoute("rogue/fine", "modules.inventory.api.views.ItemViewSet", "fine"),
        ),
    )
    errors = checks.check_module_api_routes(module_configs=[cfg])
    assert ids(errors) == ["zargar.E012", "zargar.E012"]
    assert "does not subclass zargar.api.viewsets.TenantScopedMixin" in errors[0].msg
    assert "cannot be imported" in errors[1].msg


def test_two_modules_cannot_share_an_api_prefix():
    route = ApiRoute("inventory/items", "modules.inventory.api.views.ItemViewSet", "item")
    errors = checks.check_module_api_routes(module_configs=[fake("first", api_routes=(route,)), fake("second", api_routes=(route,))])
    assert ids(errors) == ["zargar.E014"]


@isolate_apps("zargar.contract")
def test_a_module_model_with_a_tenant_fk_must_be_a_tenant_model():
    class StrayShopData(models.Model):
        tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)

        class Meta:
            app_label = "zargar_contract"

    class GlobalData(models.Model):
        shop = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "zargar_contract"

    from zargar_appraisals.models import AppraisalCertificate

    errors = checks.check_module_tenant_models(module_configs=[fake("stray", models_=[StrayShopData, GlobalData, AppraisalCertificate])])
    assert ids(errors) == ["zargar.E013"]
    assert "StrayShopData has a tenant foreign key but is not a TenantModel" in errors[0].msg


def test_tasks_module_must_import():
    errors = checks.check_module_tasks_import(module_configs=[fake("lazy", tasks="lazy.no_such_tasks")])
    assert ids(errors) == ["zargar.E015"]
