from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, BeatEntry, ExtensionPoint, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role


class RatesConfig(ModuleConfig):
    name = "modules.rates"
    label = "rates"
    verbose_name = _("Gold rates and pricing")

    manifest = ModuleManifest(
        key="rates",
        name=_("Gold rates"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        description=_("Daily buy and sell rates per metal and purity, rate alerts, and piece pricing with locked quotes."),
        menu=(
            MenuEntry(label=_("Gold rates"), url_name="board", icon="chart-bar", permission="rates.view_rate", order=5),
            MenuEntry(label=_("Price a piece"), url_name="quote-new", icon="calculator", permission="rates.quote_price", order=6),
            MenuEntry(label=_("Rate alerts"), url_name="alert-list", icon="bell", permission="rates.manage_alerts", order=7),
        ),
        permissions=(
            PermissionSpec("rates.view_rate", _("View rates, history and quotes"), min_role=Role.VIEWER),
            PermissionSpec("rates.enter_rate", _("Enter board rates"), min_role=Role.MEMBER),
            PermissionSpec("rates.quote_price", _("Price pieces and give quotes"), min_role=Role.MEMBER),
            PermissionSpec("rates.manage_alerts", _("Manage rate alerts"), min_role=Role.ADMIN),
            PermissionSpec("rates.manage_settings", _("Change rate settings and the rate feed"), min_role=Role.ADMIN),
        ),
        urls="modules.rates.urls",
        api_routes=(
            ApiRoute("rates/board", "modules.rates.api.views.BoardViewSet", "board"),
            ApiRoute("rates/rates", "modules.rates.api.views.RateViewSet", "rate"),
            ApiRoute("rates/quotes", "modules.rates.api.views.QuoteViewSet", "quote"),
            ApiRoute("rates/alerts", "modules.rates.api.views.AlertViewSet", "alert"),
        ),
        tasks="modules.rates.tasks",
        beat=(BeatEntry("fetch-provider-rates", "rates.fetch_all_provider_rates", crontab(minute="*/15")),),
        default_settings={
            "display_unit": "gram",
            "quote_lock_minutes": 15,
            "trend_days": 30,
            "profit_percent": "0",
            "tax_rule": "none",
            "vat_percent": "0",
            "provider": {
                "key": "",
                "url": "",
                "format": "json",
                "unit": "gram",
                "records_path": "",
                "fields": {"purity": "purity", "buy": "buy", "sell": "sell", "effective_at": ""},
                "purity_map": {},
                "skip_unknown_purities": False,
                "timeout_seconds": 10,
                "delimiter": ",",
            },
        },
        help_pages=("rates",),
    )

    def ready(self) -> None:
        from .dashboard import rate_cards
        from .providers.http_feed import http_feed_provider

        self.register_hook(ExtensionPoint.RATE_PROVIDERS, http_feed_provider)
        self.register_hook(ExtensionPoint.DASHBOARD_CARDS, rate_cards)
