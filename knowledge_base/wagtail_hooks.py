"""Wagtail admin registration: announcements as a translatable snippet with drafts, revisions
and a publishing schedule, in the admin menu."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Announcement


class AnnouncementViewSet(SnippetViewSet):
    model = Announcement
    icon = "warning"
    menu_label = _("Announcements")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["title", "severity", "acknowledgement_required", LiveStatusTagColumn(), "go_live_at", "expire_at"]
    list_filter = ["severity", "acknowledgement_required", "live"]
    search_fields = ["title"]


register_snippet(AnnouncementViewSet)
