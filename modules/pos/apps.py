from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, ExtensionPoint, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role


class PosConfig(ModuleConfig):
    """Point of sale: the sale screen, sales priced from the live board rate, split payments,
    old-gold exchange, hold/resume, returns and voids, receipts (80 mm HTML and PDF).

    Permissions: members sell (`pos.sell`) and give discounts (`pos.discount`) up to the
    per-role cap of the module setting `max_discount_percent` (member 5 %, admin 20 %, owner
    unlimited by default); admins take returns (`pos.refund`) and void same-day sales
    (`pos.void_sale`); every member of the shop may look sales up (`pos.view_sales`).
    """

    name = "modules.pos"
    label = "pos"
    verbose_name = _("Point of sale")

    manifest = ModuleManifest(
        key="pos",
        name=_("Point of sale"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        description=_("Sell pieces at the live gold rate with split payments, old-gold exchange, returns and printed receipts."),
        depends=("inventory", "rates", "customers", "accounting"),
        menu=(
            MenuEntry(label=_("Sale screen"), url_name="sale-screen", icon="shopping-cart", permission="pos.sell", order=1),
            MenuEntry(label=_("Sales"), url_name="sale-list", icon="receipt-percent", permission="pos.view_sales", order=2),
        ),
        permissions=(
            PermissionSpec("pos.sell", _("Sell at the point of sale"), min_role=Role.MEMBER),
            PermissionSpec("pos.discount", _("Give discounts (up to the role's cap)"), min_role=Role.MEMBER),
            PermissionSpec("pos.refund", _("Take returns and refund"), min_role=Role.ADMIN),
            PermissionSpec("pos.void_sale", _("Void a sale of the same day"), min_role=Role.ADMIN),
            PermissionSpec("pos.view_sales", _("View sales and receipts"), min_role=Role.VIEWER),
        ),
        urls="modules.pos.urls",
        api_routes=(
            ApiRoute("pos/sales", "modules.pos.api.views.SaleViewSet", "sale"),
            ApiRoute("pos/returns", "modules.pos.api.views.SaleReturnViewSet", "return"),
        ),
        # Largest discount (percent of the price before tax) per role; an empty value means no cap.
        default_settings={"max_discount_percent": {"member": "5", "admin": "20", "owner": ""}},
        help_pages=("pos",),
    )

    def ready(self) -> None:
        from .hooks import customer_balance_panel

        self.register_hook(ExtensionPoint.CUSTOMER_DETAIL_PANELS, customer_balance_panel)
