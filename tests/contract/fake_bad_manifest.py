"""A plugin whose manifest breaks the contract (a permission outside its key)."""

from zargar.contract import ModuleConfig, ModuleManifest, PermissionSpec


class BadManifestConfig(ModuleConfig):
    name = "tests.contract.fake_bad"
    manifest = ModuleManifest(
        key="bad", name="Bad", version="1.0", core_requires=">=0.1", permissions=(PermissionSpec("inventory.steal", "Steal"),)
    )
