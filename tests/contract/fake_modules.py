"""Module classes for the discovery tests, named by fake entry points
(`EntryPoint(name=..., value="tests.contract.fake_modules:AlphaConfig", group="zargar.modules")`).
None of them is installed."""

from django.apps import AppConfig

from zargar.contract import ModuleConfig, ModuleManifest

CORE = ">=0.1,<1.0"


def _config(class_name: str, key: str, *, core_requires: str = CORE, depends: tuple[str, ...] = ()):
    return type(
        class_name,
        (ModuleConfig,),
        {"name": f"tests.contract.fake_{key}", "manifest": ModuleManifest(key=key, name=key.title(), version="1.0.0", core_requires=core_requires, depends=depends), "__module__": __name__},
    )


AlphaConfig = _config("AlphaConfig", "alpha")
AlphaCopyConfig = _config("AlphaCopyConfig", "alpha")
BetaConfig = _config("BetaConfig", "beta", depends=("alpha",))
GammaConfig = _config("GammaConfig", "gamma", depends=("beta", "alpha"))
#: Sorts first by name but depends on a module that sorts last.
AppendixConfig = _config("AppendixConfig", "appendix", depends=("zircon",))
ZirconConfig = _config("ZirconConfig", "zircon")
FutureConfig = _config("FutureConfig", "future", core_requires=">=2.0,<3.0")
OrphanConfig = _config("OrphanConfig", "orphan", depends=("not_installed",))
CycleAConfig = _config("CycleAConfig", "cycle_a", depends=("cycle_b",))
CycleBConfig = _config("CycleBConfig", "cycle_b", depends=("cycle_c",))
CycleCConfig = _config("CycleCConfig", "cycle_c", depends=("cycle_a",))
ReservedConfig = _config("ReservedConfig", "modules")


class PlainAppConfig(AppConfig):
    """A Django app, but not a Zargar module."""

    name = "tests.contract.fake_plain"


def not_a_class():
    return None


class NoManifestConfig(ModuleConfig):
    name = "tests.contract.fake_nomanifest"
