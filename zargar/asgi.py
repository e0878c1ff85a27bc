import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zargar.settings")
application = get_asgi_application()

from zargar.core.gc_tuning import tune_for_server  # noqa: E402  (needs the configured settings)

tune_for_server()
