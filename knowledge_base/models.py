"""Wagtail pages of the knowledge base. Platform operators write them in the Wagtail admin
(`/cms/`); pages are translatable (wagtail-localize: English source, Persian translation).
Modules link to help pages by `slug` (`ModuleManifest.help_pages`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class KnowledgeBaseIndexPage(Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["knowledge_base.ArticlePage"]

    class Meta:
        verbose_name = _("knowledge base index")


class ArticlePage(Page):
    """A knowledge-base article or help page."""

    summary = models.CharField(_("summary"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["knowledge_base.KnowledgeBaseIndexPage"]

    class Meta:
        verbose_name = _("article")
