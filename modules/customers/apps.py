from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role


class CustomersConfig(ModuleConfig):
    """Customers with contact data, purchase history (`CustomerActivity`, written by other modules
    through `actions.record_activity`) and a store-credit balance (append-only ledger).

    Permissions: everyone in the shop may look customers up (`customers.view_customer`, viewer);
    members add and edit customers and issue or redeem credit (`customers.change_customer`);
    correcting a balance by hand is for admins (`customers.adjust_credit`).
    """

    name = "modules.customers"
    label = "customers"
    verbose_name = _("Customers")

    manifest = ModuleManifest(
        key="customers",
        name=_("Customers"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        description=_("Customer records with contact details, purchase history and store credit."),
        menu=(MenuEntry(label=_("Customers"), url_name="customer-list", icon="users", permission="customers.view_customer", order=20),),
        permissions=(
            PermissionSpec("customers.view_customer", _("View customers, their history and store credit"), min_role=Role.VIEWER),
            PermissionSpec("customers.change_customer", _("Add and edit customers, issue and redeem store credit"), min_role=Role.MEMBER),
            PermissionSpec("customers.adjust_credit", _("Adjust store-credit balances"), min_role=Role.ADMIN),
        ),
        urls="modules.customers.urls",
        api_routes=(
            ApiRoute("customers/customers", "modules.customers.api.views.CustomerViewSet", "customer"),
            ApiRoute("customers/credit-entries", "modules.customers.api.views.CreditEntryViewSet", "credit-entry"),
        ),
        # ISO 3166 two-letter code used to read local phone numbers (e.g. IR: 0912… → +98912…).
        default_settings={"default_phone_region": ""},
        help_pages=("customers",),
    )
