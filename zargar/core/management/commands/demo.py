"""`manage.py demo`: create the demo shops, users, inventory and help pages (idempotent).

Creates what is missing and leaves the rest alone, so it runs on every `./ops/run`:
- two shops, "Golden Rose Jewelry" (en, USD) and "Tehran Gold Gallery" (fa, IRR), each with
  an owner and a staff member (role member) and about ten inventory items;
- the platform operator operator@zargar.local (a superuser; enrols in TOTP at first login);
- a verified, primary allauth email address for every demo user, so they can log in at once;
- the knowledge-base index page under the Wagtail root, served at /help/ by the default site,
  with a help page for every built-in module and a FAQ, each also in Persian
  (`knowledge_base.seed`); Wagtail's root page, locales and site are recreated if missing,
  e.g. after `manage.py flush`.

Every demo account's password is set to `$ZARGAR_DEMO_PASSWORD` (default in
`zargar.core.demo_data`) whenever it does not already match, so the printed logins work.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from zargar.core import demo_data


class Command(BaseCommand):
    help = "Create the demo shops, users, inventory items and knowledge-base pages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins at the end.")

    def handle(self, *args, quiet_logins: bool = False, **options):
        password = demo_data.demo_password()
        created = {"shops": 0, "users": 0, "items": 0, "pages": 0}
        with transaction.atomic():
            operator = self._user(demo_data.OPERATOR_EMAIL, "Platform Operator", password, created, operator=True)
            for spec in demo_data.SHOPS:
                self._shop(spec, password, created)
            self._knowledge_base(operator, created)
        self.stdout.write(
            "Demo data: {shops} shops, {users} users, {items} items, {pages} pages created "
            "(everything else already there).".format(**created)
        )
        if not quiet_logins:
            self.stdout.write(demo_data.logins_text(password))

    # --- users ---------------------------------------------------------------------------------
    def _user(self, email: str, full_name: str, password: str, created: dict, operator: bool = False):
        from allauth.account.models import EmailAddress

        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            extra = {"full_name": full_name}
            if operator:
                user = User.objects.create_superuser(email=email, password=password, **extra)
            else:
                user = User.objects.create_user(email=email, password=password, **extra)
            created["users"] += 1
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    # --- shops, members, items ----------------------------------------------------------------
    def _shop(self, spec: dict, password: str, created: dict) -> None:
        from modules.inventory.actions import create_item
        from modules.inventory.models import Item
        from zargar.tenancy.actions import add_member, create_tenant
        from zargar.tenancy.context import tenant_context
        from zargar.tenancy.models import Tenant

        users = [(self._user(email, name, password, created), role) for email, name, role in spec["users"]]
        owner = next(user for user, role in users if role == "owner")
        tenant = Tenant.objects.filter(slug=spec["slug"]).first()
        if tenant is None:
            tenant = create_tenant(
                name=spec["name"],
                owner=owner,
                slug=spec["slug"],
                currency=spec["currency"],
                default_locale=spec["default_locale"],
                time_zone=spec["time_zone"],
            )
            created["shops"] += 1
        for user, role in users:
            add_member(tenant, user, role)
        with tenant_context(tenant, user=owner):
            existing = set(Item.objects.filter(tenant=tenant).values_list("sku", flat=True))
            for sku, name, category, karat, gross, net, quantity, price in spec["items"]:
                if sku in existing:
                    continue
                create_item(
                    tenant,
                    sku=sku,
                    name=name,
                    category=category,
                    karat=karat,
                    gross_weight=Decimal(gross),
                    net_weight=Decimal(net),
                    quantity=quantity,
                    price=Decimal(price),
                )
                created["items"] += 1

    # --- Wagtail knowledge base ---------------------------------------------------------------
    def _knowledge_base(self, operator, created: dict) -> None:
        from django.conf import settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale, Page, Site

        from knowledge_base.models import KnowledgeBaseIndexPage
        from knowledge_base.seed import seed_knowledge_base

        # Wagtail's migrations create the default locale and the root page; `manage.py flush`
        # (and transactional tests) remove them, so put them back if they are gone.
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(instance=Page(title="Root", slug="root"))
        index = KnowledgeBaseIndexPage.objects.child_of(root).filter(locale=Locale.get_default()).first()
        if index is None:
            index = root.add_child(
                instance=KnowledgeBaseIndexPage(
                    title="Knowledge base",
                    slug="knowledge-base",
                    intro="<p>How to use Zargar: guides for shop owners and staff.</p>",
                    owner=operator,
                )
            )
            index.save_revision(user=operator).publish(user=operator)
            created["pages"] += 1
        # Help pages of the built-in modules and a FAQ, in English and Persian (wagtail-localize).
        created["pages"] += seed_knowledge_base(index, operator)
        # Serve the knowledge base at /help/ while the default site still shows Wagtail's
        # placeholder "Welcome" page (a plain Page created by Wagtail's own migration).
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            Site.objects.create(hostname="localhost", port=80, site_name="Zargar", root_page=index, is_default_site=True)
        elif site.root_page.specific_class is Page and site.root_page.depth == 2:
            site.root_page = index
            site.save(update_fields=["root_page"])
