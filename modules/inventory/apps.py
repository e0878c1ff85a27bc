from django.apps import apps
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
        version="0.2.0",
        core_requires=">=0.1,<1.0",
        description=_("Pieces and lots with tags, stones, branches and locations, stock movements and barcode labels."),
        menu=(
            MenuEntry(label=_("Inventory"), url_name="item-list", icon="cube", permission="inventory.view_item", order=10),
            MenuEntry(label=_("Stock movements"), url_name="movement-list", icon="arrow-path", permission="inventory.view_item", order=11),
        ),
        permissions=(
            PermissionSpec("inventory.view_item", _("View items"), min_role=Role.VIEWER),
            PermissionSpec("inventory.change_item", _("Add and edit items"), min_role=Role.MEMBER),
            PermissionSpec("inventory.move_stock", _("Receive, adjust and transfer stock"), min_role=Role.MEMBER),
            PermissionSpec("inventory.delete_item", _("Delete items"), min_role=Role.ADMIN),
            PermissionSpec("inventory.manage_locations", _("Manage branches and locations"), min_role=Role.ADMIN),
        ),
        urls="modules.inventory.urls",
        api_routes=(
            ApiRoute("inventory/items", "modules.inventory.api.views.ItemViewSet", "item"),
            ApiRoute("inventory/lots", "modules.inventory.api.views.LotViewSet", "lot"),
            ApiRoute("inventory/movements", "modules.inventory.api.views.MovementViewSet", "movement"),
            ApiRoute("inventory/locations", "modules.inventory.api.views.LocationViewSet", "location"),
            ApiRoute("inventory/branches", "modules.inventory.api.views.BranchViewSet", "branch"),
            ApiRoute("inventory/stock", "modules.inventory.api.views.StockViewSet", "stock"),
        ),
        default_settings={"low_stock_threshold": 1},
        help_pages=("inventory",),
    )

    def ready(self) -> None:
        from .dashboard import inventory_cards
        from .hooks import create_default_location, reprice_tagged_items

        self.register_hook(ExtensionPoint.DASHBOARD_CARDS, inventory_cards)
        self.register_hook(ExtensionPoint.TENANT_CREATED, create_default_location)
        if apps.is_installed("modules.rates"):
            self.register_hook(ExtensionPoint.REPRICE_ITEMS, reprice_tagged_items)
