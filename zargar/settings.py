"""Zargar settings, read from the environment (see `.env.example`).

`DJANGO_ENV=production` turns on the production defaults (secure cookies, HSTS, no debug);
anything else is development. The database URL names an owner-capable account; Zargar's
runtime connection logs in as the non-superuser runtime role `DATABASE_RUNTIME_USER`, and only
`migrate` (and the role bootstrap) connect as the owner — see `zargar.tenancy.db_roles`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from zargar.contract.discovery import discover_module_apps

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZARGAR_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
TESTING = env_bool("ZARGAR_TESTING") or "pytest" in sys.modules
SECRET_KEY = env("DJANGO_SECRET_KEY", "" if PRODUCTION else "dev-insecure-key-change-me-0123456789-abcdefghijklmnop")
if PRODUCTION and len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50+ characters) when DJANGO_ENV=production")
#: Earlier SECRET_KEYs, still accepted (sessions, signed values, webhook secrets' decryption).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- Modules found through the `zargar.modules` entry-point group ----------------------------
ZARGAR_DISABLED_MODULES = env_list("ZARGAR_DISABLED_MODULES")
ZARGAR_MODULE_APPS = discover_module_apps(exclude=ZARGAR_DISABLED_MODULES)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # Zargar core
    "zargar.core",
    "zargar.accounts",
    "zargar.tenancy",
    "zargar.contract",
    "zargar.panel",
    "zargar.operator",
    "zargar.api",
    "zargar.billing",
    "zargar.audit",  # before hijack: its templates override hijack/notification.html
    "zargar.notifications",  # in-app centre, email (anymail) and SMS (twilio) of members
    "zargar.webhooks",  # outbound webhooks of shops (signed, retried, logged)
    "zargar.flags",  # feature flags (django-waffle with per-shop targeting)
    "waffle",
    # Audit log (before/after values) and operator impersonation
    "auditlog",
    "hijack",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "guardian",
    # API
    "rest_framework",
    "rest_framework_simplejwt",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets as local static files
    "django_htmx",
    # Wagtail (knowledge base, announcements, help) for platform operators
    "knowledge_base",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Double-entry books of every shop (modules.accounting builds on it)
    "django_ledger",
    # Stripe objects, webhook endpoint and signature checks (zargar.billing's Stripe gateway)
    "djstripe",
    *ZARGAR_MODULE_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hijack.middleware.HijackUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zargar.accounts.middleware.TwoFactorMiddleware",
    "zargar.operator.middleware.OperatorOnlyMiddleware",
    "zargar.audit.middleware.AuditMiddleware",  # actor/impersonator for the audit log; /api/ access
    "zargar.tenancy.middleware.TenancyMiddleware",
    "zargar.audit.middleware.AuditTenantCaptureMiddleware",  # the shop an /api/ call ran as
    "zargar.accounts.middleware.UserPreferencesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "zargar.urls"
WSGI_APPLICATION = "zargar.wsgi.application"
ASGI_APPLICATION = "zargar.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zargar.panel.context_processors.panel",
            ],
        },
    }
]

# --- Database: owner account for migrations, runtime role for everything else ----------------
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    # The embedded PostgreSQL started by `ops/run` and `ops/test` (pgserver under var/).
    from zargar.core.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(VAR_DIR / "pg")
DATABASE_RUNTIME_USER = env("DATABASE_RUNTIME_USER", "zargar_app")
DATABASE_RUNTIME_PASSWORD = env("DATABASE_RUNTIME_PASSWORD", "")
DATABASE_AS_OWNER = env_bool("ZARGAR_DB_AS_OWNER")

_owner_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")))
_owner_db["TEST"] = {"NAME": env("ZARGAR_TEST_DB_NAME") or None}
# Prepared statements: the parameters travel apart from the SQL (server-side binding), and a
# statement a connection has run DATABASE_PREPARE_THRESHOLD times is prepared once and from then
# on only executed — PostgreSQL stops parsing and planning it again. A POS sale's ~25 statements
# took 6.5 ms of PostgreSQL CPU without, 4.2 ms with (bench/pos). Django turns this off by default
# for transaction-pooling proxies (PgBouncer before 1.21): set "off" behind one of those.
_prepare_threshold = env("DATABASE_PREPARE_THRESHOLD", "2").strip().lower()
if _prepare_threshold != "off":
    _owner_db.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": int(_prepare_threshold)})
DATABASE_OWNER_USER = _owner_db["USER"] or urlsplit(DATABASE_URL).username or "postgres"
DATABASE_OWNER_PASSWORD = _owner_db["PASSWORD"] or ""
if DATABASE_AS_OWNER:
    DATABASES = {"default": _owner_db}
else:
    DATABASES = {"default": {**_owner_db, "USER": DATABASE_RUNTIME_USER, "PASSWORD": DATABASE_RUNTIME_PASSWORD}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: Redis when REDIS_URL is set, server-less otherwise ---------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "zargar.core.cache.RedisCache", "LOCATION": REDIS_URL}}  # one client per pool
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
            if not TESTING
            else "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Platform jobs (module entries are added from manifests in zargar/celery.py).
CELERY_BEAT_SCHEDULE = {
    "operator.purge-due-shops": {"task": "zargar.operator.tasks.purge_due_tenants", "schedule": 24 * 3600},
    "audit.enforce-retention": {"task": "zargar.audit.tasks.enforce_retention", "schedule": 24 * 3600},
    "billing.rollup_usage": {"task": "billing.rollup_usage", "schedule": 300.0},  # metered usage → daily history
    "billing.renew_subscriptions": {"task": "billing.renew_subscriptions", "schedule": 3600.0},  # scheduled plan changes
    "billing.retry_payments": {"task": "billing.retry_payments", "schedule": 3600.0},  # dunning
    "webhooks.dispatch_due": {"task": "webhooks.dispatch_due_all_shops", "schedule": 60.0},  # webhook retries
    "webhooks.dispatch_due_every_shop": {"task": "webhooks.dispatch_due_all_shops", "schedule": 3600.0, "kwargs": {"every_shop": True}},  # safety net
    "webhooks.purge_old": {"task": "webhooks.purge_old_all_shops", "schedule": 24 * 3600},  # delivery log retention
    "knowledge_base.publish_scheduled": {"task": "knowledge_base.publish_scheduled", "schedule": 60.0},  # announcements/pages go live, expire
}
# zargar.billing: payment gateway ("mock" until the Stripe gateway lands) and dunning schedule
BILLING_GATEWAY = env("BILLING_GATEWAY", "mock")
BILLING_RETRY_SCHEDULE_DAYS = [1, 3, 5]
# A past_due shop keeps its panel and API this many days after its unpaid period started.
BILLING_PAST_DUE_GRACE_DAYS = int(env("BILLING_PAST_DUE_GRACE_DAYS", "14"))
# Stripe (BILLING_GATEWAY=stripe) through dj-stripe. Keys: ^(pk|sk|rk)_(test|live)_[a-zA-Z0-9]{24,}$
STRIPE_LIVE_MODE = env_bool("STRIPE_LIVE_MODE", False)
STRIPE_TEST_SECRET_KEY = env("STRIPE_TEST_SECRET_KEY")
STRIPE_TEST_PUBLIC_KEY = env("STRIPE_TEST_PUBLIC_KEY")
STRIPE_LIVE_SECRET_KEY = env("STRIPE_LIVE_SECRET_KEY")
STRIPE_LIVE_PUBLIC_KEY = env("STRIPE_LIVE_PUBLIC_KEY")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_SECRET = env("DJSTRIPE_WEBHOOK_SECRET")  # whsec_… of the endpoint /billing/stripe/webhook/
DJSTRIPE_WEBHOOK_TOLERANCE = 300  # seconds a signed delivery stays valid (replay protection)
# Opt-in: let dj-stripe also sync each event's objects into its own tables (fetches them from
# Stripe; a failure there fails the delivery, which Stripe retries). Off: dj-stripe keeps the event only.
BILLING_STRIPE_SYNC_DJSTRIPE = env_bool("BILLING_STRIPE_SYNC_DJSTRIPE", False)
if env("STRIPE_API_HOST"):
    STRIPE_API_HOST = env("STRIPE_API_HOST")  # a local fake (localstripe) in development only

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Hashing cost is not under test; argon2 stays first in production settings.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous object permissions
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "panel:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "zargar.accounts.forms.ShopSignupForm"
ACCOUNT_ADAPTER = "zargar.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Zargar] "  # not the Sites framework's "[example.com]"
# Signup with a taken email answers with a form error (allauth's default, enumeration prevention,
# would instead pretend success and email the owner). Failed logins stay rate-limited below.
ACCOUNT_PREVENT_ENUMERATION = env_bool("ZARGAR_PREVENT_ENUMERATION", False)
# Lockout: failed logins are limited per IP and per account (allauth's rate limits, cache-backed).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("ZARGAR_LOGIN_FAILED_LIMIT", "20/10m/ip,5/15m/key"),
}
# Social login apps come from the environment only (no SocialApp rows needed); a provider without
# a client id is not configured, and allauth's login page lists configured providers only.
SOCIALACCOUNT_PROVIDERS: dict = {}
for _provider, _prefix in (("google", "GOOGLE"), ("facebook", "FACEBOOK")):
    if env(f"{_prefix}_CLIENT_ID"):
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": env(f"{_prefix}_CLIENT_ID"), "secret": env(f"{_prefix}_CLIENT_SECRET"), "key": ""}]
        }

# django-otp
OTP_TOTP_ISSUER = "Zargar"

# django-hijack: verified platform operators impersonate shop users (never other operators)
HIJACK_PERMISSION_CHECK = "zargar.audit.impersonation.operators_may_hijack"

# Audit log (zargar.audit) and shop lifecycle (zargar.operator)
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", "365"))
ZARGAR_DELETION_GRACE_DAYS = int(env("ZARGAR_DELETION_GRACE_DAYS", "30"))
AUDITLOG_STORE_JSON_CHANGES = True  # before/after as JSON values, not strings

# django-waffle feature flags: Zargar's flag model adds shop targeting and a kill switch
WAFFLE_FLAG_MODEL = "flags.Flag"

# django-ledger (modules.accounting): the current, non-deprecated entity-slug behaviour
DJANGO_LEDGER_USE_DEPRECATED_BEHAVIOR = False

# --- Sessions and security --------------------------------------------------------------------
SESSION_COOKIE_AGE = int(env("ZARGAR_IDLE_TIMEOUT_SECONDS", "1800"))  # idle timeout, 30 minutes
SESSION_SAVE_EVERY_REQUEST = True  # every request pushes the expiry: an idle, not absolute, timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ZARGAR_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("ZARGAR_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("ZARGAR_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Flash messages live in the session, so they end with it (a cookie store outlives logout).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- I18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Zargar"
WAGTAILADMIN_BASE_URL = env("ZARGAR_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "zargar" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# DEBUG on: WhiteNoise finds files in the apps (no collectstatic); DEBUG off: it serves what
# `collectstatic` put in STATIC_ROOT (./ops/run runs it when DEBUG is off).
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Zargar <no-reply@zargar.local>")
# Production email through django-anymail: ANYMAIL_ESP names the provider's backend
# (postmark, mailgun, sendgrid, amazon_ses, brevo, …) and ANYMAIL_API_KEY its key, unless
# EMAIL_BACKEND is set explicitly. Provider-specific options: ANYMAIL_OPTIONS (JSON object).
ANYMAIL_ESP = env("ANYMAIL_ESP")
if ANYMAIL_ESP and "EMAIL_BACKEND" not in os.environ:
    import json as _json

    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
    _esp_key_names = {"postmark": "POSTMARK_SERVER_TOKEN", "amazon_ses": None}
    _key_name = _esp_key_names.get(ANYMAIL_ESP, f"{ANYMAIL_ESP.upper()}_API_KEY")
    ANYMAIL = {**({_key_name: env("ANYMAIL_API_KEY")} if _key_name else {}), **_json.loads(env("ANYMAIL_OPTIONS", "{}") or "{}")}
# Public address of the panel, for links in emails and SMS.
ZARGAR_BASE_URL = env("ZARGAR_BASE_URL", "http://127.0.0.1:8000")

# --- Notifications: SMS through Twilio (TWILIO_API_BASE points the client at another host) -----
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER")
TWILIO_API_BASE = env("TWILIO_API_BASE", "https://api.twilio.com")
TWILIO_TIMEOUT_SECONDS = float(env("TWILIO_TIMEOUT_SECONDS", "10"))
NOTIFICATIONS_MAX_ATTEMPTS = int(env("NOTIFICATIONS_MAX_ATTEMPTS", "4"))
NOTIFICATIONS_POLL_SECONDS = int(env("NOTIFICATIONS_POLL_SECONDS", "30"))

# --- Outbound webhooks (zargar.webhooks) ----------------------------------------------------------
WEBHOOKS_MAX_ATTEMPTS = int(env("WEBHOOKS_MAX_ATTEMPTS", "12"))  # 1m, 2m, 4m … capped at 6h: the 12th ~20.5 h after the 1st
WEBHOOKS_DISABLE_AFTER_FAILURES = int(env("WEBHOOKS_DISABLE_AFTER_FAILURES", "36"))
WEBHOOKS_CONNECT_TIMEOUT = float(env("WEBHOOKS_CONNECT_TIMEOUT", "5"))
WEBHOOKS_READ_TIMEOUT = float(env("WEBHOOKS_READ_TIMEOUT", "10"))
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", PRODUCTION)
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", not PRODUCTION)
WEBHOOKS_LOG_RETENTION_DAYS = int(env("WEBHOOKS_LOG_RETENTION_DAYS", "30"))  # finished events and their delivery log

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zargar.api.authentication.ApiKeyAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "zargar.api.authentication.TwoFactorSessionAuthentication",  # session + CSRF, 2FA passed
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "zargar.api.permissions.ApiKeyScopePermission",  # API keys need the module's read/write scope
    ],
    "DEFAULT_SCHEMA_CLASS": "zargar.api.schema.ZargarAutoSchema",  # X-Tenant header + JSON errors
    "DEFAULT_PAGINATION_CLASS": "zargar.api.pagination.ApiPagination",  # limit/offset, count/next/previous
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],  # each list's FilterSet
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "zargar.api.errors.exception_handler",
    # JSON in, JSON out: one request format for integrators (and one the schema documents).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per-shop monthly API-call limit of the shop's plan (429 `limit_exceeded`).
    # Per-key requests per minute first (429 `rate_limited` with Retry-After), then the plan's month.
    "DEFAULT_THROTTLE_CLASSES": ["zargar.api.throttling.ApiKeyRateThrottle", "zargar.billing.throttling.MonthlyApiCallThrottle"],
}
# Requests per minute an API key may make when it has no limit of its own (zargar.api.throttling).
ZARGAR_API_KEY_RATE_LIMIT = int(env("ZARGAR_API_KEY_RATE_LIMIT", "600"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Zargar API",
    "DESCRIPTION": (
        "REST API of Zargar, the platform for gold and jewelry shops.\n\n"
        "Credentials: a shop's API key (`Authorization: Bearer sk_live_…` or `X-Api-Key`; publishable "
        "`pk_…` keys are read-only), a JWT from `/api/v1/auth/token/` (send the shop's slug in the "
        "`X-Tenant` header), or the panel's session cookie (with `X-CSRFToken` on writes). "
        "Errors are JSON: `{\"error\": {\"code\", \"message\", \"fields\"?}}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,  # request bodies get their own components (no read-only fields)
    "PREPROCESSING_HOOKS": ["zargar.api.schema.only_zargar_api"],
    # The inventory model field and its `?karat=` filter share one choice set: one name for it
    # (otherwise drf_spectacular.W001 in `check --deploy`).
    "ENUM_NAME_OVERRIDES": {
        "KaratEnum": "modules.inventory.models.Karat",
        "PaymentMethodEnum": "modules.pos.models.PaymentMethod",
        "TenderMethodEnum": "modules.pos.api.serializers.TENDER_METHODS",
        "ItemMakingModeEnum": "modules.inventory.models.MakingMode",
        "QuoteMakingModeEnum": "modules.rates.pricing.MakingMode.ALL",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
SIMPLE_JWT = {"AUTH_HEADER_TYPES": ("Bearer",), "USER_ID_CLAIM": "user_id"}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("ZARGAR_LOG_LEVEL", "INFO")},
}
