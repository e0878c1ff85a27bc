from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "knowledge_base"
    label = "knowledge_base"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import tasks  # noqa: F401  (Celery task: Wagtail's scheduled publishing)
