"""Pluggable senders for the outside channels. Settings choose them: SMS_SENDER, WECHAT_SENDER;
e-mail goes through Django's mail (EMAIL_HOST and friends).

A sender returns the provider's message id, or raises TemporarySendError (try again later) or
PermanentSendError (trying again cannot help).
"""

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from leifeng.core.masking import mask_mobile
from leifeng.notify.kinds import EMAIL, SMS, WECHAT

logger = logging.getLogger(__name__)


class TemporarySendError(Exception):
    """The provider could not take the message now; it is tried again later."""


class UncertainSendError(Exception):
    """The request went out but no answer came: the message may or may not have been sent."""


class PermanentSendError(Exception):
    """The message can never go through as it is (bad number, missing template …)."""


class Message(Protocol):
    pk: int
    kind: str
    address: str
    subject: str
    body: str
    context: dict


class Sender(Protocol):
    def send(self, message: Message) -> str: ...


class ConsoleSender:
    """Writes the message to the log instead of sending it: the default on one machine."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Message) -> str:
        # The log shows a mobile number masked, like every other place (DOMAIN.md §10).
        address = mask_mobile(message.address) if self.channel == SMS else message.address
        logger.warning("[%s → %s] %s", self.channel, address, message.body)
        return f"console-{uuid.uuid4().hex[:12]}"


class EmailSender:
    def send(self, message: Message) -> str:
        try:
            send_mail(message.subject, message.body, None, [message.address])
        except (OSError, ConnectionError) as exc:  # smtplib errors are OSErrors
            raise TemporarySendError(str(exc)) from exc
        return ""


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature wants it (space → %20, ~ kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """HMAC-SHA1 signature of Alibaba Cloud's RPC-style API (SignatureVersion 1.0)."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Codes after which a later try may succeed; every other error code is final.
ALIYUN_TEMPORARY_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.AMOUNT_NOT_ENOUGH",
    "Throttling.User",
    "SignatureNonceUsed",
    "ServiceUnavailable",
}


class AliyunSmsSender:
    """Alibaba Cloud SMS (dysmsapi SendSms, API version 2017-05-25) over its documented HTTP API.

    Settings: ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME,
    ALIYUN_SMS_TEMPLATES (a JSON object: our message kind → the provider's TemplateCode) and
    ALIYUN_SMS_ENDPOINT. The template's variables are the message's values.
    """

    def __init__(self) -> None:
        self.key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME
        self.templates = settings.ALIYUN_SMS_TEMPLATES
        self.endpoint = settings.ALIYUN_SMS_ENDPOINT

    def request_params(self, message: Message) -> dict[str, str]:
        template = self.templates.get(message.kind)
        if not template:
            raise PermanentSendError(f"no ALIYUN_SMS_TEMPLATES entry for {message.kind}")
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(message.pk),  # our id, so staff can match the provider's records
            "PhoneNumbers": message.address,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(
                {k: str(v) for k, v in message.context.items()}, ensure_ascii=False
            ),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        return params

    def send(self, message: Message) -> str:
        data = urllib.parse.urlencode(self.request_params(message)).encode()
        request = urllib.request.Request(self.endpoint, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read().decode())
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read().decode())
            except ValueError:
                raise TemporarySendError(f"HTTP {exc.code}") from exc
            if exc.code >= 500 and "Code" not in answer:
                raise TemporarySendError(f"HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise UncertainSendError("timeout") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise UncertainSendError("timeout") from exc
            raise TemporarySendError(str(exc.reason)) from exc  # not connected: nothing sent
        except ValueError as exc:
            raise UncertainSendError(f"unreadable answer: {exc}") from exc
        code = answer.get("Code", "")
        if code == "OK":
            return str(answer.get("BizId", ""))
        detail = f"{code}: {answer.get('Message', '')}"
        if code in ALIYUN_TEMPORARY_CODES or code.startswith("isp."):
            raise TemporarySendError(detail)
        raise PermanentSendError(detail)


SMS_SENDERS = {"console": lambda: ConsoleSender(SMS), "aliyun": AliyunSmsSender}
WECHAT_SENDERS = {"console": lambda: ConsoleSender(WECHAT)}


def sender_for(channel: str) -> Sender:
    if channel == EMAIL:
        return EmailSender()
    if channel == SMS:
        return SMS_SENDERS[settings.SMS_SENDER]()
    if channel == WECHAT:
        return WECHAT_SENDERS[settings.WECHAT_SENDER]()
    raise ValueError(f"no sender for channel {channel}")
