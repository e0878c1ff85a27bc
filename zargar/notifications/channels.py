"""Sending one delivery: email through Django's mail API (django-anymail's ESP backend in
production, SMTP or the console elsewhere — `EMAIL_BACKEND`), SMS through Twilio's client.

Messages are rendered from `notifications/email/message.{txt,html}` and
`notifications/sms/message.txt` in the recipient's language (`Delivery.language`).
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .models import Delivery

TWILIO_DEFAULT_BASE = "https://api.twilio.com"


class DeliveryError(Exception):
    """Sending failed; `str()` is the reason recorded on the delivery."""


def absolute(path: str) -> str:
    """`path` on the site's public address (`ZARGAR_BASE_URL`)."""
    return urljoin(settings.ZARGAR_BASE_URL.rstrip("/") + "/", path.lstrip("/")) if path else ""


def _context(delivery: Delivery) -> dict:
    notification = delivery.notification
    title, body = notification.rendered()
    return {
        "shop": notification.tenant.name,
        "title": title,
        "body": body,
        "url": absolute(notification.url or reverse("notifications:list")),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "recipient": notification.recipient,
        "LANGUAGE_CODE": delivery.language,
        "LANGUAGE_BIDI": translation.get_language_info(delivery.language)["bidi"],
    }


def send_email(delivery: Delivery) -> str:
    """Send the email; returns the provider's message id when the backend reports one
    (anymail's `anymail_status.message_id`). Raises `DeliveryError`."""
    with translation.override(delivery.language):
        context = _context(delivery)
        subject = f"[{context['shop']}] {context['title']}"
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[delivery.address],
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(html, "text/html")
    # django-anymail's extensions (ignored by Django's own backends): tag and trace the message.
    message.tags = [delivery.notification.type_key]
    message.metadata = {"tenant": str(delivery.tenant_id), "delivery": str(delivery.pk)}
    try:
        message.send()
    except Exception as exc:  # SMTP errors, anymail's AnymailError, network errors
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
    message_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    return "" if message_id is None else str(message_id)


class _BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending to `base` instead of https://api.twilio.com (Twilio's
    documented way to reach another host is a custom HTTP client)."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_DEFAULT_BASE):
            url = self.base + url[len(TWILIO_DEFAULT_BASE):]
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> Client:
    """A Twilio client with the `TWILIO_*` settings; `TWILIO_API_BASE` replaces the API host."""
    base = settings.TWILIO_API_BASE or TWILIO_DEFAULT_BASE
    http_client = _BaseUrlHttpClient(base, timeout=settings.TWILIO_TIMEOUT_SECONDS) if base.rstrip("/") != TWILIO_DEFAULT_BASE else TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def send_sms(delivery: Delivery) -> str:
    """Send the SMS through Twilio; returns the message sid. Raises `DeliveryError`."""
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER):
        raise DeliveryError("SMS is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)")
    with translation.override(delivery.language):
        body = " ".join(render_to_string("notifications/sms/message.txt", _context(delivery)).split())
    try:
        message = twilio_client().messages.create(to=delivery.address, from_=settings.TWILIO_FROM_NUMBER, body=body)
    except TwilioRestException as exc:  # the API refused: keep Twilio's error code (e.g. 21211 invalid To)
        raise DeliveryError(f"Twilio error {exc.code} (HTTP {exc.status}): {' '.join(str(exc.msg).split())}") from exc
    except TwilioException as exc:
        raise DeliveryError(f"{exc.__class__.__name__}: {' '.join(str(exc).split())}") from exc
    except OSError as exc:  # connection refused, timeouts (requests' errors are OSErrors)
        raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc
    return message.sid or ""


SENDERS = {Delivery.Channel.EMAIL: send_email, Delivery.Channel.SMS: send_sms}
