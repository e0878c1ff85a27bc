"""The core's notification types (modules add theirs through `ExtensionPoint.NOTIFICATION_TYPES`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zargar.tenancy.roles import Role

from .registry import EMAIL, IN_APP, NotificationType, register

USAGE_THRESHOLD = "billing.usage_threshold"
WEBHOOK_DISABLED = "webhooks.endpoint_disabled"
MEMBER_INVITED = "members.invited"
SALE_VOIDED = "pos.sale_voided"


def _metric_label(params: dict) -> dict:
    from zargar.billing.models import Metric

    try:
        label = Metric(params.get("metric")).label
    except ValueError:
        label = params.get("metric", "")
    return {**params, "metric_label": str(label), "metric_lower": str(label).lower()}


def _role_label(params: dict) -> dict:
    try:
        return {**params, "role": str(Role(params.get("role_code")).label)}
    except ValueError:
        return params


register(
    NotificationType(
        key=USAGE_THRESHOLD,
        label=_("Plan usage threshold crossed"),
        description=_("A metric of this shop (users, items, API calls…) passed a warning threshold of its plan limit."),
        title=_("%(metric_label)s at %(pct)s%% of your plan"),
        body=_("%(shop)s has used %(value)s of %(limit)s %(metric_lower)s this period (%(pct)s%%). See your plan and upgrade in Billing."),
        min_role=Role.OWNER,
        default_channels=frozenset({IN_APP, EMAIL}),
        prepare=_metric_label,
    )
)
register(
    NotificationType(
        key=WEBHOOK_DISABLED,
        label=_("Webhook endpoint disabled"),
        description=_("Zargar stopped sending events to a webhook endpoint after it kept failing."),
        title=_("Webhook endpoint disabled: %(url)s"),
        body=_("Zargar disabled the webhook endpoint %(url)s after %(failures)s failed deliveries in a row. Fix the receiver, then enable it again under Webhooks."),
        min_role=Role.OWNER,
        default_channels=frozenset({IN_APP, EMAIL}),
    )
)
register(
    NotificationType(
        key=MEMBER_INVITED,
        label=_("Member invited"),
        description=_("Someone was invited to join this shop."),
        title=_("%(email)s was invited to the shop"),
        body=_("%(email)s was invited to %(shop)s as %(role)s."),
        min_role=Role.ADMIN,
        prepare=_role_label,
        default_channels=frozenset({IN_APP}),
    )
)
register(
    NotificationType(
        key=SALE_VOIDED,
        label=_("Sale voided"),
        description=_("A completed sale was voided at the point of sale."),
        title=_("Sale %(number)s voided"),
        body=_("Sale %(number)s of %(total)s was voided. Reason: %(reason)s"),
        min_role=Role.ADMIN,
        default_channels=frozenset({IN_APP}),
    )
)
