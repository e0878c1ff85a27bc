"""System checks of installed modules against the contract.

| id | what |
| --- | --- |
| zargar.E010 | a menu entry's URL name does not resolve in the module's namespace |
| zargar.E011 | a declared help page is not a slug |
| zargar.E012 | an API route's viewset cannot be imported or is not a `TenantScopedMixin` |
| zargar.E013 | a module model with a `tenant` foreign key to `tenancy.Tenant` is not a `TenantModel` |
| zargar.E014 | two modules register the same API route prefix |
| zargar.E015 | the module's `tasks` module cannot be imported |
"""

from __future__ import annotations

import importlib

from django.core.checks import Error, Tags, register
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from .registry import modules

# Each check takes `module_configs` (default: the installed modules) so tests can pass fakes.


@register(Tags.urls)
def check_module_menus_resolve(app_configs=None, module_configs=None, **kwargs):
    """Every menu entry's URL name must exist in its module's namespace."""
    errors = []
    for cfg in module_configs if module_configs is not None else modules():
        m = cfg.manifest
        for entry in m.menu:
            try:
                reverse(f"{m.key}:{entry.url_name}")
            except NoReverseMatch:
                errors.append(
                    Error(
                        f"Module {m.key!r}: menu entry URL name {entry.url_name!r} does not resolve in namespace {m.key!r}.",
                        hint="Declare `urls` in the manifest and name a URL pattern of that URLconf.",
                        obj=cfg,
                        id="zargar.E010",
                    )
                )
    return errors


@register()
def check_module_help_pages(app_configs=None, module_configs=None, **kwargs):
    """`help_pages` are knowledge-base page slugs (letters, digits, `-`, `_`)."""
    errors = []
    for cfg in module_configs if module_configs is not None else modules():
        for slug in cfg.manifest.help_pages:
            try:
                validate_slug(slug)
            except (ValidationError, TypeError):
                errors.append(
                    Error(f"Module {cfg.manifest.key!r}: help page {slug!r} is not a slug.", obj=cfg, id="zargar.E011")
                )
    return errors


@register(Tags.urls)
def check_module_api_routes(app_configs=None, module_configs=None, **kwargs):
    """API viewsets import and enforce the shop scope; prefixes are not shared between modules."""
    from zargar.api.viewsets import TenantScopedMixin

    errors = []
    seen: dict[str, str] = {}
    for cfg in module_configs if module_configs is not None else modules():
        m = cfg.manifest
        for route in m.api_routes:
            try:
                viewset = import_string(route.viewset)
            except ImportError as exc:
                errors.append(
                    Error(f"Module {m.key!r}: API viewset {route.viewset} cannot be imported ({exc}).", obj=cfg, id="zargar.E012")
                )
                continue
            if not (isinstance(viewset, type) and issubclass(viewset, TenantScopedMixin)):
                errors.append(
                    Error(
                        f"Module {m.key!r}: API viewset {route.viewset} does not subclass zargar.api.viewsets.TenantScopedMixin.",
                        hint="Subclass zargar.api.viewsets.TenantModelViewSet so the route is scoped to one shop.",
                        obj=cfg,
                        id="zargar.E012",
                    )
                )
            prefix = route.prefix.strip("/")
            if prefix in seen and seen[prefix] != m.key:
                errors.append(
                    Error(f"Modules {seen[prefix]!r} and {m.key!r} both register the API prefix {prefix!r}.", obj=cfg, id="zargar.E014")
                )
            seen.setdefault(prefix, m.key)
    return errors


@register(Tags.models)
def check_module_tenant_models(app_configs=None, module_configs=None, **kwargs):
    """A module model holding a `tenant` foreign key to `tenancy.Tenant` stores shop data, so it
    must be a `TenantModel` (which brings the RLS policy)."""
    from zargar.tenancy.models import Tenant, TenantModel

    errors = []
    for cfg in module_configs if module_configs is not None else modules():
        for model in cfg.get_models():
            if model._meta.proxy or issubclass(model, TenantModel):
                continue
            for field in model._meta.concrete_fields:
                if field.name == "tenant" and field.is_relation and field.related_model is Tenant:
                    errors.append(
                        Error(
                            f"Module {cfg.manifest.key!r}: {model._meta.label} has a tenant foreign key but is not a TenantModel.",
                            hint="Subclass zargar.tenancy.models.TenantModel so the table gets its Row-Level Security policy.",
                            obj=model,
                            id="zargar.E013",
                        )
                    )
    return errors


@register()
def check_module_tasks_import(app_configs=None, module_configs=None, **kwargs):
    errors = []
    for cfg in module_configs if module_configs is not None else modules():
        if cfg.manifest.tasks:
            try:
                importlib.import_module(cfg.manifest.tasks)
            except ImportError as exc:
                errors.append(
                    Error(f"Module {cfg.manifest.key!r}: tasks module {cfg.manifest.tasks} cannot be imported ({exc}).", obj=cfg, id="zargar.E015")
                )
    return errors
