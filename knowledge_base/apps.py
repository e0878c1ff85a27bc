from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledge_base"
    label = "knowledge_base"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import tasks  # noqa: F401  (Celery task: Wagtail's scheduled publishing)

        _let_wagtail_localize_editor_send_forms()


def _let_wagtail_localize_editor_send_forms() -> None:
    """wagtail-localize's translation editor saves each string with a multipart-form PUT to
    two DRF views that use DRF's default parsers; Zargar's REST API is JSON-only
    (`REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]`), which made those saves fail with 415 and
    operators unable to translate. Give just these two admin views the parsers their
    JavaScript needs; the API stays JSON-only."""
    from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
    from wagtail_localize.views import edit_translation

    for view in (edit_translation.edit_string_translation, edit_translation.edit_override):
        view.cls.parser_classes = [JSONParser, FormParser, MultiPartParser]
