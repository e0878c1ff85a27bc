"""Root URLconf. Module panel URLs are mounted at /app/<key>/ and module API routes under
/api/v1/, both from the module manifests (`zargar.contract.urls`)."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from zargar.contract.urls import module_panel_urlpatterns
from zargar.panel import views as panel_views

urlpatterns = [
    path("", panel_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("zargar.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("app/members/", include("zargar.accounts.member_urls")),
    path("app/api-keys/", include("zargar.api.panel_urls")),
    path("app/modules/", include("zargar.contract.panel_urls")),
    path("app/billing/", include("zargar.billing.urls")),
    path("app/notifications/", include("zargar.notifications.urls")),
    path("app/webhooks/", include("zargar.webhooks.urls")),
    path("billing/stripe/", include("zargar.billing.stripe_urls")),  # Stripe webhooks (dj-stripe)
    path("app/announcements/", include("knowledge_base.urls")),  # announcement centre
    path("app/", include("zargar.panel.urls")),
    path("invitations/", include("zargar.accounts.invitation_urls")),
    *module_panel_urlpatterns(),
    path("operator/", include("zargar.billing.operator_urls")),  # plans, shops' billing
    path("operator/", include("zargar.operator.urls")),
    path("hijack/", include("hijack.urls")),  # operator impersonation (zargar.audit.impersonation)
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("zargar.webhooks.api_urls")),  # webhook endpoints and deliveries
    path("api/", include("zargar.api.urls")),
    path("help/", include("knowledge_base.help_urls")),  # /help/search/, /help/for/<slug>/
    path("help/", include(wagtail_urls)),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "zargar.core.errors.not_found"
handler500 = "zargar.core.errors.server_error"
handler403 = "zargar.core.errors.permission_denied"
