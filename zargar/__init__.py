"""Zargar core: tenancy, accounts, the module contract, panels and the API.

`__version__` is the core version that module manifests declare compatibility with
(PEP 440 specifiers in `ModuleManifest.core_requires`).
"""

__version__ = "0.1.0"

from .celery import app as celery_app  # noqa: E402  (Celery app loads with Django)

__all__ = ["__version__", "celery_app"]
