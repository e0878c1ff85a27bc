from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, ExtensionPoint, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role


class InventoryConfig(ModuleConfig):
    name = "modules.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    manifest = ModuleManifest(
        key="inventory",
        name=_("Inventory"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        menu=(MenuEntry(label=_("Inventory"), url_name="item-list", icon="cube", permission="inventory.view_item", order=10),),
        permissions=(
            PermissionSpec("inventory.view_item", _("View items"), min_role=Role.VIEWER),
            PermissionSpec("inventory.change_item", _("Add and edit items"), min_role=Role.MEMBER),
            PermissionSpec("inventory.delete_item", _("Delete items"), min_role=Role.ADMIN),
        ),
        urls="modules.inventory.urls",
        api_routes=(ApiRoute("inventory/items", "modules.inventory.api.views.ItemViewSet", "item"),),
        default_settings={"low_stock_threshold": 1},
        help_pages=("inventory",),
    )

    def ready(self) -> None:
        from .dashboard import inventory_cards

        self.register_hook(ExtensionPoint.DASHBOARD_CARDS, inventory_cards)
