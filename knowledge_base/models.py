"""Wagtail content of the knowledge base, runbooks and announcements. Platform operators write
it in the Wagtail admin (`/cms/`); it is translatable with wagtail-localize (English source,
Persian translation).

Site tree (one tree per locale, the Persian one a translation of the English one)::

    Root
    ├── Knowledge base (KnowledgeBaseIndexPage, en)   ← the default Site's root, served at /help/
    │   ├── articles (ArticlePage), module help (HelpPage), FAQs (FAQPage)
    │   └── Runbooks (RunbookIndexPage, operators only) → RunbookPage
    └── Knowledge base (KnowledgeBaseIndexPage, fa)   ← its translation

Wagtail's `serve` routes /help/… from the root's translation in the active language
(`site.root_page.localized`), so the same URL shows the Persian page to a Persian user; a page
with no Persian translation yet falls back to the English one (`KnowledgeBaseIndexPage.route`).

Modules link to help pages by `slug` (`ModuleManifest.help_pages`), through `/help/for/<slug>/`
(`knowledge_base.selectors.help_page_for`).

Announcements are a translatable snippet with drafts, revisions and a publishing schedule
(`go_live_at` / `expire_at`, applied by Wagtail's `publish_scheduled` command); who reads and
acknowledges them is tracked per user and shop in `AnnouncementReceipt` (under RLS).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PublishingPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, Page, RevisionMixin, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from zargar.billing.models import SubscriptionStatus
from zargar.tenancy.models import Tenant, TenantModel

#: Rich-text features of announcement messages (short notices, no images or embeds).
ANNOUNCEMENT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def _module_choices() -> list[tuple[str, str]]:
    from zargar.contract.registry import manifests

    return [(key, str(manifest.name)) for key, manifest in sorted(manifests().items())]


def _is_operator(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and getattr(user, "is_operator", False))


# --- Knowledge base ---------------------------------------------------------------------------
class KnowledgeBaseIndexPage(Page):
    """The root of the knowledge base in one locale (the default Site's root, at /help/)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "knowledge_base.ArticlePage",
        "knowledge_base.HelpPage",
        "knowledge_base.FAQPage",
        "knowledge_base.RunbookIndexPage",
    ]

    class Meta:
        verbose_name = _("knowledge base index")

    def route(self, request, path_components):
        """Route in this locale's tree; a path with no page here yet (not translated) is routed
        through the default language's tree instead, so untranslated pages show in English."""
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
            default = self.get_translations().filter(locale__language_code=settings.LANGUAGE_CODE).first()
            if default is None:
                raise
            return default.specific.route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from .selectors import index_entries

        context = super().get_context(request, *args, **kwargs)
        context["entries"] = index_entries(self, include_runbooks=_is_operator(request))
        return context


class ArticlePage(Page):
    """A knowledge-base article: a title, a one-line summary and a rich-text body."""

    summary = models.CharField(_("summary"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.AutocompleteField("summary"),
    ]
    parent_page_types = ["knowledge_base.KnowledgeBaseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")


class HelpPage(ArticlePage):
    """The help page of a module: what the panel's "?" opens. Its slug is the one the module
    lists in `ModuleManifest.help_pages` (e.g. `inventory`); keep the slug the same in every
    language."""

    # A choice field, so wagtail-localize keeps it synchronised across languages (not translated).
    module_key = models.CharField(
        _("module"), max_length=40, blank=True, choices=_module_choices, help_text=_("The module this page documents.")
    )

    content_panels = ArticlePage.content_panels + [FieldPanel("module_key")]
    search_fields = ArticlePage.search_fields
    parent_page_types = ["knowledge_base.KnowledgeBaseIndexPage"]
    subpage_types: list[str] = []
    template = "knowledge_base/article_page.html"

    class Meta:
        verbose_name = _("module help page")


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=255)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        label = _("Question and answer")


class FAQPage(Page):
    """Frequently asked questions: an introduction and question/answer items."""

    intro = RichTextField(_("introduction"), blank=True)
    items = StreamField([("item", FAQItemBlock())], verbose_name=_("questions"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("items")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("items")]
    parent_page_types = ["knowledge_base.KnowledgeBaseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("FAQ page")


# --- Runbooks (operators only) ----------------------------------------------------------------
class OperatorsOnlyMixin:
    """Served to platform operators only (a shop user gets 403, a visitor the login page)."""

    def serve(self, request, *args, **kwargs):
        if not _is_operator(request):
            raise PermissionDenied("Platform operators only.")
        return super().serve(request, *args, **kwargs)


class RunbookIndexPage(OperatorsOnlyMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["knowledge_base.KnowledgeBaseIndexPage"]
    subpage_types = ["knowledge_base.RunbookPage"]

    class Meta:
        verbose_name = _("runbook index")


class RunbookStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=255)
    instructions = blocks.RichTextBlock(label=_("Instructions"))
    command = blocks.TextBlock(label=_("Command"), required=False, help_text=_("Shell command to run, if any."))

    class Meta:
        icon = "list-ol"
        label = _("Step")


class RunbookPage(OperatorsOnlyMixin, Page):
    """An operators' procedure for an incident, a maintenance or a disaster recovery. Its page
    shows the Wagtail revision history (who changed the procedure, when)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        MAINTENANCE = "maintenance", _("Maintenance")
        DISASTER_RECOVERY = "disaster_recovery", _("Disaster recovery")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.INCIDENT)
    summary = models.CharField(_("summary"), max_length=255, blank=True, help_text=_("When to use this runbook."))
    steps = StreamField([("step", RunbookStepBlock())], verbose_name=_("steps"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("kind"), FieldPanel("summary"), FieldPanel("steps")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("steps"), index.FilterField("kind")]
    parent_page_types = ["knowledge_base.RunbookIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("runbook")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["revisions"] = self.revisions.select_related("user").order_by("-created_at")[:50]
        return context


# --- Announcements -----------------------------------------------------------------------------
class Announcement(DraftStateMixin, RevisionMixin, TranslatableMixin, index.Indexed, ClusterableModel):
    """A notice from the operators to shop users, shown as a banner and in the announcement
    centre of the panel (`knowledge_base.selectors.visible_announcements`).

    Targeting: `plans` (none = every plan, and shops without a subscription too),
    `shop_status` (blank = any) and `subscription_status` (blank = any); all must match.
    Scheduling: Wagtail's `go_live_at` / `expire_at`. Targeting, severity and schedule are
    taken from the English (source) version; translations only change the words.
    """

    class Severity(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    title = models.CharField(_("title"), max_length=200)
    message = RichTextField(_("message"), features=ANNOUNCEMENT_FEATURES)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.INFO)
    acknowledgement_required = models.BooleanField(
        _("acknowledgement required"),
        default=False,
        help_text=_("Users must click “Acknowledge”; the banner cannot just be dismissed."),
    )
    plans = ParentalManyToManyField(
        "billing.Plan", blank=True, related_name="+", verbose_name=_("plans"),
        help_text=_("Only shops on these plans. None selected: every shop."),
    )
    shop_status = models.CharField(
        _("shop status"), max_length=32, choices=Tenant.Status.choices, blank=True, help_text=_("Only shops with this status. Blank: any.")
    )
    subscription_status = models.CharField(
        _("subscription status"), max_length=16, choices=SubscriptionStatus.choices, blank=True,
        help_text=_("Only shops whose subscription has this status. Blank: any."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revisions = GenericRelation(
        "wagtailcore.Revision", content_type_field="base_content_type", object_id_field="object_id",
        related_query_name="announcement", for_concrete_model=False,
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("message"),
        FieldPanel("severity"),
        FieldPanel("acknowledgement_required"),
        MultiFieldPanel(
            [
                FieldPanel("plans", widget=forms.CheckboxSelectMultiple),
                FieldPanel("shop_status"),
                FieldPanel("subscription_status"),
            ],
            heading=_("Audience"),
        ),
        PublishingPanel(),
    ]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("message"),
        SynchronizedField("severity"),
        SynchronizedField("acknowledgement_required"),
        SynchronizedField("plans"),
        SynchronizedField("shop_status"),
        SynchronizedField("subscription_status"),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("message"), index.FilterField("locale")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AnnouncementReceipt(TenantModel):
    """That one user read (dismissed) and/or acknowledged one announcement in one shop.

    `announcement_key` is the announcement's `translation_key`, the same for every language
    version, so reading the Persian version counts for the English one too.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    announcement_key = models.UUIDField(_("announcement"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "user", "announcement_key"], name="knowledge_base_receipt_unique"),
        ]
        verbose_name = _("announcement receipt")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.tenant_id}: {self.announcement_key}"
