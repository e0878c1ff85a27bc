"""Module discovery: deterministic order, and one clear line for every way a module can be
unfit. Fake entry points name classes of `tests.contract.fake_modules`."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from django.conf import settings

from zargar.contract.discovery import ENTRY_POINT_GROUP, ModuleContractError, discover_module_apps, load_module_classes


def ep(name: str, attr: str, module: str = "tests.contract.fake_modules") -> EntryPoint:
    return EntryPoint(name=name, value=f"{module}:{attr}", group=ENTRY_POINT_GROUP)


def keys(classes) -> list[str]:
    return [cls.manifest.key for cls in classes]


def load_error(*eps, **kwargs) -> str:
    with pytest.raises(ModuleContractError) as info:
        load_module_classes(eps=list(eps), **kwargs)
    message = str(info.value)
    assert "\n" not in message, "a discovery error is one line"
    return message


def test_order_is_sorted_with_dependencies_first_whatever_the_input_order():
    eps = [ep("gamma", "GammaConfig"), ep("zircon", "ZirconConfig"), ep("beta", "BetaConfig"), ep("appendix", "AppendixConfig"), ep("alpha", "AlphaConfig")]
    expected = ["alpha", "zircon", "appendix", "beta", "gamma"]
    assert keys(load_module_classes(eps=eps)) == expected
    assert keys(load_module_classes(eps=list(reversed(eps)))) == expected


def test_excluded_modules_are_left_out_and_their_dependents_fail():
    assert keys(load_module_classes(eps=[ep("alpha", "AlphaConfig"), ep("zircon", "ZirconConfig")], exclude=["zircon"])) == ["alpha"]
    message = load_error(ep("alpha", "AlphaConfig"), ep("beta", "BetaConfig"), exclude=["alpha"])
    assert message == "Zargar module 'beta' depends on 'alpha', which is not installed or is disabled"


def test_core_range_not_met():
    message = load_error(ep("future", "FutureConfig"), core_version="0.1.0")
    assert message == "Zargar module 'future' 1.0.0 requires Zargar core >=2.0,<3.0, but this is core 0.1.0"
    assert keys(load_module_classes(eps=[ep("future", "FutureConfig")], core_version="2.1.0")) == ["future"]


def test_core_prerelease_inside_the_range_is_accepted():
    assert keys(load_module_classes(eps=[ep("alpha", "AlphaConfig")], core_version="0.2.0.dev3")) == ["alpha"]


def test_missing_dependency():
    assert load_error(ep("orphan", "OrphanConfig")) == "Zargar module 'orphan' depends on 'not_installed', which is not installed or is disabled"


def test_dependency_cycle():
    message = load_error(ep("cycle_b", "CycleBConfig"), ep("cycle_c", "CycleCConfig"), ep("cycle_a", "CycleAConfig"))
    assert message == "Zargar modules depend on each other in a cycle: cycle_a -> cycle_b -> cycle_c -> cycle_a"


def test_entry_point_name_differs_from_manifest_key():
    message = load_error(ep("alfa", "AlphaConfig"))
    assert message == "Zargar module entry point 'alfa' declares manifest key 'alpha'; they must match"


def test_duplicate_key():
    message = load_error(ep("alpha", "AlphaConfig"), ep("alpha", "AlphaCopyConfig"))
    assert message.startswith("Zargar module key 'alpha' is declared twice")
    assert "AlphaConfig" in message and "AlphaCopyConfig" in message


def test_entry_point_that_fails_to_import():
    message = load_error(ep("broken", "Config", module="tests.contract.fake_broken"))
    assert message == (
        "Zargar module 'broken' (tests.contract.fake_broken:Config) failed to load: "
        "RuntimeError: the plugin's database driver is missing second line of the error"
    )
    message = load_error(ep("ghost", "Config", module="tests.contract.no_such_module"))
    assert message.startswith("Zargar module 'ghost' (tests.contract.no_such_module:Config) failed to load: ModuleNotFoundError")


def test_entry_point_that_is_not_a_module_config():
    for attr in ("PlainAppConfig", "not_a_class"):
        message = load_error(ep("plain", attr))
        assert message == f"Zargar module 'plain' (tests.contract.fake_modules:{attr}) is not a zargar.contract.ModuleConfig subclass"


def test_module_config_without_manifest():
    message = load_error(ep("nomanifest", "NoManifestConfig"))
    assert "has no `manifest`" in message and "'nomanifest'" in message


def test_invalid_manifest_names_the_module():
    message = load_error(ep("bad", "BadManifestConfig", module="tests.contract.fake_bad_manifest"))
    assert message == "Zargar module 'bad' has an invalid manifest: module 'bad': permission 'inventory.steal' must start with 'bad.'"


def test_reserved_key():
    assert load_error(ep("modules", "ReservedConfig")) == "Zargar module key 'modules' is reserved by the core; choose another key"


def test_installed_entry_points_load_inventory_before_the_appraisals_plugin():
    apps = discover_module_apps()
    assert apps.index("modules.inventory.apps.InventoryConfig") < apps.index("zargar_appraisals.apps.AppraisalsConfig")
    assert "zargar_appraisals.apps.AppraisalsConfig" in settings.INSTALLED_APPS
    assert discover_module_apps() == apps, "discovery is deterministic"
