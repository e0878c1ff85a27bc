from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, ExtensionPoint, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role


class AccountingConfig(ModuleConfig):
    """Double-entry books of each shop on django-ledger.

    Permissions: the books show margins, cash and the owner's equity, so reading them is for
    admins and owners (`accounting.view_books`, min role admin); roles are ranked
    (viewer < member < admin < owner), so a "read-only viewer" grant would also open the books to
    every member — not wanted. Manual journal entries (`accounting.post_entry`) are admin too.
    Postings by other modules (sales, returns, ...) go through `actions.post_journal_entry` and
    need no panel permission of their own.
    """

    name = "modules.accounting"
    label = "accounting"
    verbose_name = _("Accounting")

    manifest = ModuleManifest(
        key="accounting",
        name=_("Accounting"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        description=_("Double-entry books: chart of accounts, journal, balance sheet and income statement."),
        menu=(
            MenuEntry(label=_("Journal"), url_name="journal", icon="book-open", permission="accounting.view_books", order=60),
            MenuEntry(label=_("Chart of accounts"), url_name="chart", icon="table-cells", permission="accounting.view_books", order=61),
            MenuEntry(label=_("Financial statements"), url_name="balance-sheet", icon="scale", permission="accounting.view_books", order=62),
        ),
        permissions=(
            PermissionSpec("accounting.view_books", _("View the books and financial statements"), min_role=Role.ADMIN),
            PermissionSpec("accounting.post_entry", _("Post manual journal entries"), min_role=Role.ADMIN),
        ),
        urls="modules.accounting.urls",
        api_routes=(
            ApiRoute("accounting/journal-entries", "modules.accounting.api.views.JournalEntryViewSet", "journal-entry"),
            ApiRoute("accounting/accounts", "modules.accounting.api.views.AccountViewSet", "account"),
            ApiRoute("accounting/statements", "modules.accounting.api.views.StatementViewSet", "statement"),
        ),
        help_pages=("accounting",),
    )

    def ready(self) -> None:
        from .hooks import create_books_for_new_shop

        self.register_hook(ExtensionPoint.TENANT_CREATED, create_books_for_new_shop)
