"""The appraisals module: its manifest is everything it adds to Zargar, declared as data."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from zargar.contract import ApiRoute, BeatEntry, ExtensionPoint, MenuEntry, ModuleConfig, ModuleManifest, PermissionSpec
from zargar.tenancy.roles import Role

VIEW = "appraisals.view_appraisal"
ISSUE = "appraisals.issue_appraisal"


class AppraisalsConfig(ModuleConfig):
    name = "zargar_appraisals"
    label = "appraisals"
    verbose_name = _("Appraisals")

    manifest = ModuleManifest(
        key="appraisals",
        name=_("Appraisals"),
        version="0.1.0",
        core_requires=">=0.1,<1.0",
        description=_("Issue numbered appraisal certificates for inventory items, with the verified karat and value."),
        depends=("inventory",),
        menu=(MenuEntry(label=_("Appraisals"), url_name="certificate-list", icon="document", permission=VIEW, order=40),),
        permissions=(
            PermissionSpec(VIEW, _("View appraisal certificates"), min_role=Role.VIEWER),
            PermissionSpec(ISSUE, _("Issue appraisal certificates"), min_role=Role.MEMBER),
        ),
        urls="zargar_appraisals.urls",
        api_routes=(ApiRoute("appraisals/certificates", "zargar_appraisals.api.views.CertificateViewSet", "certificate"),),
        tasks="zargar_appraisals.tasks",
        beat=(
            BeatEntry(
                name="expire-certificates",
                task="appraisals.expire_certificates_all_shops",
                schedule=crontab(hour=2, minute=15),
            ),
        ),
        default_settings={"validity_days": 365},
        help_pages=("appraisals", "appraisal-certificates"),
        enabled_by_default=False,  # a plugin: each shop switches it on at /app/modules/
    )

    def ready(self) -> None:
        from .dashboard import appraisal_cards

        self.register_hook(ExtensionPoint.DASHBOARD_CARDS, appraisal_cards)
